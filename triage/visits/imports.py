"""Reading the booking system's files: iCalendar (.ics) and CSV, into rows to import.

A file that cannot be read as a whole (too large, not UTF-8 text, damaged, without the CSV header's
required columns, not iCalendar, without events) is refused and nothing is imported (`FileInvalid`).
A row with a missing or unreadable value, or a UID that another row repeats, is left out and
reported (`ImportRow.problem`) while the other rows are imported. What the report says is data: an
`Issue` holds an `ImportReason` code and the row's place (a CSV line, or an event's UID, date and
summary); `triage.visits.presenters` words it in the reader's language.

The CSV layout (UTF-8, a header row, comma or semicolon separated; columns in any order):

    uid, date, time, duration, kind, email, first_name, last_name, date_of_birth, status, note

`uid` (the booking's own identifier), `date` (YYYY-MM-DD or DD/MM/YYYY) and `time` (HH:MM, the
clinic's local time) are required; `duration` in minutes (30 if empty); `kind` one of first,
follow_up, results (first if empty); `status` "cancelled" cancels the visit; a patient is matched by
`email`, then by `first_name`, `last_name` and `date_of_birth`.

In an .ics file each VEVENT is a visit: UID, DTSTART (with a time zone, in UTC, or floating = the
clinic's time), DTEND or DURATION, STATUS:CANCELLED, the patient's email in ATTENDEE (mailto:) and
her name in its CN, her date of birth in X-PATIENT-BIRTHDATE (optional), the kind in CATEGORIES
(optional).
"""

import csv
import dataclasses
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import DEFAULT_VISIT_MINUTES, Visit

MAX_FILE_BYTES = 2 * 1024 * 1024
# Dates outside these years are typing errors (and some overflow in time-zone arithmetic).
FIRST_YEAR, LAST_YEAR = 1900, 2999
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


class ImportReason(models.TextChoices):
    """Why a file, or one of its rows, was not imported (or imported with a warning): the one home of
    the import report's reasons, worded by the presenters in the reader's language."""

    # The whole file: nothing is saved.
    TOO_LARGE = "too_large", _("The file is larger than 2 MB.")
    NOT_UTF8 = "not_utf8", _("The file is not UTF-8 text.")
    NUL = "nul", _("the line holds a NUL character: the file is damaged or not text")
    WRONG_TYPE = "wrong_type", _("Only .ics and .csv files can be imported.")
    MISSING_COLUMNS = "missing_columns", _("The header has no column %(names)s.")
    DAMAGED_CSV = "damaged_csv", _("the line cannot be read (a field is too long or badly quoted)")
    NOT_ICALENDAR = "not_icalendar", _("The file is not a valid iCalendar file.")
    NO_EVENTS = "no_events", _("The file has no events.")
    # One row: left out, the others imported.
    DUPLICATE_UID = "duplicate_uid", _("The same UID is on line %(line)d.")
    DUPLICATE_EVENT = "duplicate_event", _("another event in the file has the same UID")
    NO_UID = "no_uid", _("the uid is missing")
    BAD_DATE = "bad_date", _("the date is not a date (YYYY-MM-DD)")
    YEAR_RANGE = "year_range", _("the date is outside the years %(first)d to %(last)d")
    BAD_TIME = "bad_time", _("the time is not a time (HH:MM)")
    SKIPPED_TIME = "skipped_time", _("this time does not exist on that day (the clocks go forward)")
    BAD_DURATION = "bad_duration", _("the duration is not a number of minutes from 5 to 240")
    BAD_KIND = "bad_kind", _("the kind is not one of first, follow_up, results")
    BAD_BIRTH_DATE = "bad_birth_date", _("the date of birth is not a date (YYYY-MM-DD)")
    NO_EVENT_UID = "no_event_uid", _("the event has no UID")
    NO_START = "no_start", _("the event has no start (DTSTART)")
    DATE_ONLY = "date_only", _("the event has a date but no time")
    END_DATE_ONLY = "end_date_only", _("the event's end has no time")
    BAD_EVENT_DURATION = "bad_event_duration", _("the event's duration is unreadable")
    EVENT_LENGTH = "event_length", _("the event lasts less than 5 minutes or more than 4 hours")
    UNREADABLE_EVENT = "unreadable_event", _("unreadable event")
    # Read, but given to nobody (`triage.visits.matching`).
    SEVERAL_ATTENDEES = "several_attendees", _("the event has several attendees who could be the patient")
    STAFF_EMAIL = "staff_email", _("this email belongs to a staff account")
    CLOSED_ACCOUNT = "closed_account", _("the patient has closed her account")
    SEVERAL_PATIENTS = "several_patients", _("more than one patient has this name and date of birth")
    NO_PATIENT = "no_patient", _("no patient with this email, or with this name and date of birth")
    # Imported, with a warning.
    OVERLAP = "overlap", _("overlaps another visit of the same patient")


