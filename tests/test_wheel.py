"""The package an operator installs: the sdist builds a wheel on its own, and that wheel,
installed into a fresh virtual environment (away from the checkout), carries the templates,
static files and translations, declares its entry points and renders the student view."""

import email.parser
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
LEFTOVERS = ("*.egg-info", "build", "dist", ".venv", ".tox", ".git", "var", "node_modules",
             "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache")

# Run inside the fresh venv: load every entry point the package declares, then render.
RENDER = r'''
import importlib, json, os, sys, tempfile
from importlib import metadata, resources
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes",
                    "django.contrib.admin", "django.contrib.sessions", "django.contrib.messages",
                    "workbench", "upstream_xblock"],  # admin: the workbench's URLs want it
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                           "NAME": os.path.join(tempfile.mkdtemp(), "db.sqlite3")}},
    WORKBENCH={"reset_state_on_restart": False, "services": {}},
    USE_TZ=True, ROOT_URLCONF="workbench.urls", SECRET_KEY="wheel-test",
    STATIC_URL="/static/", MEDIA_URL="/media/", MEDIA_ROOT=tempfile.mkdtemp(),
)
django.setup()
entry_points = {}
for group in json.loads(sys.argv[1]):
    for point in metadata.entry_points(group=group):
        if point.dist.name != "upstream-xblock":
            continue
        if group == "openedx.course_tab":
            # The tab subclasses the LMS's CourseTab (xmodule, not on PyPI): its module
            # imports here, and builds it on demand (a module __getattr__) where xmodule is.
            module = importlib.import_module(point.module)
            lazy = "__getattr__" in vars(module)
            entry_points[f"{group}:{point.name}"] = [point.value, point.attr if lazy else ""]
        else:
            entry_points[f"{group}:{point.name}"] = [point.value, point.load().__name__]
from django.core.management import call_command
call_command("migrate", verbosity=0)
from workbench.runtime import WorkbenchRuntime
import upstream_xblock
from upstream_xblock.block.resources import resource_root
runtime = WorkbenchRuntime("student_1")
runtime.id_generator.set_scenario("wheel")
block = runtime.get_block(runtime.parse_xml_string('<upstream_contribution/>'))
fragment = runtime.render(block, "student_view")
mentor = WorkbenchRuntime("mia")
mentor.id_generator.set_scenario("wheel-mentor")
table = mentor.render(mentor.get_block(mentor.parse_xml_string(
    '<upstream_contribution mentors=\'["mia"]\'/>')), "student_view")
catalogs = resources.files("upstream_xblock").joinpath("translations")
print(json.dumps({
    "package": upstream_xblock.__file__, "templates": str(resource_root("templates")),
    "entry_points": entry_points,
    "static": sorted(f"{folder.name}/{item.name}" for folder in resource_root("static").iterdir()
                     if folder.is_dir() for item in folder.iterdir()),
    "catalogs": sorted(p.name for p in catalogs.joinpath("fr", "LC_MESSAGES").iterdir()),
    "has_form": 'class="upstream-register"' in fragment.content,
    "has_css": ".upstream-contribution" in "".join(r.data for r in fragment.resources),
    "js_catalogs": sorted(f"{item.name}/{catalog.name}" for item in
                          resource_root("static").joinpath("js", "translations").iterdir()
                          for catalog in item.iterdir()),
    "has_js_catalog": any("var UpstreamXBlockI18N" in r.data for r in fragment.resources),
    # the mentors' table includes its filter form (templates read as the wheel's resources)
    "has_filters": 'class="upx-filters"' in table.content}))
'''


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _build(args, source, outdir):
    result = subprocess.run(
        [sys.executable, "-m", "build", *args, "--outdir", str(outdir), str(source)],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, f"build {' '.join(args)}:\n" + result.stdout[-3000:]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sdist built from the checkout, and the wheel built from that sdist alone."""
    work = tmp_path_factory.mktemp("dist")
    # From a copy without the build leftovers of the checkout: setuptools would add the files
    # an old upstream_xblock.egg-info/SOURCES.txt lists (an editable install writes one).
    checkout = work / "checkout"
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(*LEFTOVERS))
    _build(["--sdist"], checkout, work)
    sdist = next(work.glob("upstream_xblock-*.tar.gz"))
    with tarfile.open(sdist) as archive:
        archive.extractall(work / "unpacked", filter="data")
    source = next((work / "unpacked").iterdir())
    _build(["--wheel"], source, work / "wheel")
    return sdist, next((work / "wheel").glob("upstream_xblock-*.whl"))


def _shipped(names, root):
    """The checkout's files under ``root`` as they appear in an archive list."""
    return {f"{root}/{p.relative_to(ROOT / root).as_posix()}" for p in (ROOT / root).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts} - set(names)


@pytest.mark.slow
def test_the_sdist_carries_what_a_wheel_needs_and_no_tests(built):
    sdist, _ = built
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        names = [name.removeprefix(f"{top}/") for name in archive.getnames()]
    assert not _shipped(names, "static") and not _shipped(names, "templates")
    assert {"README.md", "LICENSE", "pyproject.toml", "setup.py"} <= set(names)
    assert {f"upstream_xblock/translations/fr/LC_MESSAGES/{domain}.{kind}"
            for domain in ("text", "djangojs") for kind in ("po", "mo")} <= set(names)
    assert {"static/js/translations/en/djangojs.js",
            "static/js/translations/fr/djangojs.js"} <= set(names)
    assert not [name for name in names if name.startswith(("tests/", "requirements/"))]


@pytest.mark.slow
def test_the_wheel_metadata_is_the_static_declaration_with_readme_as_description(built):
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        meta_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        raw = archive.read(meta_name)
        names = archive.namelist()
    meta = email.parser.Parser().parsestr(raw.decode("utf-8"))
    project = _pyproject()
    declared = project["dependencies"] + [
        f'{spec}; extra == "{extra}"'
        for extra, specs in project["optional-dependencies"].items() for spec in specs]
    assert {Requirement(spec) for spec in meta.get_all("Requires-Dist")} == {
        Requirement(spec) for spec in declared}
    assert "Requires-Dist" not in (meta.get_all("Dynamic") or [])
    assert meta.get_payload() == (ROOT / "README.md").read_text(encoding="utf-8")
    assert meta["License-Expression"] == "AGPL-3.0-only"
    assert "Framework :: Django :: 5.2" in meta.get_all("Classifier")
    assert len(raw) < len((ROOT / "README.md").read_bytes()) + 8192  # README once, no more
    assert not [n for n in names if n.startswith(("tests/", "static/", "templates/"))]
    # The notices' edx-ace templates, where the LMS's app-directories loader finds them.
    assert "upstream_xblock/templates/upstream_xblock/edx_ace/mentor_digest/email/body.html" \
        in names


@pytest.mark.slow
def test_the_wheel_built_from_the_sdist_renders_from_a_fresh_venv(built, tmp_path):
    _, wheel = built
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-c", str(ROOT / "requirements" / "test.txt"), str(wheel), "xblock-sdk"],
                   check=True, capture_output=True, timeout=600)
    groups = sorted(_pyproject()["entry-points"])  # every group declared: the block, the apps,
    # and the LMS's course tab
    assert {"xblock.v1", "lms.djangoapp", "cms.djangoapp", "openedx.course_tab"} <= set(groups)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run([str(python), "-c", RENDER, json.dumps(groups)], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert str(env_dir) in report["package"]
    assert str(env_dir) in report["templates"]  # from the wheel, not the checkout
    declared = _pyproject()["entry-points"]
    assert report["entry_points"] == {  # each declared one, loaded: the class it names
        f"{group}:{name}": [value, value.rsplit(":", 1)[1]]
        for group in groups for name, value in declared[group].items()}
    assert report["entry_points"]["xblock.v1:upstream_contribution"] == [
        "upstream_xblock.block:UpstreamContributionBlock", "UpstreamContributionBlock"]
    assert report["static"] == sorted(p.relative_to(ROOT / "static").as_posix()
                                      for p in (ROOT / "static").glob("*/*"))
    assert report["catalogs"] == ["djangojs.mo", "djangojs.po", "text.mo", "text.po"]
    assert report["js_catalogs"] == ["en/djangojs.js", "fr/djangojs.js"]
    assert report["has_form"] and report["has_css"] and report["has_js_catalog"]
    assert report["has_filters"]
