"""The acceptance rules an author sets per block in Studio, as XBlock fields."""

from datetime import datetime, time, timezone

from xblock.fields import Boolean, Integer, List, Scope, String

from ..policy import Rules
from .clamps import MAX_WAITING_DAYS, bounded_int, string_tuple
from ..i18n import gettext_noop as _  # marks text for catalogs; Studio translates it


RULE_FIELDS = ("count_merged", "count_approved", "accept_labels", "count_landed_by_commit",
               "deny_labels", "require_author", "require_ownership_code", "opened_after",
               "allowed_repositories", "denied_repositories", "distinct_repositories",
               "waiting_days")


def parse_date(text):
    """'YYYY-MM-DD' as the start of that day in UTC; None for ''; ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    return datetime.combine(datetime.strptime(text, "%Y-%m-%d").date(), time.min,
                            tzinfo=timezone.utc)


class AcceptanceRulesMixin:
    """Fields for the rules, and the Rules they make."""

    count_merged = Boolean(display_name=_("Count merged contributions"), scope=Scope.settings,
                           default=True, help=_("A merged pull/merge request or change counts."))
    count_approved = Boolean(
        display_name=_("Count approved contributions"), scope=Scope.settings, default=False,
        help=_("An open contribution that a reviewer approved counts (GitHub reviews, GitLab "
               "approvals, Gerrit Code-Review, Gitea reviews)."))
    accept_labels = List(
        display_name=_("Labels that count"), scope=Scope.settings, default=[],
        help=_("A contribution with one of these labels (or Gerrit hashtags) counts, for "
               "example hacktoberfest-accepted."))
    count_landed_by_commit = Boolean(
        display_name=_("Count contributions landed by commit"), scope=Scope.settings,
        default=False,
        help=_("A pull request closed because its commits were pushed by hand counts "
               "(GitHub: the close event names a commit)."))
    deny_labels = List(
        display_name=_("Labels that disqualify"), scope=Scope.settings,
        default=["spam", "invalid"],
        help=_("A contribution with one of these labels never counts."))
    require_author = Boolean(
        display_name=_("The learner must be the author"), scope=Scope.settings, default=True,
        help=_("Compare the contribution's author with the learner's user name on that forge."))
    require_ownership_code = Boolean(
        display_name=_("Require an ownership code"), scope=Scope.settings, default=False,
        help=_("Each learner gets a short code to put in the contribution's description."))
    opened_after = String(
        display_name=_("Opened on or after"), scope=Scope.settings, default="",
        help=_("A date (YYYY-MM-DD). Empty: the course start date, when it is known."))
    allowed_repositories = List(
        display_name=_("Repositories that count"), scope=Scope.settings, default=[],
        help=_("Patterns such as github.com/openedx/* (one path segment) or "
               "gitlab.com/mooc-floss/** (any depth). Empty: any repository."))
    denied_repositories = List(
        display_name=_("Repositories that do not count"), scope=Scope.settings, default=[],
        help=_("Patterns, as above, of repositories whose contributions never count."))
    distinct_repositories = Boolean(
        display_name=_("Contributions must be to different repositories"),
        scope=Scope.settings, default=False,
        help=_("Only one contribution per repository counts."))
    waiting_days = Integer(
        display_name=_("Waiting period (days)"), scope=Scope.settings, default=0,
        values={"min": 0, "max": MAX_WAITING_DAYS, "step": 1},
        help=_("A contribution counts only after this many days in the accepted state."))

    def rules(self, course_start=None):
        """The Rules these fields make; ``opened_after`` falls back to the course start."""
        try:
            opened_after = parse_date(self.opened_after)
        except (TypeError, ValueError, AttributeError):
            opened_after = None  # Studio refuses bad dates; an imported one is ignored
        return Rules(
            count_merged=bool(self.count_merged), count_approved=bool(self.count_approved),
            accept_labels=string_tuple(self.accept_labels),
            count_landed_by_commit=bool(self.count_landed_by_commit),
            deny_labels=string_tuple(self.deny_labels),
            require_author=bool(self.require_author),
            require_ownership_code=bool(self.require_ownership_code),
            opened_after=opened_after or course_start,
            allowed_repositories=string_tuple(self.allowed_repositories),
            denied_repositories=string_tuple(self.denied_repositories),
            distinct_repositories=bool(self.distinct_repositories),
            waiting_days=bounded_int(self.waiting_days, 0, MAX_WAITING_DAYS, 0),
        )
