"""What mentors, staff and authors read is true and in their words: Studio's help matches what
the fields do, the preview says what an empty setting means, the course team reads each
check about the learner (with a word for its outcome), and the learner's completion message
says who accepted."""

import ast
import re
from pathlib import Path

from tests.mentors.conftest import MENTOR, MENTORED_XML, PR, STAFF, as_user
from upstream_xblock.block import presenters

POLICY = Path(presenters.__file__).resolve().parents[1] / "policy.py"


def studio_fields(block):
    html = block.render("studio_view").content
    return html


def test_studio_help_matches_what_the_fields_do(harness):
    block = harness.block('<upstream_contribution weight="2"/>')
    html = studio_fields(block)
    assert "one per line" in html and '[&quot;mia&quot;' not in html and '["mia"' not in html
    assert "verified forge accounts" in html
    assert "learner&#x27;s user name on that forge" not in html
    assert 'value="2"' in html and 'value="2.0"' not in html


def test_the_preview_says_what_an_empty_setting_means(harness):
    block = harness.block()
    block.runtime.is_author_mode = True
    html = block.render("author_view").content
    assert "all configured forges" in html and "any repository" in html
    assert "the course start date" in html
    assert "<th scope=\"row\">Accepted forges</th><td>—</td>" not in html


def test_the_course_team_words_are_those_of_real_checks():
    """Each check the course team reads in other words is one the policy writes."""
    written = {node.args[0].value if isinstance(node.args[0], ast.Constant)
               else "".join(part.value for part in ast.walk(node.args[0])
                            if isinstance(part, ast.Constant) and isinstance(part.value, str))
               for node in ast.walk(ast.parse(POLICY.read_text(encoding="utf-8")))
               if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "gettext_noop"}
    assert set(presenters.FOR_THE_COURSE_TEAM) <= written


def test_mentors_read_each_check_about_the_learner_with_a_word(harness, world):
    world.open("github", "openedx/xblock-sdk", 7, author="someone")
    learner = harness.block(MENTORED_XML, student="ada")
    status, body = harness.call(learner, "register", {"url": PR.format(n=7)})
    assert status == 200
    learner_check = {c["id"]: c for c in body["contribution"]["checks"]}["author"]
    assert "verify it under" in learner_check["reason"]  # the learner's own words
    table = harness.call(as_user(harness, learner, MENTOR), "progress", {})[1]
    checks = {c["id"]: c for c in table["rows"][0]["contributions"][0]["checks"]}
    assert checks["author"]["reason"] == "Author: someone on github.com, not yet verified by ada."
    assert checks["author"]["outcome_label"] == "Waiting"
    assert {c["outcome_label"] for c in checks.values()} <= {"Passed", "Not met", "Waiting"}
    assert not any(re.search(r"\byour?\b", c["reason"], re.I) for c in checks.values())


def test_the_completion_message_says_who_accepted(harness, world):
    world.open("github", "openedx/xblock-sdk", 8, author="someone")
    learner = harness.block(MENTORED_XML, student="bo")
    assert harness.call(learner, "register", {"url": PR.format(n=8)})[0] == 200
    staff = as_user(harness, learner, STAFF)
    assert harness.call(staff, "bulk", {"action": "accept", "learner_ids": ["bo"],
                                        "reason": "Seen at the sprint"})[0] == 200
    message = harness.call(learner, "status")[1]["message"]
    assert message.startswith("Course staff accepted your work") and "upstream" not in message
    other = harness.block(MENTORED_XML, student="cy")
    assert harness.call(other, "register", {"url": PR.format(n=8)})[0] == 200
    assert harness.call(as_user(harness, other, MENTOR), "vouch", {
        "learner_id": "cy", "reason": "On the list", "description": "[PATCH] docs"})[0] == 200
    assert harness.call(other, "status")[1]["message"].startswith("A mentor accepted")