class Issue(NamedTuple):
    """A reason of the report and where it applies, as plain values (a list of them is JSON-ready:
    `Issue(*stored)` reads one back).

    A CSV row is named by its `line`; an .ics event (`event`) by its UID, the ISO date it starts on
    and its summary, never by a line of the file; line 0 and no event is the whole file.
    """

    reason: str
    line: int = 0
    uid: str = ""
    day: str = ""
    summary: str = ""
    # A value the reason's words need: the other line of a repeated UID, the missing columns.
    detail: str = ""
    event: bool = False


@dataclass(frozen=True)
class ImportRow:
    line: int
    uid: str
    starts_at: datetime | None = None
    duration_minutes: int = DEFAULT_VISIT_MINUTES
    kind: str = Visit.Kind.FIRST
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    cancelled: bool = False
    note: str = ""
    # Why the row is reported and not imported: unreadable (no `starts_at`: then nothing else on the
    # row is to be trusted), or readable but given to nobody (several possible patients in an event).
    problem: Issue | None = None
    # An .ics event: named in the report by its UID, date and summary.
    event: bool = False
    summary: str = ""
    day: str = ""

    @property
    def readable(self) -> bool:
        return self.starts_at is not None

    def issue(self, reason: str, detail: str = "") -> Issue:
        day = self.day or (timezone.localdate(self.starts_at).isoformat() if self.starts_at else "")
        if self.event:
            return Issue(reason, uid=self.uid, day=day, summary=self.summary, detail=detail, event=True)
        return Issue(reason, line=self.line, detail=detail)


class RowInvalid(ValueError):
    """A row cannot be read; `reason` is an ImportReason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class FileInvalid(Exception):
    """The file cannot be imported; `errors` lists `Issue`s (line 0: the whole file)."""

    def __init__(self, errors: list[Issue]):
        super().__init__(errors)
        self.errors = errors


def _date(text: str) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if FIRST_YEAR <= day.year <= LAST_YEAR:
            return day
    raise ValueError(text)


def _in_range(moment: datetime) -> datetime:
    """`moment` if its year is a plausible one; RowInvalid otherwise."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None or not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise RowInvalid(ImportReason.YEAR_RANGE)
    return moment


# "9:30", "09:30", "9.30", "09:30:00": the clinic's local time.
CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?")


def _time(text: str) -> time:
    match = CLOCK.fullmatch(text.strip())
    if not match:
        raise ValueError(text)
    return time(int(match[1]), int(match[2]), int(match[3] or 0))


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


def _shown(text: str, limit: int) -> str:
    """A value from the file as the report may show it: one line, no control characters, cut."""
    text = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in str(text))
    return " ".join(text.split())[:limit]


def parse(name: str, content: bytes, *, allow_empty: bool = False) -> list[ImportRow]:
    """The rows of a file, chosen by its name's extension (.ics or .csv); raises FileInvalid when the
    file cannot be read as a whole. A row it cannot read is among them with its `problem`.

    An uploaded calendar without events is a mistake; a published one (`allow_empty`) may simply
    have no bookings.
    """
    if len(content) > MAX_FILE_BYTES:
        raise FileInvalid([Issue(ImportReason.TOO_LARGE)])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileInvalid([Issue(ImportReason.NOT_UTF8)]) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FileInvalid([Issue(ImportReason.NUL, line=line)])
    lower = name.lower()
    if lower.endswith(".ics"):
        return parse_ics(text, allow_empty=allow_empty)
    if lower.endswith(".csv"):
        return parse_csv(text)
    raise FileInvalid([Issue(ImportReason.WRONG_TYPE)])


