"""Verifying the forge accounts a learner linked to the LMS (Open edX third-party auth).

python-social-auth's ``UserSocialAuth`` rows, read through ``platform``: the
LMS itself proved them when the learner signed in with GitHub or GitLab. Only
the learner's own rows are read, so another user's link can never count.
"""

from urllib.parse import urlsplit

from django.conf import settings

from .. import platform
from ..forges.errors import gettext_noop as _
from . import api
from .accounts import LINKED
from .errors import IdentityError


def _provider_hosts():
    """python-social-auth backend name -> the forge host its accounts live on."""
    gitlab = getattr(settings, "SOCIAL_AUTH_GITLAB_API_URL", "") or "https://gitlab.com"
    return {"github": "github.com", "gitlab": (urlsplit(gitlab).netloc or "gitlab.com").lower()}


def verify_linked_accounts(learner_id, registry, now):
    """Record each linked GitHub/GitLab account on a configured host; the list recorded.

    IdentityError ``no_linked_account`` when there is none; an account already
    verified for another learner is skipped (and reported if it is the only one).
    """
    hosts = _provider_hosts()
    recorded, taken = [], None
    for link in platform.linked_forge_accounts(learner_id, tuple(hosts)):
        host = hosts.get(link["provider"])
        if host not in registry or not link["uid"].isdigit():
            continue
        try:
            recorded.append(api.record(learner_id, host, link["uid"], link["username"] or
                                       link["uid"], LINKED, now,
                                       reason="linked to the site's account"))
        except IdentityError as error:
            taken = error
    if recorded:
        return recorded
    if taken is not None:
        raise taken
    raise IdentityError("no_linked_account", _(
        "Your account on this site is not linked to a GitHub or GitLab account."), status=404)
