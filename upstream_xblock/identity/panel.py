"""What the learner's identity panel shows: their verified accounts and how to verify one."""

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from .accounts import METHODS
from .codes import verification_code
from .providers import provider_for
from . import tickets

# What the forge buttons say ("Verify with GitHub"); other hosts show their host name.
FORGE_NAMES = {"github.com": "GitHub", "gitlab.com": "GitLab", "codeberg.org": "Codeberg",
               "framagit.org": "Framagit", "salsa.debian.org": "Salsa"}


def oauth_start_url(learner_id, host):
    """The app's start view with a fresh ticket, or None where its URLs are not installed."""
    try:
        base = reverse("upstream_xblock_identity:oauth_start")
    except NoReverseMatch:
        return None
    return f"{base}?{urlencode({'ticket': tickets.issue(learner_id, host)})}"


def panel_json(learner_id, accounts, forges, hosts=()):
    """JSON for the panel: accounts, the learner's code, and each forge's ways to verify.

    ``hosts``: the hosts the block accepts (empty: every configured host).
    """
    shown = [forge for forge in forges if not hosts or forge.host in hosts]
    ways = []
    for forge in sorted(shown, key=lambda f: f.host):
        oauth_url = oauth_start_url(learner_id, forge.host) if provider_for(forge) else None
        ways.append({"host": forge.host, "kind": forge.kind,
                     "name": FORGE_NAMES.get(forge.host, forge.host), "oauth_url": oauth_url})
    return {
        "code": verification_code(learner_id),
        "accounts": [{"host": a.host, "username": a.username, "account_id": a.account_id,
                      "method": a.method if a.method in METHODS else ""} for a in accounts],
        "forges": ways,
    }
