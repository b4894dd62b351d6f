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
from triage.visits.imports import FileInvalid, parse
from triage.visits.matching import import_file

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

    assert (report.created, report.updated, report.unchanged, report.invited, report.pending) == (
        3,
        0,
        0,
        1,
        1,
    )
    assert report.unmatched == [(24, "no patient with this email, or with this name and date of birth")]
    first = Visit.objects.get(uid="ev-1")
    assert first.patient == patients["maria"]
    assert first.starts_at == datetime(2027, 3, 28, 7, 0, tzinfo=ZoneInfo("UTC"))
    # Another email, the same name and date of birth: the doctor confirms, nothing is bound or sent.
    by_name = Visit.objects.get(uid="ev-2")
    assert (by_name.patient, by_name.kind, by_name.duration_minutes) == (None, "follow_up", 30)
    assert (by_name.match_patient, by_name.match_reason) == (patients["anna"], Visit.Match.NAME_ONLY)
    invited = Visit.objects.get(uid="ev-3")
    assert invited.patient is None
    assert invited.invitation.email == "nuova@example.com"
    assert sorted(email.to[0] for email in mail.outbox) == [
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
    assert VisitInvitation.objects.count() == 2
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


def test_a_malformed_event_makes_the_file_invalid_and_saves_nothing(patients):
    broken = ics(
        event("ev-1", "20270328T090000", attendee="ATTENDEE:mailto:maria@example.com"),
        "\r\n".join(["BEGIN:VEVENT", "UID:ev-bad", "DTSTART;VALUE=DATE:20270401", "END:VEVENT"]),
        "\r\n".join(["BEGIN:VEVENT", "DTSTART:20270401T100000Z", "END:VEVENT"]),
    )

    report = import_file("export.ics", broken)

    assert not report.saved
    assert report.errors == [(10, "the event has a date but no time"), (14, "the event has no UID")]
    assert not Visit.objects.exists()
    assert mail.outbox == []


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
        [(4, "no patient with this email, or with this name and date of birth")],
    )
    assert (again.created, again.unchanged, again.unmatched) == (0, 2, report.unmatched)
    visit = Visit.objects.get(uid="c-2")
    assert (visit.patient, visit.match_patient, visit.kind, visit.duration_minutes, visit.note) == (
        None,
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
def test_a_malformed_csv_row_is_reported_with_its_line_and_nothing_is_saved(patients, row, reason):
    report = import_file("export.csv", (CSV + row + "\n").encode())

    assert report.errors == [(5, reason)]
    assert not Visit.objects.exists()


def test_a_csv_without_the_required_columns_is_refused(db):
    report = import_file("export.csv", b"when,who\n2027-03-30,maria\n")

    assert report.errors == [(1, "The header has no column uid, date, time.")]


def test_the_command_prints_the_report_and_fails_on_an_invalid_file(patients, tmp_path, capsys):
    good = tmp_path / "visits.csv"
    good.write_text(CSV, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV + "c-9;2027-03-30;9h;30;;;;;;;\n", encoding="utf-8")

    # c-2 matches Anna by name and date of birth only: the command fails until it is confirmed.
    with pytest.raises(CommandError, match="1 visits need your confirmation"):
        call_command("import_visits", str(good))
    out = capsys.readouterr().out
    assert "2 new visits" in out
    assert "Line 4 not imported" in out
    assert "c-2" in out
    call_command("import_visits", "--confirm", "c-2")
    assert Visit.objects.get(uid="c-2").patient == patients["anna"]
    with pytest.raises(CommandError):
        call_command("import_visits", str(bad))
    assert "Line 5: the time is not a time (HH:MM)" in capsys.readouterr().out
    assert Visit.objects.count() == 2


# --- Hostile or unusual files: a report line, never a 500 ---------------------------------------


@pytest.mark.django_db
def test_the_patient_is_the_attendee_who_is_neither_organiser_nor_chair_nor_staff(patients):
    from tests.factories import make_doctor

    make_doctor(email="dottoressa@example.com")
    calendar = ics(
        event(
            "ev-a",
            "20270328T090000",
            extra=[
                "ORGANIZER;CN=Reception:mailto:reception@example.com",
                "ATTENDEE;ROLE=CHAIR;CN=Giulia Bianchi:mailto:chair@example.com",
                "ATTENDEE;CN=Giulia Bianchi:mailto:dottoressa@example.com",
                "ATTENDEE;CN=Reception:mailto:reception@example.com",
                "ATTENDEE;ROLE=REQ-PARTICIPANT;CN=Maria Rossi:mailto:maria@example.com",
            ],
        )
    )

    report = import_file("export.ics", calendar)

    assert report.created == 1
    assert Visit.objects.get(uid="ev-a").patient == patients["maria"]


@pytest.mark.django_db
def test_an_event_with_two_possible_patients_binds_nobody(patients):
    calendar = ics(
        event(
            "ev-b",
            "20270328T090000",
            extra=[
                "ATTENDEE;CN=Maria Rossi:mailto:maria@example.com",
                "ATTENDEE;CN=Anna Verdi:mailto:anna@example.com",
            ],
        )
    )

    report = import_file("export.ics", calendar)

    assert report.created == 0
    assert report.unmatched == [(4, "the event has several attendees who could be the patient")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        pytest.param(
            "big.csv",
            ("uid;date;time;note\nx-1;2027-03-28;09:00;" + "a" * (140 * 1024) + "\n").encode(),
            "the line cannot be read (a field is too long or badly quoted)",
            id="csv-field-over-128kb",
        ),
        pytest.param(
            "nul.csv",
            b"uid;date;time\nok-1;2027-03-28;09:00\nbad\x00id;2027-03-28;10:00\n",
            "the line holds a NUL character: the file is damaged or not text",
            id="nul-in-booking-id",
        ),
        pytest.param(
            "far.csv",
            b"uid;date;time\nf-1;9999-12-31;23:30\n",
            "the date is not a date (YYYY-MM-DD)",
            id="csv-9999",
        ),
        pytest.param(
            "far.csv",
            b"uid;date;time\nf-1;0001-01-01;00:30\n",
            "the date is not a date (YYYY-MM-DD)",
            id="csv-year-1",
        ),
        pytest.param(
            "far.ics",
            ics("BEGIN:VEVENT\r\nUID:f-2\r\nDTSTART:99991231T233000Z\r\nEND:VEVENT"),
            "the date is outside the years %(first)d to %(last)d",
            id="ics-9999",
        ),
        pytest.param(
            "far.ics",
            ics("BEGIN:VEVENT\r\nUID:f-3\r\nDTSTART;TZID=Europe/Rome:00010101T003000\r\nEND:VEVENT"),
            "the date is outside the years %(first)d to %(last)d",
            id="ics-year-1",
        ),
    ],
)
def test_a_hostile_file_gives_a_report_line_on_the_page_and_saves_nothing(
    doctor_client, name, content, reason
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = doctor_client.post(
        "/dashboard/visits/import/", {"file": SimpleUploadedFile(name, content, content_type="text/plain")}
    )

    assert response.status_code == 400
    assert 'id="import-report"' in response.content.decode()
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = translation.gettext(reason)
    if "%(" in expected:
        expected %= {"first": 1900, "last": 2999}
    assert [reason for _line, reason in response.context["report"].errors] == [expected]
    assert not Visit.objects.exists()


@pytest.mark.parametrize("typed", ["9:30", "09:30", "9.30", "09:30:00"])
def test_a_csv_time_without_a_leading_zero_is_read(patients, typed):
    report = import_file(
        "export.csv", CSV.replace("c-1;2027-03-28;09:00", f"c-1;2027-03-28;{typed}").encode()
    )

    assert report.created == 2
    assert timezone.localtime(Visit.objects.get(uid="c-1").starts_at).time() == time(9, 30)
