"""A sweep process killed while publishing (SIGKILL after edx-submissions took the awards,
before they were marked published): the next sweep publishes them without a second
submission. Submissions == learners.

Every process here runs on the LMS's score and completion stores (tests.settings_drill_lms,
a database file of its own); the test reads the results with sqlite3.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from forge_simulator import ForgeSimulator
from forge_simulator.shapes import project_id as account_id_of
from tests.helpers import wait_until

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow]
LEARNERS = 30
SEED = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from upstream_xblock.identity import api as identity_api
from upstream_xblock.models import BlockConfig, TrackedContribution
from upstream_xblock.policy import Rules
USAGE = "block-v1:FLOSS+Drill+2026+type@upstream_contribution+block@kill"
COURSE = "course-v1:FLOSS+Drill+2026"
from waffle.models import Switch
Switch.objects.create(name="completion.enable_completion_tracking", active=True)
BlockConfig.objects.create(usage_key=USAGE, course_key=COURSE, rules=Rules().to_dict(),
                           required_count=1, points=2)
for number, account in {accounts}:
    user = get_user_model().objects.create(username=f"learner{{number}}")
    identity_api.record(str(user.pk), "github.com", str(account), f"dev{{number}}", "oauth",
                        timezone.now())
    TrackedContribution.objects.create(
        usage_key=USAGE, course_key=COURSE, learner_id=str(user.pk),
        anonymous_id=f"anon-{{number}}", kind="github", host="github.com",
        project="drill/app", number=number, forge_username=f"dev{{number}}",
        url=f"https://github.com/drill/app/pull/{{number}}", registered_at=timezone.now(),
        next_check_at=timezone.now())
"""


def count(db, sql):
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchone()[0]


def run(env, *args):
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_a_sweep_killed_while_publishing_submits_once_per_learner(tmp_path):
    db = tmp_path / "drill.sqlite3"
    config = tmp_path / "forges.json"
    env = {**os.environ, "UPSTREAM_DRILL_DB": str(db), "UPSTREAM_XBLOCK_CONFIG": str(config),
           "DJANGO_SETTINGS_MODULE": "tests.settings_drill_lms"}
    with ForgeSimulator() as simulator:
        config.write_text(json.dumps(simulator.settings(github_token="drill-token")))
        run(env, "-m", "django", "migrate", "--verbosity", "0")
        for number in range(1, LEARNERS + 1):
            simulator.world.open("github", "drill/app", number, author=f"dev{number}",
                                 state="merged")
        accounts = [(n, account_id_of(f"dev{n}")) for n in range(1, LEARNERS + 1)]
        run(env, "-c", SEED.format(accounts=accounts))
        marker = tmp_path / "held"
        worker = subprocess.Popen(
            [sys.executable, "-m", "django", "upstream_xblock_poll", "--once"], cwd=ROOT,
            env={**env, "UPSTREAM_DRILL_HOLD": str(marker)}, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            # Held in the first score_set: edx-submissions' transaction has committed.
            wait_until(marker.exists, worker, 120, "the sweep process")
            assert count(db, "SELECT COUNT(*) FROM submissions_submission") == LEARNERS
            assert count(db, "SELECT COUNT(*) FROM upstream_xblock_contributionaward "
                             "WHERE published = 1") == 0
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        # The dead sweep's hold on the outbox lapses (as its lease would, five minutes on).
        with sqlite3.connect(db) as connection:
            connection.execute("UPDATE upstream_xblock_contributionaward "
                               "SET next_publish_at = NULL")
        output = run(env, "-m", "django", "upstream_xblock_poll", "--once").stdout
    assert "published=30" in output, output
    assert count(db, "SELECT COUNT(*) FROM submissions_submission") == LEARNERS
    assert count(db, "SELECT COUNT(DISTINCT student_item_id) FROM submissions_score") == LEARNERS
    assert count(db, "SELECT COUNT(*) FROM submissions_scoresummary") == LEARNERS
    assert count(db, "SELECT COUNT(*) FROM upstream_xblock_contributionaward "
                     "WHERE published = 1") == LEARNERS
    assert count(db, "SELECT COUNT(*) FROM completion_blockcompletion "
                     "WHERE completion = 1.0") == LEARNERS