def _unique(rows: list[ImportRow]) -> list[ImportRow]:
    """The rows, those whose UID another row repeats left out: the file says two things of one booking."""
    places: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        if row.uid:
            places.setdefault(row.uid, []).append(index)
    checked = []
    for index, row in enumerate(rows):
        others = [rows[other].line for other in places.get(row.uid, ()) if other != index]
        if others and row.readable:
            if row.event:
                problem = row.issue(ImportReason.DUPLICATE_EVENT)
            else:
                problem = row.issue(ImportReason.DUPLICATE_UID, str(others[0]))
            row = ImportRow(line=row.line, uid=row.uid, problem=problem, event=row.event, summary=row.summary)
        checked.append(row)
    return checked


def parse_csv(text: str) -> list[ImportRow]:
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in CSV_REQUIRED if name not in header]
    if missing:
        raise FileInvalid([Issue(ImportReason.MISSING_COLUMNS, line=1, detail=", ".join(missing))])
    reader.fieldnames = header
    rows = []
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error:
            # A field over the csv module's limit (128 KB), or quoting it cannot follow: the rest of the
            # file cannot be told apart into rows, so the file is damaged as a whole.
            raise FileInvalid([Issue(ImportReason.DAMAGED_CSV, line=reader.line_num)]) from None
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in record.items() if key}
        if not any(values.values()):
            continue
        try:
            rows.append(_csv_row(line, values))
        except RowInvalid as invalid:
            uid = values.get("uid", "")[:255]
            rows.append(ImportRow(line=line, uid=uid, problem=Issue(invalid.reason, line=line)))
    return _unique(rows)


def _csv_row(line: int, values: dict) -> ImportRow:
    if not values.get("uid"):
        raise RowInvalid(ImportReason.NO_UID)
    try:
        day = _date(values.get("date", ""))
    except ValueError:
        raise RowInvalid(ImportReason.BAD_DATE) from None
    try:
        at = _time(values.get("time", ""))
    except ValueError:
        raise RowInvalid(ImportReason.BAD_TIME) from None
    try:
        starts_at = _aware(datetime.combine(day, at))
    except OverflowError:
        raise RowInvalid(ImportReason.BAD_DATE) from None
    except ValueError:
        raise RowInvalid(ImportReason.SKIPPED_TIME) from None
    duration = values.get("duration") or str(DEFAULT_VISIT_MINUTES)
    if not duration.isdigit() or not 5 <= int(duration) <= 240:
        raise RowInvalid(ImportReason.BAD_DURATION)
    try:
        kind = _kind(values.get("kind", ""))
    except ValueError:
        raise RowInvalid(ImportReason.BAD_KIND) from None
    birth = values.get("date_of_birth", "")
    try:
        date_of_birth = _date(birth) if birth else None
    except ValueError:
        raise RowInvalid(ImportReason.BAD_BIRTH_DATE) from None
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
    )


def _event_lines(text: str) -> list[int]:
    """The line number of each BEGIN:VEVENT, in order (icalendar does not keep line numbers)."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().upper() == "BEGIN:VEVENT"
    ]


def _event_day(event) -> str:
    """The ISO date an event starts on in the clinic's time, whatever of it is readable; "" otherwise."""
    try:
        value = event.get("DTSTART").dt
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = timezone.localtime(value)
            value = value.date()
        return value.isoformat() if isinstance(value, date) else ""
    except (AttributeError, TypeError, ValueError, OverflowError):
        return ""


def parse_ics(text: str, *, allow_empty: bool = False) -> list[ImportRow]:
    import icalendar

    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, IndexError, KeyError):
        raise FileInvalid([Issue(ImportReason.NOT_ICALENDAR)]) from None
    from patients.models import User

    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    if not events and not allow_empty:
        raise FileInvalid([Issue(ImportReason.NO_EVENTS)])
    staff = set(User.objects.filter(is_staff=True).values_list("email", flat=True))
    lines = _event_lines(text)
    rows = []
    for index, event in enumerate(events):
        line = lines[index] if index < len(lines) else 0
        uid = _shown(event.get("UID") or "", 255)
        summary = _shown(event.get("SUMMARY") or "", 80)
        try:
            rows.append(_ics_row(line, event, staff, uid=uid, summary=summary))
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            reason = exc.reason if isinstance(exc, RowInvalid) else ImportReason.UNREADABLE_EVENT
            day = _event_day(event)
            problem = Issue(reason, uid=uid, day=day, summary=summary, event=True)
            rows.append(ImportRow(line=line, uid=uid, problem=problem, event=True, summary=summary, day=day))
    return _unique(rows)


