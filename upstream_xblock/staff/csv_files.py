"""CSV out and in: the progress table's filter exported (streamed), overrides and notes imported.

The export is also the import (the gradebook's habit): it ends with the empty
columns ``action``, ``reason``, ``text`` and ``visibility``; staff fill some rows
and import the same file, whose other columns are ignored and whose rows without
an action change nothing. A course-wide export names each row's ``activity``
(the block's usage key), which a course-wide import reads to know where to act.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db.models import Q

from ..forges.snapshot import is_text
from ..i18n import gettext_noop as _
from ..i18n import ngettext_noop, translated
from ..models import ContributionAward, TrackedContribution
from ..tracking.vouching import DESCRIBED
from . import annotations, audit
from .bulk import ACTIONS as APPLY
from .bulk import ChunkResult
from .progress import learners, matching_learners, verdict_of

CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = ("username", "anonymous_id", "url", "forge", "host", "repository", "title",
                  "state", "verdict", "checks", "registered_at", "merged_at", "counted",
                  "awarded_at", "award_published", "annotations", "staff_actions",
                  "activity", "activity_name", "action", "reason", "text", "visibility")


def neutralise(value):
    """A cell as text a spreadsheet will not run."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _iso(moment):
    return moment.isoformat() if moment else ""


def _checks(record, gettext):
    parts = []
    for check in record.checks or []:
        template, params = check.get("reason", ""), check.get("params") or {}
        try:
            reason = translated(gettext, template, params)
        except (KeyError, TypeError, ValueError):
            reason = str(template)
        parts.append(f"{check.get('id')}={check.get('outcome')}: {reason}")
    return " | ".join(parts)


def _actions(entries):
    return " | ".join(f"{e.at.isoformat()} {e.action} by {e.actor_username}"
                      + (f": {e.reason}" if e.reason else "") for e in entries)


@dataclass(frozen=True)
class Scope:
    """What an export covers: one block (``usage_key``), or a whole course (``course_key``,
    ``matching`` the course's ``matching_learners``), with its activities' names."""

    usage_key: str = ""
    course_key: str = ""
    matching: object = None  # (filters, username, now) -> values() queryset, for a course
    names: dict = field(default_factory=dict)  # usage key -> activity name

    def records(self):
        return Q(usage_key=self.usage_key) if self.usage_key else Q(course_key=self.course_key)

    def learners(self, filters, username, now):
        if self.usage_key:
            return matching_learners(self.usage_key, filters, username, now)
        return self.matching(filters, username, now)


def _learner_chunks(scope, filters, username, now):
    """The matching learners (id, user name), CHUNK at a time, by learner id (keyset)."""
    selected = scope.learners(filters, username, now)
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


def shown_url(record):
    """A record's address as staff read it: none for a contribution a mentor only described."""
    return "" if record.kind == DESCRIBED else record.url


def _cells(record, name, award, notes, actions, gettext, activity_name):
    snapshot = record.snapshot or {}
    return (name, record.anonymous_id, shown_url(record), record.kind, record.host,
            snapshot.get("target_repository") or ("" if record.kind == DESCRIBED
                                                  else record.project),
            (record.description or record.title) if record.kind == DESCRIBED else record.title,
            record.state or "unknown", record.verdict or "pending", _checks(record, gettext),
            _iso(record.registered_at), snapshot.get("merged_at") or "",
            "yes" if record.awarded_at else "", _iso(award.awarded_at) if award else "",
            ("yes" if award.published else "no") if award else "",
            annotations.as_text(notes), _actions(actions), record.usage_key, activity_name,
            "", "", "", "")


def rows_of(usage_key, filters, username, now, annotations_of, gettext=lambda text: text,
            scope=None):
    """The CSV text, line by line: a header, then one line per contribution.

    ``annotations_of(usage_key, learner_ids)`` gives {learner id: [annotations]} (from the
    learners' block state, through the platform). ``scope``: a course-wide export's (else
    the block ``usage_key``'s).
    """
    scope = scope or Scope(usage_key=usage_key)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield _line(writer, buffer, EXPORT_COLUMNS)
    for chunk in _learner_chunks(scope, filters, username, now):
        ids = [learner for learner, _name in chunk]
        records = TrackedContribution.objects.filter(
            scope.records(), learner_id__in=ids).order_by("learner_id", "usage_key",
                                                           "registered_at", "pk")
        awards = {(a.usage_key, a.learner_id): a for a in ContributionAward.objects.filter(
            scope.records(), learner_id__in=ids)}
        usages = ([scope.usage_key] if scope.usage_key else
                  sorted(set(records.values_list("usage_key", flat=True).distinct())))
        notes = {usage: annotations_of(usage, ids) for usage in usages}
        actions = audit.entries_of_many(usages, ids)
        names = dict(chunk)
        for record in records.iterator(chunk_size=CHUNK):
            key = (record.usage_key, record.learner_id)
            yield _line(writer, buffer, _cells(
                record, names.get(record.learner_id) or record.learner_id, awards.get(key),
                notes[record.usage_key].get(record.learner_id, []), actions.get(key, []),
                gettext, scope.names.get(record.usage_key, "")))


