"""Tracking layer: the registry of contributions, refreshes, scheduling, sweeps and awards.

Knows records and when to check next; knows nothing of HTML, JS or the XBlock runtime.

- ``service``: one learner's records in one block (register, refresh, status, withdraw);
- ``sweep`` / ``host_check``: background sweeps, host by host, within time and rate budgets;
- ``recording``: a check's outcome written into a record, through the block's rules;
- ``schedule`` and ``budget``: when to check next, each host's shared rate budget;
- ``credits`` and ``awards``: one contribution counts once per course; awards made
  exactly once and published through an outbox;
- ``vouching``: mentors' acceptances; ``block_config``: published blocks' rules;
- ``background``: handing work to Celery where it runs (the tasks are in ``upstream_xblock.tasks``).
"""
