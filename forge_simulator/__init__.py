"""Loopback forge simulator for tests and the offline demo.

Never imported by the product: ``upstream_xblock`` knows only the real APIs'
shapes, and this package answers in those shapes on 127.0.0.1.
"""

from .server import ForgeSimulator, simulator_settings
from .state import KINDS, SimContribution, World

__all__ = ["ForgeSimulator", "KINDS", "SimContribution", "World", "simulator_settings"]
