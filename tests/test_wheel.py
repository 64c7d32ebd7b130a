"""The built wheel carries the templates and static files: install it into a fresh
virtual environment (away from the checkout) and render the student view from it."""

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

RENDER = r'''
import json, os, sys, tempfile
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "workbench",
                    "upstream_xblock"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                           "NAME": os.path.join(tempfile.mkdtemp(), "db.sqlite3")}},
    WORKBENCH={"reset_state_on_restart": False, "services": {}},
    USE_TZ=True, ROOT_URLCONF="workbench.urls", SECRET_KEY="wheel-test",
)
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from workbench.runtime import WorkbenchRuntime
import upstream_xblock
from upstream_xblock.block.resources import resource_root
runtime = WorkbenchRuntime("student_1")
runtime.id_generator.set_scenario("wheel")
block = runtime.get_block(runtime.parse_xml_string('<upstream_contribution/>'))
content = runtime.render(block, "student_view").content
print(json.dumps({"package": upstream_xblock.__file__, "templates": str(resource_root("templates")),
                  "has_form": 'class="upstream-register"' in content,
                  "has_css": ".upstream-contribution" in "".join(r.data for r in
                      runtime.render(block, "student_view").resources)}))
'''


@pytest.mark.slow
def test_wheel_renders_from_a_fresh_venv(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                    str(dist), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(dist.glob("upstream_xblock-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-c", str(ROOT / "requirements" / "pins.txt"), str(wheel), "xblock-sdk"],
                   check=True, capture_output=True, timeout=600)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run([str(python), "-c", RENDER], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert str(env_dir) in report["package"]
    assert str(env_dir) in report["templates"]  # from the wheel, not the checkout
    assert report["has_form"] and report["has_css"]
