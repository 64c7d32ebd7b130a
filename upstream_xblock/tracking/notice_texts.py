"""What each notice says, in its recipient's language (the package's own catalog).

A notice's stored ``params`` are facts (a title, a repository, a learner-visible
note, the author's next step); the sentences are chosen here when it is sent, so
that it reads in the language the recipient chose. Nothing here blames: the
texts say what happened and what helps.
"""

from ..i18n import catalog, gettext_noop, ngettext_noop, translated
from ..i18n import gettext_noop as _

# The shipped next steps (the block's Studio fields override them; block/learner.py
# shows the same on the learner's card).
DEFAULT_NEXT_STEPS = {
    "next_step_waiting": _(
        "While you wait, read the project's contribution guide and keep an eye on your "
        "contribution's page: a quick, friendly answer to a question helps it along."),
    "next_step_changes_requested": _(
        "A reviewer asked for changes: that is a normal part of contributing. Read each "
        "comment, push your changes to the same branch, and reply to say what you changed."),
    "next_step_overdue": _(
        "This is taking longer than usual for this project; maintainers are often busy. A short, "
        "polite comment asking whether anything else is needed often helps, and your mentor "
        "can advise you."),
}

SUBJECTS = {
    "contribution_accepted": _("Your contribution was accepted upstream"),
    "unit_counted": _("Your upstream contribution counts for your course"),
    "mentor_note": _("A mentor wrote to you about your contribution"),
    "changes_requested": _("A reviewer asked for changes on your contribution"),
    "longer_than_usual": _("Your contribution is waiting longer than usual"),
}
LEADS = {
    "contribution_accepted": _("Well done: %(repository)s accepted your contribution "
                               "“%(title)s”."),
    "unit_counted": _("Your accepted contribution now counts for the activity "
                      "“%(unit)s”: it is complete."),
    "mentor_note": _("A mentor wrote this for you:"),
    "changes_requested": _("A reviewer of %(repository)s asked for changes on your "
                           "contribution “%(title)s”."),
    "longer_than_usual": _("Your contribution “%(title)s” to %(repository)s has "
                           "waited longer than 80 %% of this project's recent contributions."),
}
# A contribution a mentor vouched for: accepted by the course, not (yet) by the project.
VOUCHED_SUBJECT = _("A mentor accepted your contribution")
VOUCHED_LEAD = _("A mentor accepted your contribution “%(title)s” to %(repository)s for your "
                 "course.")
DIGEST_SUBJECT = ngettext_noop("%(count)s of your learners may need you this week",
                               "%(count)s of your learners may need you this week", "count")
DIGEST_LEAD = gettext_noop("In “%(unit)s”, these learners are waiting longer than "
                           "their project usually takes, or nothing has moved for two weeks:")
DIGEST_OVERDUE = ngettext_noop("%(username)s: waiting for %(days)s day on %(repository)s, "
                               "longer than usual",
                               "%(username)s: waiting for %(days)s days on %(repository)s, "
                               "longer than usual", "days")
DIGEST_STUCK = gettext_noop("%(username)s: nothing has moved for two weeks")
NEXT_STEP = gettext_noop("Next step: %(text)s")
OPEN_UNIT = gettext_noop("Open the activity")
OPEN_CONTRIBUTION = gettext_noop("Open your contribution")
FOOTER_LEARNER = gettext_noop("You receive this email because you registered a contribution in "
                              "a course on %(platform)s. You can turn these emails off in the "
                              "activity itself.")
FOOTER_MENTOR = gettext_noop("You receive this weekly email because you mentor learners in a "
                             "course on %(platform)s. You can turn these emails off in the "
                             "activity itself.")


def next_step_text(params, field, gettext):
    """The author's text for ``field`` (stored with the notice), else the shipped one."""
    written = (params.get("next_steps") or {}).get(field, "")
    return written.strip() if isinstance(written, str) and written.strip() else \
        gettext(DEFAULT_NEXT_STEPS[field])


def _digest(params, gettext):
    lines = []
    for learner in params.get("learners", []):
        if learner.get("overdue"):
            lines.append(translated(gettext, DIGEST_OVERDUE, learner))
        else:
            lines.append(translated(gettext, DIGEST_STUCK, learner))
    subject = translated(gettext, DIGEST_SUBJECT, {"count": len(lines)})
    return subject, [translated(gettext, DIGEST_LEAD, params)], lines


def compose(kind, params, language, platform, link):
    """The message's context for its templates: subject, paragraphs, items, link, footer."""
    gettext = _Gettext(catalog(language))
    if kind == "mentor_digest":
        subject, paragraphs, items = _digest(params, gettext)
        footer = translated(gettext, FOOTER_MENTOR, {"platform": platform})
    else:
        vouched = kind == "contribution_accepted" and params.get("by") == "mentor"
        subject, items = gettext(VOUCHED_SUBJECT if vouched else SUBJECTS[kind]), []
        paragraphs = [translated(gettext, VOUCHED_LEAD if vouched else LEADS[kind], params)]
        if kind == "mentor_note":
            paragraphs.append(params.get("text", ""))
        if kind in ("changes_requested", "longer_than_usual"):
            field = "next_step_changes_requested" if kind == "changes_requested" \
                else "next_step_overdue"
            paragraphs.append(translated(gettext, NEXT_STEP,
                                         {"text": next_step_text(params, field, gettext)}))
        footer = translated(gettext, FOOTER_LEARNER, {"platform": platform})
    link_text = OPEN_CONTRIBUTION if kind in ("contribution_accepted", "changes_requested",
                                              "longer_than_usual") else OPEN_UNIT
    return {"subject": subject, "paragraphs": paragraphs, "items": items,
            "link_url": link, "link_text": gettext(link_text) if link else "",
            "footer": footer, "platform_name": platform}


class _Gettext:
    """A callable gettext with ``ngettext`` beside it (what ``i18n.translated`` expects)."""

    def __init__(self, translator):
        self.translator = translator

    def __call__(self, message):
        return self.translator.gettext(message)

    def ngettext(self, singular, plural, count):
        return self.translator.ngettext(singular, plural, count)
