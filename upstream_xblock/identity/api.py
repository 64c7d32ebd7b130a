"""The identity layer as other layers call it: load, record, vouch for and forget accounts.

A ``VerifiedAccount`` is a forge account proven to be a learner's (no Django in
that class: the policy compares it with a snapshot). ``IdentityError`` is a
refusal with a stable code.
"""

import logging
from dataclasses import dataclass

from django.db import transaction

from ..errors import UpstreamError
from ..i18n import gettext_noop as _
from .models import VerifiedForgeAccount

OAUTH, LINKED, COMMENT_CODE, DESCRIPTION_CODE, VOUCHED = (
    "oauth", "linked", "comment_code", "description_code", "vouched")
METHODS = (OAUTH, LINKED, COMMENT_CODE, DESCRIPTION_CODE, VOUCHED)


@dataclass(frozen=True)
class VerifiedAccount:
    """One forge account proven to be a learner's.

    ``account_id`` is the forge's stable id of the account (GitHub, GitLab and
    Gitea user ids, Gerrit's ``_account_id``) as a decimal string: it survives
    a rename. ``username`` is the name it had when verified.
    """

    host: str
    account_id: str
    username: str
    method: str = ""

    def is_author_of(self, snapshot):
        """Same host, and the same account: by id where the forge gave one, else by name."""
        if snapshot.host != self.host:
            return False
        if snapshot.author_id:
            return snapshot.author_id == self.account_id
        return bool(snapshot.author) and snapshot.author.casefold() == self.username.casefold()


class IdentityError(UpstreamError):
    """A verification refused, with a stable ``code`` and a translatable message id.

    ``template`` is an English message id with ``%(name)s`` placeholders filled
    from ``params``. Messages never carry a token or a forge's raw answer.
    """


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
