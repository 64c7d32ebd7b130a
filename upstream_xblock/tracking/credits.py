"""One contribution counts for one learner per course.

Every record learns the forge's own id of its contribution at its first
successful check (``Snapshot.forge_id``: the same for every URL alias of a
Gerrit change and after a GitHub repository is renamed or transferred). A
``ContributionCredit`` row, unique per (course, contribution), says whom it
counts for: the first record to be accepted under the block's rules takes it.
Under the default rules only the contribution's verified author is accepted,
so a claim by someone else never blocks the author; with relaxed rules it is
still at most one learner. Other claimants are told it counts for its author
only (no names); staff see the conflict (``conflicts``). A credit whose record
stopped being accepted (and never counted) is taken over by the next claimant.
"""

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat

from ..i18n import gettext_noop as _
from ..models import ContributionCredit, TrackedContribution
from ..policy import ACCEPTED, FAILED, REJECTED, Check

CHECK_ID = "credit"
# Where the forge gave no id of its own: Gerrit change numbers are unique per
# host; elsewhere the target repository as the forge names it now (after a
# rename, every old address leads to the new name) and the number.
DERIVED = "derived:"
FORGE_ID_MAX = 200


def identity_from_snapshot(row):
    """The contribution's identity on its host, from the record's last snapshot."""
    snapshot = row.snapshot or {}
    # kind:host:forge id fits the credit's key (500, a MySQL-sized unique index).
    forge_id = str(snapshot.get("forge_id") or "")[:FORGE_ID_MAX]
    if forge_id:
        return forge_id
    if row.kind == "gerrit":
        return f"{DERIVED}change/{row.number}"
    target = snapshot.get("target_repository") or row.project
    return f"{DERIVED}{target.casefold()}#{row.number}"[:FORGE_ID_MAX]


def learn_forge_id(row):
    """Set ``row.forge_id`` once its contribution is known (a forge's id replaces a derived one)."""
    if not row.snapshot:
        return
    if row.forge_id and not row.forge_id.startswith(DERIVED):
        return
    row.forge_id = identity_from_snapshot(row)


def contribution_key(row):
    return f"{row.kind}:{row.host}:{row.forge_id}"


def same_contribution(row, other):
    return (other.pk != row.pk and bool(row.forge_id) and other.forge_id == row.forge_id
            and (other.kind, other.host) == (row.kind, row.host))


def alias_of(ref, rows):
    """The learner's record of the same contribution as ``ref``, known before asking the forge.

    A Gerrit change number is unique on its host: ``/c/N``, ``/#/c/N/``, ``/N`` and
    ``/c/project/+/N`` are one change.
    """
    if ref.kind != "gerrit":
        return None
    return next((r for r in rows if (r.kind, r.host, r.number) == (ref.kind, ref.host, ref.number)),
                None)


def apply_credits(groups, now):
    """Credit the learners' accepted records, or refuse them with the reason (rows in place).

    ``groups``: [(context, the learner's rows in registration order)]. Nothing to
    ask when no row is accepted and not yet counted; else three queries for the
    whole batch (which credits exist, the new ones, who holds them now).
    """
    candidates = []
    for context, rows in groups:
        accepted = [r for r in rows if r.verdict == ACCEPTED and r.forge_id and not r.awarded_at]
        mine = {row.pk: row for row in rows}
        candidates += [(context, row, mine) for row in _without_revoked(accepted, rows)]
    if not candidates:
        return
    credits = _credits({(context.course_key, contribution_key(row))
                        for context, row, _ in candidates})
    new = {}
    for context, row, mine in candidates:
        key = (context.course_key, contribution_key(row))
        credit = credits.get(key)
        if credit is not None and credit.record_id != row.pk and _lapsed(credit, mine):
            credit = credits[key] = _take_over(credit)
        if credit is None and key not in new:
            new[key] = ContributionCredit(
                course_key=context.course_key, contribution_key=key[1], record=row,
                learner_id=context.learner_id, usage_key=context.usage_key, credited_at=now)
    if new:
        # Another learner's request may take one a moment before us: whoever holds it wins.
        ContributionCredit.objects.bulk_create(new.values(), ignore_conflicts=True)
        credits.update(_credits(set(new)))
    for context, row, mine in candidates:
        credit = credits.get((context.course_key, contribution_key(row)))
        if credit is not None and credit.record_id != row.pk:
            _refuse(row, credit, context, mine)


