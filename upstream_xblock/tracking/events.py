"""The block's tracking events, ``edx.upstream_contribution.<what>`` (names are a contract).

One module emits them all, low enough that tracking (registry, sweeps, awards,
vouching) and staff (bulk jobs, CSV, revocations) call it; the block only opens
the request's channel (docs/events.md has every event with an example):

- in a request, the block's JSON handlers run inside ``published_by(publish,
  user)``: an event about that user goes through the runtime's ``publish``, and
  the LMS gives it the course and user context of an XBlock's own events;
- anywhere else (sweeps, Celery tasks, a mentor's act on another learner's
  records) the ``eventtracking`` tracker emits it inside the context the LMS
  gives its own tasks' events: the course's (``course_id``, ``org_id``) and the
  learner's ``user_id`` (``compat.course_event_context``).

Every event carries ``usage_key``, ``course_id`` and the learner's ``user_id``;
one about a contribution its ``url``, ``host``, ``kind``, ``repository`` and
``number``; one that staff or a mentor caused their ``actor_id``. Never a
token, never a note's text, never a reason someone typed.

The plugin's Open edX hooks (OEP-50): two public signals and one filter.

openedx-events, sent on the award path once the award is stored
(``events.award_stored``), for other plugins to react to:

- ``CONTRIBUTION_ACCEPTED`` (``org.openedx.learning.upstream_contribution.accepted.v1``):
  ``contribution`` (``UpstreamContributionData``), once for each contribution the award
  counted;
- ``CONTRIBUTION_COMPLETED`` (``org.openedx.learning.upstream_contribution.completed.v1``):
  ``award`` (``UpstreamContributionAwardData``): the learner completed the block.

openedx-filters: ``ContributionAcceptanceRequested``
(``org.openedx.learning.upstream_contribution.acceptance.requested.v1``) runs when the
block's rules accept a contribution that was not accepted yet, so that a site can add a
rule of its own ("the CLA check passed") or veto one. It is empty by default. A pipeline
step receives ``contribution`` (the fields above as a dict), ``snapshot`` (what the forge
said) and ``checks`` (the block's checks, each ``{"id", "outcome", "reason", "params"}``);
it holds the contribution by raising ``ContributionAcceptanceRequested.PreventAcceptance``
with a message: the contribution stays pending, its message shown to the learner as a
waiting check, and the rules are asked again at the next check.
"""

import contextvars
import logging

import attr
from eventtracking import tracker
from openedx_events.tooling import OpenEdxPublicSignal
from openedx_filters.exceptions import OpenEdxFilterException
from openedx_filters.tooling import OpenEdxPublicFilter

from .. import compat
from ..forges.deadline import context_value

log = logging.getLogger(__name__)

PREFIX = "edx.upstream_contribution."
REGISTERED = PREFIX + "registered"
WITHDRAWN = PREFIX + "withdrawn"
STATE_CHANGED = PREFIX + "state_changed"
ACCEPTED = PREFIX + "accepted"
COMPLETED = PREFIX + "completed"
REVOKED = PREFIX + "revoked"
VOUCHED = PREFIX + "vouched"
ANNOTATION_ADDED = PREFIX + "annotation_added"
BULK_ACTION_STARTED = PREFIX + "bulk_action_started"
CSV_IMPORTED = PREFIX + "csv_imported"
NAMES = (REGISTERED, WITHDRAWN, STATE_CHANGED, ACCEPTED, COMPLETED, REVOKED, VOUCHED,
         ANNOTATION_ADDED, BULK_ACTION_STARTED, CSV_IMPORTED)
# The events Aspects receives as xAPI statements (tracking/xapi.py transforms them).
XAPI_EVENTS = (REGISTERED, ACCEPTED, COMPLETED, WITHDRAWN)

# (publish(name, data), the request's user id) while a block's handler runs.
_request = contextvars.ContextVar("upstream_xblock_request_events", default=None)


def published_by(publish, user_id):
    """Within: events about ``user_id`` go through ``publish`` (the runtime's, in a request)."""
    return context_value(_request, (publish, str(user_id or "")))


def in_request():
    """Whether a block's handler runs (a learner's or a mentor's request), not a sweep."""
    return _request.get() is not None


