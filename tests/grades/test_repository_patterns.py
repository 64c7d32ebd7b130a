"""Repository patterns match in linear time: counted in steps, not seconds."""

import pytest

from upstream_xblock.policy import MatchSteps, is_valid_pattern, matches

STARS = "/".join(["**"] * 30)


def steps_for(path, pattern):
    steps = MatchSteps()
    result = matches(path, pattern, steps)
    return result, steps.count


def test_thirty_double_stars_against_a_long_name_take_linear_steps():
    assert is_valid_pattern(STARS)  # Studio accepts it
    results = {}
    for length in (1000, 10000):
        name = "github.com/" + "a/" * ((length - 11) // 2)
        assert len(name) >= length - 2
        results[length] = steps_for(name, STARS + "/b")
    assert results[1000][0] is False and results[10000][0] is False
    ratio = results[10000][1] / results[1000][1]
    assert 9 <= ratio <= 11, results  # ten times the name, ten times the steps
    assert results[10000][1] <= 4 * 10000


def test_stars_inside_one_long_segment_take_linear_steps():
    pattern = "github.com/" + "*a" * 30 + "*b"
    counts = [steps_for("github.com/" + "a" * n, pattern)[1] for n in (1000, 10000)]
    assert 9 <= counts[1] / counts[0] <= 11, counts


def test_alternating_runs_are_linear_in_the_name():
    pattern = "/".join(["**", "a"] * 20)
    counts = [steps_for("/".join(["a"] * n), pattern)[1] for n in (500, 5000)]
    assert 9 <= counts[1] / counts[0] <= 11, counts


@pytest.mark.parametrize("path,pattern,expected", [
    ("github.com/openedx/xblock", "github.com/openedx/*", True),
    ("github.com/openedx/xblock/sub", "github.com/openedx/*", False),
    ("github.com/openedx/xblock/sub", "github.com/openedx/**", True),
    ("github.com/openedx", "github.com/openedx/**", True),
    ("github.com/OpenEdX/XBlock-SDK", "github.com/openedx/xblock-*", True),
    ("github.com/openedx/sdk-xblock", "github.com/openedx/xblock-*", False),
    ("gitlab.com/a/b/c/d", "gitlab.com/**/d", True),
    ("gitlab.com/a/b/c/d", "gitlab.com/**/c", False),
    ("gitlab.com/a/b/c/d", "**/b/**", True),
    ("gitlab.com/ab/c", "gitlab.com/*b*/c", True),
    ("gitlab.com/aXbYc/c", "gitlab.com/a*b*c/c", True),
    ("gitlab.com/abc/c", "gitlab.com/a*b*bc/c", False),
])
def test_pattern_meaning(path, pattern, expected):
    assert matches(path, pattern) is expected
