"""Repository patterns such as ``github.com/openedx/*`` and ``gitlab.com/mooc-floss/**``.

A pattern is matched segment by segment against ``host/full/project/path``
(case-insensitively): ``*`` matches one whole segment (or part of one, as in
``xblock-*``), ``**`` matches any number of segments, including none.

Matching takes time linear in the length of the path for a given pattern,
whatever the pattern: a pattern an author saved in Studio can never hang a
request or a sweep. The path's segments are read once, left to right, while
the set of pattern positions still possible is carried along (a state
machine, no backtracking); within a segment, a ``*`` glob is matched by
finding its literal pieces left to right (the leftmost match of each piece is
always a right choice), so every character is looked at a bounded number of
times. ``MatchSteps`` counts the work, for tests.
"""

import re

_PATTERN_RE = re.compile(r"^[A-Za-z0-9*][A-Za-z0-9_.*:-]*(/[A-Za-z0-9_.*-]+)*$")
ANY_SEGMENTS = "**"


def is_valid_pattern(pattern):
    return isinstance(pattern, str) and len(pattern) <= 300 and bool(_PATTERN_RE.match(pattern))


class MatchSteps:
    """How much work matching did: one step per (segment, live pattern position) and character."""

    def __init__(self):
        self.count = 0


def _parts(pattern):
    """The pattern's segments, with runs of ``**`` folded into one (they mean the same)."""
    parts = []
    for part in pattern.casefold().split("/"):
        if part and not (part == ANY_SEGMENTS and parts and parts[-1] == ANY_SEGMENTS):
            parts.append(part)
    return parts


def _segment_matches(text, glob, steps):
    """``glob`` (literal text and ``*``) against one whole segment, in linear time."""
    steps.count += len(text) + 1
    if "*" not in glob:
        return text == glob
    pieces = glob.split("*")
    head, tail, middle = pieces[0], pieces[-1], pieces[1:-1]
    if len(text) < len(head) + len(tail) or not text.startswith(head) \
            or not text.endswith(tail):
        return False
    position, end = len(head), len(text) - len(tail)
    for piece in middle:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _with_empty_runs(positions, parts):
    """Add the positions reachable by letting a ``**`` match no segment."""
    return positions | {i + 1 for i in positions if i < len(parts) and parts[i] == ANY_SEGMENTS}


def matches(path, pattern, steps=None):
    steps = steps if steps is not None else MatchSteps()
    segments = [s for s in path.casefold().split("/") if s]
    parts = _parts(pattern)
    live = _with_empty_runs({0}, parts)
    for segment in segments:
        following = set()
        for i in live:
            steps.count += 1
            if i == len(parts):
                continue
            if parts[i] == ANY_SEGMENTS:
                following.add(i)  # the run goes on over this segment
            elif _segment_matches(segment, parts[i], steps):
                following.add(i + 1)
        live = _with_empty_runs(following, parts)
        if not live:
            return False
    return len(parts) in live


def matches_any(path, patterns):
    return any(matches(path, pattern) for pattern in patterns)
