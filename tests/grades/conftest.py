"""Grades tests: the block fixtures."""

from tests.block.conftest import (  # noqa: F401  pylint: disable=unused-import
    forge_settings, harness)
