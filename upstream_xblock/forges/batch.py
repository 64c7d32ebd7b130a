"""What every client's ``fetch_many`` shares: one-by-one reads and the errors of a batch.

``fetch_many(refs, deadline=None)`` answers ``{ref: FetchResult | ForgeError}``
for every ref asked, whatever happened: the deadline bounds the whole call, a
rate limit or a refused token answers the refs not yet asked without asking,
and a batch answer that lacks some refs says which were missing (``NotFound``)
and which were not answered (``ForgeUnavailable``, reason ``partial``).
"""

from .deadline import deadline_scope
from .errors import AuthFailed, ForgeError, ForgeUnavailable, NotFound, RateLimited
from ..i18n import gettext_noop

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
