"""JSON bodies in each forge's own shape, built from a SimContribution.

GitHub's pull request follows GitHub's published OpenAPI description (every
required field present, with its type); the others follow the GitLab
"Merge requests API", Gerrit "rest-api-changes" and Gitea swagger documents.
"""

import hashlib

from .ids import num_id
from .state import all_reviews

_REPO_URL_FIELDS = (
    "archive", "assignees", "blobs", "branches", "collaborators", "comments", "commits",
    "compare", "contents", "contributors", "deployments", "downloads", "events", "forks",
    "git_commits", "git_refs", "git_tags", "hooks", "issue_comment", "issue_events", "issues",
    "keys", "labels", "languages", "merges", "milestones", "notifications", "pulls", "releases",
    "stargazers", "statuses", "subscribers", "subscription", "tags", "teams", "trees",
)
_USER_URL_FIELDS = ("events", "followers", "following", "gists", "organizations",
                    "received_events", "repos", "starred", "subscriptions")


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def project_id(path):
    """The numeric id the simulator gives a GitLab project."""
    return num_id(path)


def github_user(api, web, login):
    user = {
        "login": login, "id": num_id(login), "node_id": f"U_{login}",
        "avatar_url": f"{web}/{login}.png", "gravatar_id": "",
        "url": f"{api}/users/{login}", "html_url": f"{web}/{login}",
        "type": "User", "site_admin": False,
    }
    user.update({f"{name}_url": f"{api}/users/{login}/{name}" for name in _USER_URL_FIELDS})
    return user


