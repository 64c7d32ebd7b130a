"""Signed, short-lived tickets that carry a learner from the block to the OAuth views.

The block knows the learner (the runtime says so); the Django views of the app
only see a browser. The block hands out a link with a ticket signed under the
site's secret key, naming the learner and the forge host; the view accepts it
for an hour. It grants nothing but starting a sign-in on that forge, for that
learner, in the browser that follows the link.
"""

from django.core import signing

SALT = "upstream_xblock.identity.oauth"
MAX_AGE_S = 3600


def issue(learner_id, host):
    return signing.dumps({"learner": learner_id, "host": host}, salt=SALT, compress=True)


def read(ticket):
    """(learner id, host), or None for a forged, altered or expired ticket."""
    if not isinstance(ticket, str) or len(ticket) > 1000:
        return None
    try:
        data = signing.loads(ticket, salt=SALT, max_age=MAX_AGE_S)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) and data.get(k)
                                             for k in ("learner", "host")):
        return None
    return data["learner"], data["host"]
