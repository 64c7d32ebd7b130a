"""Run only under tests.settings_lms: the LMS-package suite of scripts/test.sh."""

from tests.lms_awards.conftest import lms_forges, lms_services  # noqa: F401
