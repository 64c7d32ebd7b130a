"""Registry records made directly (as the block would), for sweep tests."""

import itertools

import pytest
from django.utils import timezone

from forge_simulator.shapes import project_id as account_id_of
from upstream_xblock.identity import api as identity_api
from upstream_xblock.identity.accounts import COMMENT_CODE
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
                     state="open", author=None, **record):
        """A due record of ``learner``, by default authored by their own verified account."""
        number = number or next(_COUNTER)
        own_account = f"{learner}-{kind}"
        self.world.open(kind, PROJECTS[kind], number, author=author or own_account, state=state)
        now = timezone.now()
        identity_api.record(learner, HOSTS[kind], str(account_id_of(own_account)), own_account,
                            COMMENT_CODE, now)
        return TrackedContribution.objects.create(
            usage_key=usage_key, learner_id=learner, url=URLS[kind].format(p=PROJECTS[kind], n=number),
            kind=kind, host=HOSTS[kind], project=PROJECTS[kind], number=number,
            forge_username=own_account, registered_at=now, next_check_at=now, **record)


@pytest.fixture
def registry(world):
    return Registry(world)
