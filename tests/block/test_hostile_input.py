"""Hostile input on every JSON handler of the block, property-based.

The handler list is read from the block class (every ``@json_api`` handler),
so a new handler is covered as soon as it exists. Wrong types, missing keys,
huge and control-character strings, deep nesting, bytes that are not UTF-8:
always an answer below 500, a 4xx carries a clear error, and nothing of the
learner's is stored.
"""

import json

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from upstream_xblock.block import UpstreamContributionBlock
from upstream_xblock.models import AwardRevocation, ContributionAward, TrackedContribution

# The Studio editor's handler answers in the editor's own shape (400 ``validation_failed``
# for malformed JSON and invalid Unicode alike): tests/block/test_views.py.
LIBRARY_HANDLERS = {"submit_studio_edits"}
# GET handlers answering something other than JSON (tested below with hostile queries).
GET_HANDLERS = {"export_csv", "export_file"}
KNOWN_KEYS = ["url", "forge_username", "learner_id", "reason", "text", "visibility", "page",
              "page_size", "sort", "filters", "description", "tag", "rows", "csv", "action",
              "job", "host", "account_id", "username", "id", "learner_ids", "dry_run",
              "apply_valid"]


def block_handlers():
    return {name for name in dir(UpstreamContributionBlock)
            if getattr(getattr(UpstreamContributionBlock, name, None), "_is_xblock_handler",
                       False)}


JSON_HANDLERS = sorted(name for name in block_handlers()
                       if getattr(getattr(UpstreamContributionBlock, name), "json_api", False))


def test_every_handler_of_ours_is_a_json_handler():
    """A handler outside json_api would escape these tests: classify it here first."""
    assert block_handlers() - LIBRARY_HANDLERS - GET_HANDLERS == set(JSON_HANDLERS)
    assert {"register", "status", "check_now", "withdraw"} <= set(JSON_HANDLERS)


control_text = st.text(alphabet=st.characters(max_codepoint=0x1f), min_size=1, max_size=40)
# Lone surrogates ("\ud800" in JSON decodes to one; no database can store it) and NUL.
not_unicode = st.builds(lambda before, bad, after: before + bad + after, st.text(max_size=8),
                        st.one_of(st.sampled_from(["\x00", "\ud800", "\udfff"]),
                                  st.text(st.characters(categories=["Cs"]), min_size=1,
                                          max_size=3)),
                        st.text(max_size=8))
huge_text = st.integers(min_value=1000, max_value=15000).map(lambda n: "x" * n)
urlish = st.builds(lambda junk: f"https://github.com/{junk}/pull/1", st.text(max_size=30))
texts = st.one_of(st.text(max_size=60), control_text, huge_text, urlish, not_unicode)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    texts, st.sampled_from([10 ** 30, -(10 ** 30), 2 ** 63]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
objects = st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=8),
                                    not_unicode), values, max_size=6)
nesting = st.integers(min_value=100, max_value=8000).map(lambda n: "[" * n + "]" * n)
bodies = st.one_of(
    objects.map(lambda o: json.dumps(o).encode()),
    values.map(lambda v: json.dumps(v).encode()),
    nesting.map(str.encode),
    nesting.map(lambda n: ('{"url": ' + n + "}").encode()),
    st.binary(max_size=200),
)


def stored():
    return (TrackedContribution.objects.count(), ContributionAward.objects.count(),
            AwardRevocation.objects.count())


def as_staff(block):
    # The LMS marks course staff through the user service; the workbench's can be told so.
    block.runtime.service(block, "user").get_current_user().opt_attrs[
        "edx-platform.user_is_staff"] = True
    return block


@pytest.mark.parametrize("role", ["learner", "staff"])
@pytest.mark.parametrize("handler", JSON_HANDLERS)
def test_hostile_bodies(harness, world, handler, role):
    block = harness.block(student=f"{role}-1")
    if role == "staff":
        as_staff(block)

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(body=bodies)
    def hostile(body):
        cache.clear()  # throttles would answer 429 before the input is read
        before = stored()
        status, answer = harness.call(block, handler, body=body)
        assert status < 500, (status, answer)
        if status >= 400:
            error = answer["error"]
            assert isinstance(error["code"], str) and error["code"]
            assert isinstance(error["message"], str) and error["message"].strip()
        assert stored() == before

    hostile()
    assert world.requests_for() == []  # nothing hostile ever reached a forge



@pytest.mark.parametrize("bad", ["\ud800", "a\udfffb", "nul\x00"])
@pytest.mark.parametrize("handler", JSON_HANDLERS)
def test_text_that_is_not_valid_unicode_is_refused_in_every_field(harness, world, settings,
                                                                 handler, bad):
    """A lone surrogate or a NUL in any field, or a key, is 400 ``bad_request``: never a 500
    from the database driver, nothing stored, no forge asked."""
    settings.UPSTREAM_XBLOCK_DEMO_STAFF = ["staff-1"]  # course staff may call every handler
    block = harness.block(student="staff-1")
    for body in [{key: bad for key in KNOWN_KEYS}, {"filters": {"search": bad}},
                 {"learner_ids": [bad]}, {bad: 1}, {"csv": f"username,action\n{bad},accept\n",
                                                  "dry_run": True}]:
        cache.clear()
        before = stored()
        status, answer = harness.call(block, handler, body=json.dumps(body).encode())
        assert (status, answer["error"]["code"]) == (400, "bad_request"), (body, answer)
        assert stored() == before
    assert world.requests_for() == []


@pytest.mark.parametrize("role", ["learner", "staff"])
def test_hostile_export_queries(harness, role):
    from urllib.parse import urlencode

    from webob import Request
    block = harness.block(student=f"{role}-1")
    if role == "staff":
        as_staff(block)

    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.one_of(values.map(json.dumps), st.text(max_size=80), nesting))
    def hostile(filters):
        request = Request.blank("/?" + urlencode({"filters": filters}), method="GET")
        response = block.runtime.handle(block, "export_csv", request)
        assert response.status_code < 500
        if response.status_code >= 400:
            assert json.loads(response.body)["error"]["code"]
        else:
            assert role == "staff" and response.content_type == "text/csv"

    hostile()
