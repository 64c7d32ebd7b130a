"""Annotations: stored in the learner's block state, shown to the learner when meant for them,
changed only by their author or staff (recorded), and never lost to a concurrent writer."""

import pytest

from tests.helpers import run_concurrently
from tests.mentors.conftest import MENTOR, MENTORED_XML, PR, STAFF, BlockHarness, as_user
from upstream_xblock import compat
from upstream_xblock.staff.models import AnnotationIndex


@pytest.fixture
def learner_block(harness, world):
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    block = harness.block(MENTORED_XML, student="ada")
    answer = harness.call(block, "register", {"url": PR.format(n=1), "forge_username": "ada"})
    assert answer[0] == 200
    return block


def annotate(harness, block, student=MENTOR, **payload):
    payload = {"learner_id": "ada", "text": "Ask the maintainers for a review.",
               "visibility": "learner", **payload}
    return harness.call(as_user(harness, block, student), "annotate", payload)


def test_an_annotation_lives_in_the_learners_block_state(harness, learner_block):
    status, body = annotate(harness, learner_block, tag="needs-work", url=PR.format(n=1))
    assert status == 200
    note = body["annotation"]
    assert (note["author"], note["tag"], note["url"]) == (MENTOR, "needs-work", PR.format(n=1))
    # The learner's own block reads it from its Scope.user_state field.
    learner = as_user(harness, learner_block, "ada")
    assert [n["text"] for n in learner.annotations] == ["Ask the maintainers for a review."]
    index = AnnotationIndex.objects.get(learner_id="ada")
    assert (index.count, index.for_learner) == (1, 1)


def test_the_learner_sees_notes_for_them_never_mentors_only_ones(harness, learner_block):
    annotate(harness, learner_block, text="Well done so far", tag="looks-good")
    annotate(harness, learner_block, text="SECRET mentors-only remark", visibility="mentors")
    status, body = harness.call(as_user(harness, learner_block, "ada"), "status")
    assert status == 200
    assert [(n["text"], n["author"], n["tag_label"], n["from_mentor"])
            for n in body["annotations"]] == [("Well done so far", MENTOR, "Looks good", True)]
    assert set(body["annotations"][0]) == {"id", "author", "created_at", "edited_at", "text",
                                           "tag", "tag_label", "url", "from_mentor"}
    learner = as_user(harness, learner_block, "ada")
    html = learner.render("student_view").content
    assert "Well done so far" in html and "SECRET" not in html
    assert "SECRET" not in repr(learner)  # the workbench prints the block in the page
    # Mentors see both, with their visibility.
    rows = harness.call(as_user(harness, learner_block, STAFF), "progress", {})[1]["rows"]
    assert [(n["text"], n["visibility"]) for n in rows[0]["annotations"]] == [
        ("Well done so far", "learner"), ("SECRET mentors-only remark", "mentors")]


@pytest.mark.parametrize("payload,code,status", [
    ({"text": ""}, "bad_request", 400),
    ({"text": "x" * 2001}, "bad_request", 400),
    ({"visibility": "everyone"}, "bad_request", 400),
    ({"tag": "<script>"}, "bad_request", 400),
    ({"learner_id": "nobody"}, "unknown_learner", 404),
    ({"learner_id": 5}, "bad_request", 400),
    ({"url": "https://github.com/openedx/xblock-sdk/pull/99"}, "unknown_contribution", 404),
])
def test_bad_annotations(harness, learner_block, payload, code, status):
    got, body = annotate(harness, learner_block, **payload)
    assert (got, body["error"]["code"]) == (status, code)
    assert as_user(harness, learner_block, "ada").annotations == []


def test_only_the_author_or_staff_edit_or_delete_and_it_is_recorded(harness, learner_block,
                                                                   settings):
    learner_block.mentors = [MENTOR, "noah"]
    learner_block.save()
    note_id = annotate(harness, learner_block)[1]["annotation"]["id"]
    edit = {"learner_id": "ada", "id": note_id, "text": "Rewritten"}
    status, body = harness.call(as_user(harness, learner_block, "noah"), "edit_annotation", edit)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    status, body = harness.call(as_user(harness, learner_block, "noah"), "delete_annotation",
                                {"learner_id": "ada", "id": note_id})
    assert (status, body["error"]["code"]) == (403, "forbidden")

    status, body = harness.call(as_user(harness, learner_block, MENTOR), "edit_annotation",
                                {**edit, "visibility": "mentors"})
    assert status == 200 and body["annotation"]["text"] == "Rewritten"
    assert harness.call(as_user(harness, learner_block, "ada"), "status")[1]["annotations"] == []
    assert AnnotationIndex.objects.get(learner_id="ada").for_learner == 0

    status, _body = harness.call(as_user(harness, learner_block, STAFF), "delete_annotation",
                                 {"learner_id": "ada", "id": note_id})
    assert status == 200
    stored = as_user(harness, learner_block, "ada").annotations
    assert stored[0]["deleted"] is True and stored[0]["text"] == ""
    assert [(h["action"], h["by"]) for h in stored[0]["history"]] == [
        ("edited", MENTOR), ("deleted", STAFF)]
    assert stored[0]["history"][0]["previous_text"] == "Ask the maintainers for a review."
    assert AnnotationIndex.objects.get(learner_id="ada").count == 0
    rows = harness.call(as_user(harness, learner_block, STAFF), "progress",
                        {"filters": {"has_annotations": True}})[1]
    assert rows["count"] == 0
    status, body = harness.call(as_user(harness, learner_block, STAFF), "delete_annotation",
                                {"learner_id": "ada", "id": note_id})
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_annotation_text_is_data_not_markup(harness, learner_block):
    annotate(harness, learner_block, text='<img src=x onerror="alert(1)">')
    status, body = harness.call(as_user(harness, learner_block, "ada"), "status")
    assert body["annotations"][0]["text"] == '<img src=x onerror="alert(1)">'
    html = as_user(harness, learner_block, "ada").render("student_view").content
    assert "<img src=x" not in html


THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_mentors_both_keep_their_words(forge_settings, world, settings):
    """Mentors writing on one learner at the same moment (threads, one database)."""
    settings.UPSTREAM_XBLOCK_DEMO_STAFF = [STAFF]
    harness = BlockHarness()
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    block = harness.block(MENTORED_XML, student="ada")
    harness.call(block, "register", {"url": PR.format(n=1), "forge_username": "ada"})
    usage = block.scope_ids.usage_id
    texts = iter([f"note {n}" for n in range(THREADS)])
    answers = []

    def mentor_writes():
        student = STAFF if len(answers) % 2 else MENTOR
        mentor_block = harness.block(student=student, usage_id=usage)
        answers.append(harness.call(mentor_block, "annotate", {
            "learner_id": "ada", "text": next(texts), "visibility": "learner"}))

    assert run_concurrently(mentor_writes, THREADS) == []
    assert [status for status, _ in answers] == [200] * THREADS
    stored = compat.read_learner_state(usage, "ada", "annotations")
    assert sorted(n["text"] for n in stored) == sorted(f"note {n}" for n in range(THREADS))
    assert AnnotationIndex.objects.get(learner_id="ada").count == THREADS
