"""GitLab merge requests (gitlab.com and self-managed) through python-gitlab.

The project is addressed by its URL-encoded path and built lazily, so one
check is one request: ``GET /projects/:path/merge_requests/:iid``.
python-gitlab runs on our pinned session (configured origin only, capped
bodies, no redirects) and is told never to sleep on a 429.
"""

from dataclasses import replace

import gitlab
import requests
from gitlab.exceptions import GitlabAuthenticationError, GitlabError

from .base import FetchResult, same_site_url
from .errors import AuthFailed, ForgeError, ForgeUnavailable, NotFound
from .http import READ_TIMEOUT_S, USER_AGENT, pinned_session, rate_limited
from .snapshot import Snapshot, clean_description, clean_labels, clean_text, parse_time

API_SUFFIX = "/api/v4"


def snapshot_from_merge_request(data, ref, forge):
    state = data.get("state")
    if state == "merged":
        normalized = "merged"
    elif state in ("closed", "locked"):
        normalized = "closed"
    elif data.get("draft") or data.get("work_in_progress"):
        normalized = "draft"
    else:
        normalized = "open"
    references = data.get("references") or {}
    full = references.get("full") if isinstance(references, dict) else None
    target = full.rsplit("!", 1)[0] if isinstance(full, str) and "!" in full else ref.project
    return Snapshot(
        kind="gitlab", host=forge.host, project=ref.project, number=ref.number,
        state=normalized,
        author=clean_text((data.get("author") or {}).get("username"), 100),
        title=clean_text(data.get("title")),
        web_url=same_site_url(data.get("web_url"), forge, ref.url),
        created_at=parse_time(data.get("created_at")),
        merged_at=parse_time(data.get("merged_at")),
        closed_at=parse_time(data.get("closed_at")),
        target_repository=clean_text(target, 200),
        target_branch=clean_text(data.get("target_branch"), 200),
        labels=clean_labels(data.get("labels") if isinstance(data.get("labels"), list) else []),
        description=clean_description(data.get("description")),
    )


class GitLabClient:
    """Reads merge requests from one configured GitLab host."""

    def __init__(self, forge):
        self.forge = forge
        self.session = pinned_session(forge.api_url, public_only=not forge.operator_configured)
        self.session.hooks["response"].append(self._remember_headers)
        self.last_headers = {}
        self.gitlab = gitlab.Gitlab(
            url=forge.api_url[: -len(API_SUFFIX)], private_token=forge.token,
            timeout=READ_TIMEOUT_S, session=self.session, keep_base_url=True,
            user_agent=USER_AGENT,
        )

    def _remember_headers(self, response, *args, **kwargs):
        self.last_headers = response.headers

    # pylint: disable-next=unused-argument
    def fetch(self, ref, etag=None, landing=False, reviews=False):
        """One merge request, one request; GitLab's MR API has no conditional GET.

        With ``reviews`` and an open merge request, one more request reads its
        approvals for the review decision.
        """
        project = self.gitlab.projects.get(ref.project, lazy=True)
        options = {"obey_rate_limit": False, "retry_transient_errors": True, "max_retries": 2}
        try:
            merge_request = project.mergerequests.get(ref.number, **options)
            snapshot = snapshot_from_merge_request(merge_request.attributes, ref, self.forge)
            if reviews and snapshot.state in ("open", "draft"):
                approvals = merge_request.approvals.get(**options)
                decision = "approved" if approvals.attributes.get("approved") and \
                    approvals.attributes.get("approved_by") else "review_required"
                snapshot = replace(snapshot, review_decision=decision)
        except Exception as exc:  # translated below; unknown ones propagate
            raise self._translate(exc) from None
        return FetchResult(snapshot=snapshot)

    def _translate(self, exc):
        if isinstance(exc, ForgeError):
            return exc
        if isinstance(exc, GitlabAuthenticationError):
            return AuthFailed("GitLab rejected the configured token.")
        code = getattr(exc, "response_code", None)
        if isinstance(exc, GitlabError) and code:  # GitlabGetError wraps the HTTP error
            if code == 429:
                return rate_limited(self.last_headers, "GitLab's rate limit is exhausted.")
            if code in (401, 403) and self.forge.token:
                return AuthFailed("GitLab rejected the configured token.")
            if code in (403, 404):
                return NotFound("GitLab has no such merge request (or it is private).")
            return ForgeUnavailable("%(forge)s answered with status %(status)s.",
                                    reason="bad_status", params={"forge": "GitLab", "status": code})
        if isinstance(exc, GitlabError):
            return ForgeUnavailable("GitLab's answer could not be used.", reason="bad_response")
        if isinstance(exc, requests.RequestException):
            return ForgeUnavailable("GitLab could not be reached. It will be tried again later.",
                                    reason="network")
        raise exc
