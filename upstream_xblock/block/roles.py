"""Who may see and act on other learners' work in a block: course staff and its mentors.

Course staff and instructors are mentors of every block of their course (the
runtime's user service says who they are). A block also lists mentors by user
name in its ``mentors`` field (Studio, OLX). Everyone else is a learner and
only ever sees their own work.
"""

import re

from .. import platform
from ..i18n import gettext_noop as _

# Open edX user names (Django's rule: letters, digits and @ . + - _).
USERNAME_RE = re.compile(r"^[\w.@+-]{1,150}$")
MAX_MENTORS = 200


def listed_mentors(block):
    """The block's mentor names as stored (an imported OLX value is clamped here, at use)."""
    names = block.mentors if isinstance(block.mentors, list) else []
    return {name.strip() for name in names[:MAX_MENTORS]
            if isinstance(name, str) and USERNAME_RE.match(name.strip())}


def is_mentor(block):
    """Course staff, or a signed-in user the block lists as a mentor."""
    if not platform.learner_id(block):
        return False
    return platform.is_staff(block) or platform.username(block) in listed_mentors(block)


def validate_mentors(names, error):
    """Studio's editor: ``mentors`` is a list of user names (``error`` collects messages)."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        error("mentors", _("Mentors must be a list of user names."))
        return
    bad = [n for n in names if not USERNAME_RE.match(n.strip())]
    if bad:
        error("mentors", _("These are not user names: %(names)s."), names=", ".join(bad[:5]))
    if len(names) > MAX_MENTORS:
        error("mentors", _("A block lists at most 200 mentors."))
