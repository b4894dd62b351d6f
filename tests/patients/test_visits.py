"""The patient's side of a visit: her next visit on the home page, the call to action, her calendar file."""

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.services import submission_draft, submission_submit
from tests.factories import QUIET_ANSWERS, make_patient, make_visit
from triage.models import Visit

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HOME = reverse("home")


def test_home_shows_the_next_visit_and_asks_for_the_questionnaire(patient_client, patient):
    later = make_visit(patient, days_ahead=20)
    visit = make_visit(patient, days_ahead=3, hour=14, minute=20)
    make_visit(patient, days_ahead=1, state=Visit.State.CANCELLED)

    response = patient_client.get(HOME, **EN)

    assert response.context["visit"].pk == visit.pk != later.pk
    html = response.content.decode()
    assert "14:20" in html
    assert "Please fill in the questionnaire before your visit." in html
    assert reverse("patients:visit_calendar", args=[visit.pk]) in html


def test_no_call_to_action_once_the_questionnaire_for_the_visit_is_sent(patient_client, patient):
    make_visit(patient, days_ahead=3)
    submission_submit(patient=patient, key=submission_draft(patient).key, answers=dict(QUIET_ANSWERS))

    html = patient_client.get(HOME, **EN).content.decode()

    assert "Please fill in the questionnaire before your visit." not in html
    assert "the doctor has your questionnaire for this visit" in html


def test_a_questionnaire_sent_before_the_visit_was_booked_does_not_count(patient_client, patient):
    submission_submit(patient=patient, key=submission_draft(patient).key, answers=dict(QUIET_ANSWERS))
    make_visit(patient, days_ahead=3, booked_at=timezone.now() + timedelta(seconds=1))

    html = patient_client.get(HOME, **EN).content.decode()

    assert "Please fill in the questionnaire before your visit." in html


def test_home_without_a_visit_shows_no_visit(patient_client):
    response = patient_client.get(HOME, **EN)

    assert response.context["visit"] is None
    assert "Your next visit" not in response.content.decode()


@pytest.mark.parametrize("visits", [1, 20])
def test_home_runs_a_constant_number_of_queries(
    patient_client, patient, django_assert_max_num_queries, visits
):
    for number in range(visits):
        make_visit(patient, days_ahead=2 + number)

    with django_assert_max_num_queries(8):
        patient_client.get(HOME)


def test_her_visit_downloads_as_a_calendar_file_and_nobody_elses(patient_client, patient):
    own = make_visit(patient, days_ahead=3, hour=9)
    other = make_visit(make_patient(email="altra@example.com"), days_ahead=3)

    response = patient_client.get(reverse("patients:visit_calendar", args=[own.pk]))
    missing = patient_client.get(reverse("patients:visit_calendar", args=[other.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body
    assert own.starts_at.astimezone(UTC).strftime("DTSTART:%Y%m%dT%H%M%SZ") in body
    assert missing.status_code == 404


def test_she_can_turn_reminders_off_in_her_profile(patient_client, patient):
    response = patient_client.post(
        reverse("patients:profile"),
        {
            "first_name": "Maria",
            "last_name": "Rossi",
            "date_of_birth": patient.date_of_birth.isoformat(),
            "phone": "",
        },
    )

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.visit_reminders is False


def test_her_data_export_lists_her_visits(patient_client, patient):
    import json

    visit = make_visit(patient, days_ahead=4, kind=Visit.Kind.RESULTS)

    data = json.loads(patient_client.post(reverse("patients:data_export")).content)

    assert data["visits"] == [
        {
            "starts_at": visit.starts_at.astimezone(UTC).isoformat(),
            "duration_minutes": 30,
            "kind": "results",
            "state": "booked",
        }
    ]
    assert data["profile"]["visit_reminders"] is True
