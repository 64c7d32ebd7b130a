"""The learner's card: how long this project usually takes, and what to do while waiting.

Each contribution of ``status`` gets ``upstream`` (the contract, from
``tracking/pace.py``), ``upstream_summary`` (one sentence, its counts in their
plural forms) and ``next_step`` (the course author's text for the contribution's
stage, else the shipped default in the viewer's language). Nothing here blames:
the texts say what helps, never what the learner did wrong.
"""

import math

from xblock.fields import Scope, String

from ..i18n import gettext_noop, ngettext_noop, translated
from ..i18n import gettext_noop as _
from ..tracking import pace
from ..tracking.notice_texts import DEFAULT_NEXT_STEPS

ANSWERS = ngettext_noop("This project usually answers within %(days)s day",
                        "This project usually answers within %(days)s days", "days")
MERGES = ngettext_noop("This project usually merges within %(days)s day",
                       "This project usually merges within %(days)s days", "days")
SHARE = ngettext_noop("80 %% within %(p80)s, from %(count)s recent contribution",
                      "80 %% within %(p80)s, from %(count)s recent contributions", "count")
WAITED = ngettext_noop("yours has waited %(days)s day.", "yours has waited %(days)s days.",
                       "days")
SENTENCE = gettext_noop("%(usually)s (%(share)s); %(waited)s")

# The stage's Studio field (empty field: the shipped default, translated).
STAGE_FIELDS = {"waiting": "next_step_waiting", "reviewed": "next_step_waiting",
                "changes_requested": "next_step_changes_requested",
                "overdue": "next_step_overdue"}


def next_step_fields():
    """The Studio fields of the next steps, in ``STAGE_FIELDS``'s order (the class holds them)."""
    def field(label, help_text):
        return String(display_name=label, scope=Scope.settings, default="",
                      multiline_editor=True, help=help_text)
    return (
        field(_("Next step while waiting for the project"),
              _("What learners see while the project has not merged their contribution yet. "
                "Empty: a default text, in the learner's language.")),
        field(_("Next step when changes are requested"),
              _("What learners see when a reviewer asked for changes. Empty: a default text, "
                "in the learner's language.")),
        field(_("Next step when the wait is longer than usual"),
              _("What learners see when their contribution has waited longer than 80 % of "
                "this project's recent ones. Empty: a default text, in the learner's "
                "language.")),
    )


NEXT_STEP_FIELD_NAMES = ("next_step_waiting", "next_step_changes_requested", "next_step_overdue")


def _up(days):
    return max(1, math.ceil(days))


def summary(upstream, stage, gettext):
    """The card's sentence, or "" when the figure for the contribution's stage is unknown."""
    if upstream is None or stage is None:
        return ""
    waiting = stage == "waiting"
    median = upstream["first_response_days_median" if waiting else "merge_days_median"]
    p80 = upstream["first_response_days_p80"] if waiting else upstream.get("merge_days_p80")
    if median is None or p80 is None:
        return ""
    usually = translated(gettext, ANSWERS if waiting else MERGES, {"days": _up(median)})
    share = translated(gettext, SHARE, {"p80": _up(p80), "count": upstream["sample_size"]})
    waited = translated(gettext, WAITED, {"days": upstream["waited_days"]})
    return translated(gettext, SENTENCE, {"usually": usually, "share": share, "waited": waited})


def next_step(block, stage, overdue, gettext):
    """The author's text for the stage (overdue first), else the shipped one; "" if none."""
    if stage is None:
        return ""
    field = STAGE_FIELDS["overdue" if overdue else stage]
    written = (getattr(block, field, "") or "").strip()
    return written or gettext(DEFAULT_NEXT_STEPS[field])


def add_upstream(contributions, rows, block, gettext, now):
    """Give each contribution's JSON its ``upstream``, ``upstream_summary`` and ``next_step``."""
    figures = pace.PaceFigures(now).prefetch((row.host, row.project) for row in rows)
    for data, row in zip(contributions, rows, strict=True):
        found = figures.of(row.host, row.project) if row.host and row.project else None
        upstream = pace.upstream_of(row, found, now)
        stage = pace.stage_of(row)
        shown = dict(upstream, merge_days_p80=found["merge_days_p80"]) if upstream else None
        data["upstream"] = upstream
        data["upstream_summary"] = summary(shown, stage, gettext)
        data["next_step"] = next_step(block, stage, bool(upstream and upstream["overdue"]),
                                      gettext)
    return contributions


def texts_of(block):
    """The block's name and its author's next steps, for notices sent without the block."""
    texts = {name: (getattr(block, name, "") or "").strip() for name in NEXT_STEP_FIELD_NAMES}
    return {"display_name": block.display_name, **{k: v for k, v in texts.items() if v}}
