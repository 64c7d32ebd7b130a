"""What an annotation is: its validation, its edits and deletion, and who sees what of it.

An annotation is a plain dict (it is stored as JSON in the learner's block
state)::

    {"id", "author", "author_id", "created_at", "text", "visibility", "tag", "url",
     "edited_at", "deleted", "history": [{"action", "by", "at", "previous_text"?}]}

A deleted annotation stays as a tombstone without its text, so that who
deleted it and when stays recorded beside the learner's other annotations.
Everything here is pure: no database, no runtime.
"""

import uuid

from ..errors import LayerError
from ..i18n import gettext_noop as _

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


class AnnotationError(LayerError):
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
