"""Vouching fixtures: the mentors' fixtures (a block listing mia, staff sam) reused."""

from tests.block.conftest import events, forge_settings  # noqa: F401
from tests.mentors.conftest import harness, staff_ids  # noqa: F401
