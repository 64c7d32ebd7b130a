"""The XBlock: fields, views per role and JSON handlers. It stays thin.

Requests become calls on the layers below (tracking, identity, staff);
results become JSON or HTML. Nothing here talks to a forge.

- ``core``: the block class, its fields and the plumbing every role uses;
- ``learner_handlers`` / ``learner_view``: the learner's JSON handlers and page;
- ``staff_handlers``: what course staff (and later mentors) may call;
- ``studio``: Studio's editor validation;
- ``json_api``: the JSON request/response plumbing of every handler.
"""

from .core import UpstreamContributionBlock

__all__ = ["UpstreamContributionBlock"]
