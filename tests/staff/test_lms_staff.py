"""Runs tests/staff/lms_staff under tests.settings_lms in its own pytest process."""

from tests.lms_process import assert_passes_with_lms_apps


def test_staff_grades_with_the_lms_apps():
    assert_passes_with_lms_apps("tests/staff/lms_staff")
