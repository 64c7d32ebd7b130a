"""The ``errors`` of a GraphQL answer (GitHub's and GitLab's batch reads)."""


def graphql_errors(payload):
    """The answer's error objects (dicts only; [] when it has none or they are bent)."""
    errors = payload.get("errors") if isinstance(payload, dict) else None
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


def alias_errors(payload):
    """{alias: error type} for the errors tied to one selection's alias (``path[0]``)."""
    by_alias = {}
    for error in graphql_errors(payload):
        path = error.get("path")
        if isinstance(path, list) and path and isinstance(path[0], str):
            by_alias.setdefault(path[0], str(error.get("type") or ""))
    return by_alias
