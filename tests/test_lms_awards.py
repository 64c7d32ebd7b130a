"""Runs tests/lms_awards under tests.settings_lms (the LMS's score and completion apps
installed) in its own pytest process: one Django settings module per process."""

from tests.lms_process import assert_passes_with_lms_apps


def test_lms_award_path():
    assert_passes_with_lms_apps("tests/lms_awards")
