"""Vouching: mentors accept a learner's contribution or forge account; staff withdraw it.

``vouch`` (mentors and staff) and ``revoke_vouch`` (staff only) act on another
learner's records: the learner (``learner_id``, the ``learner.id`` of a
``progress`` row) must have registered something in this block. The award
such an act makes is published for that learner in the background path (the
mentor's own request must not carry the learner's grade events), and never
from Studio's preview, which shows draft rules. The dialog's HTML and
module are added to the mentors' progress view.
"""

import functools
import json

from django.utils import timezone
from xblock.core import XBlock

from .. import compat
from ..forges import ForgeError, Snapshot, forges_for
from ..i18n import gettext_noop as _
from ..identity import api as identity_api
from ..staff import audit
from ..tracking import awards, vouching
from ..tracking.schedule import schedule_for
from ..tracking.service import (
    BlockContext,
    ContributionTracker,
    TrackingError,
    anonymous_id_of,
    has_records,
    wake_settled,
)
from ..tracking.vouching import MAX_DESCRIPTION, MAX_REASON, MAX_URL, clean_text, parse_vouch
from .handlers import (
    actor,
    grading,
    learner_of,
    mentors_only,
    record_action,
    refuse_self_grading,
    staff_only,
    text_field,
)
from .presenters import contribution_json
from .resources import load_text, page_uid, render_template


def add_vouch_dialog(block, fragment):
    """Add the dialog's HTML, CSS and JS to the progress view's ``fragment``.

    The module is always added (progress.js starts it beside the table); without
    the dialog's HTML it does nothing.
    """
    fragment.add_javascript(load_text("static", "js/vouch.js"))
    if compat.in_studio_preview(block):
        return
    init = {"staff": compat.is_staff(block)}
    fragment.add_content(render_template("vouch.html", {
        "init_json": json.dumps(init),
        "uid": page_uid(block),
        "max_reason": MAX_REASON,
        "max_description": MAX_DESCRIPTION, "max_url": MAX_URL,
    }, block.runtime.service(block, "i18n")))
    fragment.add_css(load_text("static", "css/vouch.css"))


def refusing_studio_preview(method):
    """Refuse Studio's preview, which shows draft rules."""

    @functools.wraps(method)
    def wrapper(self, data):
        if compat.in_studio_preview(self):
            raise TrackingError("preview", _("Studio's preview shows draft rules: accept "
                                             "contributions in the course itself."), status=403)
        return method(self, data)

    return wrapper


