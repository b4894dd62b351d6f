"""Imports from the booking system: .ics and .csv, good, moved, unmatched and malformed rows, twice."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from tests.factories import make_doctor, make_patient
from tests.test_support import run_tasks
from triage.models import AuditEvent, Visit, VisitInvitation
from triage.visits.imports import FileInvalid, ImportReason, Issue, parse
from triage.visits.matching import import_file
from triage.visits.presenters import import_report_lines

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
    assert report.unmatched == [
        Issue(ImportReason.NO_PATIENT, uid="ev-4", day="2027-03-30", event=True),
    ]
    assert import_report_lines(report)[-1] == (
        "Event on 30/03/2027 (UID ev-4) not imported: "
        "no patient with this email, or with this name and date of birth"
    )
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


def test_a_malformed_event_is_named_by_its_summary_date_and_uid_and_the_others_are_imported(patients):
    broken = ics(
        event("ev-1", "20270328T090000", attendee="ATTENDEE:mailto:maria@example.com"),
        "\r\n".join(
            [
                "BEGIN:VEVENT",
                "UID:ev-bad@clinic",
                "SUMMARY:Visita controllo",
                "DTSTART;VALUE=DATE:20270401",
                "END:VEVENT",
            ]
        ),
        "\r\n".join(["BEGIN:VEVENT", "DTSTART:20270401T100000Z", "END:VEVENT"]),
        "\r\n".join(["BEGIN:VEVENT", "UID:ev-3", "SUMMARY:Prima visita", "END:VEVENT"]),
    )

    report = import_file("export.ics", broken)

    assert report.saved
    assert report.unmatched == [
        Issue(
            ImportReason.DATE_ONLY,
            uid="ev-bad@clinic",
            day="2027-04-01",
            summary="Visita controllo",
            event=True,
        ),
        Issue(ImportReason.NO_EVENT_UID, day="2027-04-01", event=True),
        Issue(ImportReason.NO_START, uid="ev-3", summary="Prima visita", event=True),
    ]
    assert list(Visit.objects.values_list("uid", flat=True)) == ["ev-1"]
    lines = import_report_lines(report)
    assert lines[1:] == [
        "Event “Visita controllo” on 01/04/2027 (UID ev-bad@clinic) not imported: the event has a date but no time",
        "Event on 01/04/2027 (without UID) not imported: the event has no UID",
        "Event “Prima visita” (UID ev-3) not imported: the event has no start (DTSTART)",
    ]
    with translation.override("it"):
        italian = import_report_lines(report)
    assert italian[1].startswith(
        "Evento «Visita controllo» del 01/04/2027 (UID ev-bad@clinic) non importato: "
    )
    assert not any("Line" in line or "Riga" in line for line in lines + italian)


def test_an_event_whose_uid_is_repeated_is_left_out_with_its_twin(patients):
    twice = ics(
        event("ev-1", "20270328T090000", attendee="ATTENDEE:mailto:maria@example.com"),
        event("ev-1", "20270329T090000", attendee="ATTENDEE:mailto:maria@example.com"),
        event("ev-2", "20270330T090000", attendee="ATTENDEE:mailto:maria@example.com"),
    )

    report = import_file("export.ics", twice)

    assert [issue.reason for issue in report.unmatched] == [ImportReason.DUPLICATE_EVENT] * 2
    assert [issue.day for issue in report.unmatched] == ["2027-03-28", "2027-03-29"]
    assert list(Visit.objects.values_list("uid", flat=True)) == ["ev-2"]


def test_a_report_issue_survives_a_round_trip_through_json(patients):
    import json

    report = import_file("export.ics", GOOD_ICS)

    stored = json.loads(json.dumps([list(issue) for issue in report.unmatched]))
    assert [Issue(*values) for values in stored] == report.unmatched


@pytest.mark.parametrize(
    "content",
    [b"not a calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", b"\xff\xfe\x00garbage"],
    ids=["text", "no-events", "not-utf8"],
)
def test_an_unreadable_ics_is_refused_with_a_reason(db, content):
    with pytest.raises(FileInvalid) as invalid:
        parse("export.ics", content)
    assert invalid.value.errors[0].line == 0
    assert invalid.value.errors[0].reason in (
        ImportReason.NOT_ICALENDAR,
        ImportReason.NO_EVENTS,
        ImportReason.NOT_UTF8,
    )


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
        [Issue(ImportReason.NO_PATIENT, line=4)],
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
    ],
)
def test_a_malformed_csv_row_is_reported_with_its_line_and_the_others_are_imported(patients, row, reason):
    report = import_file("export.csv", (CSV + row + "\n").encode())

    assert report.saved
    assert report.unmatched[-1] == Issue(report.unmatched[-1].reason, line=5)
    assert import_report_lines(report)[-1] == f"Line 5 not imported: {reason}"
    assert report.created == 2
    assert sorted(Visit.objects.values_list("uid", flat=True)) == ["c-1", "c-2"]


def test_a_repeated_csv_uid_leaves_out_both_rows_and_names_the_other_line(patients):
    report = import_file("export.csv", (CSV + "c-1;2027-03-30;09:00;30;;maria@example.com;;;;;\n").encode())

    assert report.unmatched == [
        Issue(ImportReason.DUPLICATE_UID, line=2, detail="5"),
        Issue(ImportReason.NO_PATIENT, line=4),
        Issue(ImportReason.DUPLICATE_UID, line=5, detail="2"),
    ]
    assert import_report_lines(report)[2] == "Line 2 not imported: The same UID is on line 5."
    assert list(Visit.objects.values_list("uid", flat=True)) == ["c-2"]


def test_a_bad_row_of_a_visit_imported_before_leaves_the_visit_as_it_was(patients):
    import_file("export.csv", CSV.encode())

    report = import_file("export.csv", CSV.replace("c-1;2027-03-28;09:00", "c-1;2027-03-28;9h").encode())

    assert (report.updated, report.unchanged) == (0, 1)
    assert report.unmatched[0] == Issue(ImportReason.BAD_TIME, line=2)
    assert timezone.localtime(Visit.objects.get(uid="c-1").starts_at).time() == time(9, 0)


def test_a_csv_without_the_required_columns_is_refused(db):
    report = import_file("export.csv", b"when,who\n2027-03-30,maria\n")

    assert report.errors == [Issue(ImportReason.MISSING_COLUMNS, line=1, detail="uid, date, time")]
    assert import_report_lines(report)[1] == "Line 1: The header has no column uid, date, time."


def test_the_command_prints_the_report_and_exits_2_until_the_doctor_answers(patients, tmp_path, capsys):
    doctor = make_doctor(email="dottoressa@example.com")
    good = tmp_path / "visits.csv"
    good.write_text(CSV + "c-9;2027-03-30;9h;30;;;;;;;\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("when,who\n2027-03-30,maria\n", encoding="utf-8")

    # c-2 matches Anna by name and date of birth only: the command fails until it is confirmed.
    with pytest.raises(CommandError, match="1 visit needs your confirmation") as waiting:
        call_command("import_visits", str(good), "--language", "en")
    assert waiting.value.returncode == 2
    out = capsys.readouterr().out
    assert "2 new visits" in out
    assert "Line 4 not imported: no patient with this email" in out
    assert "Line 5 not imported: the time is not a time (HH:MM)" in out
    assert "c-2" in out
    with pytest.raises(CommandError, match="--doctor EMAIL"):
        call_command("import_visits", "--confirm", "c-2", "--language", "en")
    assert Visit.objects.get(uid="c-2").patient is None

    call_command("import_visits", "--confirm", "c-2", "--doctor", doctor.email, "--language", "en")

    assert Visit.objects.get(uid="c-2").patient == patients["anna"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.MATCH_CONFIRM)
    assert (event.actor, event.patient) == (doctor, patients["anna"])
    with pytest.raises(CommandError) as refused:
        call_command("import_visits", str(bad), "--language", "en")
    assert refused.value.returncode == 1
    assert "Line 1: The header has no column uid, date, time." in capsys.readouterr().out
    assert Visit.objects.count() == 2


def test_the_command_exits_2_when_rows_were_left_out_and_0_when_all_is_imported(patients, tmp_path, capsys):
    path = tmp_path / "visits.csv"
    path.write_text(
        CSV.splitlines()[0]
        + "\nc-1;2027-03-28;09:00;30;;maria@example.com;;;;;\nc-9;2027-02-30;09:00;30;;;;;;;\n"
    )

    with pytest.raises(CommandError, match="not imported") as left_out:
        call_command("import_visits", str(path), "--language", "en")
    assert left_out.value.returncode == 2

    path.write_text(CSV.splitlines()[0] + "\nc-1;2027-03-28;09:00;30;;maria@example.com;;;;;\n")
    call_command("import_visits", str(path), "--language", "en")
    assert "already up to date" in capsys.readouterr().out


def test_the_command_speaks_the_doctors_language(patients, tmp_path, capsys):
    doctor = make_doctor(email="dottoressa@example.com")
    doctor.language = "it"
    doctor.save()
    path = tmp_path / "visits.ics"
    path.write_bytes(
        ics(
            "\r\n".join(
                [
                    "BEGIN:VEVENT",
                    "UID:abc@clinic",
                    "SUMMARY:Visita controllo",
                    "DTSTART;VALUE=DATE:20261210",
                    "END:VEVENT",
                ]
            ),
            event("ev-1", "20270328T090000", attendee="ATTENDEE:mailto:maria@example.com"),
        )
    )

    with pytest.raises(CommandError) as left_out:
        call_command("import_visits", str(path), "--doctor", doctor.email)

    assert left_out.value.returncode == 2
    out = capsys.readouterr().out
    assert "Evento «Visita controllo» del 10/12/2026 (UID abc@clinic) non importato: " in out
    assert "Riga" not in out and "Line" not in out
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VISIT_IMPORT, actor=doctor).exists()


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
    assert report.unmatched == [
        Issue(ImportReason.SEVERAL_ATTENDEES, uid="ev-b", day="2027-03-28", event=True)
    ]


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
    ],
)
def test_a_damaged_file_gives_a_report_line_on_the_page_and_saves_nothing(
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
    assert expected in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        pytest.param(
            "far.csv", b"uid;date;time\nf-1;9999-12-31;23:30\n", ImportReason.BAD_DATE, id="csv-9999"
        ),
        pytest.param(
            "far.csv", b"uid;date;time\nf-1;0001-01-01;00:30\n", ImportReason.BAD_DATE, id="csv-year-1"
        ),
        pytest.param(
            "far.ics",
            ics("BEGIN:VEVENT\r\nUID:f-2\r\nDTSTART:99991231T233000Z\r\nEND:VEVENT"),
            ImportReason.YEAR_RANGE,
            id="ics-9999",
        ),
        pytest.param(
            "far.ics",
            ics("BEGIN:VEVENT\r\nUID:f-3\r\nDTSTART;TZID=Europe/Rome:00010101T003000\r\nEND:VEVENT"),
            ImportReason.YEAR_RANGE,
            id="ics-year-1",
        ),
    ],
)
def test_a_far_date_leaves_its_row_out_with_a_report_line_on_the_page(doctor_client, name, content, reason):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = doctor_client.post(
        "/dashboard/visits/import/", {"file": SimpleUploadedFile(name, content, content_type="text/plain")}
    )

    assert response.status_code == 200
    assert [issue.reason for issue in response.context["report"].unmatched] == [reason]
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = str(reason.label).replace("%(first)d", "1900").replace("%(last)d", "2999")
    assert expected in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.parametrize("typed", ["9:30", "09:30", "9.30", "09:30:00"])
def test_a_csv_time_without_a_leading_zero_is_read(patients, typed):
    report = import_file(
        "export.csv", CSV.replace("c-1;2027-03-28;09:00", f"c-1;2027-03-28;{typed}").encode()
    )

    assert report.created == 2
    assert timezone.localtime(Visit.objects.get(uid="c-1").starts_at).time() == time(9, 30)
