"""python-gitlab and PyGithub are never given the chance to sleep or retry on their own.

Counted, not timed: ``time.sleep`` is replaced while these run (``tests/waits.py``),
so a library's sleep is recorded (and stopped) instead of being measured in seconds.
"""

import pytest
from gitlab.exceptions import GitlabError

from upstream_xblock.forges import Deadline, ForgeError, Forges


@pytest.fixture
def forges(fault_server):
    return Forges.from_settings(fault_server.settings())


@pytest.mark.parametrize("fault", ["rate_limited", "server_error_retry_after", "server_error"])
def test_python_gitlab_cannot_sleep_even_when_asked_to(fault_server, forges, waits, fault):
    """Whatever a caller passes, its Retry-After / RateLimit-Reset sleep never runs."""
    project = f"nosleep/{fault.replace('_', '-')}"
    fault_server.fault("gitlab", project, 1, fault, reset_in_s=3600)
    client = forges.client("gitlab.com")
    path = f"/projects/{project.replace('/', '%2F')}/merge_requests/1"
    before = fault_server.count("gitlab", project, 1)
    with Deadline(1.0).active(), pytest.raises((ForgeError, GitlabError)):  # at once
        client.gitlab.http_get(path, obey_rate_limit=True, retry_transient_errors=True,
                               max_retries=10)
    assert waits.library_sleeps == []  # python-gitlab would sleep 3,600 s, then ask again
    # Our transport's own bounded retries only: a 503 without Retry-After is asked 3 times,
    # with short pauses that fit in the deadline.
    assert fault_server.count("gitlab", project, 1) - before == (3 if fault == "server_error"
                                                                 else 1)
    waits.assert_within(1.0)


def test_pygithub_never_sees_a_202(fault_server, forges, waits):
    fault_server.fault("github", "nosleep/accepted", 1, "accepted")
    with pytest.raises(ForgeError) as raised:
        forges.check("https://github.com/nosleep/accepted/pull/1")
    assert raised.value.reason == "bad_status"
    assert waits.sleeps == []  # PyGithub would have slept 2 s, then asked again
    assert fault_server.count("github", "nosleep/accepted", 1) == 1
