"""The data layer that knows many learners of one block at once, in pages.

- ``learners``: one aggregated row per learner (what the progress table shows,
  sorts and filters on), computed in the database;
- ``filters``: the progress table's filters, validated, as query conditions;
  the same conditions select "everything matching the filter" for bulk work;
- ``progress``: one page of rows, the page's contributions and the summary, in
  a number of queries that does not depend on the number of learners;
- ``jobs`` and ``bulk_actions``: bulk actions on a selection or a whole filter,
  in chunks (``bulk_tasks``: the Celery task that runs them where Celery runs);
- ``csv_export`` and ``csv_import``: the filter's contributions out as CSV
  (streamed), overrides and annotations in (checked line by line, dry run);
- ``audit``: who did what to whom, when and why (``models``: jobs and entries).

It knows the registry and the annotation index; it never talks to a forge,
renders nothing, and takes what only the platform knows (the user name of a
learner id) as a query expression from its caller.
"""
