"""Property-based: whatever JSON a forge sends, a snapshot or ``bad_response``, never a guess.

Healthy answers from the simulator's shapes get one field replaced by any JSON
value; the reader either refuses the answer (``bad_response``) or reads it, and
a merge is only ever read from the forge's own merged signal in its own type.
"""

import pytest
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
from upstream_xblock.forges.snapshot import is_text

REGISTRY = ForgeRegistry.from_settings({})
# Text with lone surrogates ("\ud800" in JSON) and NUL among the rest.
TEXT = st.text(max_size=20) | st.text(st.characters(categories=["Cs", "Cc", "Ll", "Cf"]),
                                      max_size=20)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
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
    assert_clean(snapshot)


def assert_clean(snapshot):
    """Every text of a snapshot is text a database and the command line hold; every id a
    forge gave is a positive integer."""
    data = snapshot.to_dict()
    texts = [v for v in data.values() if isinstance(v, str)] + list(data["labels"])
    assert all(is_text(text) for text in texts), data
    for key in ("author_id", "forge_id"):
        assert data[key] == "" or (data[key].isdigit() and int(data[key]) > 0), data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(HEALTHY)), data=st.data(),
       text=st.text(st.characters(categories=["Cs", "Cc", "Cf", "Lu"]), min_size=1,
                    max_size=12))
def test_surrogates_and_nul_in_any_text_field_are_cleaned_or_refused(kind, data, text):
    read, healthy = HEALTHY[kind]
    fields = sorted(k for k, v in healthy.items() if isinstance(v, str))
    field = data.draw(st.sampled_from(fields))
    try:
        snapshot = read({**healthy, field: healthy[field] + text})
    except ForgeUnavailable as error:
        assert error.reason == "bad_response"
        return
    assert_clean(snapshot)


@settings(max_examples=100, deadline=None)
@given(kind=st.sampled_from(sorted(HEALTHY)), data=st.data(),
       number=st.integers(max_value=0) | st.integers(min_value=2 ** 63))
def test_ids_that_are_not_positive_integers_are_refused(kind, data, number):
    read, healthy = HEALTHY[kind]
    ids = sorted(k for k in healthy if k in ("id", "number", "iid", "_number", "databaseId"))
    with pytest.raises(ForgeUnavailable):
        read({**healthy, data.draw(st.sampled_from(ids)): number})


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(sorted(HEALTHY)), body=JSON)
def test_any_json_at_all_is_refused_or_read(kind, body):
    try:
        HEALTHY[kind][0](body)
    except ForgeUnavailable as error:
        assert error.reason == "bad_response"
