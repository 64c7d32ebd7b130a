"""A Snapshot from GitHub's REST pull request shape, which Gitea and Forgejo copy.

Both forges answer the same fields (``user``, ``base.repo.full_name``,
``labels[].name``...); only how the state is read differs, so each client
decides the state and title and this builds the rest.
"""

from .base import same_site_url
from .snapshot import Snapshot, clean_description, clean_labels, clean_text, parse_time


def snapshot_from_rest_pull(pull, kind, ref, forge, state, title, etag=None):
    """The Snapshot of a validated ``GitHubPull`` or ``GiteaPull`` in ``state``."""
    user = pull.user
    return Snapshot(
        kind=kind, host=forge.host, project=ref.project, number=ref.number, state=state,
        author=clean_text(user.login if user else None, 100),
        author_id=str(user.id) if user else "",
        forge_id=str(pull.id),
        title=title,
        web_url=same_site_url(pull.html_url, forge, ref.url),
        created_at=parse_time(pull.created_at),
        merged_at=parse_time(pull.merged_at) if state == "merged" else None,
        closed_at=parse_time(pull.closed_at),
        target_repository=clean_text(pull.base.repo.full_name if pull.base.repo else None, 200),
        target_branch=clean_text(pull.base.ref, 200),
        labels=clean_labels([label.name for label in pull.labels]),
        description=clean_description(pull.body),
        etag=etag,
    )
