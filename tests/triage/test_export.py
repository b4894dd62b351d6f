"""CSV export of the filtered worklist: content, order, escaping, audit."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_case, make_patient, make_visit
from triage.models import AuditEvent, Case, CaseLevel
from triage.worklist.exports import csv_safe

EXPORT = reverse("triage:export_csv")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def read_csv(response) -> list[list[str]]:
    """The rows, split on the separator of the response's language (`;` in Italian, `,` in English)."""
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    delimiter = ";" if response["Content-Language"] == "it" else ","
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter))


@pytest.fixture
def cases(patient, other_patient, doctor):
    now = timezone.now()
    emergency = make_case(
        patient, level=CaseLevel.EMERGENCY, score=10, flags=["HEAVY_ACUTE"], submitted_at=now, age=36
    )
    follow_up = make_case(
        other_patient,
        level=CaseLevel.FOLLOW_UP,
        score=3,
        flags=["RECURRENT", "SCREENING_GAP"],
        submitted_at=now - timedelta(days=2),
        age=29,
    )
    routine = make_case(patient, level=CaseLevel.ROUTINE, submitted_at=now - timedelta(days=1))
    visit = make_visit(other_patient, days_ahead=0, hour=23, minute=30)
    Case.objects.filter(pk=follow_up.pk).update(
        status="follow_up",
        follow_up_visit=visit,
        last_actor=doctor,
        last_acted_at=now,
        assigned_to=doctor,
    )
    return {"emergency": emergency, "follow_up": follow_up, "routine": routine}


def test_export_has_a_header_and_one_row_per_case_in_worklist_order(doctor_client, cases):
    response = doctor_client.get(EXPORT, **EN)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="worklist-')
    rows = read_csv(response)
    assert rows[0] == [
        "Case",
        "Submitted",
        "Patient",
        "Email",
        "Phone",
        "Age",
        "Level",
        "Score",
        "Flags",
        "Status",
        "Follow-up date",
        "Assigned to",
        "Last acted on by",
        "Last acted on",
    ]
    assert [row[0] for row in rows[1:]] == [str(cases["emergency"].pk), str(cases["follow_up"].pk)]
    emergency, follow_up = rows[1], rows[2]
    assert emergency[2:9] == [
        "Maria Rossi",
        "patient@example.com",
        "",
        "36",
        "Emergency",
        "10",
        "Heavy / faint",
    ]
    assert follow_up[8] == "Recurrent; Screening gap"
    assert follow_up[9] == "Follow-up booked"
    assert follow_up[10] == timezone.localdate().isoformat()
    assert follow_up[11] == "Giulia Bianchi"  # assigned to
    assert follow_up[12] == "Giulia Bianchi"  # last acted on by


def test_export_uses_the_filters_and_ignores_paging(doctor_client, cases, patient):
    for _ in range(30):
        make_case(patient, level=CaseLevel.FOLLOW_UP, score=1)

    everything = read_csv(doctor_client.get(EXPORT, {"all": "1", "after": cases["emergency"].pk}))
    recurrent = read_csv(doctor_client.get(EXPORT, {"flag": "RECURRENT"}))
    by_name = read_csv(doctor_client.get(EXPORT, {"q": "verdi", "all": "1"}))

    assert len(everything) == 1 + 33
    assert [row[0] for row in recurrent[1:]] == [str(cases["follow_up"].pk)]
    assert [row[0] for row in by_name[1:]] == [str(cases["follow_up"].pk)]


def test_export_with_bad_parameters_still_works(doctor_client, cases):
    response = doctor_client.get(EXPORT, {"level": "x", "submitted_from": "ieri"})

    assert response.status_code == 200
    assert len(read_csv(response)) == 3


@pytest.mark.parametrize(
    "name",
    [
        '=HYPERLINK("http://evil.example","click")',
        "+cmd|' /C calc'!A0",
        "-1+1",
        "@SUM(1+1)",
        "\t=1+1",
        "\r=1",
    ],
)
def test_formula_like_values_are_neutralised(doctor_client, name):
    patient = make_patient(email="mallory@example.com", first_name=name, last_name="")
    make_case(patient, level=CaseLevel.EMERGENCY, score=10)

    rows = read_csv(doctor_client.get(EXPORT))

    cell = rows[1][2]
    assert cell == "'" + name.strip()
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+39 333", "'+39 333"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("Maria", "Maria"),
        ("a=b", "a=b"),
        ("Rossi;=HYPERLINK(0)", "Rossi;'=HYPERLINK(0)"),
        ("Rossi; +39", "Rossi; '+39"),
        ("Rossi,@SUM(1)", "Rossi,'@SUM(1)"),
        ("D'Amico, jr", "D'Amico, jr"),
        (None, ""),
        (7, "7"),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_export_quotes_commas_and_quotes(doctor_client):
    patient = make_patient(email="quote@example.com", first_name='Anna "Nina"', last_name="D'Amico, jr")
    make_case(patient, level=CaseLevel.PRIORITY, score=6)

    rows = read_csv(doctor_client.get(EXPORT))

    assert rows[1][2] == 'Anna "Nina" D\'Amico, jr'


