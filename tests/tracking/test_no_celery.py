"""The no-Celery path (cron, the workbench) runs where celery is not installed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from upstream_xblock.models import TrackedContribution

ROOT = Path(__file__).resolve().parents[2]
# Runs the command with every celery module made unimportable (as if not installed).
WITHOUT_CELERY = """
import sys
class NoCelery:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("celery", "kombu"):
            raise ImportError(f"{name} is not installed")
sys.meta_path.insert(0, NoCelery())
import django
django.setup()
from django.core.management import call_command
call_command("upstream_xblock_poll", "--once")
from upstream_xblock.tracking import background
assert background.ensure_polling() is False
assert "celery" not in sys.modules
print("celery modules:", sorted(m for m in sys.modules if m.startswith("celery")))
"""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_poll_command_runs_without_celery(simulator, registry, tmp_path):
    registry.block()
    registry.contribution("gitea", state="merged")
    config = tmp_path / "forges.json"
    config.write_text(json.dumps(simulator.settings()))
    env = {**os.environ, "UPSTREAM_DRILL_DB": connection.settings_dict["NAME"],
           "UPSTREAM_XBLOCK_CONFIG": str(config),
           "DJANGO_SETTINGS_MODULE": "tests.settings_drill"}
    result = subprocess.run([sys.executable, "-c", WITHOUT_CELERY], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "checked=1" in result.stdout and "celery modules: []" in result.stdout
    assert TrackedContribution.objects.get().verdict == "accepted"
