"""The XBlock: fields, one view per role and JSON handlers. It stays thin.

Requests become calls on the layers below (staff, tracking, identity); results
become JSON or HTML. Nothing here talks to a forge or to the database.

- ``core``: the block class, its fields, the one ``student_view`` that picks the
  role's view, and the plumbing every role uses;
- ``learner``: the learner's page, handlers and identity panel;
- ``mentor``: the progress table and annotations (mentors and course staff);
- ``vouch``: mentors vouch for contributions and accounts, staff withdraw that;
- ``staff``: course staff's tools (revoke, bulk, CSV, audit);
- ``studio``: Studio's editor and preview; ``instructor``: the instructor dashboard's hooks;
- ``presenters``: records as JSON; ``handlers``: JSON plumbing and role checks;
  ``resources``: templates, static files and workbench scenarios; ``clamps``:
  field values made safe where they are used.
"""

from .core import UpstreamContributionBlock

__all__ = ["UpstreamContributionBlock"]
