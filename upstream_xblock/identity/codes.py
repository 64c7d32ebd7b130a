"""Codes that prove a contribution or a forge account is the learner's own.

Both are derived, not stored: an HMAC under the site's secret key, so the same
learner always sees the same code and nobody can compute another learner's.

- the ownership code (per learner and block), put in a contribution's description;
- the verification code (per learner, the same in every block and course), posted
  as a comment by a contribution's author to verify that forge account.
"""

import base64
import hashlib
import hmac

from django.conf import settings

from ..forges import ForgeError
from ..forges.comments import CommentReader
from ..i18n import gettext_noop as _
from ..throttle import Throttle, Throttled
from . import api
from .api import COMMENT_CODE, DESCRIPTION_CODE, IdentityError

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
    return api.record(learner_id, snapshot.host, account_id, snapshot.author, method, now,
                      reason=snapshot.web_url[:500])
