"""The identity room's pages: the app's OAuth views, and the learner's identity panel's data.

The panel shows the learner's verified accounts, their verification code and
each forge's ways to verify (a "Verify with GitHub" link starts the OAuth view).

Django views, not XBlock handlers: the forge redirects the browser to one fixed
callback URL that the operator registers with the forge's OAuth application
(``/upstream-xblock/identity/oauth/callback/`` under the LMS).
"""

import logging
from urllib.parse import urlencode

from django.core import signing
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import compat
from ..forges import ConfigurationError, ForgeError, forges_for
from ..i18n import catalog as package_catalog
from ..i18n import gettext_noop as _
from ..i18n import translated
from . import oauth
from .api import METHODS, IdentityError, verification_code
from .oauth import provider_for

log = logging.getLogger(__name__)

# The page the learner sees in the forge's tab when it sends them back (escaped by format_html):
# the block's look (Open edX's Paragon colours and type), and the way back to the activity.
PAGE = ('<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><title>{}</title><style>'
        'body{{margin:0;background:#f2f0ef;color:#454545;font:1rem/1.5 "Inter",'
        '"Helvetica Neue",Arial,sans-serif}}'
        'main{{max-width:36rem;margin:3rem auto;padding:1.5rem 2rem;background:#fff;'
        'border:1px solid #d7d3d1;border-radius:.375rem}}'
        'h1{{margin:0 0 .75rem;font-size:1.5rem;line-height:1.25;color:#00262b}}'
        '.result-ok h1::before{{content:"\\2713  ";color:#178253}}'
        '.result-failed h1::before{{content:"\\26A0  ";color:#ab0d02}}'
        'a.back{{display:inline-block;margin-top:1rem;padding:.5rem 1rem;border-radius:.375rem;'
        'background:#0a3055;color:#fff;text-decoration:none;font-weight:600}}'
        'a.back:focus,a.back:hover{{background:#00262b;outline:3px solid #f0cc00;'
        'outline-offset:2px}}'
        '</style></head><body><main class="{}"><h1>{}</h1><p role="status">{}</p>{}</main>'
        '</body></html>')
BACK_SALT = "upstream_xblock.identity.back"
BACK_KEY = "upstream_xblock_oauth_back"
MAX_BACK = 1000


def _catalog(language):
    return package_catalog(language)


def gettext(message):
    """The block's own catalog (the LMS's Django catalogs do not hold its strings)."""
    return _catalog(translation.get_language() or "en").gettext(message)


def catalog():
    """The block's own catalog in the active language (for templates rendered outside a
    block: their i18n tags merge it)."""
    return _catalog(translation.get_language() or "en")


def _ngettext(singular, plural, count):
    return _catalog(translation.get_language() or "en").ngettext(singular, plural, count)


gettext.ngettext = _ngettext  # for messages that name a count (i18n.translated)


def _back_link(request):
    """The link back to the activity the flow started from (a path on this site), if any."""
    back = request.session.get(BACK_KEY) if hasattr(request, "session") else None
    if not _is_local_path(back):
        return ""
    return format_html('<a class="back" href="{}">{}</a>', back,
                       gettext("Back to the activity"))


def _is_local_path(value):
    return isinstance(value, str) and value.startswith("/") and not value.startswith("//") \
        and "\\" not in value and len(value) <= MAX_BACK


def _page(request, title, message, status):
    html = format_html(PAGE, translation.get_language() or "en", title,
                       "result-ok" if status == 200 else "result-failed", title, message,
                       _back_link(request))
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the callback's query holds the code
    return response


def _failure(request, error):
    log.info("identity view refused a request: %s", error.code)  # codes only, never a token
    return _page(request, gettext("Your account was not verified"),
                 translated(gettext, error.template, error.params), error.status)


def _remember_back(request):
    """Keep the activity's page (signed by the block's link) for the result page's link."""
    try:
        back = signing.loads(request.GET.get("back") or "", salt=BACK_SALT,
                             max_age=oauth.MAX_AGE_S)
    except signing.BadSignature:
        return
    if _is_local_path(back):
        request.session[BACK_KEY] = back


def _registry():
    return forges_for(compat.global_settings_bucket()).registry


@never_cache
@require_GET
def oauth_start(request):
    """``?ticket=...`` from the block: redirect this browser to the forge's sign-in page."""
    found = oauth.read(request.GET.get("ticket"))
    if found is None:
        return _failure(request, IdentityError("bad_ticket", _(
            "This link has expired. Go back to the activity, reload it and try again.")))
    learner, host = found
    # A link followed by someone else (signed in as another user, or not signed in on the
    # LMS) must not verify their forge account for the learner who received it.
    if not compat.request_is_by_learner(request, learner):
        return _failure(request, IdentityError("forbidden", _(
            "This link was made for another user, or you are not signed in."), status=403))
    _remember_back(request)
    try:
        forge = _registry().get(host)
        redirect_uri = request.build_absolute_uri(
            reverse("upstream_xblock:identity:oauth_callback"))
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


# What the forge buttons say ("Verify with GitHub"); other hosts show their host name.
FORGE_NAMES = {"github.com": "GitHub", "gitlab.com": "GitLab", "codeberg.org": "Codeberg",
               "framagit.org": "Framagit", "salsa.debian.org": "Salsa"}


def oauth_start_url(learner_id, host, back=None):
    """The app's start view with a fresh ticket, or None where its URLs are not installed;
    ``back``: the activity's page (a path), offered as a link once the forge sent them back."""
    try:
        base = reverse("upstream_xblock:identity:oauth_start")
    except NoReverseMatch:
        return None
    query = {"ticket": oauth.issue(learner_id, host)}
    if _is_local_path(back):
        query["back"] = signing.dumps(back, salt=BACK_SALT)
    return f"{base}?{urlencode(query)}"


def panel_json(learner_id, accounts, forges, hosts=(), back=None):
    """JSON for the panel: accounts, the learner's code, and each forge's ways to verify.

    ``hosts``: the hosts the block accepts (empty: every configured host); ``back``: the
    activity's page, for the link on the page the forge sends them back to.
    """
    shown = [forge for forge in forges if not hosts or forge.host in hosts]
    ways = []
    for forge in sorted(shown, key=lambda f: f.host):
        oauth_url = oauth_start_url(learner_id, forge.host, back) if provider_for(forge) \
            else None
        ways.append({"host": forge.host, "kind": forge.kind,
                     "name": FORGE_NAMES.get(forge.host, forge.host), "oauth_url": oauth_url})
    return {
        "code": verification_code(learner_id),
        "accounts": [{"host": a.host, "username": a.username, "account_id": a.account_id,
                      "method": a.method if a.method in METHODS else ""} for a in accounts],
        "forges": ways,
    }


urlpatterns = [
    path("oauth/start/", oauth_start, name="oauth_start"),
    path("oauth/callback/", oauth_callback, name="oauth_callback"),
]
