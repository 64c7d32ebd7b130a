"""The simulator's command line sets labels and descriptions (to try the rules by hand)."""

from forge_simulator.__main__ import main


def test_open_with_labels_and_a_description(simulator, world):
    argv = ["open", "github", "a/b", "4", "--author", "ada", "--label", "hacktoberfest-accepted",
            "--label", "docs", "--description", "My code is upx-12345678.",
            "--url", simulator.base_url]
    assert main(argv) == 0
    contribution = world.get("github", "a/b", 4)
    assert contribution.labels == ["hacktoberfest-accepted", "docs"]
    assert contribution.body == "My code is upx-12345678."


def test_edit_sets_the_description(simulator, world):
    world.open("gitlab", "team/app", 2, author="ada")
    assert main(["edit", "gitlab", "team/app", "2", "--description", "upx-abcdef12",
                 "--url", simulator.base_url]) == 0
    assert world.get("gitlab", "team/app", 2).body == "upx-abcdef12"
