"""Imports from the booking system: .ics and .csv, good, moved, unmatched and malformed rows, twice."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from tests.factories import make_patient
from tests.test_support import run_tasks
from triage.models import Visit, VisitInvitation
from triage.visits.imports import FileInvalid, import_file, import_report_lines, parse

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2027, 3, 20, 9, 0, tzinfo=ROME)
# The Sunday the clocks go forward: 09:00 there is 07:00 UTC.
SPRING_FORWARD = date(2027, 3, 28)


@pytest.fixture(autouse=True)
def clock():
    """A fixed moment a week before the spring clock change, and the reports in English."""
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def patients(db):
    return {
        "maria": make_patient(email="maria@example.com", first_name="Maria", last_name="Rossi"),
        "anna": make_patient(
            email="anna@example.com", first_name="Anna", last_name="Verdi", date_of_birth=date(1985, 6, 1)
        ),
    }


def ics(*events: str) -> bytes:
    body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Booking//EN", *events, "END:VCALENDAR"])
    return (body + "\r\n").encode()


def event(uid, start, *, end=None, attendee=None, extra=()) -> str:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTART;TZID=Europe/Rome:{start}",
        f"DTEND;TZID=Europe/Rome:{end or start[:-4] + '0930'}",
    ]
    if attendee:
        lines.append(attendee)
    lines.extend(extra)
    lines.append("END:VEVENT")
    return "\r\n".join(lines)


GOOD_ICS = ics(
    event("ev-1", "20270328T090000", attendee="ATTENDEE;CN=Maria Rossi:mailto:MARIA@example.com"),
    event(
        "ev-2",
        "20270329T110000",
        end="20270329T113000",
        attendee="ATTENDEE;CN=Anna Verdi:mailto:old-address@example.org",
        extra=["X-PATIENT-BIRTHDATE:1985-06-01", "CATEGORIES:follow_up"],
    ),
    event("ev-3", "20270330T100000", attendee="ATTENDEE;CN=Nuova Paziente:mailto:nuova@example.com"),
    event("ev-4", "20270330T120000", attendee="ATTENDEE;CN=Senza Email:"),
)


def test_an_ics_file_imports_matched_patients_invites_new_ones_and_reports_the_rest(patients):
    report = import_file("export.ics", GOOD_ICS)
    run_tasks()

    assert (report.created, report.updated, report.unchanged, report.invited) == (3, 0, 0, 1)
    assert report.unmatched == [
        ("Event ev-4 (30/03/2027 12:00)", "no patient with this email, or with this name and date of birth")
    ]
    first = Visit.objects.get(uid="ev-1")
    assert first.patient == patients["maria"]
    assert first.starts_at == datetime(2027, 3, 28, 7, 0, tzinfo=ZoneInfo("UTC"))
    by_name = Visit.objects.get(uid="ev-2")
    assert (by_name.patient, by_name.kind, by_name.duration_minutes) == (patients["anna"], "follow_up", 30)
    invited = Visit.objects.get(uid="ev-3")
    assert invited.patient is None
    assert invited.invitation.email == "nuova@example.com"
    assert sorted(email.to[0] for email in mail.outbox) == [
        "anna@example.com",
        "maria@example.com",
        "nuova@example.com",
    ]


def test_importing_the_same_ics_twice_creates_nothing_new(patients):
    import_file("export.ics", GOOD_ICS)
    run_tasks()
    sent = len(mail.outbox)

    again = import_file("export.ics", GOOD_ICS)
    run_tasks()

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Visit.objects.count() == 3
    assert VisitInvitation.objects.count() == 1
    assert len(mail.outbox) == sent


def test_a_moved_or_cancelled_event_updates_its_visit(patients):
    import_file("export.ics", GOOD_ICS)
    moved = ics(
        event("ev-1", "20270331T150000", end="20270331T154500", attendee="ATTENDEE:mailto:maria@example.com"),
        event("ev-2", "20270329T110000", end="20270329T113000", extra=["STATUS:CANCELLED"]),
    )

    report = import_file("export.ics", moved)

    assert (report.created, report.updated) == (0, 2)
    visit = Visit.objects.get(uid="ev-1")
    assert timezone.localtime(visit.starts_at).replace(tzinfo=None) == datetime(2027, 3, 31, 15, 0)
    assert visit.duration_minutes == 45
    assert Visit.objects.get(uid="ev-2").state == Visit.State.CANCELLED


def test_a_malformed_event_is_named_by_its_uid_date_and_summary_and_the_others_are_imported(patients):
    broken = ics(
        event("ev-1", "20270328T090000", attendee="ATTENDEE:mailto:maria@example.com"),
        "\r\n".join(
            [
                "BEGIN:VEVENT",
                "UID:ev-bad",
                "SUMMARY:Visita Rossi",
                "DTSTART;VALUE=DATE:20270401",
                "END:VEVENT",
            ]
        ),
        "\r\n".join(["BEGIN:VEVENT", "DTSTART:20270401T100000Z", "END:VEVENT"]),
    )

    report = import_file("export.ics", broken)

    assert report.saved
    assert report.unmatched == [
        ("Event ev-bad (01/04/2027, \u201cVisita Rossi\u201d)", "the event has a date but no time"),
        ("Event without UID (01/04/2027 12:00)", "the event has no UID"),
    ]
    assert list(Visit.objects.values_list("uid", flat=True)) == ["ev-1"]
    lines = import_report_lines(report)
    assert (
        "Event ev-bad (01/04/2027, \u201cVisita Rossi\u201d) not imported: the event has a date but no time"
        in lines
    )
    assert not any(line.startswith("Line ") for line in lines)


@pytest.mark.parametrize(
    "content",
    [b"not a calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", b"\xff\xfe\x00garbage"],
    ids=["text", "no-events", "not-utf8"],
)
def test_an_unreadable_ics_is_refused_with_a_reason(db, content):
    with pytest.raises(FileInvalid) as invalid:
        parse("export.ics", content)
    assert invalid.value.errors[0][0] == 0


CSV = (
    "uid;date;time;duration;kind;email;first_name;last_name;date_of_birth;status;note\n"
    "c-1;2027-03-28;09:00;30;first;maria@example.com;;;;;\n"
    "c-2;29/03/2027;11:15;20;results;;Anna;Verdi;1985-06-01;;porta esami\n"
    "c-3;2027-03-30;10:00;;;;Ignota;Persona;1970-01-01;;\n"
)


def test_a_csv_file_imports_twice_as_once_and_reports_unmatched_lines(patients):
    report = import_file("export.csv", CSV.encode())
    again = import_file("export.csv", CSV.encode())

    assert (report.created, report.unmatched) == (
        2,
        [("Line 4", "no patient with this email, or with this name and date of birth")],
    )
    assert (again.created, again.unchanged, again.unmatched) == (0, 2, report.unmatched)
    visit = Visit.objects.get(uid="c-2")
    assert (visit.patient, visit.kind, visit.duration_minutes, visit.note) == (
        patients["anna"],
        "results",
        20,
        "porta esami",
    )
    assert timezone.localtime(visit.starts_at).time() == time(11, 15)


def test_a_moved_csv_row_moves_its_visit(patients):
    import_file("export.csv", CSV.encode())

    report = import_file("export.csv", CSV.replace("c-1;2027-03-28;09:00", "c-1;2027-03-28;16:40").encode())

    assert report.updated == 1
    assert timezone.localtime(Visit.objects.get(uid="c-1").starts_at).time() == time(16, 40)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("c-9;2027-02-30;09:00;30;;maria@example.com;;;;;", "the date is not a date (YYYY-MM-DD)"),
        ("c-9;2027-03-30;9h;30;;maria@example.com;;;;;", "the time is not a time (HH:MM)"),
        ("c-9;2027-03-30;9:75;30;;maria@example.com;;;;;", "the time is not a time (HH:MM)"),
        (
            "c-9;2027-03-28;02:30;30;;maria@example.com;;;;;",
            "this time does not exist on that day (the clocks go forward)",
        ),
        (
            "c-9;2027-03-30;09:00;0;;maria@example.com;;;;;",
            "the duration is not a number of minutes from 5 to 240",
        ),
        (
            "c-9;2027-03-30;09:00;30;surgery;maria@example.com;;;;;",
            "the kind is not one of first, follow_up, results",
        ),
        (";2027-03-30;09:00;30;;maria@example.com;;;;;", "the uid is missing"),
        ("c-1;2027-03-30;09:00;30;;maria@example.com;;;;;", "The same UID is on line 2."),
    ],
)
def test_a_malformed_csv_row_is_reported_with_its_line_and_the_others_are_imported(patients, row, reason):
    report = import_file("export.csv", (CSV + row + "\n").encode())

    assert report.saved
    assert report.unmatched[0] == ("Line 5", reason)
    assert report.created == 2
    assert sorted(Visit.objects.values_list("uid", flat=True)) == ["c-1", "c-2"]


@pytest.mark.parametrize("typed", ["9:30", "09:30", "9.30", "09:30:00"])
def test_a_csv_time_without_a_leading_zero_is_read(patients, typed):
    report = import_file(
        "export.csv", CSV.replace("c-1;2027-03-28;09:00", f"c-1;2027-03-28;{typed}").encode()
    )

    assert report.created == 2
    assert timezone.localtime(Visit.objects.get(uid="c-1").starts_at).time() == time(9, 30)


def test_a_csv_without_the_required_columns_is_refused(db):
    report = import_file("export.csv", b"when,who\n2027-03-30,maria\n")

    assert report.errors == [(1, "The header has no column uid, date, time.")]


def test_the_command_prints_the_report_and_fails_on_an_unreadable_file(patients, tmp_path, capsys):
    good = tmp_path / "visits.csv"
    good.write_text(CSV + "c-9;2027-03-30;9h;30;;;;;;;\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("when,who\n2027-03-30,maria\n", encoding="utf-8")

    call_command("import_visits", str(good))
    out = capsys.readouterr().out
    assert "2 new visits" in out
    assert "Line 4 not imported" in out
    assert "Line 5 not imported: the time is not a time (HH:MM)" in out
    with pytest.raises(CommandError):
        call_command("import_visits", str(bad))
    assert "Line 1: The header has no column uid, date, time." in capsys.readouterr().out
    assert Visit.objects.count() == 2
