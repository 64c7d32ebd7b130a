"""Identity tests: the simulator with the site's OAuth application on GitHub, GitLab, Gitea."""

import pytest

from forge_simulator.oauth import oauth_settings
from tests.block.conftest import (
    FAST_POLLING,
    BlockHarness,
    events,  # noqa: F401  (a fixture)
)
from tests.tracking.conftest import HOSTS, PROJECTS, URLS  # noqa: F401  (the same records' addresses)

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
def harness(db, oauth_bucket):
    return BlockHarness()


@pytest.fixture
def staff(monkeypatch):
    """The workbench has no course staff: the user ``staff_1`` is staff, nobody else."""
    from upstream_xblock import compat
    monkeypatch.setattr(compat, "is_staff", lambda block: compat.learner_id(block) == "staff_1")
    return "staff_1"