def _credits(keys):
    """{(course key, contribution key): credit} of the credits held for ``keys`` (one query)."""
    found = ContributionCredit.objects.filter(
        course_key__in={course for course, _ in keys},
        contribution_key__in={key for _, key in keys}).select_related("record")
    return {(c.course_key, c.contribution_key): c for c in found
            if (c.course_key, c.contribution_key) in keys}


def _without_revoked(accepted, rows):
    """Refuse another address of a contribution staff took back from this learner."""
    revoked = {r.forge_id: r for r in rows if r.revoked and r.forge_id}
    for row in (r for r in accepted if r.forge_id in revoked):
        staff = [c for c in revoked[row.forge_id].checks if c.get("id") == "staff"][-1:]
        row.checks = [*row.checks, *staff]
        row.verdict, row.accepted_at = REJECTED, None
    return [r for r in accepted if r.forge_id not in revoked]


def _lapsed(credit, mine):
    """The holder's record no longer counts (using this request's fresher copy if it is ours)."""
    holder = mine.get(credit.record_id, credit.record)
    return holder.verdict != ACCEPTED and not holder.awarded_at


def _take_over(credit):
    """Release a lapsed credit; None if it is free now, else whoever holds it."""
    deleted, _ = ContributionCredit.objects.filter(
        pk=credit.pk, record__awarded_at__isnull=True).exclude(record__verdict=ACCEPTED).delete()
    if deleted:
        return None
    return ContributionCredit.objects.filter(course_key=credit.course_key,
                                             contribution_key=credit.contribution_key).first()


def _refuse(row, credit, context, mine):
    if credit.learner_id != context.learner_id:
        check = Check(CHECK_ID, FAILED, _(
            "This contribution already counts for another learner of this course. A "
            "contribution counts for its author only, once."))
    elif credit.usage_key != context.usage_key:
        check = Check(CHECK_ID, FAILED, _(
            "This contribution already counts for another activity of this course."))
    else:
        first = mine.get(credit.record_id)
        check = Check(CHECK_ID, FAILED, _("You registered this contribution already, as "
                                          "%(url)s: it counts once."),
                      {"url": first.url if first else ""})
    row.checks = [*row.checks, check.to_dict()]
    row.verdict, row.accepted_at = REJECTED, None


def release(records, now):
    """Free the credits of ``records`` (revoked) and wake the other claimants' records."""
    records = [r for r in records if r.forge_id]
    ContributionCredit.objects.filter(record__in=records).delete()
    for row in records:
        TrackedContribution.objects.filter(
            course_key=row.course_key, kind=row.kind, host=row.host, forge_id=row.forge_id,
            awarded_at__isnull=True, revoked=False, next_check_at__isnull=True,
        ).exclude(learner_id=row.learner_id).update(next_check_at=now)


def conflicts(usage_key):
    """Records of a block refused because their contribution counts for someone else.

    For staff: each with the learner who holds it and where (one query).
    """
    holder = ContributionCredit.objects.filter(
        course_key=OuterRef("course_key"),
        contribution_key=Concat(OuterRef("kind"), Value(":"), OuterRef("host"), Value(":"),
                                OuterRef("forge_id")),
    ).exclude(record=OuterRef("pk"))
    return list(TrackedContribution.objects.filter(usage_key=usage_key).exclude(forge_id="")
                .annotate(holder_learner_id=Subquery(holder.values("learner_id")[:1]),
                          holder_usage_key=Subquery(holder.values("usage_key")[:1]))
                .filter(holder_learner_id__isnull=False)
                .values("pk", "learner_id", "url", "forge_id", "holder_learner_id",
                        "holder_usage_key"))
