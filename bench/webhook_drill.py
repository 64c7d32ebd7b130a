"""Webhook deliveries with bad signatures against the product's own view (for relay_bench.py).

Django must be set up (``django_env.start_django``). Makes 20 tracked pull
requests on each of github.com, gitlab.com and codeberg.org, each with a
webhook secret, then sends the view (Django's test client, through the app's
URLs and middleware) every delivery the forge simulator would send about them,
spoiled seven ways: signed with another secret, a body changed after signing
(GitHub and Gitea sign the body; GitLab's token is the secret itself and signs
nothing, so not there), no proof, another forge's proof, a truncated proof, a
proof in capitals, an empty proof. Whatever any of them changed (a record's due
time or signal, a delivery id taken) is counted. The genuine deliveries are
sent last: each must make its pull request due.
"""

RECORDS_PER_FORGE = 20
SECRET = "drill-secret"
HOSTS = {"github": "github.com", "gitlab": "gitlab.com", "gitea": "codeberg.org"}
PROOFS = {"github": "X-Hub-Signature-256", "gitlab": "X-Gitlab-Token",
          "gitea": "X-Gitea-Signature"}


def _spoiled(kind, contribution, event):
    """Deliveries about ``contribution`` whose proof does not hold, as (headers, body)."""
    from forge_simulator.webhooks import delivery  # noqa: PLC0415

    headers, body = delivery(kind, contribution, event, SECRET)
    proof = PROOFS[kind]
    other = delivery(kind, contribution, event, "another-secret")
    stripped = {k: v for k, v in headers.items() if k not in (proof, "X-Forgejo-Signature")}
    foreign = dict(stripped, **{PROOFS["github" if kind != "github" else "gitlab"]:
                                headers[proof]})
    tampered = [] if kind == "gitlab" else [(headers, body.replace(b'"number": ', b'"number": 9'))]
    return [
        other, *tampered,
        (stripped, body),
        (foreign, body),
        (dict(stripped, **{proof: headers[proof][:-1]}), body),
        (dict(stripped, **{proof: headers[proof].upper()}), body),
        (dict(stripped, **{proof: ""}), body),
    ]


def _state():
    from upstream_xblock.models import TrackedContribution, WebhookDelivery  # noqa: PLC0415
    rows = tuple(TrackedContribution.objects.order_by("pk").values_list(
        "pk", "next_check_at", "signaled_at"))
    return rows, WebhookDelivery.objects.count()


def drill():
    """(bad deliveries sent, bad ones that changed anything, genuine ones making a record due)."""
    import logging  # noqa: PLC0415
    from datetime import timedelta  # noqa: PLC0415

    from django.core.management import call_command  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import override_settings  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from forge_simulator import World, simulator_settings  # noqa: PLC0415
    from forge_simulator.webhooks import delivery  # noqa: PLC0415
    from upstream_xblock.models import TrackedContribution  # noqa: PLC0415

    call_command("migrate", run_syncdb=True, verbosity=0)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # a line per refusal otherwise
    bucket = simulator_settings("http://127.0.0.1:1")
    for entry in bucket["forges"]:
        if entry["kind"] in HOSTS:
            entry["webhook_secret"] = SECRET
    world, later = World(), timezone.now() + timedelta(hours=1)
    contributions = []
    for kind, host in HOSTS.items():
        for number in range(1, RECORDS_PER_FORGE + 1):
            contribution = world.open(kind, f"course/{kind}-repo", number)
            contributions.append((kind, host, contribution))
            TrackedContribution.objects.create(
                usage_key="drill", learner_id=f"{kind}-{number}", kind=kind, host=host,
                project=contribution.project, number=number, registered_at=timezone.now(),
                url=f"https://{host}/{contribution.project}/pull/{number}", next_check_at=later)
    client, sent, changed, good = Client(), 0, 0, 0
    with override_settings(XBLOCK_SETTINGS={"upstream_xblock": bucket}):
        for kind, host, contribution in contributions:
            for event in ("change", "review", "comment"):
                for headers, body in _spoiled(kind, contribution, event):
                    before = _state()
                    _post(client, kind, host, headers, body)
                    sent += 1
                    changed += _state() != before
        for kind, host, contribution in contributions:
            answer = _post(client, kind, host, *delivery(kind, contribution, "change", SECRET))
            good += answer.status_code == 202 and answer.json().get("made_due") == 1
    return sent, changed, good


def _post(client, kind, host, headers, body):
    return client.post(f"/upstream-xblock/webhooks/{kind}/{host}/", data=body,
                       content_type="application/json",
                       headers={k: v for k, v in headers.items() if k != "Content-Type"})
