"""The simulator's command line acts on a running simulator (as a person would by hand)."""

import pytest

from forge_simulator.__main__ import main


@pytest.mark.parametrize("argv,check", [
    (["open", "gitlab", "team/app", "3", "--author", "ada", "--title", "Hello"],
     lambda w: w.get("gitlab", "team/app", 3).author == "ada"),
    (["merge", "github", "a/b", "1"], lambda w: w.get("github", "a/b", 1).state == "merged"),
    (["draft", "github", "a/b", "1"], lambda w: w.get("github", "a/b", 1).draft),
    (["approve", "gerrit", "a/b", "1"], lambda w: w.get("gerrit", "a/b", 1).review == "approved"),
    (["label", "github", "a/b", "1", "--label", "hacktoberfest-accepted"],
     lambda w: "hacktoberfest-accepted" in w.get("github", "a/b", 1).labels),
    (["land", "github", "a/b", "1"], lambda w: w.get("github", "a/b", 1).landed_commit),
    (["rename", "github", "a/b", "a/c"], lambda w: w.get("github", "a/c", 1) is not None),
    (["rate-limit", "github", "0", "--reset-in", "60"],
     lambda w: w.rate_limits["github"].remaining == 0),
])
def test_commands(simulator, world, argv, check, capsys):
    world.open("github", "a/b", 1)
    world.open("gerrit", "a/b", 1)
    assert main([*argv, "--url", simulator.base_url]) == 0
    assert check(world)


def test_unreachable_simulator_is_reported(capsys):
    assert main(["merge", "github", "a/b", "1", "--url", "http://127.0.0.1:9"]) == 1
    assert "127.0.0.1:9" in capsys.readouterr().err
