"""The hold's receiver, connected when the app is ready."""

import os
import time
from pathlib import Path

from django.apps import AppConfig


class HoldConfig(AppConfig):
    name = "tests.drills.hold"
    label = "drill_hold"

    def ready(self):
        marker = os.environ.get("UPSTREAM_DRILL_HOLD")
        if not marker:
            return
        from submissions.models import score_set  # noqa: PLC0415  (the LMS app is ready now)

        def hold(sender, **kwargs):  # noqa: ARG001
            Path(marker).write_text("held", encoding="utf-8")
            time.sleep(600)  # until the drill kills the process

        score_set.connect(hold, weak=False, dispatch_uid="drill-hold")
