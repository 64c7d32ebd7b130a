"""HTTP plumbing shared by every forge client.

One ``requests`` session per configured forge, mounted with ``PinnedAdapter``:

- it refuses any request whose scheme, host or port is not the configured API's
  (so neither a learner's URL nor a redirect can pick the destination);
- for the built-in public forges, it refuses a host that resolves to a loopback,
  private, link-local or otherwise non-public address (only an operator's own
  entry may point at such an address, e.g. a forge on the campus network);
- it holds the active ``Deadline`` (see ``deadline.py``) over connecting, every
  retry and reading the answer: each socket wait is cut to the time left, the
  head is read under a timer that shuts the socket at the deadline
  (``connections.py``), and the body is read a piece at a time, so a forge
  sending one byte a second is dropped when the budget ends;
- it retries, a bounded number of times and within the deadline, only
  idempotent reads, and only after a connection failure or a 502/503/504 that
  names no ``Retry-After``; never after a read timeout, and it never sleeps for a
  forge's rate limit;
- it makes the rate-limit headers sane before any library reads them (a value that
  is not a sane number is dropped with a log line, a reset beyond a day is brought
  back to it: ``errors.sanitize_rate_headers``);
- it reads at most ``MAX_BODY_BYTES`` of a body, and turns every transport
  failure (refused, reset, truncated, protocol, TLS, timeout) into a typed
  ``ForgeUnavailable`` with its reason;
- redirects: one to another origin is refused (``redirect_refused``). One on the
  same origin is followed by the adapter itself, at most ``MAX_REDIRECTS`` hops
  (``redirect_loop`` beyond), only when the session's rule accepts it: GitHub's
  renamed repository (``github.github_rename``: the same endpoint, the same number,
  the same query, only the repository's name or its ``/repositories/:id`` form
  changed); any other redirect, same origin included (another pull request), is
  refused. Without a rule it is handed back to the client as a 3xx it refuses.
  What a followed rename named is told to the client (``watching_renames``), which
  checks the answer is about that repository. Neither ``requests`` nor PyGithub
  ever follows one.
"""

import ipaddress
import logging
import socket
import time
from contextvars import ContextVar
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.retry import Retry

from ..i18n import gettext_noop
from .deadline import DEFAULT_REQUEST_S, POOL_CLASSES, context_value, deadline_scope, expired_error
from .errors import (
    AuthFailed,
    ForgeUnavailable,
    NotFound,
    is_rate_limited,
    rate_limited,
    sanitize_rate_headers,
)

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 15
TIMEOUT = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
MAX_BODY_BYTES = 4 * 1024 * 1024
TRANSIENT_STATUSES = (502, 503, 504)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_RETRIES = 2
MAX_REDIRECTS = 3
RETRY_PAUSE_S = 0.1
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD"})
TRUNCATED = gettext_noop("The forge's answer was cut short. It will be tried again later.")
USER_AGENT = "upstream-xblock (+https://github.com/open-craft/upstream-xblock)"


def bounded_retry():
    """urllib3 must not retry, redirect or wait by itself: the adapter does it, bounded."""
    return Retry(total=0, connect=0, read=0, status=0, redirect=0,
                 respect_retry_after_header=False, raise_on_status=False,
                 raise_on_redirect=False)


def _origin(url):
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def unavailable(reason, template="The forge could not be reached. It will be tried again later."):
    return ForgeUnavailable(template, reason=reason)


def redirect_refused():
    return ForgeUnavailable(
        gettext_noop("The forge redirected to another address; the redirect was refused."),
        reason="redirect_refused")


_RENAMES = ContextVar("upstream_xblock_followed_renames", default=None)


def watching_renames():
    """What the redirects the adapter follows inside the block named (each as its session's
    rule returned it), as a list it fills (per thread): a client checks its answer against
    it (GitHub's renamed repositories, ``github.github_rename``)."""
    return context_value(_RENAMES, [])


class ResponseTooLarge(ForgeUnavailable):
    """A forge sent a body larger than we are willing to read."""


def _too_large():
    return ResponseTooLarge("The forge sent a response that is too large.",
                            reason="response_too_large")


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
        raise unavailable("network") from None
    if not infos or not all(_is_public(info[4][0]) for info in infos):
        raise ForgeUnavailable("Refused to contact a private address.", reason="private_address")
    _PUBLIC_UNTIL[(host, port)] = time.monotonic() + PUBLIC_CHECK_TTL_S


