"""Signed webhook deliveries: verified in constant time, taken once, bounded, answered at once.

Through the app's real URLs (the workbench's; the LMS's, through edx-django-utils'
plugin URLs, in tests/lms_awards/test_plugin_urls.py), and over real HTTP from the
forge simulator, which signs deliveries as each forge does.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from forge_simulator.webhooks import delivery as simulated_delivery
from upstream_xblock.forges import Forges
from upstream_xblock.forges.feeds import MAX_BODY_BYTES, hub_signature, verify
from upstream_xblock.models import TrackedContribution, WebhookDelivery
from upstream_xblock.tracking import events as names
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import Sweeper

SECRET = "course-webhook-secret"


def test_github_published_test_vector():
    # docs.github.com, "Validating webhook deliveries": "Testing the webhook payload validation".
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert hub_signature("It's a Secret to Everybody", b"Hello, World!") == expected
    headers = {"X-Hub-Signature-256": expected, "X-GitHub-Delivery": "d-1"}
    assert verify("github", headers, b"Hello, World!", "It's a Secret to Everybody") == "d-1"


@pytest.fixture
def hooked(settings, simulator):
    """Webhooks on for the simulated github.com, gitlab.com and codeberg.org."""
    bucket = simulator.settings()
    for entry in bucket["forges"]:
        if entry["kind"] in ("github", "gitlab", "gitea"):
            entry["webhook_secret"] = SECRET
    settings.XBLOCK_SETTINGS = {"upstream_xblock": bucket}
    return bucket


def post(kind, host, headers, body, client=None):
    client = client or Client()
    return client.post(f"/upstream-xblock/webhooks/{kind}/{host}/", data=body,
                       content_type="application/json",
                       headers={k: v for k, v in headers.items() if k != "Content-Type"})


def snapshot():
    return {row.pk: (row.next_check_at, row.signaled_at)
            for row in TrackedContribution.objects.all()}


def checked_a_while_ago():
    later = timezone.now() + timedelta(hours=1)
    TrackedContribution.objects.update(next_check_at=later, signaled_at=None)


@pytest.mark.django_db
@pytest.mark.parametrize("kind,host,event", [
    ("github", "github.com", "change"), ("github", "github.com", "review"),
    ("github", "github.com", "comment"), ("gitlab", "gitlab.com", "change"),
    ("gitlab", "gitlab.com", "comment"), ("gitea", "codeberg.org", "change"),
    ("gitea", "codeberg.org", "comment"),
])
def test_a_signed_delivery_makes_only_its_pull_request_due(hooked, world, registry, kind, host,
                                                           event):
    registry.block()
    record = registry.contribution(kind)
    other = registry.contribution(kind)
    checked_a_while_ago()
    before = snapshot()
    contribution = world.get(kind, record.project, record.number)
    answer = post(kind, host, *simulated_delivery(kind, contribution, event, SECRET))
    assert answer.status_code == 202 and answer.json() == {"made_due": 1}
    after = snapshot()
    assert after[other.pk] == before[other.pk]
    assert after[record.pk][0] <= timezone.now() and after[record.pk][1] is not None


@pytest.mark.django_db
def test_a_wrong_signature_a_replayed_id_or_an_oversized_body_changes_nothing(hooked, world,
                                                                           registry):
    registry.block()
    record = registry.contribution("github")
    checked_a_while_ago()
    contribution = world.get("github", record.project, record.number)
    headers, body = simulated_delivery("github", contribution, "change", SECRET)
    before = snapshot()
    forged = {**headers, "X-Hub-Signature-256": hub_signature("not the secret", body)}
    unsigned = {k: v for k, v in headers.items() if k != "X-Hub-Signature-256"}
    tampered = body.replace(b'"number": ', b'"number": 1')
    assert post("github", "github.com", forged, body).status_code == 401
    assert post("github", "github.com", unsigned, body).status_code == 401
    assert post("github", "github.com", headers, tampered).status_code == 401
    big = b" " * (MAX_BODY_BYTES + 1)
    oversized = {**headers, "X-Hub-Signature-256": hub_signature(SECRET, big)}
    assert post("github", "github.com", oversized, big).status_code == 413
    assert snapshot() == before and WebhookDelivery.objects.count() == 0

    assert post("github", "github.com", headers, body).status_code == 202  # the genuine one
    checked_a_while_ago()
    before = snapshot()
    replay = post("github", "github.com", headers, body)
    assert replay.status_code == 409 and replay.json() == {"error": "replayed"}
    assert snapshot() == before and WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
def test_a_delivery_is_followed_by_the_normal_check_and_its_events(hooked, world, registry,
                                                                 tracked):
    registry.block()
    record = registry.contribution("github")
    checked_a_while_ago()
    world.merge("github", record.project, record.number)
    contribution = world.get("github", record.project, record.number)
    assert post("github", "github.com",
                *simulated_delivery("github", contribution, "change", SECRET)).status_code == 202
    record.refresh_from_db()
    assert record.state != "merged" and tracked.named() == []  # the delivery only made it due
    stats = Sweeper(Forges.from_settings(hooked), Schedule()).run_once()
    assert stats.checked == 1 and stats.awarded == 1
    # (its first check: no state it changed from)
    assert [event["name"] for event in tracked.named()] == [names.ACCEPTED, names.COMPLETED]


@pytest.mark.django_db
def test_deliveries_need_the_hosts_secret_and_a_post(hooked, world, registry, settings):
    registry.block()
    record = registry.contribution("gerrit")
    checked_a_while_ago()
    before = snapshot()
    contribution = world.get("gerrit", record.project, record.number)
    headers, body = simulated_delivery("github", contribution, "change", SECRET)
    assert post("github", "review.opendev.org", headers, body).status_code == 404  # a Gerrit
    assert post("github", "unknown.example", headers, body).status_code == 404
    assert post("gerrit", "review.opendev.org", headers, body).status_code == 404
    assert Client().get("/upstream-xblock/webhooks/github/github.com/").status_code == 405
    settings.XBLOCK_SETTINGS = {"upstream_xblock": {}}  # webhooks off: no secret anywhere
    assert post("github", "github.com", headers, body).status_code == 404
    assert snapshot() == before


@pytest.mark.django_db
def test_a_delivery_leaks_no_secret(hooked, world, registry, caplog):
    registry.block()
    record = registry.contribution("gitlab")
    contribution = world.get("gitlab", record.project, record.number)
    headers, body = simulated_delivery("gitlab", contribution, "change", SECRET)
    caplog.set_level("DEBUG")
    answers = [post("gitlab", "gitlab.com", {**headers, "X-Gitlab-Token": "guess"}, body),
               post("gitlab", "gitlab.com", headers, body)]
    assert [a.status_code for a in answers] == [401, 202]
    text = caplog.text + "".join(a.content.decode() for a in answers)
    assert SECRET not in text and "guess" not in text


@pytest.mark.django_db(transaction=True)
def test_the_simulator_sends_signed_deliveries_over_http(hooked, world, registry, live_server):
    registry.block()
    record = registry.contribution("github")
    checked_a_while_ago()
    url = f"{live_server.url}/upstream-xblock/webhooks/github/github.com/"
    world.webhooks.add("github", record.project, url, SECRET)
    world.merge("github", record.project, record.number)
    assert [status for _id, status in world.webhooks.sent] == [202]
    record.refresh_from_db()
    assert record.signaled_at is not None and record.next_check_at <= timezone.now()
    world.webhooks.add("github", record.project, url, "a stranger's secret")
    world.approve("github", record.project, record.number)
    assert sorted(status for _id, status in world.webhooks.sent[1:]) == [202, 401]


def test_the_workbench_urls_route_webhooks_and_identity():
    assert resolve(reverse("upstream_xblock:webhooks:delivery",
                           kwargs={"kind": "gitea", "host": "codeberg.org"})).url_name == \
        "delivery"
    assert reverse("upstream_xblock:identity:oauth_callback") == \
        "/upstream-xblock/identity/oauth/callback/"


def test_the_lms_plugin_urls_route_webhooks_and_identity(monkeypatch):
    """openedx-platform's lms/urls.py adds ``get_plugin_url_patterns(ProjectType.LMS)``: every
    ``lms.djangoapp`` plugin's ``plugin_app["url_config"]``, found by its entry point. The
    others installed here (edx-completion's) need the LMS itself: only ours is kept."""
    from django.urls import URLResolver
    from django.urls.resolvers import RegexPattern
    from edx_django_utils.plugins import get_plugin_url_patterns
    from edx_django_utils.plugins.registry import DjangoAppRegistry

    found = DjangoAppRegistry.get_available_plugins("lms.djangoapp")
    assert "upstream_xblock" in found  # discovered through the package's entry point
    monkeypatch.setattr(DjangoAppRegistry, "get_available_plugins",
                        classmethod(lambda _cls, _project: {"upstream_xblock":
                                                           found["upstream_xblock"]}))
    resolver = URLResolver(RegexPattern(r"^/"), get_plugin_url_patterns("lms.djangoapp"))
    match = resolver.resolve("/upstream-xblock/webhooks/github/github.com/")
    assert match.func.__name__ == "delivery"
    assert match.kwargs == {"kind": "github", "host": "github.com"}
    assert match.namespace == "upstream_xblock:webhooks"
    identity = resolver.resolve("/upstream-xblock/identity/oauth/callback/")
    assert (identity.namespace, identity.url_name) == ("upstream_xblock:identity",
                                                       "oauth_callback")
