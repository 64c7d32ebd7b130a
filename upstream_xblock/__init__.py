"""upstream-xblock: track learners' upstream contributions in Open edX courses."""

__version__ = "0.1.0"
