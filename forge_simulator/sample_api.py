"""GitHub's GraphQL read of a repository's recent pull requests (``tracking/pace.py``'s sample).

``repository { pullRequests(first:, orderBy:) { nodes { ... reviews comments } } }``:
newest first, as GitHub orders by ``CREATED_AT DESC``. A login ending in ``[bot]``
is served as GitHub's GraphQL serves a bot: type ``Bot``, login without the suffix.
"""

from .shapes import iso
from .state import all_reviews


def actor(login, **more):
    """An ``Actor`` node: a ``Bot`` for ``name[bot]`` logins, else a ``User``."""
    if login.lower().endswith("[bot]"):
        return {"_type": "Bot", "login": login[:-len("[bot]")]}
    return {"_type": "User", "login": login, **more}


def install(api):
    """Add the sample's resolvers to ``api`` (the simulator's GitHub GraphQL schema)."""
    world = api.world

    def pull_requests(repository, _info, first=100, orderBy=None):  # noqa: N803
        pulls = [c for c in world.all("github")
                 if c.project.lower() == repository["nameWithOwner"].lower()]
        descending = not orderBy or orderBy.get("direction") == "DESC"
        pulls.sort(key=lambda c: c.created_at, reverse=descending)
        return {"nodes": [api.pull_node(c) for c in pulls[:min(int(first or 100), 100)]]}

    def reviews(pull, _info, first=100):
        nodes = [{"state": r.decision.upper(), "submittedAt": iso(r.at),
                  "authorAssociation": "MEMBER" if r.writer else "CONTRIBUTOR",
                  "author": actor(r.reviewer)} for r in all_reviews(pull["_contribution"])]
        return {"nodes": nodes[:first]}

    def comments(pull, _info, first=100):
        nodes = [{"createdAt": iso(r.at), "author": actor(r.reviewer)}
                 for r in pull["_contribution"].comments]
        return {"nodes": nodes[:first]}

    api.schema.get_type("Repository").fields["pullRequests"].resolve = pull_requests
    fields = api.schema.get_type("PullRequest").fields
    fields["reviews"].resolve = reviews
    fields["comments"].resolve = comments
