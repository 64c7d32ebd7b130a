"""The URL parser on the forms people paste, good and hostile (one row a case)."""

import pytest

from upstream_xblock.forges import (
    ForgeRegistry,
    InvalidUrl,
    UnsupportedHost,
    parse_contribution_url,
)

SETTINGS = {"forges": [
    {"kind": "github", "host": "github.example.edu", "api_url": "https://github.example.edu/api/v3"},
    {"kind": "gitlab", "host": "git.example.org", "web_url": "https://git.example.org/gitlab"},
    {"kind": "gerrit", "host": "gerrit.example.org", "web_url": "https://gerrit.example.org/r"},
    {"kind": "gitea", "host": "forge.example.net:3000", "web_url": "https://forge.example.net:3000"},
]}

OK = [
    # (url, kind, host, project, number, canonical url)
    ("https://github.com/openedx/xblock-sdk/pull/12", "github", "github.com", "openedx/xblock-sdk", 12,
     "https://github.com/openedx/xblock-sdk/pull/12"),
    ("https://github.com/openedx/xblock-sdk/pull/12/files", "github", "github.com", "openedx/xblock-sdk", 12, None),
    ("https://github.com/openedx/xblock-sdk/pull/12/commits", "github", "github.com", "openedx/xblock-sdk", 12, None),
    ("https://github.com/openedx/xblock-sdk/pull/12/checks", "github", "github.com", "openedx/xblock-sdk", 12, None),
    ("https://github.com/openedx/xblock-sdk/pull/12/commits/0123abcd", "github", "github.com",
     "openedx/xblock-sdk", 12, None),
    ("https://github.com/openedx/xblock-sdk/pull/12?w=1#discussion_r1", "github", "github.com",
     "openedx/xblock-sdk", 12, None),
    ("https://github.com/openedx/xblock-sdk/pull/12/", "github", "github.com", "openedx/xblock-sdk", 12, None),
    ("  https://github.com/openedx/xblock-sdk/pull/12\n", "github", "github.com", "openedx/xblock-sdk", 12, None),
    ("http://github.com/openedx/xblock-sdk/pull/12", "github", "github.com", "openedx/xblock-sdk", 12,
     "https://github.com/openedx/xblock-sdk/pull/12"),
    ("github.com/openedx/xblock-sdk/pull/12", "github", "github.com", "openedx/xblock-sdk", 12, None),
    ("https://GitHub.com/OpenEdx/XBlock-SDK/pull/12", "github", "github.com", "openedx/xblock-sdk", 12,
     "https://github.com/openedx/xblock-sdk/pull/12"),
    ("https://github.com./openedx/xblock-sdk/pull/12", "github", "github.com", "openedx/xblock-sdk", 12, None),
    ("https://github.com:443/openedx/xblock-sdk/pull/12", "github", "github.com", "openedx/xblock-sdk", 12, None),
    ("https://github.com/openedx/edx-platform.git-tools/pull/3", "github", "github.com",
     "openedx/edx-platform.git-tools", 3, None),
    ("https://github.com/openedx/xblock-sdk/pulls/12", "github", "github.com", "openedx/xblock-sdk", 12, None),
    ("https://github.example.edu/course/repo/pull/5", "github", "github.example.edu", "course/repo", 5,
     "https://github.example.edu/course/repo/pull/5"),
    ("https://gitlab.com/mooc-floss/course/-/merge_requests/3", "gitlab", "gitlab.com", "mooc-floss/course", 3,
     "https://gitlab.com/mooc-floss/course/-/merge_requests/3"),
    ("https://gitlab.com/mooc-floss/sub/group/course/-/merge_requests/3/diffs", "gitlab", "gitlab.com",
     "mooc-floss/sub/group/course", 3, None),
    ("https://gitlab.com/mooc-floss/course/-/merge_requests/3/commits?tab=x", "gitlab", "gitlab.com",
     "mooc-floss/course", 3, None),
    ("https://gitlab.com/mooc-floss/course/merge_requests/3", "gitlab", "gitlab.com", "mooc-floss/course", 3,
     "https://gitlab.com/mooc-floss/course/-/merge_requests/3"),
    ("https://framagit.org/framasoft/peertube/-/merge_requests/99", "gitlab", "framagit.org",
     "framasoft/peertube", 99, None),
    ("https://salsa.debian.org/python-team/packages/foo/-/merge_requests/1", "gitlab", "salsa.debian.org",
     "python-team/packages/foo", 1, None),
    ("https://git.example.org/gitlab/team/app/-/merge_requests/8", "gitlab", "git.example.org", "team/app", 8,
     "https://git.example.org/gitlab/team/app/-/merge_requests/8"),
    ("https://review.opendev.org/c/openstack/nova/+/912345", "gerrit", "review.opendev.org",
     "openstack/nova", 912345, "https://review.opendev.org/c/openstack/nova/+/912345"),
    ("https://review.opendev.org/c/openstack/nova/+/912345/3", "gerrit", "review.opendev.org",
     "openstack/nova", 912345, None),
    ("https://review.opendev.org/c/openstack/nova/+/912345/3/nova/api.py", "gerrit", "review.opendev.org",
     "openstack/nova", 912345, None),
    ("https://review.opendev.org/#/c/912345/", "gerrit", "review.opendev.org", "", 912345,
     "https://review.opendev.org/c/912345"),
    ("https://review.opendev.org/#/c/openstack/nova/+/912345/", "gerrit", "review.opendev.org",
     "openstack/nova", 912345, None),
    ("https://review.opendev.org/912345", "gerrit", "review.opendev.org", "", 912345, None),
    ("https://review.opendev.org/c/912345", "gerrit", "review.opendev.org", "", 912345, None),
    ("https://review.opendev.org/c/openstack/openstack-ansible-os_nova/+/5", "gerrit",
     "review.opendev.org", "openstack/openstack-ansible-os_nova", 5, None),
    ("https://gerrit.wikimedia.org/r/c/mediawiki/core/+/1000", "gerrit", "gerrit.wikimedia.org",
     "mediawiki/core", 1000, "https://gerrit.wikimedia.org/r/c/mediawiki/core/+/1000"),
    ("https://gerrit.wikimedia.org/r/1000", "gerrit", "gerrit.wikimedia.org", "", 1000, None),
    ("https://gerrit.example.org/r/c/tools/x/+/4", "gerrit", "gerrit.example.org", "tools/x", 4, None),
    ("https://codeberg.org/forgejo/forgejo/pulls/42", "gitea", "codeberg.org", "forgejo/forgejo", 42,
     "https://codeberg.org/forgejo/forgejo/pulls/42"),
    ("https://codeberg.org/forgejo/forgejo/pulls/42/files", "gitea", "codeberg.org", "forgejo/forgejo", 42, None),
    ("https://codeberg.org/forgejo/forgejo/pulls/42/commits#top", "gitea", "codeberg.org",
     "forgejo/forgejo", 42, None),
    ("https://forge.example.net:3000/team/app/pulls/2", "gitea", "forge.example.net:3000", "team/app", 2,
     "https://forge.example.net:3000/team/app/pulls/2"),
]