def _transport_error(exc, deadline):
    """The typed error for a requests/urllib3 failure, and whether a retry may help."""
    if isinstance(exc, requests.exceptions.SSLError):
        return unavailable("tls"), False
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return (expired_error(), False) if deadline.expired else (unavailable("timeout"), True)
    if isinstance(exc, requests.exceptions.Timeout):  # a read timeout: the forge is slow
        return (expired_error() if deadline.expired else unavailable("timeout")), False
    if isinstance(exc, requests.exceptions.ConnectionError):
        if deadline.expired:  # the deadline's timer shut a head that was still trickling in
            return expired_error(), False
        text = repr(exc)
        reason = "reset" if "reset" in text.lower() or "aborted" in text.lower() else "network"
        return unavailable(reason), True
    return unavailable("protocol"), False


class PinnedAdapter(HTTPAdapter):
    """Sends only to one origin (public only, unless the operator chose it), within a deadline."""

    def __init__(self, origin_url, max_body_bytes=None, public_only=False, follow_redirects=None,
                 retry_methods=IDEMPOTENT_METHODS, refuse_202=False,
                 retry_statuses=TRANSIENT_STATUSES):
        self.allowed_origin = _origin(origin_url)
        # PyGithub answers a 202 by sleeping and asking again, without end: it never sees one.
        self.refuse_202 = refuse_202
        self.max_body_bytes = max_body_bytes
        self.public_only = public_only
        self.follow_redirects = follow_redirects
        self.retry_methods = frozenset(retry_methods)
        # A batch reader answers a 502 by asking for less, not by asking the same again.
        self.retry_statuses = frozenset(retry_statuses)
        self.retries = MAX_RETRIES
        super().__init__(max_retries=bounded_retry(), pool_maxsize=8)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        # Connections whose response head is read within the deadline too.
        self.poolmanager.pool_classes_by_scheme = dict(POOL_CLASSES)

    def send(self, request, stream=False, timeout=None, **kwargs):  # noqa: ARG002
        with deadline_scope(None, DEFAULT_REQUEST_S) as deadline:
            response, hops = self._send_once(request, deadline, **kwargs), 0
            while response.status_code in REDIRECT_STATUSES:
                target = urljoin(request.url, response.headers.get("Location") or "")
                if _origin(target) != self.allowed_origin:
                    response.close()
                    raise redirect_refused()
                if not self.follow_redirects:
                    break  # handed back: the client refuses a 3xx
                response.close()
                renamed = self.follow_redirects(request.url, target)
                if renamed is None:  # same origin, but not a rename: another pull request...
                    raise redirect_refused()
                followed = _RENAMES.get()
                if followed is not None:
                    followed.append(renamed)
                hops += 1
                if hops > MAX_REDIRECTS:
                    raise ForgeUnavailable(gettext_noop(
                        "The forge kept redirecting; it was not followed further."),
                        reason="redirect_loop")
                request = request.copy()
                request.url = target
                response = self._send_once(request, deadline, **kwargs)
            if self.refuse_202 and response.status_code == 202:
                response.close()
                raise ForgeUnavailable(gettext_noop(
                    "%(forge)s answered with status %(status)s."), reason="bad_status",
                    params={"forge": self.allowed_origin[1], "status": 202})
            if not stream:
                self._read_capped(response, deadline)
            return response

    def _send_once(self, request, deadline, **kwargs):
        """One request with its bounded retries; the response's body is not read yet."""
        if _origin(request.url) != self.allowed_origin:
            # Never reached from a learner's URL (those only select a registry
            # entry); this is the last line of defence against a bug.
            raise ForgeUnavailable("Refused to contact a host outside the configuration.",
                                   reason="host_not_allowed")
        if self.public_only:
            ensure_public_address(self.allowed_origin[1], self.allowed_origin[2])
        retries = self.retries if request.method in self.retry_methods else 0
        for attempt in range(retries + 1):
            deadline.check()
            if attempt:
                time.sleep(min(RETRY_PAUSE_S * attempt, deadline.remaining()))
                deadline.check()
            timeout = (deadline.bound(CONNECT_TIMEOUT_S), deadline.bound(READ_TIMEOUT_S))
            try:
                response = super().send(request, stream=True, timeout=timeout, **kwargs)
            except (requests.RequestException, Urllib3Error, OSError) as exc:
                error, retryable = _transport_error(exc, deadline)
                log.info("forge request failed: %s (%s)", type(exc).__name__, error.reason)
                if retryable and attempt < retries:
                    continue
                raise error from None
            sanitize_rate_headers(response.headers)
            if response.status_code in self.retry_statuses and attempt < retries \
                    and "Retry-After" not in response.headers:
                response.close()
                continue
            return response
        raise unavailable("network")  # not reached: the last attempt returns or raises

    def _read_capped(self, response, deadline):
        """Read the body within the deadline and the size cap, one socket read at a time."""
        cap = self.max_body_bytes or MAX_BODY_BYTES
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            response.close()
            raise _too_large()
        chunks, size = [], 0
        try:
            while True:
                deadline.check()
                # Asked each time: once the body is read, urllib3 hands the connection back
                # to the pool (another thread's, or closed): its socket is no longer ours.
                sock = getattr(getattr(response.raw, "connection", None), "sock", None)
                if sock is not None:
                    sock.settimeout(deadline.bound(READ_TIMEOUT_S))
                chunk = response.raw.read1(64 * 1024, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise _too_large()
                chunks.append(chunk)
        except ForgeUnavailable:
            response.close()
            raise
        except (Urllib3Error, OSError, requests.RequestException) as exc:
            response.close()
            if deadline.expired:  # timed out, or the socket shut by the deadline's timer
                raise expired_error() from None
            if isinstance(exc, (socket.timeout, TimeoutError)) or "timed out" in str(exc):
                raise unavailable("timeout") from None
            raise unavailable("truncated", TRUNCATED) from None
        if declared and declared.isdigit() and not response.headers.get("Content-Encoding") \
                and size < int(declared):
            response.close()
            raise unavailable("truncated", TRUNCATED)
        response._content = b"".join(chunks)  # what requests does in Response.content  # noqa: SLF001
        response._content_consumed = True  # noqa: SLF001
        response.close()


def pinned_session(api_url, token_header=None, max_body_bytes=None, public_only=False,
                   retry_methods=IDEMPOTENT_METHODS, retry_statuses=TRANSIENT_STATUSES):
    """A requests session that can only talk to ``api_url``'s origin."""
    session = requests.Session()
    session.trust_env = False  # no proxy or netrc picked up from the worker's environment
    adapter = PinnedAdapter(api_url, max_body_bytes=max_body_bytes, public_only=public_only,
                            retry_methods=retry_methods, retry_statuses=retry_statuses)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.max_redirects = 0
    session.headers["User-Agent"] = USER_AGENT
    if token_header:
        session.headers.update(token_header)
    return session


def guarded_request(session, method, url, deadline=None, **kwargs):
    """One request within ``deadline`` (else the active one, else the default request budget).

    Redirects are left to the adapter; any failure is a ForgeError.
    """
    with deadline_scope(deadline, DEFAULT_REQUEST_S):
        try:
            return session.request(method, url, allow_redirects=False, timeout=TIMEOUT, **kwargs)
        except ForgeUnavailable:
            raise
        except requests.RequestException as exc:
            raise request_error(exc) from None


def request_error(exc):
    """The typed error for a requests exception raised outside the adapter."""
    log.info("forge request failed: %s", type(exc).__name__)
    if isinstance(exc, requests.TooManyRedirects):  # max_redirects is 0: any redirect lands here
        return redirect_refused()
    return unavailable("network")


def parse_json(response):
    """Decode a JSON body, or ForgeUnavailable if the forge sent something else."""
    try:
        return response.json()
    except (ValueError, RecursionError):
        raise ForgeUnavailable("The forge sent an answer that could not be read.",
                               reason="bad_response") from None


def _authenticated(response):
    request = getattr(response, "request", None)
    return bool(request is not None and request.headers.get("Authorization"))


def raise_for_status(response, forge_name, authenticated=None):
    """Typed error for a non-200 answer of a plain REST forge (Gerrit, Gitea).

    403 is a rate limit when the forge says so (429-style headers), a refused
    token when we sent one, else a refusal we cannot fix (``forbidden``).
    """
    status = response.status_code
    if status == 200:
        return
    params = {"forge": forge_name}
    if authenticated is None:
        authenticated = _authenticated(response)
    if is_rate_limited(status, response.headers):
        raise rate_limited(response.headers, "%(forge)s's rate limit is exhausted.", params)
    if status == 404:
        raise NotFound("%(forge)s has no such contribution (or it is private).", params=params)
    if status == 401 or (status == 403 and authenticated):
        raise AuthFailed("%(forge)s rejected the configured credentials.", params=params)
    if status == 403:
        raise ForgeUnavailable(gettext_noop("%(forge)s refused to answer."), reason="forbidden",
                               params=params)
    if status in REDIRECT_STATUSES:
        raise ForgeUnavailable(
            gettext_noop("%(forge)s redirected the request; it was not followed."),
                               reason="redirect_refused", params=params)
    raise ForgeUnavailable("%(forge)s answered with status %(status)s.", reason="bad_status",
                           params={**params, "status": status})


__all__ = ["CONNECT_TIMEOUT_S", "MAX_BODY_BYTES", "PinnedAdapter", "READ_TIMEOUT_S",
           "ResponseTooLarge", "USER_AGENT", "ensure_public_address",
           "guarded_request", "parse_json", "pinned_session", "raise_for_status",
           "rate_limited"]
