"""Reading the booking system's files: iCalendar (.ics) and CSV, into rows to import.

A file that cannot be read as a whole (not UTF-8, too large, no header, not
iCalendar) is refused and nothing is imported (`FileInvalid`). A row with a
missing or unreadable value is left out and reported, the CSV row by its
line, the event by its UID, date and summary; the other rows are imported.

The CSV layout (UTF-8, a header row, comma or semicolon separated; columns in any order):

    uid, date, time, duration, kind, email, first_name, last_name, date_of_birth, status, note

`uid` (the booking's own identifier), `date` (YYYY-MM-DD or DD/MM/YYYY) and `time` (HH:MM or H:MM,
also with a dot, the clinic's local time) are required; `duration` in minutes (30 if empty); `kind` one of first,
follow_up, results (first if empty); `status` "cancelled" cancels the visit; a patient is matched by
`email`, then by `first_name`, `last_name` and `date_of_birth`.

In an .ics file each VEVENT is a visit: UID, DTSTART (with a time zone, in UTC, or floating = the
clinic's time), DTEND or DURATION, STATUS:CANCELLED, the patient's email in ATTENDEE (mailto:) and
her name in its CN, her date of birth in X-PATIENT-BIRTHDATE (optional), the kind in CATEGORIES
(optional).
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..models import Visit
from .services import ImportReport, visits_import

MAX_FILE_BYTES = 2 * 1024 * 1024
DEFAULT_MINUTES = 30
KINDS = {
    "first": Visit.Kind.FIRST,
    "prima visita": Visit.Kind.FIRST,
    "follow_up": Visit.Kind.FOLLOW_UP,
    "follow-up": Visit.Kind.FOLLOW_UP,
    "controllo": Visit.Kind.FOLLOW_UP,
    "results": Visit.Kind.RESULTS,
    "result review": Visit.Kind.RESULTS,
    "referti": Visit.Kind.RESULTS,
}
CSV_REQUIRED = ("uid", "date", "time")
CSV_COLUMNS = (
    "uid",
    "date",
    "time",
    "duration",
    "kind",
    "email",
    "first_name",
    "last_name",
    "date_of_birth",
    "status",
    "note",
)


@dataclass(frozen=True)
class ImportRow:
    line: int
    uid: str
    starts_at: datetime
    duration_minutes: int
    kind: str
    email: str
    first_name: str
    last_name: str
    date_of_birth: date | None
    cancelled: bool
    note: str = ""
    # How the report names the row: "Line 4", or an event by its UID, date and summary.
    label: str = ""


@dataclass(frozen=True)
class Parsed:
    """A readable file's rows, and the rows left out, as (label, reason)."""

    rows: list[ImportRow]
    skipped: list[tuple[str, str]]


class FileInvalid(Exception):
    """The file cannot be read at all; `errors` lists (line, reason), line 0 for the whole file."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(errors)
        self.errors = errors


def _date(text: str) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


# "9:30", "09:30", "9.30", "09:30:00": the clinic's local time.
CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?")


def _time(text: str) -> time:
    match = CLOCK.fullmatch(text.strip())
    if not match:
        raise ValueError(text)
    return time(int(match[1]), int(match[2]), int(match[3] or 0))


def csv_label(line: int) -> str:
    return _("Line %(line)d") % {"line": line}


def event_label(event) -> str:
    """An event as the booking system shows it: its UID, start and summary, whatever is readable."""
    uid = str(event.get("UID") or "").strip() or _("without UID")
    start = event.get("DTSTART")
    when = ""
    if start is not None:
        value = getattr(start, "dt", start)
        if isinstance(value, datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            when = formats.date_format(value, "SHORT_DATETIME_FORMAT")
        elif isinstance(value, date):
            when = formats.date_format(value, "SHORT_DATE_FORMAT")
    summary = str(event.get("SUMMARY") or "").strip()[:80]
    parts = ", ".join(part for part in (when, f"\u201c{summary}\u201d" if summary else "") if part)
    label = _("Event %(uid)s") % {"uid": uid}
    return f"{label} ({parts})" if parts else label


def _kind(text: str) -> str:
    text = (text or "").strip().lower()
    if not text:
        return Visit.Kind.FIRST
    if text not in KINDS:
        raise ValueError(text)
    return KINDS[text]


def _aware(naive: datetime) -> datetime:
    """A local wall-clock time as an aware moment; a time skipped by the clocks going forward is refused."""
    aware = timezone.make_aware(naive)
    if timezone.localtime(aware.astimezone(UTC)).replace(tzinfo=None) != naive:
        raise ValueError(naive)
    return aware


def parse(name: str, content: bytes) -> Parsed:
    """The rows of a file, chosen by its name's extension (.ics or .csv), and those left out; raises
    FileInvalid when the file cannot be read at all."""
    if len(content) > MAX_FILE_BYTES:
        raise FileInvalid([(0, _("The file is larger than 2 MB."))])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileInvalid([(0, _("The file is not UTF-8 text."))]) from None
    lower = name.lower()
    if lower.endswith(".ics"):
        return parse_ics(text)
    if lower.endswith(".csv"):
        return parse_csv(text)
    raise FileInvalid([(0, _("Only .ics and .csv files can be imported."))])


def _unique(rows: list[ImportRow], skipped: list) -> list[ImportRow]:
    """The rows but a repeated UID's later ones, which are reported as left out."""
    seen, kept = {}, []
    for row in rows:
        if row.uid in seen:
            skipped.append((row.label, _("The same UID is on line %(line)d.") % {"line": seen[row.uid]}))
            continue
        seen[row.uid] = row.line
        kept.append(row)
    return kept