BAD = [
    # (url, error class, reason)
    ("", InvalidUrl, "empty"),
    ("   ", InvalidUrl, "empty"),
    ("https://github.com/" + "a" * 3000, InvalidUrl, "too_long"),
    ("https://github.com/openedx/xblock-sdk/issues/12", InvalidUrl, "issue"),
    ("https://github.com/openedx/xblock-sdk/commit/0123abcd", InvalidUrl, "commit"),
    ("https://github.com/openedx/xblock-sdk/tree/my-branch", InvalidUrl, "branch"),
    ("https://github.com/openedx/xblock-sdk/compare/main...me:fix", InvalidUrl, "branch"),
    ("https://github.com/openedx/xblock-sdk/blob/main/README.md", InvalidUrl, "file"),
    ("https://github.com/openedx/xblock-sdk", InvalidUrl, "repository"),
    ("https://github.com/openedx/xblock-sdk/pulls", InvalidUrl, "pull_list"),
    ("https://github.com/openedx", InvalidUrl, "user"),
    ("https://github.com/", InvalidUrl, "unknown_page"),
    ("https://github.com/openedx/xblock-sdk/pull/abc", InvalidUrl, "number"),
    ("https://github.com/openedx/xblock-sdk/pull/0", InvalidUrl, "number"),
    ("https://github.com/openedx/xblock-sdk/pull/99999999999", InvalidUrl, "number"),
    ("https://github.com/openedx/xblock-sdk/pull/-3", InvalidUrl, "number"),
    ("https://github.com/../etc/pull/1", InvalidUrl, "project"),
    ("https://github.com/openedx/%2e%2e/pull/1", InvalidUrl, "project"),
    ("https://github.com/openedx/xblock%2Fsdk/pull/1", InvalidUrl, "unknown_page"),
    ("https://gitlab.com/mooc-floss/course/-/issues/4", InvalidUrl, "issue"),
    ("https://gitlab.com/mooc-floss/course/-/commit/abc123", InvalidUrl, "commit"),
    ("https://gitlab.com/mooc-floss/course/-/tree/main", InvalidUrl, "branch"),
    ("https://gitlab.com/mooc-floss/course", InvalidUrl, "repository"),
    ("https://gitlab.com/mooc-floss/course/-/merge_requests", InvalidUrl, "pull_list"),
    ("https://gitlab.com/mooc-floss", InvalidUrl, "user"),
    ("https://gitlab.com/mooc-floss/course.git/-/merge_requests/1", InvalidUrl, "project"),
    ("https://review.opendev.org/q/status:open", InvalidUrl, "pull_list"),
    ("https://review.opendev.org/c/openstack/nova/+/", InvalidUrl, "unknown_page"),
    ("https://review.opendev.org/dashboard/self", InvalidUrl, "pull_list"),
    ("https://codeberg.org/forgejo/forgejo/issues/1", InvalidUrl, "issue"),
    ("https://codeberg.org/forgejo/forgejo/commit/abcdef", InvalidUrl, "commit"),
    ("https://codeberg.org/forgejo/forgejo/src/branch/main", InvalidUrl, "branch"),
    ("https://codeberg.org/forgejo/forgejo", InvalidUrl, "repository"),
    ("https://git.example.org/team/app/-/merge_requests/8", InvalidUrl, "unknown_page"),
    ("ftp://github.com/openedx/xblock-sdk/pull/12", InvalidUrl, "scheme"),
    ("javascript:alert(1)", InvalidUrl, "scheme"),
    ("data:text/html,<script>alert(1)</script>", InvalidUrl, "scheme"),
    ("file:///etc/passwd", InvalidUrl, "scheme"),
    ("mailto:me@example.org", InvalidUrl, "scheme"),
    ("https://user:pass@github.com/openedx/xblock-sdk/pull/12", InvalidUrl, "credentials"),
    ("https://github.com@evil.example/openedx/xblock-sdk/pull/12", InvalidUrl, "credentials"),
    ("https://github.com/openedx/xblock-sdk/pull/12\r\nX-Injected: 1", InvalidUrl, "malformed"),
    ("https://github.com/open edx/xblock/pull/1", InvalidUrl, "malformed"),
    ("https://github.com:99999/a/b/pull/1", InvalidUrl, "malformed"),
    ("https://evil.example/openedx/xblock-sdk/pull/12", UnsupportedHost, "unconfigured_host"),
    ("https://github.com.evil.example/openedx/xblock-sdk/pull/12", UnsupportedHost, "unconfigured_host"),
    ("https://api.github.com/repos/openedx/xblock-sdk/pulls/12", UnsupportedHost, "unconfigured_host"),
    ("https://github.com:8443/openedx/xblock-sdk/pull/12", UnsupportedHost, "unconfigured_host"),
    ("http://localhost/openedx/xblock-sdk/pull/12", UnsupportedHost, "unconfigured_host"),
    ("http://localhost:8000/openedx/xblock-sdk/pull/12", UnsupportedHost, "unconfigured_host"),
    ("http://127.0.0.1/openedx/xblock-sdk/pull/12", UnsupportedHost, "ip_literal"),
    ("http://127.1/openedx/xblock-sdk/pull/12", UnsupportedHost, "ip_literal"),
    ("http://[::1]/openedx/xblock-sdk/pull/12", UnsupportedHost, "ip_literal"),
    ("http://[::ffff:127.0.0.1]/openedx/xblock-sdk/pull/12", UnsupportedHost, "ip_literal"),
    ("http://169.254.169.254/latest/meta-data/", UnsupportedHost, "ip_literal"),
    ("http://2130706433/openedx/xblock-sdk/pull/12", UnsupportedHost, "ip_literal"),
    ("http://0x7f000001/openedx/xblock-sdk/pull/12", UnsupportedHost, "ip_literal"),
    ("http://017700000001/openedx/xblock-sdk/pull/12", UnsupportedHost, "ip_literal"),
    ("http://10.0.0.5/team/app/pulls/1", UnsupportedHost, "ip_literal"),
    ("http://192.168.1.1:3000/team/app/pulls/1", UnsupportedHost, "ip_literal"),
    ("http://forge.example.net/team/app/pulls/2", UnsupportedHost, "unconfigured_host"),
]


