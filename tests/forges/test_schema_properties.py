"""Property-based: whatever JSON a forge sends, a snapshot or ``bad_response``, never a guess.

Healthy answers from the simulator's shapes get one field replaced by any JSON
value; the reader either refuses the answer (``bad_response``) or reads it, and
a merge is only ever read from the forge's own merged signal in its own type.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forge_simulator import shapes
from forge_simulator.state import SimContribution
from upstream_xblock.forges import ForgeRegistry, ForgeUnavailable, parse_contribution_url
from upstream_xblock.forges.gerrit import snapshot_from_change
from upstream_xblock.forges.gitea import snapshot_from_pull
from upstream_xblock.forges.github import snapshot_from_rest
from upstream_xblock.forges.github_graphql import snapshot_from_graphql
from upstream_xblock.forges.gitlab import snapshot_from_merge_request

REGISTRY = ForgeRegistry.from_settings({})
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=10)
OPEN = SimContribution(kind="github", project="org/app", number=1, id=5, author="ada")


def _github(body):
    ref = parse_contribution_url("https://github.com/org/app/pull/1", REGISTRY)
    return snapshot_from_rest(body, ref, REGISTRY.get("github.com"))


def _gitea(body):
    ref = parse_contribution_url("https://codeberg.org/org/app/pulls/1", REGISTRY)
    return snapshot_from_pull(body, ref, REGISTRY.get("codeberg.org"))


def _gitlab(body):
    ref = parse_contribution_url("https://gitlab.com/org/app/-/merge_requests/1", REGISTRY)
    return snapshot_from_merge_request(body, ref, REGISTRY.get("gitlab.com"))


def _gerrit(body):
    ref = parse_contribution_url("https://review.opendev.org/c/org/app/+/1", REGISTRY)
    return snapshot_from_change(body, ref, REGISTRY.get("review.opendev.org"))


def _graphql(body):
    ref = parse_contribution_url("https://github.com/org/app/pull/1", REGISTRY)
    return snapshot_from_graphql(body, ref, REGISTRY.get("github.com"))


HEALTHY = {
    "github": (_github, shapes.github_pull(OPEN, "https://api.github.com", "https://github.com")),
    "gitea": (_gitea, shapes.gitea_pull(OPEN, "https://codeberg.org/api/v1",
                                        "https://codeberg.org")),
    "gitlab": (_gitlab, shapes.gitlab_merge_request(OPEN, "https://gitlab.com")),
    "gerrit": (_gerrit, shapes.gerrit_change(OPEN)),
    "graphql": (_graphql, {"number": 1, "databaseId": 5, "title": "t", "body": "", "state": "OPEN",
                           "isDraft": False, "url": "https://github.com/org/app/pull/1",
                           "createdAt": "2026-01-01T00:00:00Z", "baseRefName": "main",
                           "author": {"login": "ada", "databaseId": 9}}),
}
MERGED_SIGNAL = {"github": ("merged", True), "gitea": ("merged", True),
                 "gitlab": ("state", "merged"), "gerrit": ("status", "MERGED"),
                 "graphql": ("state", "MERGED")}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(HEALTHY)), data=st.data(), value=JSON)
def test_one_bent_field_is_refused_or_read_never_guessed(kind, data, value):
    read, healthy = HEALTHY[kind]
    field = data.draw(st.sampled_from(sorted(healthy)))
    body = {**healthy, field: value}
    try:
        snapshot = read(body)
    except ForgeUnavailable as error:
        assert error.reason == "bad_response"
        return
    signal, merged_value = MERGED_SIGNAL[kind]
    if snapshot.state == "merged":
        assert body.get(signal) == merged_value and type(body[signal]) is type(merged_value)
    assert isinstance(snapshot.title, str) and isinstance(snapshot.author, str)


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(sorted(HEALTHY)), body=JSON)
def test_any_json_at_all_is_refused_or_read(kind, body):
    try:
        HEALTHY[kind][0](body)
    except ForgeUnavailable as error:
        assert error.reason == "bad_response"