def parse_csv(text: str) -> Parsed:
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in CSV_REQUIRED if name not in header]
    if missing:
        raise FileInvalid([(1, _("The header has no column %(names)s.") % {"names": ", ".join(missing)})])
    reader.fieldnames = header
    rows, skipped = [], []
    for record in reader:
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in record.items() if key}
        if not any(values.values()):
            continue
        try:
            rows.append(_csv_row(line, values))
        except ValueError as exc:
            skipped.append((csv_label(line), str(exc.args[0]) if exc.args else _("unreadable row")))
    return Parsed(_unique(rows, skipped), skipped)


def _csv_row(line: int, values: dict) -> ImportRow:
    if not values.get("uid"):
        raise ValueError(_("the uid is missing"))
    try:
        day = _date(values.get("date", ""))
    except ValueError:
        raise ValueError(_("the date is not a date (YYYY-MM-DD)")) from None
    try:
        at = _time(values.get("time", ""))
    except ValueError:
        raise ValueError(_("the time is not a time (HH:MM)")) from None
    try:
        starts_at = _aware(datetime.combine(day, at))
    except ValueError:
        raise ValueError(_("this time does not exist on that day (the clocks go forward)")) from None
    duration = values.get("duration") or str(DEFAULT_MINUTES)
    if not duration.isdigit() or not 5 <= int(duration) <= 240:
        raise ValueError(_("the duration is not a number of minutes from 5 to 240"))
    try:
        kind = _kind(values.get("kind", ""))
    except ValueError:
        raise ValueError(_("the kind is not one of first, follow_up, results")) from None
    birth = values.get("date_of_birth", "")
    try:
        date_of_birth = _date(birth) if birth else None
    except ValueError:
        raise ValueError(_("the date of birth is not a date (YYYY-MM-DD)")) from None
    return ImportRow(
        line=line,
        uid=values["uid"][:255],
        starts_at=starts_at,
        duration_minutes=int(duration),
        kind=kind,
        email=values.get("email", "").lower(),
        first_name=values.get("first_name", "")[:150],
        last_name=values.get("last_name", "")[:150],
        date_of_birth=date_of_birth,
        cancelled=values.get("status", "").lower() in ("cancelled", "canceled", "annullata"),
        note=values.get("note", "")[:500],
        label=csv_label(line),
    )