MAX_BYTES = 8 * 1024 * 1024
MAX_LINES = 5000  # lines with an action
MAX_ALL_LINES = 100_000  # an exported file's lines, most of them without an action
MAX_REASON = 500
IMPORT_COLUMNS = ("username", "action", "url", "reason", "text", "visibility", "activity")
REQUIRED = ("username", "action")
ACTIONS = ("accept", "revoke", "annotate")


class ImportTooLarge(ValueError):
    """The file is larger than an import takes."""


class ImportNotText(ValueError):
    """The file holds a NUL character or a lone surrogate: not text a database can store."""


@dataclass
class Line:
    number: int
    username: str
    action: str
    learner_id: str = ""
    url: str = ""
    reason: str = ""
    text: str = ""
    visibility: str = "mentors"
    usage_key: str = ""


@dataclass
class Plan:
    lines: list = field(default_factory=list)  # valid Lines
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    unchanged: int = 0  # lines without an action: they change nothing


class _Errors:
    def __init__(self, gettext):
        self.gettext, self.items = gettext, []

    def add(self, line, column, template, **params):
        self.items.append({"line": line, "column": column,
                           "message": translated(self.gettext, template, params)})


def _cell(raw, number, column, errors):
    """A cell's text; an exported cell's leading apostrophe (see ``neutralise``) is removed."""
    value = (raw or "").strip()
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    if value.startswith(FORMULA_STARTS):
        errors.add(number, column, _("This cell starts like a spreadsheet formula (= + - @): "
                                     "write it as text, with a leading apostrophe."))
        return None
    if "\ufffd" in value or "\x00" in value:
        errors.add(number, column, _("This cell is not valid UTF-8 text: save the file as "
                                     "UTF-8."))
        return None
    return value