class VouchMixin:
    """``vouch``, ``confirm_vouch``, ``revoke_vouch`` and ``vouch_identity``.

    Each change is on the audit trail (as the real user, even masquerading), and no one
    acts on their own learner record (403 ``self_grading``).
    """

    @XBlock.handler
    @mentors_only
    @refusing_studio_preview
    @grading
    def vouch(self, data):
        """``{"learner_id", "reason", "url"?, "description"?}`` → the accepted contribution.

        With ``mentor_vouches_need_staff``, a mentor's vouch (not course staff's) is a
        proposal, counted once staff ``confirm_vouch`` it (``proposed`` in the answer)."""
        learner, before = self._acted_on(data)
        request = parse_vouch(data)
        proposal = bool(self.mentor_vouches_need_staff) and not compat.is_staff(self)
        now = timezone.now()
        row, rows, award = vouching.vouch(self._tracker_of(learner), request, actor(self).id,
                                          now, proposal=proposal)
        record_action(self, "propose_vouch" if proposal else "vouch", learner, now,
                      url=row.url, reason=request.reason, before=before,
                      after=audit.learner_verdict(rows, award is not None))
        return self._answer(learner, row, award, proposed=proposal)

    @XBlock.handler
    @staff_only
    @refusing_studio_preview
    @grading
    def confirm_vouch(self, data):
        """``{"learner_id", "url"}``: course staff confirm a mentor's proposal; it counts."""
        learner, before = self._acted_on(data)
        url, now = clean_text(data.get("url"), "url", MAX_URL), timezone.now()
        row, rows, award = vouching.confirm(self._tracker_of(learner), url, now)
        record_action(self, "confirm_vouch", learner, now, url=row.url, reason=row.vouch_reason,
                      before=before, after=audit.learner_verdict(rows, award is not None))
        return self._answer(learner, row, award)

    @XBlock.handler
    @staff_only
    @refusing_studio_preview
    @grading
    def revoke_vouch(self, data):
        """``{"learner_id", "url", "reason"}``: course staff withdraw a mentor's acceptance
        (or decline a mentor's proposal)."""
        learner, before = self._acted_on(data)
        url = clean_text(data.get("url"), "url", 500)
        reason = clean_text(data.get("reason"), "reason", MAX_REASON)
        now = timezone.now()
        revocation, award = vouching.withdraw(self._tracker_of(learner), url, actor(self).id,
                                              reason, now)
        if revocation is not None:
            # The grade the award published is reset now, or by the next sweep if this fails.
            awards.reset(revocation, compat.reset_published, now)
        record_action(self, "revoke_vouch", learner, now, url=url, reason=reason, before=before,
                      after=audit.verdict_now(compat.usage_key(self), learner))
        return {"learner_id": learner, "withdrawn": True, "completed": award is not None,
                "award_revoked": revocation is not None}

    def _acted_on(self, data):
        """The learner of ``data`` a grading act is about (never the actor: ``self_grading``),
        and their verdict before it (for the audit trail)."""
        learner = learner_of(self, data)
        refuse_self_grading(self, [learner])
        return learner, audit.verdict_now(compat.usage_key(self), learner)

    def _answer(self, learner, row, award, **more):
        return {"learner_id": learner, "completed": award is not None, **more,
                "contribution": contribution_json(row, compat.gettext(self), timezone.now())}

    def _tracker_of(self, learner):
        """The tracker of another learner of this block, with this block's rules."""
        usage = compat.usage_key(self)
        anonymous = anonymous_id_of(usage, learner)
        bucket = compat.settings_bucket(self)
        return ContributionTracker(self._context(learner, anonymous), forges_for(bucket),
                                   schedule_for(bucket),
                                   publisher=compat.publish_award_in_background)

    @XBlock.handler
    @mentors_only
    @refusing_studio_preview
    @grading
    def vouch_identity(self, data):
        """Mentors and staff: ``{"learner_id", "reason", "url"}`` (the author of that learner's
        registered contribution) or ``{"learner_id", "reason", "host", "account_id",
        "username"}``. A listed mentor vouches only for learners of this block; course staff
        for any learner of the site. The learner's records here are settled at once with it
        (the author rule may now pass): the change and its effect are on the audit trail.

        With ``mentor_vouches_need_staff`` only course staff vouch for an identity (403
        ``forbidden`` for a mentor): settling at once would let a mentor's word count
        without staff, which that setting forbids."""
        if self.mentor_vouches_need_staff and not compat.is_staff(self):
            raise TrackingError("forbidden", _(
                "In this activity, course staff vouch for a learner's forge account: ask them "
                "to, or propose to accept the contribution itself."), status=403)
        if compat.is_staff(self):
            learner = text_field(data, "learner_id")
        else:
            learner = learner_of(self, data)
        refuse_self_grading(self, [learner])
        reason = text_field(data, "reason")
        if data.get("url") is not None:
            host, account_id, username = self._author_of(learner, text_field(data, "url"))
        else:
            host, username = text_field(data, "host"), text_field(data, "username")
            account_id = text_field(data, "account_id")
            if host not in forges_for(compat.settings_bucket(self)).registry:
                raise TrackingError("unsupported_host", _("This forge is not configured."))
        account = self._vouch_identity(learner, (host, account_id, username), reason)
        return {"vouched": True, "learner_id": learner,
                "account": {"host": account.host, "account_id": account.account_id,
                            "username": account.username, "method": account.method}}

    def _vouch_identity(self, learner, account, reason):
        """Vouch for ``account`` (host, id, name); settle and record it if it changed anything."""
        host, account_id = account[0], str(account[1])
        usage, now = compat.usage_key(self), timezone.now()
        known = any((a.host, a.account_id, a.method) == (host, account_id, identity_api.VOUCHED)
                    for a in identity_api.accounts_of(learner))
        before = audit.verdict_now(usage, learner)
        vouched = identity_api.vouch(learner, host, account_id, account[2], actor(self).id,
                                     reason, now)
        if known:
            return vouched  # vouched for already: no change, no second entry
        if has_records(usage, learner):
            self._tracker_of(learner).settle()
        wake_settled(learner, now)  # what waited for this account elsewhere is looked at again
        record_action(self, "vouch_identity", learner, now, url=f"{host} {account[2]}"[:500],
                      reason=reason, before=before, after=audit.verdict_now(usage, learner))
        return vouched

    def _author_of(self, learner, url):
        """(host, account id, user name) of the author of ``learner``'s registered ``url``."""
        forges = forges_for(compat.settings_bucket(self))
        try:
            canonical = forges.parse(url).url
        except ForgeError as error:
            raise TrackingError.from_forge(error) from None
        row = self._registered(learner, canonical)
        if row is None or not row.snapshot:
            raise TrackingError("not_registered", _(
                "This learner has no checked contribution at this address here."), status=404)
        snapshot = Snapshot.from_dict(row.snapshot)
        account_id = snapshot.author_id or f"name:{snapshot.author.casefold()}"
        return snapshot.host, account_id, snapshot.author

    def _registered(self, learner, canonical_url):
        context = BlockContext(usage_key=compat.usage_key(self), learner_id=learner)
        rows = ContributionTracker(context, forges=None).rows()
        return next((row for row in rows if row.url == canonical_url), None)