@pytest.fixture(scope="module")
def registry():
    return ForgeRegistry.from_settings(SETTINGS)


def test_the_table_is_large_enough():
    assert len(OK) + len(BAD) >= 60


@pytest.mark.parametrize("url,kind,host,project,number,canonical", OK)
def test_accepted_forms(registry, url, kind, host, project, number, canonical):
    ref = parse_contribution_url(url, registry)
    assert (ref.kind, ref.host, ref.project, ref.number) == (kind, host, project, number)
    if canonical:
        assert ref.url == canonical
    # The canonical URL parses back to the same reference.
    assert parse_contribution_url(ref.url, registry) == ref


@pytest.mark.parametrize("url,error,reason", BAD)
def test_rejected_forms(registry, url, error, reason):
    with pytest.raises(error) as raised:
        parse_contribution_url(url, registry)
    assert raised.value.reason == reason
    assert raised.value.message  # every rejection says something a learner can act on


def test_messages_differ_by_reason(registry):
    messages = set()
    for url in ("https://github.com/a/b/issues/1", "https://github.com/a/b/commit/1",
                "https://github.com/a/b/tree/x", "https://github.com/a/b", "https://github.com/a",
                "gopher://github.com/a/b/pull/1", "https://evil.example/a/b/pull/1"):
        with pytest.raises((InvalidUrl, UnsupportedHost)) as raised:
            parse_contribution_url(url, registry)
        messages.add(raised.value.message)
    assert len(messages) == 7


def test_non_string_input_is_an_invalid_url(registry):
    for value in (None, 12, b"https://github.com/a/b/pull/1", ["x"]):
        with pytest.raises(InvalidUrl):
            parse_contribution_url(value, registry)
