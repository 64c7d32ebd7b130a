"""The CSV export of the progress table's filter: one row per contribution, streamed.

``rows_of`` is a generator: learners are read in keyset-ordered chunks
(``CHUNK`` learners, then their records, awards, annotations and audit
entries: five queries per chunk), and each line is written and handed out
before the next chunk is read, so memory stays flat whatever the row count.

A cell that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return: a pull request's title is the
forge's, chosen by anyone) is written as text, with a leading apostrophe
(OWASP's advice for CSV injection).
"""

import csv
import io

from ..annotations import notes as note_rules
from ..models import ContributionAward, TrackedContribution
from . import audit
from .progress import matching_learners

CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = ("username", "anonymous_id", "url", "forge", "host", "repository", "title", "state",
           "verdict", "checks", "registered_at", "merged_at", "counted", "awarded_at",
           "award_published", "annotations", "staff_actions")


def neutralise(value):
    """A cell as text a spreadsheet will not run."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _iso(moment):
    return moment.isoformat() if moment else ""


def _checks(record, gettext):
    parts = []
    for check in record.checks or []:
        template = gettext(check.get("reason", ""))
        params = check.get("params") or {}
        try:
            reason = template % params if params else template
        except (KeyError, TypeError, ValueError):
            reason = template
        parts.append(f"{check.get('id')}={check.get('outcome')}: {reason}")
    return " | ".join(parts)


def _actions(entries):
    return " | ".join(f"{e.at.isoformat()} {e.action} by {e.actor_username}"
                      + (f": {e.reason}" if e.reason else "") for e in entries)


def _learner_chunks(usage_key, filters, username, now):
    """The matching learners (id, user name), CHUNK at a time, by learner id (keyset)."""
    selected = matching_learners(usage_key, filters, username, now)
    last = None
    while True:
        page = selected if last is None else selected.filter(learner_id__gt=last)
        chunk = list(page.order_by("learner_id").values_list("learner_id", "username")[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


def _line(writer, buffer, cells):
    writer.writerow([neutralise(cell) for cell in cells])
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text


def rows_of(usage_key, filters, username, now, annotations_of, gettext=lambda text: text):
    """The CSV text, line by line: a header, then one line per contribution.

    ``annotations_of(learner_ids)`` gives {learner id: [annotations]} (from the
    learners' block state, through the platform).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield _line(writer, buffer, EXPORT_COLUMNS)
    for chunk in _learner_chunks(usage_key, filters, username, now):
        ids = [learner for learner, _name in chunk]
        records = TrackedContribution.objects.filter(
            usage_key=usage_key, learner_id__in=ids).order_by("learner_id", "registered_at", "pk")
        awards = {a.learner_id: a for a in ContributionAward.objects.filter(
            usage_key=usage_key, learner_id__in=ids)}
        notes = annotations_of(ids)
        actions = audit.entries_of(usage_key, ids)
        names = dict(chunk)
        for record in records.iterator(chunk_size=CHUNK):
            learner = record.learner_id
            award = awards.get(learner)
            snapshot = record.snapshot or {}
            yield _line(writer, buffer, (
                names.get(learner) or learner, record.anonymous_id, record.url, record.kind,
                record.host, snapshot.get("target_repository") or record.project, record.title,
                record.state or "unknown", record.verdict or "pending",
                _checks(record, gettext), _iso(record.registered_at),
                snapshot.get("merged_at") or "", "yes" if record.awarded_at else "",
                _iso(award.awarded_at) if award else "",
                ("yes" if award.published else "no") if award else "",
                note_rules.as_text(notes.get(learner, [])), _actions(actions.get(learner, []))))
