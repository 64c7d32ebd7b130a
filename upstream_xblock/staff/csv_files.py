"""CSV out and in: the progress table's filter exported (streamed), overrides and notes imported."""

import csv
import io
from dataclasses import dataclass, field

from ..forges.snapshot import is_text
from ..i18n import gettext_noop as _
from ..i18n import ngettext_noop, translated
from ..models import ContributionAward, TrackedContribution
from . import annotations, audit
from .bulk import ACTIONS as APPLY
from .bulk import ChunkResult
from .progress import learners, matching_learners, verdict_of

CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = ("username", "anonymous_id", "url", "forge", "host", "repository", "title",
                  "state", "verdict", "checks", "registered_at", "merged_at", "counted",
                  "awarded_at", "award_published", "annotations", "staff_actions")


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
                annotations.as_text(notes.get(learner, [])), _actions(actions.get(learner, []))))


MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 5000
MAX_REASON = 500
IMPORT_COLUMNS = ("username", "action", "url", "reason", "text", "visibility")
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


@dataclass
class Plan:
    lines: list = field(default_factory=list)  # valid Lines
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)


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
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        errors.add(1, "", _("The file is empty: the first line names the columns."))
        return None
    unknown = [name for name in header if name not in IMPORT_COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        errors.add(1, ", ".join(unknown or missing) or "",
                   _("The first line names the columns: %(columns)s (username and action are "
                     "required; each once)."), columns=", ".join(IMPORT_COLUMNS))
        return None
    return header


def _parse_line(number, cells, header, errors):
    if len(cells) != len(header):
        errors.add(number, "", ngettext_noop("This line has %(found)s cell; the header has "
                                             "%(expected)s.", "This line has %(found)s cells; "
                                             "the header has %(expected)s.", "found"),
                   found=len(cells), expected=len(header))
        return None
    before = len(errors.items)
    values = {name: _cell(value, number, name, errors)
              for name, value in zip(header, cells, strict=True)}
    if len(errors.items) != before:
        return None
    line = Line(number=number, username=values.get("username") or "",
                action=(values.get("action") or "").lower(), url=values.get("url") or "",
                reason=values.get("reason") or "", text=values.get("text") or "",
                visibility=(values.get("visibility") or "mentors").lower())
    if not line.username:
        errors.add(number, "username", _("Give the learner's user name."))
    if line.action not in ACTIONS:
        errors.add(number, "action", _("The action is accept, revoke or annotate."))
    elif line.action in ("accept", "revoke") and not line.reason:
        errors.add(number, "reason", _("Give a reason for this %(action)s."), action=line.action)
    if len(line.reason) > MAX_REASON:
        errors.add(number, "reason", _("A reason is at most 500 characters long."))
    if line.action == "annotate":
        if not line.text:
            errors.add(number, "text", _("Write the annotation's text."))
        elif len(line.text) > annotations.MAX_TEXT:
            errors.add(number, "text", _("An annotation is at most 2000 characters long."))
        if line.visibility not in annotations.VISIBILITIES:
            errors.add(number, "visibility", _('Visibility is "learner" or "mentors".'))
    return None if len(errors.items) != before else line


def _lines(text, errors):
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _read_header(reader, errors)
    if header is None:
        return []
    lines = []
    try:
        for cells in reader:
            number = reader.line_num
            if number > MAX_LINES + 1:
                errors.add(number, "", _("An import takes at most 5000 lines."))
                break
            if not any(cell.strip() for cell in cells):
                continue
            line = _parse_line(number, cells, header, errors)
            if line is not None:
                lines.append(line)
    except csv.Error as error:
        errors.add(reader.line_num, "", _("This line is not valid CSV: %(error)s"),
                   error=str(error))
    return lines


def _resolve(usage_key, lines, username, now, errors):
    """Learner ids, verdicts, records and awards of the file's learners (two queries)."""
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
        line.learner_id = row["learner_id"]
        if line.url and (line.learner_id, line.url) not in urls:
            errors.add(line.number, "url", _("This learner has not registered this "
                                             "contribution here."))
            continue
        valid.append((line, verdict_of(row), row["awarded"]))
    return valid


def _change(line, before, awarded):
    after = {"accept": "accepted",
             "revoke": "rejected" if awarded else before}.get(line.action, before)
    noop = (line.action == "accept" and awarded) or (line.action == "revoke" and not awarded)
    return {"line": line.number, "action": line.action, "username": line.username,
            "learner_id": line.learner_id, "url": line.url,
            "reason": line.text if line.action == "annotate" else line.reason,
            "visibility": line.visibility if line.action == "annotate" else "",
            "before": before, "after": after, "no_change": noop}


def plan(usage_key, text, username, now, gettext=lambda text: text):
    """Check every line; the changes the good lines make and every bad line's errors."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ImportTooLarge()
    if not is_text(text):
        raise ImportNotText()
    errors = _Errors(gettext)
    lines = _lines(text.lstrip("\ufeff"), errors)
    result = Plan(errors=errors.items)
    for line, before, awarded in _resolve(usage_key, lines, username, now, errors):
        result.lines.append(line)
        result.changes.append(_change(line, before, awarded))
    result.errors.sort(key=lambda error: error["line"])
    return result


def apply(result, context_for):
    """Make the plan's changes, line by line (``context_for(params)`` gives a ChunkContext)."""
    done = ChunkResult()
    for line in result.lines:
        params = {"reason": line.reason, "url": line.url, "text": line.text,
                  "visibility": line.visibility}
        done.add(APPLY[line.action](context_for(params), [line.learner_id]))
    return done
