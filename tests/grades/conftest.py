"""Grades tests: the block fixtures."""

from tests.block.conftest import forge_settings, harness  # noqa: F401