def _event_lines(text: str) -> list[int]:
    """The line number of each BEGIN:VEVENT, in order (icalendar does not keep line numbers)."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().upper() == "BEGIN:VEVENT"
    ]


def parse_ics(text: str) -> Parsed:
    import icalendar

    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, IndexError, KeyError):
        raise FileInvalid([(0, _("The file is not a valid iCalendar file."))]) from None
    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    lines = _event_lines(text)
    if not events:
        raise FileInvalid([(0, _("The file has no events."))])
    rows, skipped = [], []
    for index, event in enumerate(events):
        line = lines[index] if index < len(lines) else 0
        try:
            rows.append(_ics_row(line, event))
        except (ValueError, TypeError, AttributeError) as exc:
            skipped.append((event_label(event), str(exc.args[0]) if exc.args else _("unreadable event")))
    return Parsed(_unique(rows, skipped), skipped)


def _ics_start(event) -> datetime:
    prop = event.get("DTSTART")
    if prop is None:
        raise ValueError(_("the event has no start (DTSTART)"))
    value = prop.dt
    if not isinstance(value, datetime):
        raise ValueError(_("the event has a date but no time"))
    if value.tzinfo is None:
        try:
            return _aware(value)
        except ValueError:
            raise ValueError(_("this time does not exist on that day (the clocks go forward)")) from None
    return value.astimezone(timezone.get_current_timezone())


def _ics_row(line: int, event) -> ImportRow:
    uid = str(event.get("UID") or "").strip()
    if not uid:
        raise ValueError(_("the event has no UID"))
    starts_at = _ics_start(event)
    minutes = DEFAULT_MINUTES
    if event.get("DTEND") is not None:
        end = event.get("DTEND").dt
        if not isinstance(end, datetime):
            raise ValueError(_("the event's end has no time"))
        if end.tzinfo is None:
            end = timezone.make_aware(end)
        minutes = int((end - starts_at).total_seconds() // 60)
    elif event.get("DURATION") is not None:
        duration = event.get("DURATION").dt
        if not isinstance(duration, timedelta):
            raise ValueError(_("the event's duration is unreadable"))
        minutes = int(duration.total_seconds() // 60)
    if not 5 <= minutes <= 240:
        raise ValueError(_("the event lasts less than 5 minutes or more than 4 hours"))
    email, name = "", ""
    attendees = event.get("ATTENDEE")
    if attendees is not None:
        attendee = attendees[0] if isinstance(attendees, list) else attendees
        address = str(attendee)
        if address.lower().startswith("mailto:"):
            email = address[len("mailto:") :].strip().lower()
        name = str(attendee.params.get("CN", "")).strip()
    first_name, _sep, last_name = name.partition(" ")
    birth = event.get("X-PATIENT-BIRTHDATE")
    try:
        date_of_birth = _date(str(birth)) if birth else None
    except ValueError:
        raise ValueError(_("the date of birth is not a date (YYYY-MM-DD)")) from None
    categories = event.get("CATEGORIES")
    kind_text = ""
    if categories is not None:
        first = categories[0] if isinstance(categories, list) else categories
        kind_text = str(first.cats[0]) if getattr(first, "cats", None) else ""
    try:
        kind = _kind(kind_text)
    except ValueError:
        kind = Visit.Kind.FIRST
    return ImportRow(
        line=line,
        uid=uid[:255],
        starts_at=starts_at,
        duration_minutes=minutes,
        kind=kind,
        email=email,
        first_name=first_name[:150],
        last_name=last_name[:150],
        date_of_birth=date_of_birth,
        cancelled=str(event.get("STATUS") or "").upper() == "CANCELLED",
        label=event_label(event),
    )


# --- Importing a file, for the command and the upload page ---


def import_report_lines(report: ImportReport) -> list[str]:
    """The import's outcome in words, for the page and the command."""
    lines = []
    if report.errors:
        lines.append(_("The file was not imported; nothing was saved. Correct it and import it again:"))
        lines.extend(
            (_("Line %(line)d: %(reason)s") % {"line": line, "reason": reason}) if line else reason
            for line, reason in report.errors
        )
        return lines
    lines.append(
        _(
            "%(created)d new visits, %(updated)d changed, %(unchanged)d already up to date, %(invited)d patients invited to sign up."
        )
        % {
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "invited": report.invited,
        }
    )
    for where, reason in report.unmatched:
        lines.append(_("%(where)s not imported: %(reason)s") % {"where": where, "reason": reason})
    for where, reason in report.warnings:
        lines.append(_("%(where)s: %(reason)s") % {"where": where, "reason": reason})
    return lines


def import_file(name: str, content: bytes, *, actor=None) -> ImportReport:
    """Parse and import a file: an unreadable one gives a report of why and saves nothing; otherwise
    its good rows are imported and the rows left out are reported by line or event."""
    try:
        parsed = parse(name, content)
    except FileInvalid as invalid:
        return ImportReport(errors=invalid.errors)
    report = visits_import(parsed.rows, actor=actor)
    # The rows left out come first, in file order, before those that found no patient.
    report.unmatched[:0] = parsed.skipped
    return report
