"""The forge layer's change-signal clients against the simulator: notifications, feeds,
webhook proofs. Request counts as the architecture page states them."""

from datetime import datetime, timedelta, timezone

import pytest

from upstream_xblock.forges import AuthFailed, ContributionRef, Forges, NotFound
from upstream_xblock.forges.feeds import (
    FEED_SELECTION_COMPLEXITY,
    MAX_BODY_BYTES,
    WebhookRefused,
    feed_per_query,
    gerrit_updates,
    gitlab_updates,
    hub_signature,
    read,
    verify,
)
from upstream_xblock.forges.notifications import notifications_client

BOT = "bot-token"
LONG_AGO = datetime(2020, 1, 1, tzinfo=timezone.utc)


def relay(simulator, kind="github", token=BOT):
    bucket = simulator.settings()
    for entry in bucket["forges"]:
        if entry["kind"] == kind:
            entry["notifications_token"] = token
    forges = Forges.from_settings(bucket)
    return notifications_client(next(f for f in forges.registry if f.kind == kind
                                     and f.notifications_token))


def ref(kind, host, project, number):
    return ContributionRef(kind, host, project, number, "")


def test_github_subscriptions_cost_a_query_and_a_mutation_per_twenty(simulator, world):
    client = relay(simulator)
    refs = [ref("github", "github.com", "openedx/xblock", n) for n in range(1, 101)]
    for item in refs:
        world.open("github", item.project, item.number)
    refs.append(ref("github", "github.com", "openedx/xblock", 999))  # no such pull request
    world.clear_log()
    ids = client.node_ids(refs)
    assert isinstance(ids[refs[-1]], NotFound)
    done = client.subscribe([ids[r] for r in refs[:-1]])
    assert all(value is True for value in done.values()) and len(done) == 100
    assert len(world.requests_for("github")) == 2 + 5  # 101 ids in 2 queries, 5 x 20 mutations
    assert len(world.notifications.subscriptions) == 100


def test_github_inbox_is_conditional_and_paged(simulator, world):
    client = relay(simulator)
    for number in range(1, 61):
        world.open("github", "openedx/xblock", number)
        world.notifications.subscribe(BOT, "github", "openedx/xblock", number)
    empty = client.inbox()
    assert empty.changed and empty.notices == () and empty.poll_interval_s == 60
    for number in range(1, 61):
        world.merge("github", "openedx/xblock", number)
    world.clear_log()
    inbox = client.inbox(empty.last_modified)
    assert inbox.complete and len(inbox.notices) == 60 and len(world.requests_for()) == 2
    client.mark_read(inbox.read_until)
    spent = world.rate_limits["github"].remaining
    again = client.inbox(inbox.last_modified)
    assert not again.changed and world.rate_limits["github"].remaining == spent
    assert world.requests_for()[-1][3] == 304


def test_threads_about_anything_else_are_not_notices(simulator, world):
    client = relay(simulator)
    entries = [
        {"id": "1", "updated_at": "2026-01-01T00:00:00Z", "repository": {"full_name": "a/b"},
         "subject": {"type": "Issue", "url": f"{simulator.base_url}/github/repos/a/b/issues/1"}},
        {"id": "2", "updated_at": "2026-01-01T00:00:00Z", "repository": {"full_name": "a/b"},
         "subject": {"type": "PullRequest", "url": "https://elsewhere.example/repos/a/b/pulls/2"}},
        {"id": "3", "updated_at": "2026-01-01T00:00:00Z", "repository": {"full_name": "c/d"},
         "subject": {"type": "PullRequest",
                     "url": f"{simulator.base_url}/github/repos/a/b/pulls/3"}},
        {"id": "4", "updated_at": "2026-01-01T00:00:00Z", "repository": {"full_name": "a/b"},
         "subject": {"type": "PullRequest",
                     "url": f"{simulator.base_url}/github/repos/a/b/pulls/4"}},
    ]
    assert [(n.project, n.number) for n in client.notices(entries)] == [("a/b", 4)]


def test_a_refused_bot_token_is_auth_failed(simulator):
    with pytest.raises(AuthFailed):
        relay(simulator, token="bad-token").inbox()


