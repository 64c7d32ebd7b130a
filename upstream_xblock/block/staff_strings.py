"""The staff tools' strings (static/js/staff_tools.js), translated on the server."""

from ..i18n import gettext_noop as _

AUDIT_ACTIONS = {
    "accept": _("Accepted"), "revoke": _("Revoked"), "annotate": _("Annotated"),
    "edit_annotation": _("Edited an annotation"), "delete_annotation": _("Deleted an annotation"),
    "check_now": _("Checked now"), "bulk": _("Started a bulk action"),
    "score_override": _("Overrode the score"), "rescore": _("Rescored"),
    "clear_state": _("Deleted the learner's state"),
}


def staff_strings(gettext):
    return {
        "selected": gettext("%(count)s learners selected on this page."),
        "selected_all": gettext("All %(count)s learners matching the filters are selected."),
        "select_all": gettext("Select all %(count)s matching"),
        "select_row": gettext("Select %(username)s"),
        "select_first": gettext("Select learners first."),
        "reason_needed": gettext("Give a reason."),
        "text_needed": gettext("Write the annotation's text."),
        "confirm": gettext("%(action)s: %(count)s learners. This is recorded in the audit "
                           "trail. Go ahead?"),
        "job_starting": gettext("Starting…"),
        "job_running": gettext("Working: %(done)s of %(count)s learners done, %(changed)s "
                               "changed, %(skipped)s already so."),
        "job_done": gettext("Done: %(count)s learners, %(changed)s changed, %(skipped)s "
                            "already so, %(failed)s failed."),
        "job_checked": gettext("%(checked)s contributions checked on the forge so far."),
        "choose_file": gettext("Choose a CSV file first."),
        "file_too_large": gettext("The file is larger than an import takes (2 MB, 5000 "
                                  "lines): split it."),
        "import_checking": gettext("Checking the file…"),
        "import_checked": gettext("Dry run: %(changes)s changes, %(errors)s errors. Nothing "
                                  "was changed."),
        "import_applied": gettext("Imported: %(changes)s changes made, %(errors)s lines "
                                  "with errors skipped."),
        "import_refused": gettext("Nothing was imported: %(errors)s lines have errors. Fix "
                                  "them, or apply the good lines only."),
        "no_change": gettext("no change"),
        "audit_count": gettext("%(count)s actions recorded. Page %(page)s of %(pages)s."),
        "actions": {key: gettext(label) for key, label in AUDIT_ACTIONS.items()},
    }
