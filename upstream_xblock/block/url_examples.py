"""An example contribution address for the hosts a block accepts, for the form's help."""

# One made-up address shape per forge kind, as learners paste them.
EXAMPLE_PATHS = {
    "github": "/owner/project/pull/123",
    "gitea": "/owner/project/pulls/123",
    "gitlab": "/group/project/-/merge_requests/123",
    "gerrit": "/c/project/+/123456",
}


def example_url(registry, accepted_hosts=()):
    """An address on the first accepted host (github.com first when every host is)."""
    hosts = [h for h in (accepted_hosts or ()) if h in registry]
    if not hosts:
        configured = registry.hosts()
        hosts = ["github.com"] if "github.com" in configured else configured[:1]
    if not hosts:
        return ""
    forge = registry.get(hosts[0])
    base = forge.web_url.rstrip("/") if forge.web_url else f"https://{forge.host}"
    return base + EXAMPLE_PATHS.get(forge.kind, "/")


def accepted_host_names(registry, accepted_hosts=()):
    """The hosts learners may use here, for "Accepted: a, b" (empty: any configured)."""
    return [h for h in (accepted_hosts or ()) if h in registry]