def github_repository(api, web, full_name):
    owner, name = full_name.split("/", 1)
    repo_api = f"{api}/repos/{full_name}"
    repo = {
        "id": num_id(full_name), "node_id": f"R_{full_name}", "name": name,
        "full_name": full_name, "license": None, "forks": 0, "owner": github_user(api, web, owner),
        "private": False, "html_url": f"{web}/{full_name}", "description": None, "fork": False,
        "url": repo_api, "git_url": f"git://{web.split('://')[-1]}/{full_name}.git",
        "ssh_url": f"git@{web.split('://')[-1]}:{full_name}.git",
        "clone_url": f"{web}/{full_name}.git", "svn_url": f"{web}/{full_name}",
        "mirror_url": None, "homepage": None, "language": "Python",
        "forks_count": 0, "stargazers_count": 0, "watchers_count": 0, "watchers": 0,
        "size": 1, "default_branch": "main", "open_issues_count": 0, "open_issues": 0,
        "has_issues": True, "has_projects": True, "has_wiki": True, "has_pages": False,
        "has_downloads": True, "archived": False, "disabled": False,
        "pushed_at": "2026-01-01T00:00:00Z", "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }
    repo.update({f"{name}_url": f"{repo_api}/{name}" for name in _REPO_URL_FIELDS})
    return repo


def github_pull(c, api, web):
    """GET /repos/{owner}/{repo}/pulls/{n} for ``c``."""
    full = c.project
    pull_api = f"{api}/repos/{full}/pulls/{c.number}"
    html = f"{web}/{full}/pull/{c.number}"
    issue_api = f"{api}/repos/{full}/issues/{c.number}"
    repo = github_repository(api, web, full)
    sha = hashlib.sha1(f"{full}#{c.number}".encode()).hexdigest()

    def branch(ref):
        return {"label": f"{full.split('/')[0]}:{ref}", "ref": ref, "sha": sha,
                "user": repo["owner"], "repo": repo}

    return {
        "url": pull_api, "id": c.id, "node_id": f"PR_{c.id}", "html_url": html,
        "diff_url": html + ".diff", "patch_url": html + ".patch", "issue_url": issue_api,
        "commits_url": pull_api + "/commits", "review_comments_url": pull_api + "/comments",
        "review_comment_url": f"{api}/repos/{full}/pulls/comments{{/number}}",
        "comments_url": issue_api + "/comments",
        "statuses_url": f"{api}/repos/{full}/statuses/{sha}",
        "number": c.number, "state": "open" if c.state == "open" else "closed",
        "locked": False, "title": c.title, "user": github_user(api, web, c.author),
        "body": c.body or None,
        "labels": [{"id": num_id(name), "node_id": f"L_{name}", "url":
                    f"{api}/repos/{full}/labels/{name}", "name": name, "description": None,
                    "color": "ededed", "default": False} for name in c.labels],
        "milestone": None, "active_lock_reason": None,
        "created_at": iso(c.created_at), "updated_at": iso(c.updated_at),
        "closed_at": iso(c.closed_at), "merged_at": iso(c.merged_at),
        "merge_commit_sha": sha if c.state == "merged" else None,
        "assignee": None, "assignees": [], "requested_reviewers": [], "requested_teams": [],
        "head": branch(f"learner-{c.number}"), "base": branch(c.target_branch),
        "_links": {name: {"href": href} for name, href in (
            ("self", pull_api), ("html", html), ("issue", issue_api),
            ("comments", issue_api + "/comments"), ("review_comments", pull_api + "/comments"),
            ("review_comment", f"{api}/repos/{full}/pulls/comments{{/number}}"),
            ("commits", pull_api + "/commits"),
            ("statuses", f"{api}/repos/{full}/statuses/{sha}"))},
        "author_association": "CONTRIBUTOR", "auto_merge": None, "draft": c.draft,
        "merged": c.state == "merged", "mergeable": c.state == "open",
        "rebaseable": c.state == "open", "mergeable_state": "clean" if c.state == "open" else
        "unknown",
        "merged_by": github_user(api, web, "maintainer") if c.state == "merged" else None,
        "comments": 0, "review_comments": 0, "maintainer_can_modify": False, "commits": 1,
        "additions": 1, "deletions": 1, "changed_files": 1,
    }


def github_issue_events(c, api):
    """GET /repos/{owner}/{repo}/issues/{n}/events (the fields the client reads, and a few more)."""
    events = [{"id": c.id * 10 + 1, "event": "labeled", "commit_id": None,
               "created_at": iso(c.created_at), "actor": {"login": "maintainer"},
               "url": f"{api}/repos/{c.project}/issues/events/{c.id * 10 + 1}"}]
    if c.state in ("closed", "merged"):
        events.append({"id": c.id * 10 + 2, "event": "closed", "commit_id": c.landed_commit,
                       "created_at": iso(c.closed_at), "actor": {"login": "maintainer"},
                       "url": f"{api}/repos/{c.project}/issues/events/{c.id * 10 + 2}"})
    return events


def reviews(c, changes_state, page=1, per_page=30):
    """Pull request reviews, one page (GitHub and Gitea list shapes; Gitea says REQUEST_CHANGES).

    GitHub tells the reviewer's ``author_association``; Gitea whether the review is
    ``official`` (by someone allowed to approve).
    """
    states = {"approved": "APPROVED", "changes_requested": changes_state,
              "commented": "COMMENTED" if changes_state == "CHANGES_REQUESTED" else "COMMENT"}
    everything = [{
        "id": c.id * 1000 + i, "user": {"login": r.reviewer, "id": num_id(r.reviewer),
                                        "type": "Bot" if r.reviewer.endswith("[bot]") else "User"},
        "state": states[r.decision], "body": "", "submitted_at": iso(r.at),
        "author_association": "MEMBER" if r.writer else "CONTRIBUTOR",
        "official": r.writer, "dismissed": False, "stale": False,
    } for i, r in enumerate(all_reviews(c))]
    start = (max(1, page) - 1) * per_page
    return everything[start:start + per_page]


def gitlab_approvals(c):
    """GET /projects/:id/merge_requests/:iid/approvals (only eligible approvers approve)."""
    approvers = [r for r in all_reviews(c) if r.writer and r.decision == "approved"]
    approved = bool(approvers)
    return {"id": c.id, "iid": c.number, "approved": approved, "approvals_required": 1,
            "approvals_left": 0 if approved else 1,
            "approved_by": [{"user": {"id": num_id(r.reviewer), "username": r.reviewer},
                             "approved_at": iso(r.at)} for r in approvers]}


def gitlab_merge_request(c, web):
    """GET /projects/:id/merge_requests/:iid (GitLab REST v4)."""
    state = {"open": "locked" if c.locked else "opened", "closed": "closed",
             "merged": "merged"}[c.state]
    return {
        "id": c.id, "iid": c.number, "project_id": project_id(c.project), "title": c.title,
        "description": c.body, "state": state, "draft": c.draft, "work_in_progress": c.draft,
        "created_at": iso(c.created_at), "updated_at": iso(c.updated_at),
        "merged_at": iso(c.merged_at), "closed_at": iso(c.closed_at) if c.state == "closed"
        else None, "target_branch": c.target_branch, "source_branch": f"learner-{c.number}",
        "author": {"id": num_id(c.author), "username": c.author, "name": c.author,
                   "state": "active", "web_url": f"{web}/{c.author}"},
        "labels": list(c.labels), "merge_status": "can_be_merged",
        "detailed_merge_status": "mergeable" if c.state == "open" else "not_open",
        "references": {"short": f"!{c.number}", "relative": f"!{c.number}",
                       "full": f"{c.project}!{c.number}"},
        "web_url": f"{web}/{c.project}/-/merge_requests/{c.number}",
    }


def gerrit_change(c):
    """GET /changes/{id}?o=LABELS&o=DETAILED_ACCOUNTS (Gerrit ChangeInfo)."""
    status = {"open": "NEW", "closed": "ABANDONED", "merged": "MERGED"}[c.state]
    def gerrit_time(moment):
        return moment.strftime("%Y-%m-%d %H:%M:%S.000000000") if moment else None

    # Only someone with the permission can vote +2 / -2; others vote +1 / -1.
    code_review = {"all": []}
    latest = {}
    for r in all_reviews(c):
        if r.decision != "commented":
            latest[r.reviewer] = ((2 if r.writer else 1) * (1 if r.decision == "approved" else -1),
                                  r.at)
    for reviewer, (value, moment) in latest.items():
        account = {"_account_id": num_id(reviewer), "username": reviewer}
        code_review["all"].append({**account, "value": value, "date": gerrit_time(moment)})
        if value == 2:
            code_review.setdefault("approved", account)
        elif value == -2:
            code_review.setdefault("rejected", account)

    change = {
        "id": f"{c.project.replace('/', '%2F')}~{c.target_branch}~I{c.id:040x}",
        "project": c.project, "branch": c.target_branch, "hashtags": list(c.labels),
        "change_id": f"I{c.id:040x}", "subject": c.title, "status": status,
        "created": gerrit_time(c.created_at), "updated": gerrit_time(c.updated_at),
        "insertions": 1, "deletions": 1, "_number": c.number,
        "owner": {"_account_id": num_id(c.author), "name": c.author.title(),
                  "username": c.author, "email": f"{c.author}@example.org"},
        "labels": {"Code-Review": code_review, "Verified": {"all": []}},
    }
    revision = f"{c.id:040x}"
    change["current_revision"] = revision
    change["revisions"] = {revision: {"_number": 1, "commit": {
        "subject": c.title, "message": f"{c.title}\n\n{c.body}\n\nChange-Id: I{c.id:040x}\n"}}}
    if c.draft:
        change["work_in_progress"] = True
    if c.state == "merged":
        change["submitted"] = gerrit_time(c.merged_at)
    return change


def gitea_pull(c, api, web):
    """GET /repos/{owner}/{repo}/pulls/{index} (Gitea/Forgejo swagger PullRequest)."""
    owner = c.project.split("/")[0]
    user = {"id": num_id(c.author), "login": c.author, "username": c.author,
            "html_url": f"{web}/{c.author}"}
    repo = {"id": num_id(c.project), "name": c.project.split("/")[1], "full_name": c.project,
            "owner": {"id": num_id(owner), "login": owner}, "html_url": f"{web}/{c.project}"}
    return {
        "id": c.id, "number": c.number, "title": c.title, "body": c.body,
        "state": "open" if c.state == "open" else "closed", "draft": c.draft,
        "merged": c.state == "merged", "merged_at": iso(c.merged_at),
        "closed_at": iso(c.closed_at), "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at), "user": user,
        "labels": [{"id": num_id(n), "name": n, "color": "ededed"} for n in c.labels],
        "base": {"label": c.target_branch, "ref": c.target_branch, "repo": repo},
        "head": {"label": f"learner-{c.number}", "ref": f"learner-{c.number}", "repo": repo},
        "html_url": f"{web}/{c.project}/pulls/{c.number}",
        "url": f"{api}/repos/{c.project}/pulls/{c.number}",
    }
