"""Signed webhook deliveries from the course's own repositories (opt-in): Django views.

``POST /upstream-xblock/webhooks/<kind>/<host>/`` (``kind``: ``github``,
``gitlab`` or ``gitea``, Gitea and Forgejo alike) for a host whose entry in the
settings bucket has a ``webhook_secret``. The operator configures the
repositories the course owns to send their pull request, review and comment
events there, signed with that secret. Each delivery is:

- bounded: a body over ``MAX_BODY_BYTES`` is refused unread (413);
- verified over its exact bytes, in constant time, before anything is parsed
  (``forges/feeds.py``): a wrong or missing proof is 401 and changes nothing;
- taken once: its delivery id is stored (``WebhookDelivery``, kept a week), and
  the same id again is 409 and changes nothing;
- answered at once: it only makes the records of the pull request it names due
  (``changes.mark_changed``); no forge is asked in the request, and a delivery
  never grants anything: the sweep reads the pull request as it reads any other.

Answers are JSON for the forge (``{"made_due": n}`` or ``{"error": code}``);
nothing of the secret or the body is ever logged or echoed.
"""

import logging

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .. import compat
from ..forges import ConfigurationError, ForgeError, forges_for
from ..forges.feeds import MAX_BODY_BYTES, WebhookRefused, read, verify
from ..models import WebhookDelivery
from .changes import mark_changed

log = logging.getLogger(__name__)

KINDS = ("github", "gitlab", "gitea")


def _refused(error):
    log.info("webhook refused: %s", error.code)
    return JsonResponse({"error": error.code}, status=error.status)


def _body(request):
    """The raw body, at most ``MAX_BODY_BYTES`` (WebhookRefused if larger)."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise WebhookRefused("too_large", 413)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise WebhookRefused("too_large", 413)
    return body


def _secret(kind, host):
    try:
        forge = forges_for(compat.global_settings_bucket()).registry.get(host)
    except (ConfigurationError, ForgeError):  # a malformed bucket, a host not configured
        raise WebhookRefused("webhooks_off", 404) from None
    if forge.kind != kind or not forge.webhook_secret:
        raise WebhookRefused("webhooks_off", 404)
    return forge.webhook_secret


@csrf_exempt  # the signature is the delivery's credential; there is no session to forge
@never_cache
@require_POST
def delivery(request, kind, host):
    """One delivery from ``host`` (a ``kind`` forge)."""
    try:
        if kind not in KINDS:
            raise WebhookRefused("webhooks_off", 404)
        secret = _secret(kind, host.lower())
        body = _body(request)
        delivery_id = verify(kind, request.headers, body, secret)
        found = read(kind, request.headers, body, delivery_id)
        now = timezone.now()
        with transaction.atomic():
            WebhookDelivery.objects.create(host=host.lower(), delivery_id=delivery_id,
                                           received_at=now)
    except WebhookRefused as error:
        return _refused(error)
    except IntegrityError:
        return _refused(WebhookRefused("replayed", 409))
    made = 0
    if found.project and found.number:
        made = mark_changed(host.lower(), [(found.project, found.number, None)], now)
    return JsonResponse({"made_due": made}, status=202)


urlpatterns = [
    path("<str:kind>/<str:host>/", delivery, name="delivery"),
]
