"""The verdict of a record a mentor vouched for: accepted, with the mentor's reason.

The rules of the block do not apply to it (a mentor accepted what no forge API
can show); "one contribution, one learner per course" still does (credits run
after this, on every accepted record with a forge id).
"""

from ..policy import ACCEPTED, PASSED, Check
from ..i18n import gettext_noop as _

CHECK_ID = "mentor"
ACCEPTED_BY_MENTOR = _("Accepted by a mentor: %(reason)s")
WITHDRAWN = _("Course staff withdrew a mentor's acceptance: %(reason)s")


def is_vouched(row):
    """Vouched for, and not withdrawn."""
    return bool(row.vouched_at) and not row.vouch_withdrawn_at


def mentor_check(row):
    return Check(CHECK_ID, PASSED, ACCEPTED_BY_MENTOR, {"reason": row.vouch_reason}).to_dict()


def apply_vouch(row):
    """Set ``row``'s verdict from the mentor's word (in place)."""
    row.checks = [mentor_check(row)]
    row.verdict = ACCEPTED
    row.qualified_at = row.qualified_at or row.vouched_at
    row.accepted_at = row.accepted_at or row.vouched_at
