"""README lists the workbench's scenarios, all of them and no other."""

import re
from pathlib import Path

from upstream_xblock.block.resources import workbench_scenarios

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_names_each_scenario_of_the_workbench():
    named = set(re.findall(r"`upstream_contribution\.(\d+)`", README.read_text(encoding="utf-8")))
    assert named == {str(index) for index in range(len(workbench_scenarios()))}
