"""A parsed, normalized reference to one contribution on one forge."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ContributionRef:
    """Which contribution: forge kind, host, project path and number.

    ``project`` is the full path of the target project (``owner/repo``,
    ``group/subgroup/project``, a Gerrit project with slashes), or ``""`` for a
    Gerrit change pasted by number only. ``url`` is the canonical web address:
    two pastes of the same contribution give the same ``url``.
    """

    kind: str
    host: str
    project: str
    number: int
    url: str

    @property
    def key(self):
        """Identity that does not depend on how the URL was written."""
        return (self.kind, self.host, self.project.lower(), self.number)
