"""``python -m upstream_xblock check URL --config FILE``: JSON out, exit codes."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
URLS = {
    "github": "https://github.com/openedx/xblock-sdk/pull/{n}",
    "gitlab": "https://gitlab.com/mooc-floss/demo/-/merge_requests/{n}",
    "gerrit": "https://review.opendev.org/c/openstack/nova/+/{n}",
    "gitea": "https://codeberg.org/forgejo/forgejo/pulls/{n}",
}
PROJECTS = {"github": "openedx/xblock-sdk", "gitlab": "mooc-floss/demo",
            "gerrit": "openstack/nova", "gitea": "forgejo/forgejo"}


def run_check(url, config=None):
    command = [sys.executable, "-m", "upstream_xblock", "check", url]
    if config:
        command += ["--config", str(config)]
    env = {k: v for k, v in os.environ.items() if k != "UPSTREAM_XBLOCK_CONFIG"}
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env,
                            timeout=60, check=False)
    return result.returncode, json.loads(result.stdout)


@pytest.fixture
def config(simulator, tmp_path):
    path = tmp_path / "forges.json"
    path.write_text(json.dumps(simulator.settings()))
    return path


@pytest.mark.parametrize("kind", sorted(URLS))
def test_check_reports_each_state(world, config, kind):
    states = [("open", False, "open"), ("open", True, "draft"), ("merged", False, "merged"),
              ("closed", False, "closed")]
    for number, (sim_state, draft, expected) in enumerate(states, start=1):
        world.open(kind, PROJECTS[kind], number, author="ada", title="Title", state=sim_state,
                   draft=draft)
        code, out = run_check(URLS[kind].format(n=number), config)
        assert code == 0
        assert {"url", "kind", "host", "project", "number", "state", "merged_at", "author",
                "title", "draft", "target"} <= set(out)
        assert (out["kind"], out["project"], out["number"]) == (kind, PROJECTS[kind], number)
        assert (out["state"], out["draft"]) == (expected, expected == "draft")
        assert (out["merged_at"] is not None) == (expected == "merged")
        assert (out["author"], out["title"], out["target"]) == ("ada", "Title", PROJECTS[kind])


@pytest.mark.parametrize("url,code", [
    ("https://github.com/openedx/xblock-sdk/issues/1", "invalid_url"),
    ("https://bitbucket.org/a/b/pull-requests/1", "unsupported_host"),
    ("http://127.0.0.1/a/b/pull/1", "unsupported_host"),
    ("https://github.com/openedx/xblock-sdk/pull/999", "not_found"),
])
def test_check_errors(config, url, code):
    exit_code, out = run_check(url, config)
    assert exit_code != 0
    assert out["error"]["code"] == code and out["error"]["message"]


def test_rate_limited_and_auth_failed(simulator, world, tmp_path):
    world.open("github", "openedx/xblock-sdk", 1)
    settings = simulator.settings()
    path = tmp_path / "forges.json"
    path.write_text(json.dumps(settings))
    world.set_rate_limit("github", remaining=0)
    exit_code, out = run_check(URLS["github"].format(n=1), path)
    assert (exit_code, out["error"]["code"]) == (1, "rate_limited")
    assert out["error"]["reset_at"]
    settings["forges"][0]["token"] = "bad-token"
    path.write_text(json.dumps(settings))
    exit_code, out = run_check(URLS["github"].format(n=1), path)
    assert (exit_code, out["error"]["code"]) == (1, "auth_failed")
    assert "bad-token" not in json.dumps(out)


def test_forge_unavailable(tmp_path):
    path = tmp_path / "forges.json"
    path.write_text(json.dumps({"forges": [
        {"kind": "gitea", "host": "codeberg.org", "api_url": "http://127.0.0.1:9/api/v1"}]}))
    exit_code, out = run_check(URLS["gitea"].format(n=1), path)
    assert (exit_code, out["error"]["code"]) == (1, "forge_unavailable")


def test_bad_configuration_is_reported_without_the_token(tmp_path):
    path = tmp_path / "forges.json"
    path.write_text(json.dumps({"forges": [{"kind": "nope", "host": "x.org", "token": "s3cr3t"}]}))
    exit_code, out = run_check(URLS["github"].format(n=1), path)
    assert exit_code == 2 and out["error"]["code"] == "configuration_error"
    assert "s3cr3t" not in json.dumps(out)
    exit_code, out = run_check(URLS["github"].format(n=1), tmp_path / "missing.json")
    assert exit_code == 2 and out["error"]["code"] == "configuration_error"


def test_a_bad_deadline_is_a_configuration_error(tmp_path):
    path = tmp_path / "forges.json"
    path.write_text(json.dumps({"deadlines": {"request_s": "soon"}}))
    exit_code, out = run_check(URLS["github"].format(n=1), path)
    assert exit_code == 2 and out["error"]["code"] == "configuration_error"
    assert "deadlines.request_s" in out["error"]["message"]


@pytest.mark.parametrize("kind", sorted(URLS))
def test_check_prints_the_forges_stable_ids(world, config, kind):
    contribution = world.open(kind, PROJECTS[kind], 7)
    _, out = run_check(URLS[kind].format(n=7), config)
    assert out["forge_id"] == str(7 if kind == "gerrit" else contribution.id)
    assert out["author_id"].isdigit()