def test_gitea_relay_subscribes_and_reads(simulator, world):
    client = relay(simulator, kind="gitea")
    world.open("gitea", "forgejo/forgejo", 7)
    item = ref("gitea", "codeberg.org", "forgejo/forgejo", 7)
    assert client.subscribe(list(client.node_ids([item]).values())) == {"forgejo/forgejo#7": True}
    assert not client.inbox().changed
    world.merge("gitea", "forgejo/forgejo", 7)
    inbox = client.inbox()
    assert [(n.project, n.number) for n in inbox.notices] == [("forgejo/forgejo", 7)]
    client.mark_read(inbox.read_until)
    assert not client.inbox().changed


def test_gerrit_feed_is_one_query_and_pages_when_the_host_is_busy(forges, world):
    for number in range(900_100, 900_105):
        world.open("gerrit", "openstack/nova", number)
    client = forges.client("review.opendev.org")
    world.clear_log()
    page = gerrit_updates(client, LONG_AGO)
    assert page.complete and len(page.updates) == 5 and len(world.requests_for()) == 1
    since = datetime.now(timezone.utc) + timedelta(hours=1)
    assert gerrit_updates(client, since).updates == ()
    world.gerrit_query_limit = 1
    world.clear_log()
    cut = gerrit_updates(client, LONG_AGO)
    assert not cut.complete and len(cut.updates) == 4 and len(world.requests_for()) == 4


