"""Drills: every fault on every forge kind, through the check command, over real HTTP.

Each check must end with the right error code, within its deadline, after a
bounded and known number of requests (counted by the fault server). "Within its
deadline" is counted, not timed (``tests/waits.py``): no library sleeps, the
transport's own pauses fit in the deadline, and each response's head is read under
a timer no longer than the deadline; the faults that never finish answering (hang,
trickle) end with the deadline's own error. The matrix runs the command's ``main``
in this process (fast); the slow faults run once more as the real
``python -m upstream_xblock check`` subprocess.
"""

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from forge_simulator.faults import ANSWERED, EXPECTED, FAULTS
from upstream_xblock import __main__
from upstream_xblock.forges.http import MAX_REDIRECTS, MAX_RETRIES

from .conftest import KINDS, url

DEADLINE_S = 1.0
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def expected_requests(kind, fault):
    """How many requests each fault may cost: the retry and redirect bounds, nothing more."""
    if fault in ("reset", "server_error"):  # a connection failure / 503 without Retry-After
        return 1 + MAX_RETRIES
    if fault == "redirect_loop" and kind == "github":  # a renamed repository's 301 is followed
        return 1 + MAX_REDIRECTS
    return 1


@pytest.fixture(scope="module")
def config(fault_server, tmp_path_factory):
    path = tmp_path_factory.mktemp("drills") / "forges.json"
    path.write_text(json.dumps(fault_server.settings(deadlines={"request_s": DEADLINE_S})))
    return path


def run_main(config, address, capsys):
    code = __main__.main(["check", address, "--config", str(config)])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fault", [f for f in FAULTS if f not in ANSWERED])
def test_each_fault_is_a_typed_error_within_the_deadline(fault_server, config, capsys, waits,
                                                         kind, fault):
    project, number = f"drill/{fault.replace('_', '-')}", 1 + FAULTS.index(fault)
    fault_server.fault(kind, project, number, fault)
    code, out = run_main(config, url(kind, project, number), capsys)
    assert code == __main__.EXIT_FORGE_ERROR, out
    assert out["error"]["code"] == EXPECTED[fault], out
    requests = fault_server.count(kind, project, number)
    assert requests == expected_requests(kind, fault)
    waits.assert_within(DEADLINE_S, heads_read=requests)
    if EXPECTED[fault] == "rate_limited" and fault != "reset_inf":
        # When to ask again, read from the forge's headers: never more than a day ahead.
        reset_at = datetime.fromisoformat(out["error"]["reset_at"])
        assert reset_at <= datetime.now(timezone.utc) + timedelta(days=1)
    if fault == "reset_inf":
        assert out["error"]["reset_at"] is None  # not a number: ignored, never an exception
    if fault in ("hang", "trickle", "trickle_headers", "slow_status_line"):
        assert out["error"]["reason"] == "deadline"
    if fault.startswith("shape_") or fault in ("malformed_json", "deep_json", "other_pull",
                                               "other_repository"):
        assert out["error"]["reason"] == "bad_response"
    if fault.startswith("redirect_"):
        assert out["error"]["reason"] == ("redirect_loop" if (kind, fault) == (
            "github", "redirect_loop") else "redirect_refused")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fault", ANSWERED)
def test_insane_headers_and_lone_surrogates_are_read_and_cleaned(fault_server, config, capsys,
                                                                  kind, fault):
    """The check command's contract holds: one JSON object, valid UTF-8, exit 0."""
    project, number = f"drill/{fault.replace('_', '-')}", 1 + FAULTS.index(fault)
    fault_server.world.open(kind, project, number, state="merged", author="ada")
    fault_server.fault(kind, project, number, fault)
    code = __main__.main(["check", url(kind, project, number), "--config", str(config)])
    raw = capsys.readouterr().out
    out = json.loads(raw.encode("utf-8"))  # written as UTF-8: no lone surrogate got through
    assert code == 0, out
    assert out["state"] == "merged" and out["number"] == number
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in raw)
    assert out["web_url"].isprintable()
    assert fault_server.count(kind, project, number) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_healthy_answers_still_read(fault_server, config, capsys, kind):
    fault_server.world.open(kind, "drill/healthy", 1, state="merged", author="ada")
    code, out = run_main(config, url(kind, "drill/healthy", 1), capsys)
    assert code == 0, out
    assert (out["state"], out["author"]) == ("merged", "ada")


@pytest.mark.parametrize("fault", ["hang", "trickle", "server_error_retry_after"])
def test_the_real_command_ends_within_its_deadline(fault_server, config, fault):
    """The subprocess a operator runs: GitLab, whose library used to sleep and retry 9 times."""
    project = f"cli/{fault.replace('_', '-')}"
    fault_server.fault("gitlab", project, 1, fault)
    env = {k: v for k, v in os.environ.items() if k != "UPSTREAM_XBLOCK_CONFIG"}
    result = subprocess.run([sys.executable, "-m", "upstream_xblock", "check",
                             url("gitlab", project, 1), "--config", str(config)],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
                            check=False)
    assert result.returncode == __main__.EXIT_FORGE_ERROR, result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "forge_unavailable"
    assert fault_server.count("gitlab", project, 1) == 1, error
