"""The day's list names, next to each visit, every open flagged case of hers whatever its date, and
the case a follow-up visit was booked from, with links."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_case, make_visit
from triage.models import AuditEvent, Case, CaseEvent, CaseLevel

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
IT = {"HTTP_ACCEPT_LANGUAGE": "it"}
DAY = reverse("triage:visit_day")


@pytest.fixture
def day():
    return timezone.localdate() + timedelta(days=6)


def at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def item_of(response, visit):
    (item,) = [item for item in response.context["visits"] if item.visit.pk == visit.pk]
    return item


def test_her_flagged_questionnaires_from_weeks_ago_are_listed_with_links(doctor_client, patient, day):
    emergency = make_case(patient, level=CaseLevel.EMERGENCY, submitted_at=timezone.now() - timedelta(days=6))
    urgent = make_case(
        patient, level=CaseLevel.URGENT, submitted_at=timezone.now() - timedelta(days=6, hours=1)
    )
    make_case(patient, level=CaseLevel.ROUTINE, submitted_at=timezone.now() - timedelta(days=5))
    make_case(
        patient, level=CaseLevel.PRIORITY, submitted_at=timezone.now() - timedelta(days=4), status="closed"
    )
    visit = make_visit(patient, starts_at=at(day, 9))

    response = doctor_client.get(DAY, {"date": day.isoformat()}, **EN)

    item = item_of(response, visit)
    # The visit shows her latest questionnaire (closed since); the earlier flagged ones are still named.
    assert item.case.status == Case.Status.CLOSED
    assert [link.pk for link in item.open_cases] == [emergency.pk, urgent.pk]
    page = response.content.decode()
    assert "Her open flagged questionnaires:" in page
    for case in (emergency, urgent):
        assert reverse("triage:case_detail", args=[case.pk]) in page


def test_the_visit_s_own_questionnaire_is_not_listed_twice(doctor_client, patient, day):
    visit = make_visit(patient, starts_at=at(day, 9))
    own = make_case(patient, level=CaseLevel.URGENT, submitted_at=timezone.now())

    item = item_of(doctor_client.get(DAY, {"date": day.isoformat()}), visit)

    assert item.case.pk == own.pk
    assert item.open_cases == ()


def test_a_follow_up_visit_links_the_case_it_was_booked_from(doctor_client, patient, day):
    visit = make_visit(patient, starts_at=at(day, 9))
    case = make_case(patient, level=CaseLevel.PRIORITY, submitted_at=timezone.now() - timedelta(days=10))
    Case.objects.filter(pk=case.pk).update(status=Case.Status.FOLLOW_UP, follow_up_visit=visit)

    response = doctor_client.get(DAY, {"date": day.isoformat()}, **IT)

    item = item_of(response, visit)
    assert item.booked_from.pk == case.pk
    page = response.content.decode()
    assert "Prenotata dal caso:" in page
    assert reverse("triage:case_detail", args=[case.pk]) in page


def test_another_patient_s_cases_are_not_listed(doctor_client, patient, other_patient, day):
    visit = make_visit(patient, starts_at=at(day, 9))
    make_case(other_patient, level=CaseLevel.EMERGENCY, submitted_at=timezone.now())

    item = item_of(doctor_client.get(DAY, {"date": day.isoformat()}), visit)

    assert item.open_cases == ()


# --- One tap: attended, did not attend --------------------------------------------------------------


def mark_url(visit):
    return reverse("triage:visit_mark", args=[visit.pk])


@pytest.mark.parametrize("state", ["attended", "no_show"])
def test_one_tap_marks_the_visit_and_comes_back_to_its_row(doctor_client, patient, day, doctor, state):
    visit = make_visit(patient, starts_at=at(day, 9))
    page = doctor_client.get(DAY, {"date": day.isoformat()}, **EN).content.decode()
    assert f'formaction="{mark_url(visit)}" name="state" value="{state}"' in page

    for _ in range(2):  # a second tap changes nothing and records nothing
        response = doctor_client.post(mark_url(visit), {"state": state})
        assert response.url == f"{DAY}?date={day.isoformat()}#visit-{visit.pk}"

    visit.refresh_from_db()
    assert visit.state == state
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VISIT_CHANGE, actor=doctor).count() == 1


def test_a_follow_up_visit_marked_attended_is_in_its_case_timeline(doctor_client, patient, day):
    visit = make_visit(patient, starts_at=at(day, 9))
    case = make_case(patient, level=CaseLevel.PRIORITY, submitted_at=timezone.now() - timedelta(days=10))
    Case.objects.filter(pk=case.pk).update(status=Case.Status.FOLLOW_UP, follow_up_visit=visit)

    doctor_client.post(mark_url(visit), {"state": "attended"})

    assert CaseEvent.objects.filter(case=case, kind="visit", detail__action="attended").exists()


@pytest.mark.parametrize("state", ["cancelled", "booked", "", "attended; drop"])
def test_only_attended_or_did_not_attend_is_taken(doctor_client, patient, day, state):
    visit = make_visit(patient, starts_at=at(day, 9))

    response = doctor_client.post(mark_url(visit), {"state": state}, **EN)

    assert response.status_code == 400
    assert "Choose attended or did not attend." in response.content.decode()
    visit.refresh_from_db()
    assert visit.state == "booked"


def test_a_cancelled_visit_is_not_marked(doctor_client, patient, day):
    visit = make_visit(patient, starts_at=at(day, 9), state="cancelled")

    response = doctor_client.post(mark_url(visit), {"state": "attended"}, **EN)

    assert response.status_code == 400
    assert "This visit was cancelled" in response.content.decode()
    visit.refresh_from_db()
    assert visit.state == "cancelled"


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("patient", 403)])
def test_only_a_doctor_marks_a_visit(client_as, patient, day, role, status):
    visit = make_visit(patient, starts_at=at(day, 9))

    assert client_as(role).post(mark_url(visit), {"state": "attended"}).status_code == status
    visit.refresh_from_db()
    assert visit.state == "booked"
