"""The instructor dashboard's problem responses report for the block.

The LMS hands ``generate_report_data`` an iterator of ``XBlockUserState``
(user name and the learner's block state) for every learner of the block;
rows are yielded chunk by chunk (three queries per chunk of learners), one
per contribution, with the annotations mentors see (from the block state the
LMS already read).
"""

from itertools import islice

from .. import platform
from ..annotations import notes as note_rules
from ..staff.learners import awarded_learners, records_by_learner

CHUNK = 500


def _annotations(state):
    return note_rules.as_text((state or {}).get("annotations"))


def _rows_of_chunk(usage_key, states):
    ids = platform.learner_ids_of_usernames([s.username for s in states])
    records = records_by_learner(usage_key, ids.values())
    awarded = awarded_learners(usage_key, ids.values())
    for state in states:
        learner = ids.get(state.username)
        notes = _annotations(state.state)
        for record in records.get(learner, []):
            yield state.username, {
                "URL": record.url, "Title": record.title, "State": record.state or "unknown",
                "Verdict": record.verdict or "pending",
                "Merged at": (record.snapshot or {}).get("merged_at") or "",
                "Counted": "yes" if record.awarded_at else "",
                "Awarded": "yes" if learner in awarded else "",
                "Annotations": notes}


def report_rows(block, user_state_iterator, limit_responses=None):
    usage_key, yielded = platform.usage_key(block), 0
    iterator = iter(user_state_iterator)
    while True:
        states = list(islice(iterator, CHUNK))
        if not states:
            return
        for row in _rows_of_chunk(usage_key, states):
            if limit_responses is not None and yielded >= limit_responses:
                return
            yield row
            yielded += 1