def _ics_start(event) -> datetime:
    prop = event.get("DTSTART")
    if prop is None:
        raise RowInvalid(ImportReason.NO_START)
    value = prop.dt
    if not isinstance(value, datetime):
        raise RowInvalid(ImportReason.DATE_ONLY)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise RowInvalid(ImportReason.YEAR_RANGE)
    if value.tzinfo is None:
        try:
            return _aware(value)
        except ValueError:
            raise RowInvalid(ImportReason.SKIPPED_TIME) from None
    return _in_range(value).astimezone(timezone.get_current_timezone())


def _ics_row(
    line: int, event, staff: set[str] = frozenset(), *, uid: str = "", summary: str = ""
) -> ImportRow:
    uid = uid or _shown(event.get("UID") or "", 255)
    if not uid:
        raise RowInvalid(ImportReason.NO_EVENT_UID)
    starts_at = _ics_start(event)
    minutes = DEFAULT_VISIT_MINUTES
    if event.get("DTEND") is not None:
        end = event.get("DTEND").dt
        if not isinstance(end, datetime):
            raise RowInvalid(ImportReason.END_DATE_ONLY)
        if end.tzinfo is None:
            end = timezone.make_aware(end)
        minutes = int((end - starts_at).total_seconds() // 60)
    elif event.get("DURATION") is not None:
        duration = event.get("DURATION").dt
        if not isinstance(duration, timedelta):
            raise RowInvalid(ImportReason.BAD_EVENT_DURATION)
        minutes = int(duration.total_seconds() // 60)
    if not 5 <= minutes <= 240:
        raise RowInvalid(ImportReason.EVENT_LENGTH)
    email, name, several = _patient_attendee(event, staff)
    first_name, _sep, last_name = name.partition(" ")
    birth = event.get("X-PATIENT-BIRTHDATE")
    try:
        date_of_birth = _date(str(birth)) if birth else None
    except ValueError:
        raise RowInvalid(ImportReason.BAD_BIRTH_DATE) from None
    categories = event.get("CATEGORIES")
    kind_text = ""
    if categories is not None:
        first = categories[0] if isinstance(categories, list) else categories
        kind_text = str(first.cats[0]) if getattr(first, "cats", None) else ""
    try:
        kind = _kind(kind_text)
    except ValueError:
        kind = Visit.Kind.FIRST
    row = ImportRow(
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
        event=True,
        summary=summary,
    )
    if several:
        return dataclasses.replace(row, problem=row.issue(ImportReason.SEVERAL_ATTENDEES))
    return row


def _mailto(value) -> str:
    address = str(value or "").strip()
    return address[len("mailto:") :].strip().lower() if address.lower().startswith("mailto:") else ""


def _patient_attendee(event, staff: set[str]) -> tuple[str, str, bool]:
    """(email, name, several) of the event's patient among its ATTENDEEs.

    The organiser and a chair (the doctor, a receptionist) are never the patient, nor is any staff
    account's address; of the others, exactly one must be left, or (`several`) the event is
    reported and imported for nobody.
    """
    attendees = event.get("ATTENDEE")
    if attendees is None:
        return "", "", False
    attendees = attendees if isinstance(attendees, list) else [attendees]
    organiser = _mailto(event.get("ORGANIZER"))
    people = []
    for attendee in attendees:
        params = getattr(attendee, "params", {})
        if str(params.get("ROLE", "")).upper() == "CHAIR":
            continue
        if str(params.get("CUTYPE", "INDIVIDUAL")).upper() not in ("INDIVIDUAL", ""):
            continue
        email = _mailto(attendee)
        if email and email == organiser:
            continue
        people.append((email, str(params.get("CN", "")).strip()))
    people = [(email, name) for email, name in people if email not in staff]
    if len(people) > 1:
        return "", "", True
    return (*people[0], False) if people else ("", "", False)
