"""A test app for the publishing kill drill: with ``UPSTREAM_DRILL_HOLD`` set to a file
path, the first ``score_set`` edx-submissions' receivers get (sent once the platform's
transaction committed, before the awards are marked published) writes that file and holds
the process there, for the drill to kill it at that very moment."""
