"""Imported values are clamped where they are used, not only checked by Studio's editor."""

import math
import warnings

import pytest

from upstream_xblock.block import clamps
from upstream_xblock.models import ContributionAward

PR = "https://github.com/openedx/xblock-sdk/pull/{n}"


def test_required_count_zero_from_olx_gives_nobody_full_marks(harness, world, verify_account):
    verify_account("student_1", "ada")
    block = harness.block('<upstream_contribution required_count="0" weight="-3"/>')
    context = block._context()
    assert (context.required_count, context.points) == (1, 0.0)
    status, body = harness.call(block, "status")
    assert status == 200 and body["completed"] is False and body["required"] == 1
    assert ContributionAward.objects.count() == 0
    world.open("github", "openedx/xblock-sdk", 70, author="ada", state="merged")
    body = harness.call(block, "register", {"url": PR.format(n=70),
                                            "forge_username": "ada"})[1]["status"]
    assert body["completed"] is True
    assert ContributionAward.objects.get().points == 0.0


def test_required_count_above_ten_is_ten(harness):
    block = harness.block('<upstream_contribution required_count="5000"/>')
    assert block._context().required_count == 10


def test_wrongly_typed_stored_values_are_used_as_safe_values(harness):
    # Values that reach the field data without the editor (an old export, the REST API).
    block = harness.block()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # XBlock warns about the type, and keeps the value
        block.accept_labels = "hacktoberfest"  # a string, not a list: not 13 letters
        block.deny_labels = [5, "spam", None, "  "]
        block.allowed_repositories = {"github.com/openedx/*": True}
        block.accepted_hosts = "github.com"
        block.weight = "lots"
        block.required_count = "three"
        block.waiting_days = "soon"
        block.opened_after = 20260901
    context = block._context()
    rules = context.rules
    assert rules.accept_labels == () and rules.deny_labels == ("spam",)
    assert rules.allowed_repositories == () and context.accepted_hosts == ()
    assert (context.points, context.required_count, rules.waiting_days) == (1.0, 1, 0)
    assert harness.call(block, "status")[0] == 200


@pytest.mark.parametrize("value,points", [
    (5, 5.0), ("2", 2.0), (-3, 0.0), (math.nan, 1.0), (math.inf, 1.0), (None, 1.0),
    ("lots", 1.0), (True, 1.0)])
def test_points(value, points):
    assert clamps.points(value) == points


@pytest.mark.parametrize("value,count", [
    (0, 1), (-2, 1), (3, 3), (11, 10), ("4", 4), (None, 1), ("x", 1), (True, 1), (2.7, 2)])
def test_required_count(value, count):
    assert clamps.required_count(value) == count
