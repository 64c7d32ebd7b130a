"""Identity tests: the simulator with the site's OAuth application on GitHub, GitLab, Gitea."""

import pytest

from forge_simulator.oauth import oauth_settings
from tests.block.conftest import FAST_POLLING, BlockHarness
from tests.block.conftest import events  # noqa: F401  pylint: disable=unused-import  (a fixture)

PROJECTS = {"github": "openedx/xblock-sdk", "gitlab": "mooc-floss/demo",
            "gerrit": "openstack/nova", "gitea": "forgejo/forgejo"}
HOSTS = {"github": "github.com", "gitlab": "gitlab.com", "gerrit": "review.opendev.org",
         "gitea": "codeberg.org"}
URLS = {"github": "https://github.com/{p}/pull/{n}",
        "gitlab": "https://gitlab.com/{p}/-/merge_requests/{n}",
        "gerrit": "https://review.opendev.org/c/{p}/+/{n}",
        "gitea": "https://codeberg.org/{p}/pulls/{n}"}
KINDS = tuple(PROJECTS)
OAUTH_KINDS = ("github", "gitlab", "gitea")


def url_of(kind, number):
    return URLS[kind].format(p=PROJECTS[kind], n=number)


@pytest.fixture
def oauth_bucket(settings, simulator):
    """The settings bucket: every forge at the simulator, OAuth applications where they exist."""
    bucket = oauth_settings({**simulator.settings(), "polling": dict(FAST_POLLING)},
                            simulator.base_url)
    settings.XBLOCK_SETTINGS = {"upstream_xblock": bucket}
    return bucket


@pytest.fixture
def harness(db, oauth_bucket):  # pylint: disable=unused-argument
    return BlockHarness()


@pytest.fixture
def staff(monkeypatch):
    """The workbench has no course staff: the user ``staff_1`` is staff, nobody else."""
    from upstream_xblock import platform  # pylint: disable=import-outside-toplevel
    monkeypatch.setattr(platform, "is_staff", lambda block: platform.learner_id(block) == "staff_1")
    return "staff_1"
