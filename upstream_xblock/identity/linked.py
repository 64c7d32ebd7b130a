"""Verifying the forge accounts a learner linked to the LMS (Open edX third-party auth).

python-social-auth's ``UserSocialAuth`` rows, read through ``compat``: the
LMS itself proved them when the learner signed in with GitHub or GitLab. Only
the learner's own rows are read, so another user's link can never count.
"""

from urllib.parse import urlsplit

from django.conf import settings

from .. import compat
from ..i18n import gettext_noop as _
from . import api
from .api import LINKED, IdentityError


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
            recorded.append(api.record(learner_id, host, link["uid"],
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
