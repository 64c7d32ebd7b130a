"""Django for a bench script: the workbench's settings on a throw-away SQLite database.

Called before anything imports a model; each script migrates when it runs, so
``--help`` stays instant.
"""

import logging
import os
import tempfile


def start_django(log_level=logging.WARNING, prefix="upstream-bench-",
                 settings="workbench_demo.settings"):
    """Set Django up on ``settings`` (the workbench's; ``tests.settings_lms`` adds the LMS's
    edx-submissions and edx-completion) in a fresh folder, ignoring the operator's
    ``UPSTREAM_XBLOCK_CONFIG``; the product logs at ``log_level`` and up."""
    os.environ["UPSTREAM_XBLOCK_VAR"] = tempfile.mkdtemp(prefix=prefix)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    os.environ.pop("UPSTREAM_XBLOCK_CONFIG", None)
    import django  #  (after the environment is set)  # noqa: PLC0415
    django.setup()
    logging.getLogger("upstream_xblock").setLevel(log_level)
