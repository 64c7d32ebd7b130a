"""The simulator's webhooks: signed deliveries about the pull requests of a repository.

``POST /_sim/webhook {"kind", "project", "url", "secret"}`` (or
``Webhooks.add``) makes every later change of the project's pull requests (a
merge, a close, a review, a comment...) POST a delivery to ``url``, signed as
the forge signs it and with a fresh delivery id:

- GitHub: ``X-Hub-Signature-256: sha256=<HMAC-SHA256>``, ``X-GitHub-Event``
  (``pull_request``, ``pull_request_review``, ``issue_comment``),
  ``X-GitHub-Delivery``;
- GitLab: ``X-Gitlab-Token: <secret>``, ``X-Gitlab-Event: Merge Request Hook``
  (``Note Hook`` for a comment), ``Idempotency-Key``, ``X-Gitlab-Event-UUID``;
- Gitea/Forgejo: ``X-Gitea-Signature`` and ``X-Forgejo-Signature`` (bare hex
  HMAC-SHA256), ``X-Gitea-Event`` / ``X-Forgejo-Event``, ``X-Gitea-Delivery`` /
  ``X-Forgejo-Delivery``.

Each answer is kept in ``sent`` ((delivery id, status)). ``delivery(...)`` builds a
delivery without sending it: tests and benchmarks forge bad ones from it.
"""

import hashlib
import hmac
import json
import threading
import urllib.error
import urllib.request
import uuid

from .shapes import iso


def _hex_hmac(secret, body):
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _payload(contribution, event):
    repository = {"full_name": contribution.project, "name": contribution.project.split("/")[-1]}
    pull = {"number": contribution.number, "title": contribution.title,
            "state": "closed" if contribution.state != "open" else "open",
            "merged": contribution.state == "merged", "updated_at": iso(contribution.updated_at)}
    if event == "comment":
        return {"action": "created", "repository": repository,
                "issue": {"number": contribution.number, "pull_request": {"url": ""}},
                "comment": {"body": "A comment"}}
    if event == "review":
        return {"action": "submitted", "repository": repository, "pull_request": pull,
                "review": {"state": contribution.review or "commented"}}
    action = "closed" if contribution.state != "open" else "edited"
    return {"action": action, "number": contribution.number, "repository": repository,
            "pull_request": pull}


def _gitlab_payload(contribution, event):
    project = {"path_with_namespace": contribution.project}
    if event == "comment":
        return {"object_kind": "note", "project": project,
                "object_attributes": {"note": "A comment", "noteable_type": "MergeRequest"},
                "merge_request": {"iid": contribution.number}}
    state = {"open": "opened", "merged": "merged", "closed": "closed"}[contribution.state]
    return {"object_kind": "merge_request", "project": project,
            "object_attributes": {"iid": contribution.number, "state": state,
                                  "action": "merge" if state == "merged" else "update"}}


def delivery(kind, contribution, event, secret, delivery_id=None):
    """(headers, body) of a delivery about ``contribution``, signed with ``secret``."""
    delivery_id = delivery_id or str(uuid.uuid4())
    if kind == "gitlab":
        body = json.dumps(_gitlab_payload(contribution, event)).encode()
        name = "Note Hook" if event == "comment" else "Merge Request Hook"
        return {"X-Gitlab-Token": secret, "X-Gitlab-Event": name, "Idempotency-Key": delivery_id,
                "X-Gitlab-Event-UUID": delivery_id, "Content-Type": "application/json"}, body
    body = json.dumps(_payload(contribution, event)).encode()
    name = {"comment": "issue_comment", "review": "pull_request_review"}.get(event,
                                                                           "pull_request")
    if kind == "github":
        return {"X-Hub-Signature-256": "sha256=" + _hex_hmac(secret, body),
                "X-GitHub-Event": name, "X-GitHub-Delivery": delivery_id,
                "Content-Type": "application/json"}, body
    signature = _hex_hmac(secret, body)
    return {"X-Gitea-Signature": signature, "X-Forgejo-Signature": signature,
            "X-Gitea-Event": name, "X-Forgejo-Event": name, "X-Gitea-Delivery": delivery_id,
            "X-Forgejo-Delivery": delivery_id, "Content-Type": "application/json"}, body


def post(url, headers, body, timeout=10):
    """POST a delivery; the receiver's status (0 if it could not be reached)."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # loopback only
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


class Webhooks:
    """The world's repository webhooks; ``on_change`` is a World listener."""

    def __init__(self, world):
        self.world = world
        self.hooks = []  # (kind, project lower, url, secret)
        self.sent = []  # (delivery id, status)
        self.lock = threading.Lock()
        world.listeners.append(self.on_change)

    def add(self, kind, project, url, secret):
        with self.lock:
            self.hooks.append((kind, project.lower(), url, secret))

    def on_change(self, contribution, event):
        with self.lock:
            hooks = [h for h in self.hooks
                     if (h[0], h[1]) == (contribution.kind, contribution.project.lower())]
        for kind, _project, url, secret in hooks:
            headers, body = delivery(kind, contribution, event, secret)
            status = post(url, headers, body)
            with self.lock:
                self.sent.append((headers.get("X-GitHub-Delivery") or headers.get(
                    "Idempotency-Key") or headers.get("X-Gitea-Delivery"), status))


def control(handler, path):
    """``POST /_sim/webhook`` and ``POST /_sim/notifications``; False for other paths."""
    if path not in ("/_sim/webhook", "/_sim/notifications") or handler.command != "POST":
        return False
    body = handler.read_body()
    if not isinstance(body, dict):
        handler.reply(400, {"message": "POST a JSON object"})
        return True
    try:
        if path == "/_sim/webhook":
            handler.world.webhooks.add(body["kind"], body["project"], body["url"],
                                       body["secret"])
        else:
            handler.world.notifications.poll_interval_s = max(1, int(body["poll_interval_s"]))
    except (KeyError, TypeError, ValueError) as exc:
        handler.reply(400, {"message": f"missing or wrong: {exc}"})
        return True
    handler.reply(200, {})
    return True
