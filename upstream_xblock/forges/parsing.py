"""From the text a learner pastes to a ContributionRef, or a helpful InvalidUrl.

The parser accepts the forms people really paste (tabs such as ``/files``,
query strings, fragments, a missing ``https://``) and rejects everything else
with a reason the learner can act on: an issue, a commit, a branch, a
repository or a user page is not a contribution. It never contacts anything.
"""

import re
from urllib.parse import unquote, urlsplit

from ..i18n import gettext_noop
from .errors import InvalidUrl, UnsupportedHost
from .registry import is_ip_literal
from .snapshot import ContributionRef

MAX_URL_LENGTH = 2048
MAX_NUMBER = 2**31 - 1

# "name:" not followed by a port number: mailto:, javascript:, data:...
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)")
_SEGMENT_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
_NUMBER_RE = re.compile(r"^[0-9]{1,10}$")
_HOSTNAME_RE = re.compile(r"^[a-z0-9.-]{1,253}$")

# Page names that tell what a non-contribution URL points at, per forge kind.
_GITHUB_PAGES = {
    "issues": "issue", "commit": "commit", "commits": "commit", "tree": "branch",
    "compare": "branch", "branches": "branch", "blob": "file", "pulls": "pull_list",
    "actions": "repository", "releases": "repository", "wiki": "repository",
}
_GITLAB_PAGES = {
    "issues": "issue", "commit": "commit", "commits": "commit", "tree": "branch",
    "compare": "branch", "branches": "branch", "blob": "file", "pipelines": "repository",
    "merge_requests": "pull_list", "work_items": "issue",
}
_GITEA_PAGES = {
    "issues": "issue", "commit": "commit", "commits": "commit", "src": "branch",
    "compare": "branch", "branches": "branch", "pulls": "pull_list", "pull": "pull_list",
    "releases": "repository", "wiki": "repository", "actions": "repository",
}

_ = gettext_noop
_MESSAGES = {
    "empty": _("Paste the address of your pull request, merge request or change."),
    "too_long": _("This address is too long to be a contribution address."),
    "malformed": _("This is not a web address. Paste the address from your browser's "
                   "address bar."),
    "scheme": _("Only http and https addresses are accepted."),
    "credentials": _("Addresses with a user name or password in them are not accepted."),
    "issue": _("This is an issue, not a contribution. Paste the address of the pull request, "
               "merge request or change that fixes it."),
    "commit": _("This is a commit. Paste the address of the pull request, merge request or "
                "change that contains it."),
    "branch": _("This is a branch or a comparison. Open a pull request or merge request from "
                "it and paste that address."),
    "file": _("This is a file in a repository. Paste the address of your pull request, merge "
              "request or change."),
    "pull_list": _("This is a list of contributions. Open yours and paste its address."),
    "repository": _("This is a repository. Paste the address of your pull request, merge "
                    "request or change in it."),
    "user": _("This is a user or group page. Paste the address of your pull request, merge "
              "request or change."),
    "number": _("The contribution number in this address is not valid."),
    "project": _("The project path in this address is not valid."),
    "unknown_page": _("This address does not point at a pull request, merge request or change."),
}


def _invalid(reason):
    return InvalidUrl(_MESSAGES[reason], reason=reason)


def _number(text):
    if not _NUMBER_RE.match(text):
        raise _invalid("number")
    value = int(text)
    if not 0 < value <= MAX_NUMBER:
        raise _invalid("number")
    return value


def _project(segments):
    for segment in segments:
        if not _SEGMENT_RE.match(segment) or segment.endswith((".git", ".atom")):
            raise _invalid("project")
    return "/".join(segments)


def _split_netloc(raw_url):
    """Scheme, host[:port] (lower case) and path of a pasted address."""
    text = raw_url.strip()
    if not text:
        raise _invalid("empty")
    if len(text) > MAX_URL_LENGTH:
        raise _invalid("too_long")
    if any(ord(ch) < 0x20 or ch in " \\\x7f" for ch in text):
        raise _invalid("malformed")
    if "://" not in text:
        if _SCHEME_RE.match(text):
            raise _invalid("scheme")
        text = "https://" + text.lstrip("/")  # people paste "github.com/..." too
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise _invalid("malformed") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _invalid("scheme")
    if "@" in parts.netloc:
        raise _invalid("credentials")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _invalid("malformed")
    if ":" in host or is_ip_literal(host) or host == "localhost" or host.endswith(".localhost"):
        literal = f"[{host}]" if ":" in host else host
        return parts, (f"{literal}:{port}" if port else literal)
    if not _HOSTNAME_RE.match(host):
        raise _invalid("malformed")
    default_port = {"http": 80, "https": 443}[parts.scheme.lower()]
    netloc = f"{host}:{port}" if port and port != default_port else host
    return parts, netloc


