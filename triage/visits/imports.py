"""Reading the booking system's files: iCalendar (.ics) and CSV, into rows to import.

A file that cannot be read, or that has a row with a missing or unreadable
value, is invalid as a whole: every such row is reported with its line and
reason, and nothing is imported (`FileInvalid`).

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
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

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
    # Why the row cannot be given to anyone (several possible patients in an event); reported, not imported.
    problem: str = ""


class FileInvalid(Exception):
    """The file cannot be imported; `errors` lists (line, reason), line 0 for the whole file."""

    def __init__(self, errors: list[tuple[int, str]]):
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
    """`moment` if its year is a plausible one; ValueError (with the report's words) otherwise."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None or not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(
            _("the date is outside the years %(first)d to %(last)d")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
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


def parse(name: str, content: bytes, *, allow_empty: bool = False) -> list[ImportRow]:
    """The rows of a file, chosen by its name's extension (.ics or .csv); raises FileInvalid.

    An uploaded calendar without events is a mistake; a published one (`allow_empty`) may simply
    have no bookings.
    """
    if len(content) > MAX_FILE_BYTES:
        raise FileInvalid([(0, _("The file is larger than 2 MB."))])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileInvalid([(0, _("The file is not UTF-8 text."))]) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FileInvalid([(line, _("the line holds a NUL character: the file is damaged or not text"))])
    lower = name.lower()
    if lower.endswith(".ics"):
        return parse_ics(text, allow_empty=allow_empty)
    if lower.endswith(".csv"):
        return parse_csv(text)
    raise FileInvalid([(0, _("Only .ics and .csv files can be imported."))])


def _check_unique(rows: list[ImportRow], errors: list) -> None:
    seen = {}
    for row in rows:
        if row.uid in seen:
            errors.append((row.line, _("The same UID is on line %(line)d.") % {"line": seen[row.uid]}))
        seen.setdefault(row.uid, row.line)


def parse_csv(text: str) -> list[ImportRow]:
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in CSV_REQUIRED if name not in header]
    if missing:
        raise FileInvalid([(1, _("The header has no column %(names)s.") % {"names": ", ".join(missing)})])
    reader.fieldnames = header
    rows, errors = [], []
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error:
            # A field over the csv module's limit (128 KB), or quoting it cannot follow: the rest is unreadable.
            errors.append(
                (reader.line_num, _("the line cannot be read (a field is too long or badly quoted)"))
            )
            break
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in record.items() if key}
        if not any(values.values()):
            continue
        try:
            rows.append(_csv_row(line, values))
        except ValueError as exc:
            errors.append((line, str(exc.args[0]) if exc.args else _("unreadable row")))
    _check_unique(rows, errors)
    if errors:
        raise FileInvalid(errors)
    return rows


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
    except OverflowError:
        raise ValueError(_("the date is not a date (YYYY-MM-DD)")) from None
    except ValueError:
        raise ValueError(_("this time does not exist on that day (the clocks go forward)")) from None
    duration = values.get("duration") or str(DEFAULT_VISIT_MINUTES)
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
    )


def _event_lines(text: str) -> list[int]:
    """The line number of each BEGIN:VEVENT, in order (icalendar does not keep line numbers)."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().upper() == "BEGIN:VEVENT"
    ]


def parse_ics(text: str, *, allow_empty: bool = False) -> list[ImportRow]:
    import icalendar

    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, IndexError, KeyError):
        raise FileInvalid([(0, _("The file is not a valid iCalendar file."))]) from None
    from patients.models import User

    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    staff = set(User.objects.filter(is_staff=True).values_list("email", flat=True))
    lines = _event_lines(text)
    rows, errors = [], []
    for index, event in enumerate(events):
        line = lines[index] if index < len(lines) else 0
        try:
            rows.append(_ics_row(line, event, staff))
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            errors.append((line, str(exc.args[0]) if exc.args else _("unreadable event")))
    if not events and not errors and not allow_empty:
        errors.append((0, _("The file has no events.")))
    _check_unique(rows, errors)
    if errors:
        raise FileInvalid(errors)
    return rows


def _ics_start(event) -> datetime:
    prop = event.get("DTSTART")
    if prop is None:
        raise ValueError(_("the event has no start (DTSTART)"))
    value = prop.dt
    if not isinstance(value, datetime):
        raise ValueError(_("the event has a date but no time"))
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(
            _("the date is outside the years %(first)d to %(last)d")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    if value.tzinfo is None:
        try:
            return _aware(value)
        except ValueError:
            raise ValueError(_("this time does not exist on that day (the clocks go forward)")) from None
    return _in_range(value).astimezone(timezone.get_current_timezone())


def _ics_row(line: int, event, staff: set[str] = frozenset()) -> ImportRow:
    uid = str(event.get("UID") or "").strip()
    if not uid:
        raise ValueError(_("the event has no UID"))
    starts_at = _ics_start(event)
    minutes = DEFAULT_VISIT_MINUTES
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
    email, name, problem = _patient_attendee(event, staff)
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
        problem=problem,
    )


def _mailto(value) -> str:
    address = str(value or "").strip()
    return address[len("mailto:") :].strip().lower() if address.lower().startswith("mailto:") else ""


def _patient_attendee(event, staff: set[str]) -> tuple[str, str, str]:
    """(email, name, problem) of the event's patient among its ATTENDEEs.

    The organiser and a chair (the doctor, a receptionist) are never the patient, nor is any staff
    account's address; of the others, exactly one must be left, or the event is reported and
    imported for nobody.
    """
    attendees = event.get("ATTENDEE")
    if attendees is None:
        return "", "", ""
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
        return "", "", str(_("the event has several attendees who could be the patient"))
    return (*people[0], "") if people else ("", "", "")