def contribution(row):
    """The fields of a registry record that name its contribution (nothing the learner typed)."""
    snapshot = getattr(row, "snapshot", None) or {}
    return {"url": row.url, "host": row.host, "kind": row.kind,
            "repository": snapshot.get("target_repository") or row.project,
            "number": row.number}


def emit(name, data, *, usage_key, course_key, user_id, actor_id=None):
    """Emit the event ``name``; a failure to emit is logged, never raised."""
    payload = {"usage_key": str(usage_key), "course_id": str(course_key or ""),
               "user_id": str(user_id), **data}
    if actor_id is not None:
        payload["actor_id"] = str(actor_id)
    current = _request.get()
    try:
        if current is not None and current[1] == str(user_id):
            current[0](name, payload)
        else:
            _emit_in_background(name, payload, course_key, user_id)
    except Exception:  # noqa: BLE001  (analytics never break a learner's request or a sweep)
        log.exception("could not emit %s", name)


def _emit_in_background(name, payload, course_key, user_id):
    try:
        default = tracker.get_tracker()
    except KeyError:  # no tracker on this site (the workbench): nothing listens
        log.debug("no event tracker: %s not emitted", name)
        return
    context = {**compat.course_event_context(course_key), "user_id": _user_id(user_id)}
    with default.context(name, context):
        default.emit(name, payload)


def _notices():
    """The notices these events cause (imported late: the app's module imports this one
    before Django's models are ready)."""
    from . import notices  # noqa: PLC0415
    return notices


def _user_id(user_id):
    """The LMS's user ids are integers (its own events carry them so)."""
    text = str(user_id)
    return int(text) if text.isdigit() else text


def about(row, name, data=None, actor_id=None):
    """Emit ``name`` about the registry record ``row`` (its contribution's fields first)."""
    emit(name, {**contribution(row), **(data or {})}, usage_key=row.usage_key,
         course_key=row.course_key, user_id=row.learner_id, actor_id=actor_id)


# -- what a check changed -----------------------------------------------------------
def state_of(row):
    """What ``checked`` compares: the forge's state and the verdict."""
    return row.state or "", row.verdict or ""


def checked(before, row, notify=True):
    """After ``row`` was written: the forge's state moved, or the verdict became accepted."""
    state, verdict = before
    if state and row.state and row.state != state:  # a move, not the first answer
        about(row, STATE_CHANGED, {"from": state or None, "to": row.state})
    if row.verdict == "accepted" and verdict != "accepted":
        about(row, ACCEPTED)
    if notify:
        _notices().after_check(row, verdict, inline=in_request())


def checked_all(befores, rows):
    """``checked`` for each of ``rows`` (``befores``: {pk: state_of(row) before}); their
    notices queued together (a sweep's: a few queries for the whole chunk)."""
    for row in rows:
        if row.pk in befores:
            checked(befores[row.pk], row, notify=False)
    _notices().after_checks([(row, befores[row.pk][1]) for row in rows if row.pk in befores])


def annotation_added(annotation, usage_key, course_key, learner_id, actor_id):
    """A mentor's note on a learner: who and how it is seen, never its text."""
    emit(ANNOTATION_ADDED, {"annotation_id": annotation.get("id", ""),
                            "visibility": annotation.get("visibility", ""),
                            "tag": annotation.get("tag", ""), "url": annotation.get("url", "")},
         usage_key=usage_key, course_key=course_key, user_id=learner_id, actor_id=actor_id)
    _notices().after_note(annotation, usage_key, course_key, learner_id, inline=in_request())


# -- the award -------------------------------------------------------------------------
def award_stored(award, rows):
    """The award is stored: ``completed`` (its score), the plugin's public signals, then the
    learner's notice."""
    _completed(award, rows)
    _notices().after_award(award, inline=in_request())


def awards_stored(awards, rows_of, actor_id):
    """Awards a staff member made (a bulk job's chunk): for each, ``accepted`` for each
    contribution it accepted (``rows_of(award)``: the rows it counts, with their verdict
    before), ``completed`` and the public signals, each naming ``actor_id``; then their
    notices, queued together."""
    for award in awards:
        counted = rows_of(award)
        for row, verdict_before in counted:
            if verdict_before != "accepted":
                about(row, ACCEPTED, actor_id=actor_id)
        _completed(award, [row for row, _ in counted], actor_id)
    _notices().after_awards(awards)