def test_export_is_audited_without_health_data(doctor_client, cases, doctor):
    doctor_client.get(EXPORT, {"flag": "RECURRENT"}, REMOTE_ADDR="10.1.2.3")

    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT_CSV, patient=None)
    assert event.actor == doctor
    assert event.actor_label == "doctor@example.com"
    assert event.object_type == "worklist"
    assert event.object_id == "1"  # rows exported
    assert str(event.ip_address) == "10.1.2.3"
    assert event.patient is None


def test_each_exported_patient_has_the_export_in_her_own_trail(doctor_client, doctor):
    exported = [make_patient(email=f"p{n}@example.com", last_name=f"Neri{n}") for n in range(3)]
    cases = [make_case(patient, level=CaseLevel.PRIORITY, score=6) for patient in exported]

    doctor_client.get(EXPORT, {"all": "1"})

    per_patient = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_CSV).exclude(patient=None)
    assert sorted(per_patient.values_list("patient_id", "object_id")) == sorted(
        (case.patient_id, str(case.pk)) for case in cases
    )
    assert {event.actor_id for event in per_patient} == {doctor.pk}


def test_a_separator_inside_a_name_cannot_start_a_formula_in_a_spreadsheet_splitting_on_it(doctor_client):
    patient = make_patient(email="semi@example.com", first_name="Anna;=HYPERLINK(0)", last_name="Rossi")
    make_case(patient, level=CaseLevel.PRIORITY, score=6)

    raw = doctor_client.get(EXPORT).content.decode("utf-8-sig")
    line = raw.splitlines()[1]

    for separator in (";", ","):
        for cell in line.split(separator):
            assert not cell.strip().strip('"').startswith(("=", "+", "-", "@")), cell


def test_export_is_for_doctors_only(patient_client, cases):
    assert patient_client.get(EXPORT).status_code == 403
    assert not AuditEvent.objects.exists()


def test_a_patient_sees_in_who_opened_her_record_that_she_was_in_an_export(doctor_client, doctor, client):
    patient = make_patient(email="exported@example.com")
    make_case(patient, level=CaseLevel.PRIORITY, score=6)
    doctor_client.get(EXPORT, {"all": "1"})

    client.force_login(patient.user)
    page = client.get(reverse("patients:access_log"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert str(AuditEvent.Action.EXPORT_CSV.label) in page
    assert "Giulia Bianchi" in page


# --- The spreadsheet's language ---------------------------------------------------------------------


@pytest.mark.parametrize(("language", "separator", "header"), [("it", ";", "Caso"), ("en", ",", "Case")])
def test_export_uses_the_separator_a_spreadsheet_in_the_language_expects(
    doctor_client, cases, language, separator, header
):
    response = doctor_client.get(EXPORT, HTTP_ACCEPT_LANGUAGE=language)

    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")  # the BOM: Excel reads the file as UTF-8
    first_line = raw[1:].splitlines()[0]
    assert first_line.startswith(f'"{header}"{separator}"')
    other = "," if separator == ";" else ";"
    assert other not in first_line
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=separator))
    assert len(rows[0]) == len(rows[1]) == 14


def test_italian_export_still_neutralises_formulas_split_on_its_separator(doctor_client):
    patient = make_patient(email="mallory@example.com", first_name="Ada;=1+1", last_name="@SUM(A1)")
    make_case(patient, level=CaseLevel.EMERGENCY, score=10)

    rows = read_csv(doctor_client.get(EXPORT, HTTP_ACCEPT_LANGUAGE="it"))

    assert rows[1][2] == "Ada;'=1+1 @SUM(A1)"


def test_export_has_the_phone_in_the_italian_format(doctor_client):
    patient = make_patient(email="lucia@example.com", phone="+39 347 555 0101")
    make_case(patient, level=CaseLevel.PRIORITY, score=6)

    rows = read_csv(doctor_client.get(EXPORT, **EN))

    assert rows[0][4] == "Phone"
    assert rows[1][4] == "347 555 0101"
