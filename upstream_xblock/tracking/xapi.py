"""xAPI statements of the block's tracking events, for Open edX Aspects.

Registered with edx-event-routing-backends' transformer registry, as third-party
blocks register theirs: ``apps.py`` imports this module when the package is
installed, and ``apps.plugin_settings`` lets the events through its allowlists.
Each statement has the LMS's anonymised actor (event-routing-backends' own
``get_actor``: the learner's external id for xAPI), the block's usage key as its
object (``<LMS_ROOT_URL>/xblock/<usage key>``), the course as its parent, and the
contribution's address as a context extension.

| event | verb | result |
|---|---|---|
| ``registered`` | ``http://adlnet.gov/expapi/verbs/registered`` | |
| ``accepted`` | ``http://adlnet.gov/expapi/verbs/passed`` | success |
| ``completed`` | ``http://adlnet.gov/expapi/verbs/completed`` | completion, success, the score |
| ``withdrawn`` | ``http://activitystrea.ms/schema/1.0/retract`` | |
"""

from event_routing_backends.processors.xapi import constants
from event_routing_backends.processors.xapi.registry import XApiTransformersRegistry
from event_routing_backends.processors.xapi.transformer import XApiTransformer
from tincan import Activity, ActivityDefinition, LanguageMap, Result, Verb

from . import events

# A context extension: the contribution's address on its forge (an IRI this project owns).
CONTRIBUTION_EXTENSION = "https://github.com/upstream-xblock/upstream-xblock/xapi/contribution"
RETRACT = "http://activitystrea.ms/schema/1.0/retract"


class UpstreamContributionTransformer(XApiTransformer):
    """What the block's statements share: the block as object, the contribution in context."""

    verb_id, verb_display = None, None

    def get_verb(self):
        return Verb(id=self.verb_id, display=LanguageMap({constants.EN: self.verb_display}))

    def get_object(self):
        return Activity(
            id=self.get_object_iri("xblock", self.get_data("data.usage_key", True)),
            definition=ActivityDefinition(
                type=constants.XAPI_ACTIVITY_RESOURCE,
                name=LanguageMap({constants.EN: "upstream contribution"})))

    def get_context_extensions(self):
        extensions = super().get_context_extensions()
        url = self.get_data("data.url")
        if url:
            extensions[CONTRIBUTION_EXTENSION] = url
        return extensions


@XApiTransformersRegistry.register(events.REGISTERED)
class RegisteredTransformer(UpstreamContributionTransformer):
    """The learner registered a contribution."""

    verb_id, verb_display = constants.XAPI_VERB_REGISTERED, constants.REGISTERED


@XApiTransformersRegistry.register(events.ACCEPTED)
class AcceptedTransformer(UpstreamContributionTransformer):
    """The block's rules accepted a contribution."""

    verb_id, verb_display = constants.XAPI_VERB_PASSED, constants.PASSED
    additional_fields = ("result",)

    def get_result(self):
        return Result(success=True)


@XApiTransformersRegistry.register(events.COMPLETED)
class CompletedTransformer(UpstreamContributionTransformer):
    """The award: the block is complete, with its score."""

    verb_id, verb_display = constants.XAPI_VERB_COMPLETED, constants.COMPLETED
    additional_fields = ("result",)

    def get_result(self):
        score = float(self.get_data("data.score") or 0)
        max_score = float(self.get_data("data.max_score") or 0)
        return Result(completion=True, success=True, score={
            "min": 0, "max": max_score, "raw": score,
            "scaled": round(score / max_score, 4) if max_score else 1.0})


@XApiTransformersRegistry.register(events.WITHDRAWN)
class WithdrawnTransformer(UpstreamContributionTransformer):
    """The learner withdrew a contribution."""

    verb_id, verb_display = RETRACT, "retracted"

