"""The mentors' role (course staff included): the progress table of a block and annotations.

Every handler here refuses anyone who is not a mentor of the block with 403
``forbidden``, before reading the request: a learner learns nothing about
other learners, not even whether a request was well formed.
"""

import json
from urllib.parse import urlencode

from django.utils import timezone
from web_fragments.fragment import Fragment
from xblock.core import XBlock

from .. import compat
from ..i18n import gettext_noop as _
from ..staff import annotations, digest
from ..staff.annotations import FIELD as ANNOTATIONS_FIELD
from ..staff.annotations import TAGS, LearnerAnnotations
from ..staff.progress import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_SORT,
    STATES,
    parse_page_request,
    progress_page,
)
from ..tracking import events, notices
from ..tracking.service import TrackingError
from .handlers import learner_of, mentors_only, record_action, registered_url
from .presenters import STATE_LABELS, VERDICT_LABELS, progress_row
from .resources import add_js_catalog, load_text, page_uid, render_template
from .staff import AUDIT_ACTIONS
from .vouch import add_vouch_dialog


class MentorMixin:
    """The progress table's page and the handlers mentors and course staff call."""

    def progress_view(self, context=None):  # noqa: ARG002
        """The progress table, its filters, its summary and the annotation form."""
        gettext = compat.gettext(self)
        uid = page_uid(self)
        staff = compat.is_staff(self) and not compat.in_studio_preview(self)
        # A mentor of the live course gets its weekly digest, and the switch that stops it.
        digest_emails = None
        if compat.shows_published_content(self):
            digest.subscribe(compat.usage_key(self), compat.course_key(self),
                             compat.learner_id(self), timezone.now())
            digest_emails = notices.emails_on(compat.learner_id(self))
        init = {"page_size": DEFAULT_PAGE_SIZE,
                "sort": DEFAULT_SORT, "me": compat.learner_id(self), "staff": staff}
        html = render_template("progress.html", {
            "block": self, "uid": uid, "init_json": json.dumps(init),
            "verdicts": [(key, gettext(label)) for key, label in VERDICT_LABELS.items()],
            "states": [(state, gettext(STATE_LABELS["" if state == "unknown" else state]))
                       for state in STATES],
            "tags": [(key, gettext(label)) for key, label in TAGS.items()],
            "staff": staff,
            "audit_actions": [(key, gettext(label)) for key, label in AUDIT_ACTIONS.items()],
            # The course-wide workspace (not in Studio's preview, whose users edit the course).
            "workspace_url": None if compat.in_studio_preview(self) else _workspace_link(self),
            "digest_emails": digest_emails,
        }, self.runtime.service(self, "i18n"))
        fragment = Fragment(html)
        fragment.add_css(load_text("static", "css/progress.css"))
        add_js_catalog(self, fragment)  # the page's strings, for the modules below
        fragment.add_javascript(load_text("static", "js/common.js"))  # the modules' helpers
        fragment.add_javascript(load_text("static", "js/tables.js"))  # the tables' parts
        if staff:  # defines the staff tools progress.js hands its helpers to
            fragment.add_javascript(load_text("static", "js/staff_tools.js"))
        fragment.add_javascript(load_text("static", "js/progress.js"))
        add_vouch_dialog(self, fragment)
        fragment.initialize_js("UpstreamContributionProgressView")  # and the vouch dialog
        return fragment

    @XBlock.handler
    @mentors_only
    def progress(self, data):
        """One page of the progress table: ``{"rows", "count", "page", "pages", "summary"}``."""
        request = parse_page_request(data)
        now = timezone.now()
        page = progress_page(compat.usage_key(self), request, compat.username_expression(),
                             now)
        ids = [row["learner_id"] for row in page.rows]
        notes = compat.learner_states(compat.usage_key(self), ids, ANNOTATIONS_FIELD)
        gettext = compat.gettext(self)
        actor = (compat.learner_id(self), compat.is_staff(self))
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
        learner = learner_of(self, data)
        text = annotations.clean_text(data.get("text"))
        visibility, tag, url = annotations.clean_choice(data.get("visibility"), data.get("tag"),
                                                       data.get("url"))
        now = timezone.now()
        annotation = annotations.new_annotation(
            author=compat.username(self), author_id=compat.learner_id(self), text=text,
            visibility=visibility, tag=tag, url=registered_url(self, learner, url), now=now)
        LearnerAnnotations(compat.usage_key(self), learner).add(annotation, now)
        _audit(self, "annotate", learner, now, url=annotation["url"], reason=text)
        events.annotation_added(annotation, compat.usage_key(self), compat.course_key(self),
                                learner, compat.learner_id(self))
        return {"learner_id": learner,
                "annotation": annotations.for_mentors([annotation], compat.gettext(self),
                                                     compat.learner_id(self))[0]}

    @XBlock.handler
    @mentors_only
    def edit_annotation(self, data):
        """``{"learner_id", "id", "text", "tag"?, "visibility"?}``: the author or staff only."""
        learner = learner_of(self, data)
        text = annotations.clean_text(data.get("text"))
        keep_visibility = data.get("visibility") is None  # absent or null: unchanged
        visibility, tag, _url = annotations.clean_choice(
            "learner" if keep_visibility else data.get("visibility"), data.get("tag"), "")
        now = timezone.now()

        def apply(note):
            annotations.ensure_may_change(note, compat.learner_id(self), compat.is_staff(self))
            annotations.edit(note, text=text, by=compat.username(self), now=now,
                            tag=tag if "tag" in data else None,
                            visibility=None if keep_visibility else visibility)

        note = LearnerAnnotations(compat.usage_key(self), learner).update(
            _annotation_id(data), apply, now)
        _audit(self, "edit_annotation", learner, now, url=note.get("url", ""), reason=text)
        return {"learner_id": learner,
                "annotation": annotations.for_mentors([note], compat.gettext(self),
                                                     compat.learner_id(self),
                                                     compat.is_staff(self))[0]}

    @XBlock.handler
    @mentors_only
    def delete_annotation(self, data):
        """``{"learner_id", "id"}``: the author or staff only; who deleted it stays recorded."""
        learner = learner_of(self, data)
        now = timezone.now()

        def apply(note):
            annotations.ensure_may_change(note, compat.learner_id(self), compat.is_staff(self))
            annotations.delete(note, by=compat.username(self), now=now)

        LearnerAnnotations(compat.usage_key(self), learner).update(_annotation_id(data), apply, now)
        _audit(self, "delete_annotation", learner, now)
        return {"learner_id": learner, "deleted": True}


def _workspace_link(block):
    """The course-wide workspace's page (the workbench names its user in the query)."""
    url = compat.workspace_url(compat.course_key(block))
    if url and not compat.course_key(block):
        url += "?" + urlencode({"student": compat.learner_id(block)})
    return url


_audit = record_action  # the audit trail's entry (as the real user, even masquerading)


def _annotation_id(data):
    annotation_id = data.get("id")
    if not isinstance(annotation_id, str) or not annotation_id or len(annotation_id) > 64:
        raise TrackingError("bad_request", _("Give the annotation's id."))
    return annotation_id
