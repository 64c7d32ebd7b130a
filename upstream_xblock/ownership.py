"""The short per-learner code that proves a contribution is the learner's own.

Derived, not stored: an HMAC of the block and the learner under the site's
secret key, so the same learner always sees the same code in a block and
nobody can compute another learner's code.
"""

import base64
import hashlib
import hmac

from django.conf import settings

OWNERSHIP_PREFIX = "upx-"


def ownership_code(usage_key, learner_id):
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{usage_key}\n{learner_id}".encode(),
                      hashlib.sha256).digest()
    return OWNERSHIP_PREFIX + base64.b32encode(digest).decode()[:8].lower()
