"""Verifying a forge account by a code the learner posts on one of their contributions.

The learner posts their verification code as a comment on any contribution of
theirs on that forge (GitHub, GitLab, Gitea comments; Gerrit change messages),
or puts it in its description (the older way). The account proven is the
contribution's author, and only if the comment's author is that same account
(compared by the forge's stable account id where both are known): a code
posted by anyone else proves nothing. Nothing is written on the forge by us.
"""

from ..forges import ForgeError
from ..forges.comments import CommentReader
from ..i18n import gettext_noop as _
from . import api, throttle
from .accounts import COMMENT_CODE, DESCRIPTION_CODE
from .codes import verification_code
from .errors import IdentityError


def _same_account(comment, snapshot):
    if comment.author_id and snapshot.author_id:
        return comment.author_id == snapshot.author_id
    return bool(comment.author) and comment.author.casefold() == snapshot.author.casefold()


def _forge_error(error):
    return IdentityError(error.code, error.template, params=error.params,
                         status=502 if error.code in ("forge_unavailable", "auth_failed") else 400)


def verify_by_code(forges, learner_id, url, now):
    """Find the learner's code on the contribution at ``url``; record its author's account."""
    throttle.spend(learner_id, "code")
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
