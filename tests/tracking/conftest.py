"""Registry records made directly (as the block would), for sweep tests."""

import itertools
import os
import socket
import subprocess
import time

import pytest
from django.utils import timezone

from forge_simulator.shapes import project_id as account_id_of
from tests.events.conftest import tracked  # noqa: F401  (the LMS's tracker, its events kept)
from upstream_xblock.identity import api as identity_api
from upstream_xblock.identity.api import COMMENT_CODE
from upstream_xblock.models import BlockConfig, TrackedContribution
from upstream_xblock.policy import Rules

PROJECTS = {"github": "openedx/xblock-sdk", "gitlab": "mooc-floss/demo",
            "gerrit": "openstack/nova", "gitea": "forgejo/forgejo"}
HOSTS = {"github": "github.com", "gitlab": "gitlab.com", "gerrit": "review.opendev.org",
         "gitea": "codeberg.org"}
URLS = {"github": "https://github.com/{p}/pull/{n}",
        "gitlab": "https://gitlab.com/{p}/-/merge_requests/{n}",
        "gerrit": "https://review.opendev.org/c/{p}/+/{n}",
        "gitea": "https://codeberg.org/{p}/pulls/{n}"}
_COUNTER = itertools.count(1)
REDIS = "/usr/bin/redis-server"


class Registry:
    """Makes due records and the simulator's contributions behind them."""

    def __init__(self, world):
        self.world = world

    def block(self, usage_key="block-1", required_count=1, **rules):
        BlockConfig.objects.update_or_create(
            usage_key=usage_key, defaults={"rules": Rules(**rules).to_dict(),
                                           "required_count": required_count})
        return usage_key

    def contribution(self, kind="github", number=None, learner="learner-1", usage_key="block-1",
                     state="open", author=None, project=None, **record):
        """A due record of ``learner``, by default authored by their own verified account."""
        number = number or next(_COUNTER)
        project = project or PROJECTS[kind]
        own_account = f"{learner}-{kind}"
        self.world.open(kind, project, number, author=author or own_account, state=state)
        now = timezone.now()
        identity_api.record(learner, HOSTS[kind], str(account_id_of(own_account)), own_account,
                            COMMENT_CODE, now)
        return TrackedContribution.objects.create(
            usage_key=usage_key, learner_id=learner,
            url=URLS[kind].format(p=project, n=number),
            kind=kind, host=HOSTS[kind], project=project, number=number,
            forge_username=own_account, registered_at=now, next_check_at=now, **record)


@pytest.fixture
def registry(world):
    return Registry(world)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """Debian's redis-server on a loopback port, started and stopped by the tests."""

    def __init__(self, directory):
        if not os.path.exists(REDIS):
            pytest.fail(f"{REDIS} is missing: install Debian's redis-server "
                        "(scripts/test.sh does, as root)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def wait_for_port(port, timeout_s=20):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    return redis_server.url


@pytest.fixture
def lms_celery(settings, redis_url):
    """A Celery app configured the way openedx-platform configures its own.

    ``Celery("proj")`` reading Django settings without a namespace, the broker
    given as ``BROKER_URL`` (lms/envs/production.py), set as the current app.
    """
    from celery import Celery, current_app
    previous = current_app._get_current_object()
    settings.BROKER_URL = redis_url + "/0"
    app = Celery("proj")
    app.config_from_object("django.conf:settings")
    app.set_current()
    yield app
    previous.set_current()
