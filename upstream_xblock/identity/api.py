"""The identity layer as other layers call it: accounts proven a learner's, the codes that
prove them, and the accounts the LMS already proved.

A ``VerifiedAccount`` is a forge account proven to be a learner's (no Django in
that class: the policy compares it with a snapshot). ``IdentityError`` is a
refusal with a stable code.

Linked accounts, verifying the forge accounts a learner linked to the LMS (Open edX
third-party auth).

python-social-auth's ``UserSocialAuth`` rows, read through ``compat``: the
LMS itself proved them when the learner signed in with GitHub or GitLab. Only
the learner's own rows are read, so another user's link can never count.

The codes that prove a contribution or a forge account is the learner's own.

Both are derived, not stored: an HMAC under the site's secret key, so the same
learner always sees the same code and nobody can compute another learner's.

- the ownership code (per learner and block), put in a contribution's description;
- the verification code (per learner, the same in every block and course), posted
  as a comment by a contribution's author to verify that forge account.
"""

import base64
import hashlib
import hmac
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from .. import compat
from ..errors import UpstreamError
from ..forges import ForgeError
from ..forges.comments import CommentReader
from ..i18n import gettext_noop as _
from ..throttle import Throttle, Throttled
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


def _host_of(setting, default):
    return (urlsplit(getattr(settings, setting, "") or default).netloc or "").lower()


def _provider_hosts():
    """python-social-auth backend name -> the forge host its accounts live on.

    GitLab and Gitea backends read their instance from ``SOCIAL_AUTH_GITLAB_API_URL``
    and ``SOCIAL_AUTH_GITEA_API_URL`` (python-social-auth's own settings).
    """
    return {"github": "github.com", "github-org": "github.com", "github-team": "github.com",
            "gitlab": _host_of("SOCIAL_AUTH_GITLAB_API_URL", "https://gitlab.com"),
            "gitea": _host_of("SOCIAL_AUTH_GITEA_API_URL", "https://gitea.com")}


def verify_linked_accounts(learner_id, registry, now):
    """Record each linked GitHub, GitLab or Gitea account on a configured host; the list.

    IdentityError ``no_linked_account`` when there is none; an account already
    verified for another learner is skipped (and reported if it is the only one).
    """
    hosts = _provider_hosts()
    recorded, taken = [], None
    for link in compat.linked_forge_accounts(learner_id, tuple(hosts)):
        host = hosts.get(link["provider"])
        if host not in registry or not link["uid"].isdigit():
            continue
        try:
            # GitLab and Gitea links keep no user name: the account id is what counts.
            recorded.append(record(learner_id, host, link["uid"],
                                       link["username"] or f"#{link['uid']}", LINKED, now,
                                       reason="linked to the site's account"))
        except IdentityError as error:
            taken = error
    if recorded:
        return recorded
    if taken is not None:
        raise taken
    raise IdentityError("no_linked_account", _(
        "Your account on this site is not linked to an account on a forge of this activity."),
        status=404)


OWNERSHIP_PREFIX = "upx-"


def ownership_code(usage_key, learner_id):
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{usage_key}\n{learner_id}".encode(),
                      hashlib.sha256).digest()
    return OWNERSHIP_PREFIX + base64.b32encode(digest).decode()[:8].lower()


VERIFICATION_PREFIX = "upx-id-"


def verification_code(learner_id):
    digest = hmac.new(settings.SECRET_KEY.encode(), f"forge identity\n{learner_id}".encode(),
                      hashlib.sha256).digest()
    return VERIFICATION_PREFIX + base64.b32encode(digest).decode()[:10].lower()


def _same_account(comment, snapshot):
    if comment.author_id and snapshot.author_id:
        return comment.author_id == snapshot.author_id
    return bool(comment.author) and comment.author.casefold() == snapshot.author.casefold()


def _forge_error(error):
    return IdentityError(error.code, error.template, params=error.params,
                         status=502 if error.code in ("forge_unavailable", "auth_failed") else 400)


def verify_by_code(forges, learner_id, url, now):
    """Find the learner's code on the contribution at ``url``; record its author's account."""
    try:
        Throttle().hit("verify_code", learner_id)
    except Throttled:
        raise IdentityError("too_soon", _(
            "Too many tries in a short time. Try again in a few minutes."), status=429) from None
    code = verification_code(learner_id)
    try:
        ref = forges.parse(url)
        snapshot = forges.fetch(ref).snapshot
        if snapshot is None or not snapshot.author:
            raise IdentityError("code_not_found", _("The forge did not say who wrote it."))
        comments = CommentReader(forges.registry.get(ref.host)).comments(ref)
    except ForgeError as error:
        raise _forge_error(error) from None
    with_code = [c for c in comments if code in c.body.casefold()]
    by_author = [c for c in with_code if _same_account(c, snapshot)]
    if by_author:
        account_id, method = by_author[0].author_id or snapshot.author_id, COMMENT_CODE
    elif code in (snapshot.description or "").casefold():
        account_id, method = snapshot.author_id, DESCRIPTION_CODE
    elif with_code:
        raise IdentityError("code_not_by_author", _(
            "Your code was posted by %(commenter)s, who is not the author of this contribution "
            "(%(author)s). Post it while signed in on the forge as its author."),
            params={"commenter": with_code[0].author, "author": snapshot.author})
    else:
        raise IdentityError("code_not_found", _(
            "Your code %(code)s is not in a comment on this contribution yet. Post it as a "
            "comment while signed in as its author, then try again."), params={"code": code})
    account_id = account_id or f"name:{snapshot.author.casefold()}"
    return record(learner_id, snapshot.host, account_id, snapshot.author, method, now,
                      reason=snapshot.web_url[:500])
