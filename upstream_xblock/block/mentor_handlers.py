"""Mentors' and staff's JSON handlers: the progress table and annotations.

Every handler here refuses anyone who is not a mentor of the block (course
staff, or a user the block lists) with 403 ``forbidden``, before reading the
request: a learner learns nothing about other learners, not even whether a
request was well formed.
"""

from django.utils import timezone
from xblock.core import XBlock

from .. import platform
from ..annotations import notes as note_rules
from ..annotations.store import FIELD as ANNOTATIONS_FIELD, LearnerAnnotations
from ..models import TrackedContribution
from ..i18n import gettext_noop as _
from ..staff import audit
from ..staff.progress import parse_page_request, progress_page
from ..tracking.service import TrackingError
from .guards import actor, mentors_only
from .mentor_presenters import progress_row


def _learner_of(block, data):
    """The ``learner_id`` of the request: a learner with a record in this block."""
    learner = data.get("learner_id")
    if not isinstance(learner, str) or not learner or len(learner) > 255:
        raise TrackingError("bad_request", _("Give the learner (learner_id)."))
    if not TrackedContribution.objects.filter(usage_key=platform.usage_key(block),
                                              learner_id=learner).exists():
        raise TrackingError("unknown_learner", _("This learner has registered nothing here."),
                            status=404)
    return learner


def _contribution_url(block, learner, url):
    if url and not TrackedContribution.objects.filter(
            usage_key=platform.usage_key(block), learner_id=learner, url=url).exists():
        raise TrackingError("unknown_contribution",
                            _("This learner has not registered this contribution here."),
                            status=404)
    return url


class MentorHandlersMixin:
    """``progress``, ``annotate``, ``edit_annotation``, ``delete_annotation``."""

    @XBlock.handler
    @mentors_only
    def progress(self, data):
        """One page of the progress table: ``{"rows", "count", "page", "pages", "summary"}``."""
        request = parse_page_request(data)
        now = timezone.now()
        page = progress_page(platform.usage_key(self), request, platform.username_expression(),
                             now)
        ids = [row["learner_id"] for row in page.rows]
        notes = platform.learner_states(platform.usage_key(self), ids, ANNOTATIONS_FIELD)
        gettext = platform.gettext(self)
        actor = (platform.learner_id(self), platform.is_staff(self))
        return {
            "rows": [progress_row(row, page.contributions[row["learner_id"]],
                                  notes.get(row["learner_id"], []),
                                  page.awards.get(row["learner_id"]), gettext, now, actor)
                     for row in page.rows],
            "count": page.count, "page": page.page, "pages": page.pages,
            "page_size": request.page_size, "sort": request.sort, "summary": page.summary,
        }

    @XBlock.handler
    @mentors_only
    def annotate(self, data):
        """``{"learner_id", "text", "visibility", "url"?, "tag"?}`` → ``{"annotation"}``."""
        learner = _learner_of(self, data)
        text = note_rules.clean_text(data.get("text"))
        visibility, tag, url = note_rules.clean_choice(data.get("visibility"), data.get("tag"),
                                                       data.get("url"))
        now = timezone.now()
        annotation = note_rules.new_annotation(
            author=platform.username(self), author_id=platform.learner_id(self), text=text,
            visibility=visibility, tag=tag, url=_contribution_url(self, learner, url), now=now)
        LearnerAnnotations(platform.usage_key(self), learner).add(annotation, now)
        _audit(self, "annotate", learner, now, url=annotation["url"], reason=text)
        return {"learner_id": learner,
                "annotation": note_rules.for_mentors([annotation], platform.gettext(self),
                                                     platform.learner_id(self))[0]}

    @XBlock.handler
    @mentors_only
    def edit_annotation(self, data):
        """``{"learner_id", "id", "text", "tag"?, "visibility"?}``: the author or staff only."""
        learner = _learner_of(self, data)
        text = note_rules.clean_text(data.get("text"))
        keep_visibility = data.get("visibility") is None  # absent or null: unchanged
        visibility, tag, _url = note_rules.clean_choice(
            "learner" if keep_visibility else data.get("visibility"), data.get("tag"), "")
        now = timezone.now()

        def apply(note):
            note_rules.ensure_may_change(note, platform.learner_id(self), platform.is_staff(self))
            note_rules.edit(note, text=text, by=platform.username(self), now=now,
                            tag=tag if "tag" in data else None,
                            visibility=None if keep_visibility else visibility)

        note = LearnerAnnotations(platform.usage_key(self), learner).update(
            _annotation_id(data), apply, now)
        _audit(self, "edit_annotation", learner, now, url=note.get("url", ""), reason=text)
        return {"learner_id": learner,
                "annotation": note_rules.for_mentors([note], platform.gettext(self),
                                                     platform.learner_id(self),
                                                     platform.is_staff(self))[0]}

    @XBlock.handler
    @mentors_only
    def delete_annotation(self, data):
        """``{"learner_id", "id"}``: the author or staff only; who deleted it stays recorded."""
        learner = _learner_of(self, data)
        now = timezone.now()

        def apply(note):
            note_rules.ensure_may_change(note, platform.learner_id(self), platform.is_staff(self))
            note_rules.delete(note, by=platform.username(self), now=now)

        LearnerAnnotations(platform.usage_key(self), learner).update(_annotation_id(data), apply, now)
        _audit(self, "delete_annotation", learner, now)
        return {"learner_id": learner, "deleted": True}


def _audit(block, action, learner, now, **details):
    """The audit trail's entry for a mentor's action (as the real user, even masquerading)."""
    audit.record(platform.usage_key(block), actor(block), action, now, learner_id=learner,
                 course_key=platform.course_key(block), **details)


def _annotation_id(data):
    annotation_id = data.get("id")
    if not isinstance(annotation_id, str) or not annotation_id or len(annotation_id) > 64:
        raise TrackingError("bad_request", _("Give the annotation's id."))
    return annotation_id
