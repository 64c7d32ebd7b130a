"""The identity layer as other layers call it: load, record and vouch for verified accounts."""

import logging

from django.db import transaction

from ..i18n import gettext_noop as _
from .accounts import VOUCHED, VerifiedAccount
from .errors import IdentityError
from .models import VerifiedForgeAccount

log = logging.getLogger(__name__)

MAX_REASON = 500


def _account(row):
    return VerifiedAccount(host=row.host, account_id=row.account_id, username=row.username,
                           method=row.method)


def accounts_of(learner_id):
    """The learner's verified accounts (one query)."""
    if not learner_id:
        return ()
    return tuple(_account(row) for row in VerifiedForgeAccount.objects.filter(
        learner_id=learner_id).order_by("host", "verified_at"))


def accounts_of_learners(learner_ids):
    """{learner_id: (VerifiedAccount, ...)} for many learners in one query (sweeps)."""
    found = {}
    ids = {str(learner) for learner in learner_ids if learner}
    if not ids:
        return found
    for row in VerifiedForgeAccount.objects.filter(learner_id__in=ids).order_by("verified_at"):
        found.setdefault(row.learner_id, []).append(_account(row))
    return {learner: tuple(accounts) for learner, accounts in found.items()}


def _taken():
    return IdentityError("account_taken", _(
        "This forge account is already verified for another learner. If it is yours, ask "
        "your course team."), status=409)


def record(learner_id, host, account_id, username, method, now, reason=""):
    """Store that ``learner_id`` proved the account; IdentityError if another learner holds it.

    Proving again an account already verified for the same learner refreshes
    its user name (a renamed account) and how and when it was proven.
    """
    account_id, username = str(account_id), str(username)[:100]
    fields = {"username": username, "method": method, "verified_at": now,
              "reason": reason[:MAX_REASON],
              "verified_by": ""}
    # get_or_create reads the row a concurrent request inserted first (its own savepoint).
    row, created = VerifiedForgeAccount.objects.get_or_create(
        host=host, account_id=account_id, defaults={"learner_id": learner_id, **fields})
    if row.learner_id != learner_id:
        log.info("refused to verify %s account %s for a second learner", host, account_id)
        raise _taken()
    if not created:
        VerifiedForgeAccount.objects.filter(pk=row.pk).update(**fields)
    log.info("verified %s account %s for learner %s by %s", host, account_id, learner_id, method)
    return VerifiedAccount(host=host, account_id=account_id, username=username, method=method)


def vouch(learner_id, host, account_id, username, staff_id, reason, now):
    """Course staff state that the account is the learner's (moves it from anyone else).

    The reason is required and recorded with who vouched; moving an account
    from another learner is logged.
    """
    reason = (reason or "").strip()
    if not reason:
        raise IdentityError("bad_request", _("Give a reason."))
    with transaction.atomic():
        previous = VerifiedForgeAccount.objects.select_for_update().filter(
            host=host, account_id=str(account_id)).first()
        if previous and previous.learner_id != learner_id:
            log.warning("staff %s moved %s account %s from learner %s to learner %s: %s",
                        staff_id, host, account_id, previous.learner_id, learner_id, reason)
        VerifiedForgeAccount.objects.update_or_create(
            host=host, account_id=str(account_id),
            defaults={"learner_id": learner_id, "username": str(username)[:100],
                      "method": VOUCHED, "verified_at": now, "verified_by": str(staff_id),
                      "reason": reason[:MAX_REASON]})
    return VerifiedAccount(host=host, account_id=str(account_id), username=str(username),
                           method=VOUCHED)


def forget(learner_id, host, account_id):
    """The learner removes one of their verified accounts; True if there was one."""
    deleted, _count = VerifiedForgeAccount.objects.filter(
        learner_id=learner_id, host=host, account_id=str(account_id)).delete()
    return bool(deleted)
