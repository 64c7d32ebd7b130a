"""The learner page script's strings, translated on the server (the script has no catalog)."""


def js_strings(gettext):
    return {
        "registering": gettext("Registering…"),
        "checking": gettext("Checking…"),
        "withdraw": gettext("Withdraw"),
        "withdraw_label": gettext("Withdraw %(title)s"),
        "withdraw_confirm": gettext("Withdraw this contribution?"),
        "withdrawn": gettext("Withdrawn: %(title)s."),
        "registered": gettext("Registered: %(title)s."),
        "open_link": gettext("%(title)s (opens on the forge in a new tab)"),
        "checked": gettext("Checked %(when)s"),
        "next_check": gettext("next check %(when)s"),
        "being_checked": gettext("being checked now"),
        "not_checked": gettext("Not checked yet"),
        "settled": gettext("no more checks needed"),
        "repository": gettext("Repository: %(repository)s #%(number)s"),
        "counted": gettext("Counted for your grade"),
        "network_error": gettext("Could not reach the course server. Retrying…"),
        "passed": gettext("Passed:"),
        "failed": gettext("Not met:"),
        "waiting": gettext("Waiting:"),
        "no_contributions": gettext("You have not registered a contribution yet."),
        "untitled": gettext("(title not known yet)"),
        "ownership_code": gettext("Your ownership code is %(code)s: put it in the description of "
                                  "your contribution so that we know it is yours."),
        "timeline": gettext("Timeline"),
        "timeline_label": gettext("Timeline of %(title)s"),
        "step_done": gettext("done"),
        "step_todo": gettext("not yet"),
        "date_unknown": gettext("date not known"),
        "checks_title": gettext("Checks"),
        "register_another": gettext("Register another contribution"),
        "check_again": gettext("You can check again %(when)s."),
    }
