"""Studio's preview reads: no registration, no award, no record or stored rule changes."""

from django.forms.models import model_to_dict

from upstream_xblock import compat
from upstream_xblock.block.core import BLOCK_TYPE, store_published_rules
from upstream_xblock.models import (
    BlockConfig,
    ContributionAward,
    ContributionCredit,
    TrackedContribution,
)

PR = "https://github.com/openedx/xblock-sdk/pull/{n}"


def database():
    return {model.__name__: [model_to_dict(row) for row in model.objects.order_by("pk")]
            for model in (TrackedContribution, ContributionAward, ContributionCredit, BlockConfig)}


def test_preview_with_draft_rules_changes_nothing(harness, world, verify_account):
    verify_account("ada", "ada")
    world.open("github", "openedx/xblock-sdk", 80, author="ada", state="merged")
    world.open("github", "openedx/xblock-sdk", 81, author="author_1", state="merged")
    learner = harness.block('<upstream_contribution weight="2"/>', student="ada")
    assert harness.call(learner, "register", {"url": PR.format(n=80),
                                              "forge_username": "ada"})[1]["status"]["completed"]
    published = BlockConfig.objects.get()
    assert (published.required_count, published.points) == (1, 2)
    before = database()

    # The author's draft differs from the published block; Studio previews it.
    draft = harness.block(student="author_1", usage_id=learner.scope_ids.usage_id)
    draft.runtime.is_author_mode = True  # what Studio's preview runtime sets
    draft.required_count, draft.weight = 3, 7
    draft.deny_labels, draft.require_author = ["draft-only"], False
    html = draft.runtime.render(draft, "author_view").content
    assert "draft-only" in html and ">3<" in html and ">7<" in html
    for label in ("Learners who registered a contribution", "Contributions registered",
                  "Contributions accepted", "Learners who completed this activity"):
        assert f"<dt>{label}</dt><dd>1</dd>" in html
    student_view = draft.runtime.render(draft, "student_view").content
    assert "upstream-author" in student_view and "upstream-register" not in student_view
    for handler, payload in (("register", {"url": PR.format(n=81), "forge_username": "author_1"}),
                             ("status", {}), ("check_now", {}),
                             ("withdraw", {"url": PR.format(n=80)})):
        status, body = harness.call(draft, handler, payload)
        assert (status, body["error"]["code"]) == (403, "preview"), handler

    assert database() == before
    assert len(world.requests_for()) == 1  # only the learner's own check: the preview asked nothing


def test_publishing_the_course_stores_the_published_rules(harness, monkeypatch):
    # Studio's modulestore is not here: the published blocks are handed over as Studio's
    # compat.published_blocks would return them, and the rules come from their fields.
    published = harness.block('<upstream_contribution required_count="2" weight="4" '
                              'deny_labels=\'["spam"]\'/>', student="author_1")
    asked = []

    def published_blocks(course_key, block_type):
        asked.append((course_key, block_type))
        return [published]

    monkeypatch.setattr(compat, "published_blocks", published_blocks)
    store_published_rules("course-v1:FLOSS+Upstream+2026")
    assert asked == [("course-v1:FLOSS+Upstream+2026", BLOCK_TYPE)]
    stored = BlockConfig.objects.get()
    assert (stored.required_count, stored.points, stored.rules["deny_labels"]) == (2, 4, ["spam"])
    assert stored.course_key == "course-v1:FLOSS+Upstream+2026"