def _segments(path):
    decoded = unquote(path)
    if any(ord(ch) < 0x20 or ch == "\\" for ch in decoded):
        raise _invalid("malformed")
    return [segment for segment in decoded.split("/") if segment]


def parse_contribution_url(raw_url, registry):
    """Parse ``raw_url`` against ``registry`` into a ContributionRef.

    Raises InvalidUrl or UnsupportedHost; never anything else, never I/O.
    """
    if not isinstance(raw_url, str):
        raise _invalid("malformed")
    parts, netloc = _split_netloc(raw_url)
    forge = registry.get(netloc)
    segments = _segments(parts.path)
    prefix = [s for s in forge.web_prefix.split("/") if s]
    if segments[: len(prefix)] != prefix:
        raise _invalid("unknown_page")
    segments = segments[len(prefix):]
    parser = _PARSERS[forge.kind]
    project, number = parser(segments, unquote(parts.fragment))
    return _reference(forge, project, number)


def _reference(forge, project, number):
    base = forge.web_url
    if forge.kind == "github":
        project = project.lower()
        url = f"{base}/{project}/pull/{number}"
    elif forge.kind == "gitea":
        project = project.lower()
        url = f"{base}/{project}/pulls/{number}"
    elif forge.kind == "gitlab":
        project = project.lower()
        url = f"{base}/{project}/-/merge_requests/{number}"
    elif project:
        url = f"{base}/c/{project}/+/{number}"
    else:
        url = f"{base}/c/{number}"
    return ContributionRef(kind=forge.kind, host=forge.host, project=project,
                           number=number, url=url)


def _classify_repository_page(segments, pages):
    """Raise the reason for a non-contribution page under owner/repo."""
    if len(segments) == 0:
        raise _invalid("unknown_page")
    if len(segments) == 1:
        raise _invalid("user")
    if len(segments) == 2:
        raise _invalid("repository")
    raise _invalid(pages.get(segments[2], "unknown_page"))


def _parse_github(segments, _fragment):
    if len(segments) >= 4 and segments[2] == "pull":
        return _project(segments[:2]), _number(segments[3])
    if len(segments) >= 4 and segments[2] == "pulls" and _NUMBER_RE.match(segments[3]):
        return _project(segments[:2]), _number(segments[3])
    _classify_repository_page(segments, _GITHUB_PAGES)
    return None  # unreachable: the classifier always raises


def _parse_gitea(segments, _fragment):
    if len(segments) >= 4 and segments[2] in ("pulls", "pull") and _NUMBER_RE.match(segments[3]):
        return _project(segments[:2]), _number(segments[3])
    _classify_repository_page(segments, _GITEA_PAGES)
    return None


def _parse_gitlab(segments, _fragment):
    if "-" in segments:
        dash = segments.index("-")
        project, rest = segments[:dash], segments[dash + 1:]
    else:  # legacy form without /-/: find the first known page name
        cut = next((i for i, s in enumerate(segments) if i >= 2 and s in _GITLAB_PAGES), None)
        if cut is None:
            if len(segments) <= 1:
                raise _invalid("user" if segments else "unknown_page")
            raise _invalid("repository")
        project, rest = segments[:cut], segments[cut:]
    if len(project) < 2:
        raise _invalid("user" if project else "unknown_page")
    if len(rest) >= 2 and rest[0] == "merge_requests" and _NUMBER_RE.match(rest[1]):
        return _project(project), _number(rest[1])
    if not rest:
        raise _invalid("repository")
    raise _invalid(_GITLAB_PAGES.get(rest[0], "unknown_page"))


def _parse_gerrit(segments, fragment):
    if not segments and fragment:  # old UI: /#/c/12345/ or /#/c/project/+/12345
        segments = [s for s in fragment.split("/") if s]
    if segments and segments[0] == "c":
        segments = segments[1:]
    if "+" in segments:
        plus = segments.index("+")
        project, rest = segments[:plus], segments[plus + 1:]
        if not project or not rest:
            raise _invalid("unknown_page")
        return _project(project), _number(rest[0])
    if 1 <= len(segments) <= 2 and _NUMBER_RE.match(segments[0]):
        if len(segments) == 2 and not _NUMBER_RE.match(segments[1]):
            raise _invalid("unknown_page")
        return "", _number(segments[0])
    if segments and segments[0] in ("q", "dashboard", "admin", "plugins", "settings"):
        raise _invalid("pull_list" if segments[0] in ("q", "dashboard") else "unknown_page")
    raise _invalid("unknown_page")


_PARSERS = {"github": _parse_github, "gitea": _parse_gitea,
            "gitlab": _parse_gitlab, "gerrit": _parse_gerrit}

__all__ = ["parse_contribution_url", "InvalidUrl", "UnsupportedHost", "MAX_URL_LENGTH"]
