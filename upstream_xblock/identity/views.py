"""The app's OAuth views: start a forge sign-in, and receive the forge's answer.

Django views, not XBlock handlers: the forge redirects the browser to one fixed
callback URL that the operator registers with the forge's OAuth application
(``/upstream-xblock/identity/oauth/callback/`` under the LMS).
"""

import gettext as gettext_module
import importlib.resources
import logging
from functools import lru_cache

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import platform
from ..forges import forges_for
from ..forges import ConfigurationError, ForgeError
from ..i18n import gettext_noop as _
from . import oauth, tickets
from .errors import IdentityError

log = logging.getLogger(__name__)

# The page the learner sees in the forge's tab when it sends them back (escaped by format_html).
PAGE = ('<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><title>{}</title></head>'
        '<body><main><h1>{}</h1><p role="status">{}</p></main></body></html>')


@lru_cache(maxsize=16)
def _catalog(language):
    directory = importlib.resources.files("upstream_xblock") / "translations"
    return gettext_module.translation("text", localedir=str(directory),
                                      languages=[language.replace("-", "_")], fallback=True)


def gettext(message):
    """The block's own catalog (the LMS's Django catalogs do not hold its strings)."""
    return _catalog(translation.get_language() or "en").gettext(message)


def _page(request, title, message, status):
    html = format_html(PAGE, translation.get_language() or "en", title, title, message)
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the callback's query holds the code
    return response


def _failure(request, error):
    log.info("identity view refused a request: %s", error.code)  # codes only, never a token
    message = gettext(error.template)
    return _page(request, gettext("Your account was not verified"),
                 message % error.params if error.params else message, error.status)


def _registry():
    return forges_for(platform.global_settings_bucket()).registry


@never_cache
@require_GET
def oauth_start(request):
    """``?ticket=...`` from the block: redirect this browser to the forge's sign-in page."""
    found = tickets.read(request.GET.get("ticket"))
    if found is None:
        return _failure(request, IdentityError("bad_ticket", _(
            "This link has expired. Go back to the activity, reload it and try again.")))
    learner, host = found
    # A link followed by someone else (signed in as another user, or not signed in on the
    # LMS) must not verify their forge account for the learner who received it.
    if not platform.request_is_by_learner(request, learner):
        return _failure(request, IdentityError("forbidden", _(
            "This link was made for another user, or you are not signed in."), status=403))
    try:
        forge = _registry().get(host)
        redirect_uri = request.build_absolute_uri(
            reverse("upstream_xblock_identity:oauth_callback"))
        return HttpResponseRedirect(oauth.begin(forge, learner, redirect_uri, request.session))
    except IdentityError as error:
        return _failure(request, error)
    except (ForgeError, ConfigurationError):
        return _failure(request, IdentityError("oauth_unavailable", _(
            "This site cannot verify accounts on that forge."), status=404))


@never_cache
@require_GET
def oauth_callback(request):
    """The forge sends the browser back here with ``code`` and ``state``."""
    state, code = request.GET.get("state"), request.GET.get("code")
    try:
        if request.GET.get("error"):
            oauth.take_pending(request.session, state)
            raise IdentityError("oauth_denied", _(
                "The sign-in on the forge was cancelled. Nothing was verified."))
        account = oauth.complete(_registry(), request.session, state, code, timezone.now())
    except IdentityError as error:
        return _failure(request, error)
    except ConfigurationError:
        return _failure(request, IdentityError("oauth_unavailable", _(
            "This site cannot verify accounts on that forge."), status=503))
    message = gettext("%(username)s on %(host)s is now verified as your account. You can close "
                      "this tab and go back to the activity.") % {
        "username": account.username, "host": account.host}
    return _page(request, gettext("Your account is verified"), message, 200)
