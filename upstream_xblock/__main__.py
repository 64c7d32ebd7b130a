"""Entry point of ``python -m upstream_xblock``."""

import sys

from .cli import main

sys.exit(main())
