"""Background awards through the real edx-submissions and edx-completion packages."""

from datetime import timedelta

from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from opaque_keys.edx.keys import UsageKey
from submissions import api as submissions_api
from submissions.models import score_set

from forge_simulator import ForgeSimulator
from forge_simulator.shapes import project_id as account_id_of
from upstream_xblock import compat
from upstream_xblock.compat.grades import _in_the_lms
from upstream_xblock.forges import Forges
from upstream_xblock.identity import api as identity_api
from upstream_xblock.models import BlockConfig, TrackedContribution
from upstream_xblock.policy import Rules
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import Sweeper

COURSE = "course-v1:FLOSS+Upstream+2026"
USAGE = "block-v1:FLOSS+Upstream+2026+type@upstream_contribution+block@first"


def test_sweep_scores_and_completes_through_the_lms_apis():
    cache.clear()
    assert _in_the_lms()
    user = get_user_model().objects.create(username="ada")
    # She verified her GitHub account once (here: the one she linked to the LMS).
    identity_api.record(str(user.pk), "github.com", str(account_id_of("ada")), "ada", "linked",
                        timezone.now())
    BlockConfig.objects.create(usage_key=USAGE, course_key=COURSE, rules=Rules().to_dict(),
                               required_count=1)
    scores = []
    score_set.connect(lambda sender, **kwargs: scores.append(kwargs), weak=False,  # noqa: ARG005
                      dispatch_uid="test-score-set")
    with ForgeSimulator() as simulator:
        simulator.world.open("github", "openedx/xblock", 5, author="ada", state="merged")
        TrackedContribution.objects.create(
            usage_key=USAGE, course_key=COURSE, learner_id=str(user.pk), anonymous_id="anon-ada",
            url="https://github.com/openedx/xblock/pull/5", kind="github", host="github.com",
            project="openedx/xblock", number=5, forge_username="ada",
            registered_at=timezone.now(), next_check_at=timezone.now())
        sweeper = Sweeper(Forges.from_settings(simulator.settings()), Schedule(),
                          publisher=compat.publish_award_in_background)
        assert sweeper.run_once().awarded == 1

        student_item = {"student_id": "anon-ada", "course_id": COURSE, "item_id": USAGE,
                        "item_type": "upstream_contribution"}
        score = submissions_api.get_score(student_item)
        assert (score["points_earned"], score["points_possible"]) == (1, 1)
        assert len(scores) == 1
        completion = BlockCompletion.objects.get(user=user,
                                                 context_key=UsageKey.from_string(USAGE).course_key)
        assert completion.completion == 1.0

        # A second sweep (even with the record due again) changes nothing.
        TrackedContribution.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
        assert sweeper.run_once().awarded == 0
        assert len(scores) == 1
        assert len(submissions_api.get_submissions(student_item)) == 1
        assert BlockCompletion.objects.filter(user=user).count() == 1