def _completed(award, rows, actor_id=None):
    max_score = float(award.points)
    emit(COMPLETED, {"score": round(float(award.score) * max_score, 4), "max_score": max_score,
                     "contributions": list(award.contributions or [])},
         usage_key=award.usage_key, course_key=award.course_key, user_id=award.learner_id,
         actor_id=actor_id)
    send_award_signals(award, [row for row in rows if row.url in award.contributions])


MAX_HOLD_REASON = 300


@attr.s(frozen=True)
class UpstreamContributionData:
    """One contribution of a learner in one block."""

    usage_key = attr.ib(type=str)
    course_key = attr.ib(type=str)
    user_id = attr.ib(type=str)  # the learner (the LMS's user id)
    url = attr.ib(type=str)
    host = attr.ib(type=str)
    kind = attr.ib(type=str)  # github, gitlab, gerrit, gitea
    repository = attr.ib(type=str)
    number = attr.ib(type=int)


@attr.s(frozen=True)
class UpstreamContributionAwardData:
    """A learner's award in one block: the block is complete, with this score."""

    usage_key = attr.ib(type=str)
    course_key = attr.ib(type=str)
    user_id = attr.ib(type=str)
    score = attr.ib(type=float)  # points earned
    max_score = attr.ib(type=float)  # the block's points
    contributions = attr.ib(type=list)  # the addresses that counted


CONTRIBUTION_ACCEPTED = OpenEdxPublicSignal(
    event_type="org.openedx.learning.upstream_contribution.accepted.v1",
    data={"contribution": UpstreamContributionData})
CONTRIBUTION_COMPLETED = OpenEdxPublicSignal(
    event_type="org.openedx.learning.upstream_contribution.completed.v1",
    data={"award": UpstreamContributionAwardData})


def contribution_data(row):
    snapshot = row.snapshot or {}
    return UpstreamContributionData(
        usage_key=str(row.usage_key), course_key=str(row.course_key or ""),
        user_id=str(row.learner_id), url=row.url, host=row.host, kind=row.kind,
        repository=snapshot.get("target_repository") or row.project, number=int(row.number))


def send_award_signals(award, counted_rows):
    """``accepted.v1`` for each counted contribution, then ``completed.v1`` (never raises)."""
    try:
        for row in counted_rows:
            CONTRIBUTION_ACCEPTED.send_event(contribution=contribution_data(row))
        CONTRIBUTION_COMPLETED.send_event(award=UpstreamContributionAwardData(
            usage_key=str(award.usage_key), course_key=str(award.course_key or ""),
            user_id=str(award.learner_id), score=float(award.score) * float(award.points),
            max_score=float(award.points), contributions=list(award.contributions or [])))
    except Exception:  # noqa: BLE001  (a receiver's failure never undoes an award)
        log.exception("could not send the award signals of %s / %s", award.usage_key,
                      award.learner_id)


class ContributionAcceptanceRequested(OpenEdxPublicFilter):
    """The block's rules accept a contribution: a site's pipeline may hold it."""

    filter_type = "org.openedx.learning.upstream_contribution.acceptance.requested.v1"

    class PreventAcceptance(OpenEdxFilterException):
        """Raised by a pipeline step: the contribution is held, with this message."""

    @classmethod
    def run_filter(cls, contribution, snapshot, checks):
        """The (possibly changed) arguments; PreventAcceptance when a step holds it."""
        return super().run_pipeline(contribution=contribution, snapshot=snapshot,
                                    checks=checks)


def acceptance_hold(row, checks):
    """The message of the site's pipeline step that holds ``row`` (None: it may be accepted)."""
    fields = attr.asdict(contribution_data(row))
    try:
        ContributionAcceptanceRequested.run_filter(
            contribution=fields, snapshot=dict(row.snapshot or {}), checks=list(checks))
    except ContributionAcceptanceRequested.PreventAcceptance as held:
        return (str(held.message or "") or "held")[:MAX_HOLD_REASON]
    return None
