"""The plugin's Open edX hooks (OEP-50): two public signals and one filter.

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

import logging

import attr
from openedx_events.tooling import OpenEdxPublicSignal
from openedx_filters.exceptions import OpenEdxFilterException
from openedx_filters.tooling import OpenEdxPublicFilter

log = logging.getLogger(__name__)

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
