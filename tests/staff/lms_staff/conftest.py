"""Run only under tests.settings_lms (see tests/staff/test_lms_staff.py)."""

from tests.lms_awards.conftest import lms_forges, lms_services  # noqa: F401
