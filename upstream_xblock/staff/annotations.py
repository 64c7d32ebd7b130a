"""Annotations mentors leave on a learner's work, stored in that learner's block state.

What an annotation is (validation, edits, who sees what of it), and reading and
writing one learner's annotations, serialized per learner.
"""

import uuid

from django.db import IntegrityError, transaction

from .. import compat
from ..errors import UpstreamError
from ..i18n import gettext_noop as _
from .models import AnnotationIndex

VISIBILITIES = ("learner", "mentors")
TAGS = {
    "looks-good": _("Looks good"),
    "needs-work": _("Needs work"),
    "question": _("Question"),
    "waiting-upstream": _("Waiting for upstream"),
}
MAX_TEXT = 2000
MAX_PER_LEARNER = 200  # live and deleted together: the block state stays small
MAX_URL = 500


class AnnotationError(UpstreamError):
    """A request about an annotation that cannot be honoured (code, message, HTTP status)."""


def clean_text(text):
    if not isinstance(text, str) or not text.strip():
        raise AnnotationError("bad_request", _("Write the annotation's text."))
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise AnnotationError("bad_request", _("An annotation is at most 2000 characters long."))
    return text


def clean_choice(visibility, tag, url):
    """(visibility, tag, url) checked; url is compared with the learner's records by the caller."""
    if visibility not in VISIBILITIES:
        raise AnnotationError("bad_request",
                              _('Visibility is "learner" or "mentors".'))
    tag = "" if tag is None else tag
    if tag != "" and tag not in TAGS:
        raise AnnotationError("bad_request", _("This tag is not one of the annotation tags."))
    url = "" if url is None else url
    if not isinstance(url, str) or len(url) > MAX_URL:
        raise AnnotationError("bad_request", _("Send the contribution's address as text."))
    return visibility, tag, url


def new_annotation(*, author, author_id, text, visibility, tag, url, now):
    return {"id": uuid.uuid4().hex[:16], "author": author, "author_id": author_id,
            "created_at": now.isoformat(), "text": text, "visibility": visibility,
            "tag": tag, "url": url, "edited_at": None, "deleted": False, "history": []}


def find(notes, annotation_id):
    note = next((n for n in notes if n.get("id") == annotation_id and not n.get("deleted")), None)
    if note is None:
        raise AnnotationError("not_found", _("This annotation does not exist."), status=404)
    return note


def ensure_may_change(note, actor_id, actor_is_staff):
    """Only the author, or course staff, edit or delete an annotation."""
    if not may_change(note, actor_id, actor_is_staff):
        raise AnnotationError("forbidden", _("Only its author or course staff can change "
                                             "this annotation."), status=403)


def edit(note, *, text, by, now, tag=None, visibility=None):
    """Change the text (and optionally tag and visibility); the previous text is recorded."""
    note["history"] = [*note.get("history", []), {
        "action": "edited", "by": by, "at": now.isoformat(),
        "previous_text": note["text"], "previous_visibility": note["visibility"]}]
    note["text"], note["edited_at"] = text, now.isoformat()
    if tag is not None:
        note["tag"] = tag
    if visibility is not None:
        note["visibility"] = visibility


def delete(note, *, by, now):
    """A tombstone: the words go, the record of who removed them stays."""
    note["history"] = [*note.get("history", []),
                       {"action": "deleted", "by": by, "at": now.isoformat()}]
    note["text"], note["deleted"] = "", True


def live(notes):
    return [n for n in notes or [] if isinstance(n, dict) and not n.get("deleted")]


def as_text(notes):
    """The live notes in one cell (exports, reports): "author (visibility): text | ..."."""
    return " | ".join(f"{n.get('author', '')} ({n.get('visibility', '')}): {n.get('text', '')}"
                      for n in live(notes if isinstance(notes, list) else []))


def for_learner(notes, gettext):
    """What the learner's browser may receive: their notes only, without mentors' records."""
    return [{"id": n["id"], "author": n.get("author", ""), "created_at": n.get("created_at"),
             "edited_at": n.get("edited_at"), "text": n.get("text", ""),
             "tag": n.get("tag", ""), "tag_label": gettext(TAGS[n["tag"]]) if n.get("tag") in TAGS
             else "", "url": n.get("url", ""), "from_mentor": True}
            for n in live(notes) if n.get("visibility") == "learner"]


def may_change(note, actor_id, actor_is_staff):
    return actor_is_staff or note.get("author_id") == actor_id


def for_mentors(notes, gettext, actor_id="", actor_is_staff=False):
    """Every live annotation, with its visibility, the record of its edits, and whether
    the mentor looking (``actor_id``) may edit or delete it."""
    return [{**{k: n.get(k) for k in ("id", "author", "created_at", "edited_at", "text",
                                       "visibility", "tag", "url")},
             "tag_label": gettext(TAGS[n["tag"]]) if n.get("tag") in TAGS else "",
             "can_change": may_change(n, actor_id, actor_is_staff),
             "history": [{k: h.get(k) for k in ("action", "by", "at")}
                         for h in n.get("history", [])]}
            for n in live(notes)]


def counts(notes):
    """(live annotations, live annotations the learner sees), for the registry's index."""
    current = live(notes)
    return len(current), sum(1 for n in current if n.get("visibility") == "learner")


FIELD = "annotations"  # the block's Scope.user_state field


class LearnerAnnotations:
    """The annotations of ``learner_id`` in the block ``usage_key`` (their block state)."""

    def __init__(self, usage_key, learner_id):
        self.usage_key, self.learner_id = str(usage_key), str(learner_id)

    def read(self):
        value = compat.read_learner_state(self.usage_key, self.learner_id, FIELD, [])
        return value if isinstance(value, list) else []

    def add(self, annotation, now, unless=None):
        """Append ``annotation`` under the lock and return it; None (nothing written) when
        ``unless(note)`` holds for one of the live notes (e.g. the same note already there)."""
        def change(current):
            if unless is not None and any(unless(note) for note in live(current)):
                return None
            if len(current) >= MAX_PER_LEARNER:
                raise AnnotationError(
                    "too_many", _("This learner has as many annotations as a block keeps."),
                    status=409)
            current.append(annotation)
            return annotation
        return self._change(change, now)

    def update(self, annotation_id, apply, now):
        """Run ``apply(note)`` on the live annotation ``annotation_id`` under the lock."""
        def change(current):
            note = find(current, annotation_id)
            apply(note)
            return note
        return self._change(change, now)

    # -- the serialized read-modify-write --------------------------------------
    def _index(self):
        try:
            with transaction.atomic():
                AnnotationIndex.objects.get_or_create(usage_key=self.usage_key,
                                                      learner_id=self.learner_id)
        except IntegrityError:
            pass  # a concurrent writer created it: it exists, which is all we need

    def _change(self, change, now):
        self._index()
        with transaction.atomic():
            index = AnnotationIndex.objects.select_for_update().get(
                usage_key=self.usage_key, learner_id=self.learner_id)
            current = self.read()
            result = change(current)
            if result is None:
                return None  # nothing changed: nothing written
            compat.write_learner_state(self.usage_key, self.learner_id, FIELD, current)
            index.count, index.for_learner = counts(current)
            index.updated_at = now
            index.save(update_fields=["count", "for_learner", "updated_at"])
        return result
