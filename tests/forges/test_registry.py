"""The registry of configured forge hosts: defaults, operator overrides, validation."""

import pytest

from upstream_xblock.forges import ConfigurationError, ForgeRegistry, UnsupportedHost

DEFAULT_HOSTS = {"github.com", "gitlab.com", "framagit.org", "salsa.debian.org", "codeberg.org",
                 "review.opendev.org", "gerrit.wikimedia.org"}


def test_defaults():
    registry = ForgeRegistry.from_settings(None)
    assert set(registry.hosts()) == DEFAULT_HOSTS
    github = registry.get("github.com")
    assert (github.kind, github.api_url, github.graphql_url) == (
        "github", "https://api.github.com", "https://api.github.com/graphql")
    assert registry.get("gerrit.wikimedia.org").web_prefix == "/r"


def test_operator_entry_replaces_the_default_and_adds_hosts():
    registry = ForgeRegistry.from_settings({"forges": [
        {"kind": "github", "host": "github.com", "api_url": "http://127.0.0.1:9/github",
         "token": "t"},
        {"kind": "github", "host": "github.example.edu"},
        {"kind": "gitlab", "host": "git.example.org", "web_url": "https://git.example.org/gitlab"},
    ]})
    assert registry.get("github.com").api_url == "http://127.0.0.1:9/github"
    assert registry.get("github.com").token == "t"
    enterprise = registry.get("github.example.edu")
    assert enterprise.api_url == "https://github.example.edu/api/v3"
    assert enterprise.graphql_url == "https://github.example.edu/api/graphql"
    assert registry.get("git.example.org").api_url == "https://git.example.org/gitlab/api/v4"
    assert len(registry.hosts()) == len(DEFAULT_HOSTS) + 2


def test_explicit_graphql_url_is_kept():
    registry = ForgeRegistry.from_settings({"forges": [
        {"kind": "github", "host": "github.com", "api_url": "https://api.github.com",
         "graphql_url": "https://proxy.example/graphql"}]})
    assert registry.get("github.com").graphql_url == "https://proxy.example/graphql"


@pytest.mark.parametrize("entry", [
    {"kind": "svn", "host": "example.org"},
    {"kind": "github", "host": "http://github.com"},
    {"kind": "github", "host": "git hub.com"},
    {"kind": "github", "host": ""},
    {"kind": "github", "host": "github.com", "api_url": "ftp://x"},
    {"kind": "github", "host": "github.com", "api_url": "https://u:p@api.github.com"},
    {"kind": "gitlab", "host": "gitlab.example", "api_url": "https://gitlab.example/api/v3"},
    {"kind": "gitlab", "host": "gitlab.example", "web_url": "https://other.example"},
    {"kind": "github", "host": "github.com", "token": ""},
    {"kind": "github", "host": "github.com", "tokn": "x"},
    "github.com",
])
def test_malformed_entries_are_refused(entry):
    with pytest.raises(ConfigurationError):
        ForgeRegistry.from_settings({"forges": [entry]})


def test_errors_never_show_the_token():
    secret = "ghp_supersecret"
    with pytest.raises(ConfigurationError) as raised:
        ForgeRegistry.from_settings({"forges": [
            {"kind": "github", "host": "github.com", "api_url": "nope", "token": secret}]})
    assert secret not in str(raised.value)
    forge = ForgeRegistry.from_settings({"forges": [
        {"kind": "github", "host": "github.com", "token": secret}]}).get("github.com")
    assert secret not in repr(forge) and secret not in str(forge.describe())


def test_unknown_host_is_unsupported():
    with pytest.raises(UnsupportedHost):
        ForgeRegistry.from_settings({}).get("bitbucket.org")


@pytest.mark.parametrize("bucket", [[], "x", {"forges": {}}])
def test_malformed_buckets(bucket):
    with pytest.raises(ConfigurationError):
        ForgeRegistry.from_settings(bucket)