def test_gitlab_feed_pools_projects_within_the_complexity_limit(forges, world):
    projects = [f"group/project-{i}" for i in range(40)]
    for project in projects:
        world.open("gitlab", project, 1)
    world.merge("gitlab", projects[3], 1)
    client = forges.client("gitlab.com")
    world.clear_log()
    pages = gitlab_updates(client, projects, LONG_AGO)
    # A feed selection scores 7 by GitLab's documented rule (the simulator's too): 28
    # projects a query within the 200 allowed without a token, so 40 take two queries.
    assert FEED_SELECTION_COMPLEXITY == 7 and feed_per_query(False) == 28
    assert [r[3] for r in world.requests_for()] == [200, 200]
    assert {u.project for p in pages.values() for u in p.updates} == set(projects)
    assert all(page.complete for page in pages.values())
    world.gitlab_selection_complexity = 60  # GitLab scores them higher than we guess
    world.clear_log()
    resized = gitlab_updates(client, projects, LONG_AGO)
    assert all(page.complete for page in resized.values()) and len(resized) == 40
    assert [r[3] for r in world.requests_for()][0] == 200  # refused in the body, resized
    # GitLab said 1 + 28 x 60 = 1,681 against 200: 28 x 200 // 1,681 - 1 = 2 a query (the
    # one below the proportion, for safety), and the next look asks so from the start.
    assert client.feed_size == 2
    refused_then = len(world.requests_for())
    world.clear_log()
    again = gitlab_updates(client, projects, LONG_AGO)
    assert len(again) == 40 and all(page.complete for page in again.values())
    assert len(world.requests_for()) == -(-40 // client.feed_size) == refused_then - 1


@pytest.mark.parametrize("kind,proof_header,proof", [
    ("github", "X-Hub-Signature-256", lambda body: hub_signature("s3cret", body)),
    ("gitea", "X-Gitea-Signature", lambda body: hub_signature("s3cret", body)[7:]),
    ("gitea", "X-Forgejo-Signature", lambda body: hub_signature("s3cret", body)[7:]),
    ("gitlab", "X-Gitlab-Token", lambda _body: "s3cret"),
])
def test_webhook_proofs(kind, proof_header, proof):
    body = b'{"repository": {"full_name": "a/b"}, "pull_request": {"number": 3}}'
    ids = {"github": "X-GitHub-Delivery", "gitea": "X-Gitea-Delivery",
           "gitlab": "Idempotency-Key"}
    headers = {proof_header: proof(body), ids[kind]: "0f9a-delivery"}
    assert verify(kind, headers, body, "s3cret") == "0f9a-delivery"
    for bad in ({**headers, proof_header: proof(body)[:-1] + "0"}, {ids[kind]: "x"}):
        with pytest.raises(WebhookRefused) as refused:
            verify(kind, bad, body, "s3cret")
        assert refused.value.status == 401
    with pytest.raises(WebhookRefused) as refused:
        verify(kind, headers, b" " * (MAX_BODY_BYTES + 1), "s3cret")
    assert refused.value.status == 413
    with pytest.raises(WebhookRefused):
        verify(kind, {**headers, ids[kind]: "../../etc"}, body, "s3cret")


def test_webhook_payloads_name_one_pull_request():
    github = read("github", {"X-GitHub-Event": "issue_comment"},
                  b'{"repository": {"full_name": "a/b"}, "issue": {"number": 4, '
                  b'"pull_request": {"url": "x"}}}', "d")
    assert (github.project, github.number) == ("a/b", 4)
    issue = read("github", {"X-GitHub-Event": "issue_comment"},
                 b'{"repository": {"full_name": "a/b"}, "issue": {"number": 4}}', "d")
    assert issue.number is None  # a comment on an issue: nothing to make due
    assert read("github", {"X-GitHub-Event": "push"}, b"{}", "d").number is None
    gitlab = read("gitlab", {}, b'{"object_kind": "note", "project": {"path_with_namespace": '
                  b'"g/p"}, "merge_request": {"iid": 9}}', "d")
    assert (gitlab.project, gitlab.number) == ("g/p", 9)
    with pytest.raises(WebhookRefused):
        read("gitlab", {}, b'{"object_kind": "merge_request", "project": {}}', "d")


@pytest.mark.parametrize("kind,event,body", [
    ("github", "pull_request", b'{"repository": {"full_name": "a/\\ud800"}, '
                               b'"pull_request": {"number": 4}}'),
    ("github", "pull_request", b'{"repository": {"full_name": "a/\\u0000"}, '
                               b'"pull_request": {"number": 4}}'),
    ("github", "pull_request", b'{"repository": {"full_name": ""}, "pull_request": {"number": 4}}'),
    ("github", "pull_request", b'{"repository": {"full_name": "a/b"}, '
                               b'"pull_request": {"number": -1}}'),
    ("gitea", "issue_comment", b'{"repository": {"full_name": "a/b"}, "issue": {"number": 0}}'),
    ("gitlab", "", b'{"object_kind": "merge_request", "project": {"path_with_namespace": "g/p"}, '
                   b'"object_attributes": {"iid": 99999999999999999999}}'),
    ("gitlab", "", b'{"object_kind": "note", "project": {"path_with_namespace": "' + b"g" * 256
                   + b'"}, "merge_request": {"iid": 9}}'),
])
def test_webhook_payloads_name_text_and_positive_numbers_or_are_refused(kind, event, body):
    headers = {"X-GitHub-Event": event, "X-Gitea-Event": event}
    with pytest.raises(WebhookRefused) as refused:
        read(kind, headers, body, "d")
    assert (refused.value.code, refused.value.status) == ("bad_payload", 400)


@pytest.mark.parametrize("entry", [
    {"kind": "gerrit", "host": "review.opendev.org", "notifications_token": "x"},
    {"kind": "gerrit", "host": "review.opendev.org", "webhook_secret": "x"},
    {"kind": "gitlab", "host": "gitlab.com", "notifications_token": "x"},
    {"kind": "github", "host": "github.com", "notifications_token": ""},
    {"kind": "github", "host": "github.com", "webhook_secret": 7},
    {"kind": "github", "host": "github.com", "notifications_with_token": True},
    {"kind": "github", "host": "github.com", "token": "t", "notifications_with_token": "yes"},
    {"kind": "github", "host": "github.com", "token": "t", "notifications_with_token": True,
     "notifications_token": "n"},
])
def test_signal_keys_are_checked(entry):
    from upstream_xblock.forges import ConfigurationError, ForgeRegistry
    with pytest.raises(ConfigurationError):
        ForgeRegistry.from_settings({"forges": [entry]})


def test_signal_secrets_never_show():
    from upstream_xblock.forges import ForgeRegistry
    registry = ForgeRegistry.from_settings({"forges": [
        {"kind": "github", "host": "github.com", "notifications_token": "bot-secret-1",
         "webhook_secret": "hook-secret-2"},
        {"kind": "gitea", "host": "codeberg.org", "token": "check-secret-3",
         "notifications_with_token": True}]})
    github, gitea = registry.get("github.com"), registry.get("codeberg.org")
    assert gitea.notifications_token == "check-secret-3"  # the operator said so
    shown = repr(github) + str(github.describe()) + repr(gitea) + str(gitea.describe())
    assert not any(secret in shown for secret in ("bot-secret-1", "hook-secret-2",
                                                  "check-secret-3"))
    assert github.describe()["relay"] and github.describe()["webhooks"]
