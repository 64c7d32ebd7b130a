"""The data layer that knows many learners of one block at once, in pages.

- ``progress``: one aggregated row per learner (what the progress table shows,
  sorts and filters on), computed in the database; the table's filters,
  validated, as query conditions (the same conditions select "everything
  matching the filter" for bulk work); one page of rows, the page's
  contributions and the summary, in a number of queries that does not depend
  on the number of learners;
- ``bulk``: bulk actions on a selection or a whole filter, in resumable chunks
  (a Celery task runs them where Celery runs);
- ``csv_files``: the filter's contributions out as CSV (streamed), overrides and
  annotations in (checked line by line, dry run);
- ``annotations``: mentors' notes on a learner's work, kept in that learner's
  block state, serialized per learner;
- ``audit``: who did what to whom, when and why; ``models``: jobs, entries and
  the annotation index.

It knows the registry and the annotation index; it never talks to a forge,
renders nothing, and takes what only the LMS knows (the user name of a
learner id) as a query expression from ``compat``.
"""