def _read_header(reader, errors):
    """{column: its index} of the columns an import reads (the others are ignored)."""
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        errors.add(1, "", _("The file is empty: the first line names the columns."))
        return None
    known = [name for name in header if name in IMPORT_COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if missing or len(set(known)) != len(known):
        errors.add(1, ", ".join(missing), _(
            "The first line names the columns: username and action are required, each once "
            "(an import also reads %(columns)s; it ignores the others)."),
                   columns=", ".join(IMPORT_COLUMNS[2:]))
        return None
    return {name: header.index(name) for name in known}


def _values(number, cells, header, errors):
    """The line's known cells, or None (with errors) if one of them is not acceptable."""
    before = len(errors.items)
    values = {name: _cell(cells[index] if index < len(cells) else "", number, name, errors)
              for name, index in header.items()}
    return None if len(errors.items) != before else values


def _check_line(line, errors):
    if not line.username:
        errors.add(line.number, "username", _("Give the learner's user name."))
    if line.action not in ACTIONS:
        errors.add(line.number, "action", _("The action is accept, revoke or annotate (or "
                                            "empty: the line changes nothing)."))
    elif line.action in ("accept", "revoke") and not line.reason:
        errors.add(line.number, "reason", _("Give a reason for this %(action)s."),
                   action=line.action)
    if len(line.reason) > MAX_REASON:
        errors.add(line.number, "reason", _("A reason is at most 500 characters long."))
    if line.action == "annotate":
        if not line.text:
            errors.add(line.number, "text", _("Write the annotation's text."))
        elif len(line.text) > annotations.MAX_TEXT:
            errors.add(line.number, "text",
                       _("An annotation is at most 2000 characters long."))
        if line.visibility not in annotations.VISIBILITIES:
            errors.add(line.number, "visibility", _('Visibility is "learner" or "mentors".'))


def _parse_line(number, cells, header, errors):
    """A Line, or None: with errors if it is wrong, without if it has no action."""
    action_index = header["action"]
    if action_index >= len(cells) or not cells[action_index].strip():
        return None  # no action: the line changes nothing, whatever its other cells
    if len(cells) < max(header.values()) + 1:
        errors.add(number, "", ngettext_noop(
            "This line has %(found)s cell; the columns an import reads need %(expected)s.",
            "This line has %(found)s cells; the columns an import reads need %(expected)s.",
            "found"), found=len(cells), expected=max(header.values()) + 1)
        return None
    before = len(errors.items)
    values = _values(number, cells, header, errors)
    if values is None:
        return None
    line = Line(number=number, username=values.get("username") or "",
                action=(values.get("action") or "").lower(), url=values.get("url") or "",
                reason=values.get("reason") or "", text=values.get("text") or "",
                visibility=(values.get("visibility") or "mentors").lower(),
                usage_key=values.get("activity") or "")
    _check_line(line, errors)
    return None if len(errors.items) != before else line


def _lines(text, errors):
    """(the valid lines with an action, how many lines had none)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _read_header(reader, errors)
    if header is None:
        return [], 0
    lines, unchanged, acting = [], 0, 0
    try:
        for cells in reader:
            number = reader.line_num
            if number > MAX_ALL_LINES + 1 or acting > MAX_LINES:
                errors.add(number, "", _("An import takes at most 5000 lines with an action."))
                break
            if not any(cell.strip() for cell in cells):
                continue
            before = len(errors.items)
            line = _parse_line(number, cells, header, errors)
            if line is None and len(errors.items) == before:
                unchanged += 1
                continue
            acting += 1
            if line is not None:
                lines.append(line)
    except csv.Error as error:
        errors.add(reader.line_num, "", _("This line is not valid CSV: %(error)s"),
                   error=str(error))
    return lines, unchanged


def _resolve(usage_key, lines, username, now, errors):
    """Learner ids, verdicts, records and awards of the file's learners in one block (two
    queries)."""
    names = {line.username for line in lines}
    known = {row["username"]: row for row in learners(usage_key, username, now).filter(
        username__in=names).values("learner_id", "username", "verdict_rank", "awarded")}
    ids = [row["learner_id"] for row in known.values()]
    urls = set(TrackedContribution.objects.filter(usage_key=usage_key, learner_id__in=ids)
               .values_list("learner_id", "url"))
    valid = []
    for line in lines:
        row = known.get(line.username)
        if row is None:
            errors.add(line.number, "username", _("No learner %(username)s has registered "
                                                  "anything in this activity."),
                       username=line.username)
            continue
        line.learner_id, line.usage_key = row["learner_id"], usage_key
        if line.url and (line.learner_id, line.url) not in urls:
            errors.add(line.number, "url", _("This learner has not registered this "
                                             "contribution here."))
            continue
        valid.append((line, verdict_of(row), row["awarded"]))
    return valid


def _by_activity(lines, usage_key, activities, errors):
    """{usage key: its lines}: a block's import takes its own lines, a course's (``usage_key``
    empty) each line's ``activity``, one of ``activities``."""
    grouped = {}
    for line in lines:
        if usage_key and line.usage_key not in ("", usage_key):
            errors.add(line.number, "activity", _("This line is for another activity: import "
                                                  "it there, or in the course's workspace."))
        elif not usage_key and line.usage_key not in activities:
            errors.add(line.number, "activity", _("Give one of this course's activities (the "
                                                  "exported file's activity column)."))
        else:
            grouped.setdefault(usage_key or line.usage_key, []).append(line)
    return grouped


def _change(line, before, awarded):
    after = {"accept": "accepted",
             "revoke": "rejected" if awarded else before}.get(line.action, before)
    noop = (line.action == "accept" and awarded) or (line.action == "revoke" and not awarded)
    return {"line": line.number, "action": line.action, "username": line.username,
            "learner_id": line.learner_id, "url": line.url,
            "reason": line.text if line.action == "annotate" else line.reason,
            "visibility": line.visibility if line.action == "annotate" else "",
            "activity": line.usage_key, "before": before, "after": after, "no_change": noop}


def plan(usage_key, text, username, now, gettext=lambda text: text, activities=()):
    """Check every line; the changes the good lines make and every bad line's errors.

    ``usage_key``: the block imported into; empty for a course-wide import, whose lines
    name their activity (one of ``activities``).
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ImportTooLarge()
    if not is_text(text):
        raise ImportNotText()
    errors = _Errors(gettext)
    lines, unchanged = _lines(text.lstrip("\ufeff"), errors)
    result = Plan(errors=errors.items, unchanged=unchanged)
    for usage, group in sorted(_by_activity(lines, usage_key, activities, errors).items()):
        for line, before, awarded in _resolve(usage, group, username, now, errors):
            result.lines.append(line)
            result.changes.append(_change(line, before, awarded))
    result.lines.sort(key=lambda line: line.number)
    result.changes.sort(key=lambda change: change["line"])
    result.errors.sort(key=lambda error: error["line"])
    return result


def apply(result, context_for):
    """Make the plan's changes, line by line (``context_for(params, usage_key)`` gives a
    ChunkContext in the line's activity)."""
    done = ChunkResult()
    for line in result.lines:
        params = {"reason": line.reason, "url": line.url, "text": line.text,
                  "visibility": line.visibility}
        done.add(APPLY[line.action](context_for(params, line.usage_key), [line.learner_id]))
    return done
