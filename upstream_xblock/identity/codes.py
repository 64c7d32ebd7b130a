"""The learner's verification code: posted on a forge, it proves an account is theirs.

Derived, not stored: an HMAC of the learner under the site's secret key, the
same in every block and course (an account is verified once), and nobody can
compute another learner's code.
"""

import base64
import hashlib
import hmac

from django.conf import settings

VERIFICATION_PREFIX = "upx-id-"


def verification_code(learner_id):
    digest = hmac.new(settings.SECRET_KEY.encode(), f"forge identity\n{learner_id}".encode(),
                      hashlib.sha256).digest()
    return VERIFICATION_PREFIX + base64.b32encode(digest).decode()[:10].lower()
