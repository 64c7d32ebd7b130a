"""HTTP plumbing shared by every forge client.

One ``requests`` session per configured forge, mounted with an adapter that:

- refuses any request whose scheme, host or port is not the configured API's
  (so neither a learner's URL nor a redirect can pick the destination);
- for the built-in public forges, refuses a host that resolves to a loopback,
  private, link-local or otherwise non-public address (only an operator's own
  entry may point at such an address, e.g. a forge on the campus network);
- retries transient failures a bounded number of times, without honouring
  ``Retry-After`` (a worker must never sleep for a forge);
- reads at most ``MAX_BODY_BYTES`` of a response body.

Redirects are never followed by ``requests`` itself: ``follow_same_host``
does it by hand, on the same host only, when a client wants it.
"""

import ipaddress
import logging
import socket
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .errors import AuthFailed, ForgeUnavailable, NotFound, RateLimited

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 15
TIMEOUT = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
MAX_BODY_BYTES = 4 * 1024 * 1024
TRANSIENT_STATUSES = (502, 503, 504)
USER_AGENT = "upstream-xblock (+https://github.com/open-craft/upstream-xblock)"


def bounded_retry(total=2):
    """A urllib3 Retry that never waits for rate-limit resets."""
    return Retry(total=total, connect=total, read=total, status=total,
                 backoff_factor=0.1, backoff_max=1.0,
                 status_forcelist=TRANSIENT_STATUSES,
                 allowed_methods=frozenset({"GET", "HEAD", "POST"}),
                 respect_retry_after_header=False, raise_on_status=False,
                 raise_on_redirect=False, redirect=0)


def _origin(url):
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


class ResponseTooLarge(ForgeUnavailable):
    """A forge sent a body larger than we are willing to read."""


def _is_public(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global


_PUBLIC_UNTIL = {}  # (host, port) -> monotonic time until which it was seen public
PUBLIC_CHECK_TTL_S = 60


def ensure_public_address(host, port):
    """ForgeUnavailable unless every address ``host`` resolves to is a public one.

    (The connection resolves the name again; this guards against a public
    forge's name pointing inside the network, not against a resolver racing us.
    A name seen public is not looked up again for a minute: sweeps make many
    requests to one host.)
    """
    if _PUBLIC_UNTIL.get((host, port), 0) > time.monotonic():
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ForgeUnavailable("The forge could not be reached. It will be tried again later.",
                               reason="network") from None
    if not infos or not all(_is_public(info[4][0]) for info in infos):
        raise ForgeUnavailable("Refused to contact a private address.", reason="private_address")
    _PUBLIC_UNTIL[(host, port)] = time.monotonic() + PUBLIC_CHECK_TTL_S


class PinnedAdapter(HTTPAdapter):
    """Sends only to one origin (public only, unless the operator chose it) and caps reads."""

    def __init__(self, origin_url, max_body_bytes=None, retries=None, public_only=False):
        self.allowed_origin = _origin(origin_url)
        self.max_body_bytes = max_body_bytes
        self.public_only = public_only
        super().__init__(max_retries=retries or bounded_retry(), pool_maxsize=8)

    def send(self, request, stream=False, timeout=None, **kwargs):
        if _origin(request.url) != self.allowed_origin:
            # Never reached from a learner's URL (those only select a registry
            # entry); this is the last line of defence against a bug.
            raise ForgeUnavailable("Refused to contact a host outside the configuration.",
                                   reason="host_not_allowed")
        if self.public_only:
            ensure_public_address(self.allowed_origin[1], self.allowed_origin[2])
        timeout = timeout or TIMEOUT
        response = super().send(request, stream=True, timeout=timeout, **kwargs)
        if not stream:
            self._read_capped(response)
        return response

    def _read_capped(self, response):
        cap = self.max_body_bytes or MAX_BODY_BYTES
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            response.close()
            raise ResponseTooLarge("The forge sent a response that is too large.",
                                   reason="response_too_large")
        chunks, size = [], 0
        for chunk in response.raw.stream(64 * 1024, decode_content=True):
            size += len(chunk)
            if size > cap:
                response.close()
                raise ResponseTooLarge("The forge sent a response that is too large.",
                                       reason="response_too_large")
            chunks.append(chunk)
        response._content = b"".join(chunks)  # what requests does in Response.content
        response._content_consumed = True
        response.close()


def pinned_session(api_url, token_header=None, max_body_bytes=None, public_only=False):
    """A requests session that can only talk to ``api_url``'s origin."""
    session = requests.Session()
    session.trust_env = False  # no proxy or netrc picked up from the worker's environment
    adapter = PinnedAdapter(api_url, max_body_bytes=max_body_bytes, public_only=public_only)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.max_redirects = 0
    session.headers["User-Agent"] = USER_AGENT
    if token_header:
        session.headers.update(token_header)
    return session


def guarded_request(session, method, url, **kwargs):
    """One request without following redirects; network failures become ForgeUnavailable."""
    try:
        return session.request(method, url, allow_redirects=False, timeout=TIMEOUT, **kwargs)
    except ForgeUnavailable:
        raise
    except requests.RequestException as exc:
        log.info("forge request failed: %s", type(exc).__name__)
        raise ForgeUnavailable("The forge could not be reached. It will be tried again later.",
                               reason="network") from None


def reset_time(headers, *names):
    """The first rate-limit reset header among ``names`` as a UTC datetime."""
    for name in names:
        value = headers.get(name)
        if value and str(value).isdigit():
            return datetime.fromtimestamp(int(value), tz=timezone.utc)
    return None


def rate_limited(headers, template="The forge's rate limit is exhausted.", params=None):
    return RateLimited(template, params=params, reset_at=reset_time(
        headers, "X-RateLimit-Reset", "RateLimit-Reset", "x-ratelimit-reset"))


def parse_json(response):
    """Decode a JSON body, or ForgeUnavailable if the forge sent something else."""
    try:
        return response.json()
    except ValueError:
        raise ForgeUnavailable("The forge sent an answer that could not be read.",
                               reason="bad_response") from None


def raise_for_status(response, forge_name):
    """Typed error for a non-200 answer of a plain REST forge (Gerrit, Gitea)."""
    status = response.status_code
    if status == 200:
        return
    params = {"forge": forge_name}
    if status == 404:
        raise NotFound("%(forge)s has no such contribution (or it is private).", params=params)
    if status in (401, 403):
        raise AuthFailed("%(forge)s rejected the configured credentials.", params=params)
    if status == 429:
        raise rate_limited(response.headers, "%(forge)s's rate limit is exhausted.", params)
    raise ForgeUnavailable("%(forge)s answered with status %(status)s.", reason="bad_status",
                           params={**params, "status": status})
