"""What every client's ``fetch_many`` shares: batches, their sizes and their errors.

- one-by-one reads and the errors of a batch (a forge that stops answering
  stops the batch; one missing contribution does not);
- how many contributions to ask for in one request, learned from the answers;
- the ``errors`` of a GraphQL answer (GitHub's and GitLab's batch reads).
"""

import threading

from ..i18n import gettext_noop
from .deadline import deadline_scope
from .errors import AuthFailed, ForgeError, ForgeUnavailable, NotFound, RateLimited

STOPPING_ERRORS = (RateLimited, AuthFailed)


def unique(refs):
    """The refs in order, each once (a batch asks for a contribution once)."""
    return list(dict.fromkeys(refs))


def partial_error(forge_name):
    return ForgeUnavailable(
        gettext_noop("%(forge)s answered only part of the request. It will be tried again later."),
        reason="partial", params={"forge": forge_name})


def not_found(forge_name):
    return NotFound("%(forge)s has no such contribution (or it is private).",
                    params={"forge": forge_name})


def one_by_one(fetch_one, refs, deadline, per_check_s):
    """{ref: outcome}, one ``fetch_one(ref)`` each.

    All under ``deadline`` when given (else the active one, else ``per_check_s``
    for each); after a rate limit or a refused token the rest get that error
    unasked.
    """
    refs = unique(refs)
    results = {}
    for position, ref in enumerate(refs):
        try:
            with deadline_scope(deadline, per_check_s):
                results[ref] = fetch_one(ref)
        except STOPPING_ERRORS as error:
            results.update({r: error for r in refs[position:]})
            break
        except ForgeError as error:
            results[ref] = error
    return results


def run_batches(batches, deadline_s, deadline=None):
    """{ref: outcome} from ``fetch(refs)`` for each ``(fetch, refs)`` of ``batches``, in order.

    One deadline bounds them all (``deadline``, else the active one, else
    ``deadline_s`` from now); once it has passed, the batches left are answered
    ``deadline`` unasked; after a rate limit or a refused token, with that error.
    """
    results = {}
    with deadline_scope(deadline, deadline_s) as budget:
        for position, (fetch, refs) in enumerate(batches):
            try:
                budget.check()
                results.update(fetch(refs))
            except ForgeError as error:
                results.update({ref: error for ref in refs})
                if isinstance(error, STOPPING_ERRORS):
                    for _fetch, rest in batches[position + 1:]:
                        results.update({ref: error for ref in rest})
                    break
    return results


def chunks(items, size):
    return [items[start:start + size] for start in range(0, len(items), size)]


# An answer slower than this is not "fast": GitHub stops a GraphQL query at 10 s.
FAST_ANSWER_S = 2.0


class AdaptiveBatchSize:
    """The current batch size of one host's batch reader (thread-safe)."""

    def __init__(self, start, maximum, minimum=1, step=None):
        if not 1 <= minimum <= start <= maximum:
            raise ValueError("batch sizes must satisfy 1 <= minimum <= start <= maximum")
        self.minimum, self.maximum = minimum, maximum
        self.step = step or max(1, maximum // 10)
        self._size = start
        self._lock = threading.Lock()

    @property
    def size(self):
        return self._size

    def answered(self, seconds, complete=True):
        """Grow after a fast, complete answer; keep the size otherwise."""
        if complete and seconds < FAST_ANSWER_S:
            with self._lock:
                self._size = min(self.maximum, self._size + self.step)

    def too_big(self, asked=None):
        """Halve (from what was asked, if smaller than the current size). False at the minimum."""
        with self._lock:
            base = min(self._size, asked or self._size)
            if base <= self.minimum:
                self._size = self.minimum
                return False
            self._size = max(self.minimum, base // 2)
            return True

    def cap(self, limit):
        """Never ask for more than ``limit`` again (a limit the forge told us)."""
        with self._lock:
            self.maximum = max(self.minimum, min(self.maximum, limit))
            self._size = min(self._size, self.maximum)


def graphql_errors(payload):
    """The answer's error objects (dicts only; [] when it has none or they are bent)."""
    errors = payload.get("errors") if isinstance(payload, dict) else None
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


def alias_errors(payload):
    """{alias: error type} for the errors tied to one selection's alias (``path[0]``)."""
    by_alias = {}
    for error in graphql_errors(payload):
        path = error.get("path")
        if isinstance(path, list) and path and isinstance(path[0], str):
            by_alias.setdefault(path[0], str(error.get("type") or ""))
    return by_alias
