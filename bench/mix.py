"""The course's mix of forges, shared by the benchmarks: who contributes where, and when.

60 % GitHub, 25 % GitLab on two hosts (gitlab.com and framagit.org), 10 %
Gerrit, 5 % Gitea/Forgejo. Learners of a course mostly contribute to the few
projects it suggests: on each forge, ``CLUSTERED`` of the contributions go to
``PROJECTS_PER_HOST`` suggested projects, the others to a project of the
learner's own choosing (one contribution each).
"""

import random

from forge_simulator import simulator_settings

SHARES = (("github", "github.com", 0.60), ("gitlab", "gitlab.com", 0.125),
          ("gitlab", "framagit.org", 0.125), ("gerrit", "review.opendev.org", 0.10),
          ("gitea", "codeberg.org", 0.05))
CLUSTERED = 0.85
PROJECTS_PER_HOST = 25
GERRIT_FIRST_NUMBER = 900_000
URLS = {
    "github": "https://{host}/{project}/pull/{n}",
    "gitlab": "https://{host}/{project}/-/merge_requests/{n}",
    "gerrit": "https://{host}/c/{project}/+/{n}",
    "gitea": "https://{host}/{project}/pulls/{n}",
}


def settings(base_url, github_token="bench-token"):
    """The simulator's settings bucket, with framagit.org as a second GitLab host on it
    (under the simulator's ``/@framagit.org`` tag, so its requests can be told apart)."""
    bucket = simulator_settings(base_url, github_token=github_token)
    bucket["forges"].append({"kind": "gitlab", "host": "framagit.org",
                             "api_url": base_url + "/@framagit.org/gitlab/api/v4"})
    return bucket


def host_of_request(kind, path):
    """The host a simulator request was for (framagit.org's carry its tag)."""
    if path.startswith("/@"):
        return path[2:].split("/", 1)[0]
    return {"github": "github.com", "gitlab": "gitlab.com", "gerrit": "review.opendev.org",
            "gitea": "codeberg.org"}.get(kind, kind)


def interleaved(total, seed=7):
    """``contributions(total)`` in the order learners register them: hosts interleaved."""
    items = contributions(total)
    random.Random(seed).shuffle(items)
    return items


def contributions(total):
    """[(kind, host, project, number)] for ``total`` contributions in the mix, deterministic."""
    items, gerrit_number = [], GERRIT_FIRST_NUMBER
    for kind, host, share in SHARES:
        count = round(total * share)
        clustered = round(count * CLUSTERED)
        numbers = {}
        for i in range(count):
            if i < clustered:
                project = f"{host.split('.')[0]}-course/suggested-{i % PROJECTS_PER_HOST}"
            else:
                project = f"{host.split('.')[0]}-learner-{i}/own-project"
            if kind == "gerrit":
                gerrit_number += 1  # Gerrit numbers changes across the whole host
                number = gerrit_number
            else:
                numbers[project] = number = numbers.get(project, 0) + 1
            items.append((kind, host, project, number))
    return items


def url(kind, host, project, number):
    return URLS[kind].format(host=host, project=project, n=number)
