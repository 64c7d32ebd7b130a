"""The simulator answers in the forges' own shapes (GitHub: its published OpenAPI schema)."""

import json
from pathlib import Path

import jsonschema
import pytest
import requests

from upstream_xblock.forges import ForgeRegistry, parse_contribution_url
from upstream_xblock.forges.github import snapshot_from_rest

VECTOR = json.loads((Path(__file__).parent.parent / "vectors" /
                     "github-pulls-get.openapi.json").read_text())


def as_json_schema(node):
    """OpenAPI 3.0 schema to JSON Schema: ``nullable: true`` becomes a "null" type."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
        if "type" not in converted:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


GITHUB_PULL_SCHEMA = as_json_schema(VECTOR["schema"])


@pytest.mark.parametrize("state,draft", [("open", False), ("open", True), ("merged", False),
                                         ("closed", False)])
def test_github_pull_validates_against_githubs_schema(simulator, world, state, draft):
    world.open("github", "openedx/xblock-sdk", 3, state=state, draft=draft, labels=["a", "b"])
    response = requests.get(f"{simulator.base_url}/github/repos/openedx/xblock-sdk/pulls/3",
                            timeout=5)
    assert response.status_code == 200
    jsonschema.validate(response.json(), GITHUB_PULL_SCHEMA)


def test_githubs_own_example_reads_correctly():
    example = VECTOR["examples"]["default"]["value"]
    registry = ForgeRegistry.from_settings({})
    ref = parse_contribution_url(example["html_url"], registry)
    snapshot = snapshot_from_rest(example, ref, registry.get("github.com"))
    # GitHub's example says "merged": false beside a merged_at: the boolean is what counts.
    assert snapshot.state == ("merged" if example["merged"] else example["state"])
    assert snapshot.author == example["user"]["login"]
    assert snapshot.title == example["title"]
    assert snapshot.target_repository == example["base"]["repo"]["full_name"]
    assert snapshot.labels == tuple(label["name"] for label in example["labels"])


def test_gerrit_answers_with_the_xssi_prefix(simulator, world):
    world.open("gerrit", "openstack/nova", 5)
    response = requests.get(f"{simulator.base_url}/gerrit/changes/openstack%2Fnova~5", timeout=5)
    assert response.text.startswith(")]}'\n")
    change = json.loads(response.text[5:])
    assert (change["status"], change["_number"], change["project"]) == ("NEW", 5, "openstack/nova")


def test_control_api_over_http(simulator, world):
    base = f"{simulator.base_url}/_sim"
    opened = requests.post(f"{base}/open", json={"kind": "gitea", "project": "a/b", "number": 2},
                           timeout=5)
    assert opened.json()["state"] == "open"
    requests.post(f"{base}/merge", json={"kind": "gitea", "project": "a/b", "number": 2}, timeout=5)
    assert world.get("gitea", "a/b", 2).state == "merged"
    bad = requests.post(f"{base}/merge", json={"kind": "svn"}, timeout=5)
    assert bad.status_code == 400
    missing = requests.post(f"{base}/merge", json={"kind": "gitea", "project": "x/y", "number": 1},
                            timeout=5)
    assert missing.status_code == 400


def test_the_schema_check_can_fail(simulator, world):
    """A body missing a required field fails, so the check above means something.

    (GitHub's own example is not used as the positive case: it predates the
    schema's newer required fields, e.g. a team's ``type``.)
    """
    world.open("github", "openedx/xblock-sdk", 4)
    body = requests.get(f"{simulator.base_url}/github/repos/openedx/xblock-sdk/pulls/4",
                        timeout=5).json()
    del body["merged"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, GITHUB_PULL_SCHEMA)
