"""Repository patterns such as ``github.com/openedx/*`` and ``gitlab.com/mooc-floss/**``.

A pattern is matched segment by segment against ``host/full/project/path``
(case-insensitively): ``*`` matches one whole segment (or part of one, as in
``xblock-*``), ``**`` matches any number of segments, including none.
"""

import fnmatch
import re

_PATTERN_RE = re.compile(r"^[A-Za-z0-9*][A-Za-z0-9_.*:-]*(/[A-Za-z0-9_.*-]+)*$")


def is_valid_pattern(pattern):
    return isinstance(pattern, str) and len(pattern) <= 300 and bool(_PATTERN_RE.match(pattern))


def _match(segments, parts):
    if not parts:
        return not segments
    head, rest = parts[0], parts[1:]
    if head == "**":
        return any(_match(segments[i:], rest) for i in range(len(segments) + 1))
    return bool(segments) and fnmatch.fnmatchcase(segments[0], head) and _match(segments[1:], rest)


def matches(path, pattern):
    segments = [s for s in path.casefold().split("/") if s]
    parts = [p for p in pattern.casefold().split("/") if p]
    return _match(segments, parts)


def matches_any(path, patterns):
    return any(matches(path, pattern) for pattern in patterns)
