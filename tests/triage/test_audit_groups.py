"""Repeated views read as one line: the patient's access log and the admin's grouped audit log."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.models import User
from tests.factories import make_case, make_doctor
from tests.security.conftest import login_verified
from tests.triage.worklist import P
from triage.audit.selectors import audit_event_groups
from triage.audit.writer import Actor, audit_record
from triage.models import AuditEvent

ROME = ZoneInfo("Europe/Rome")
MORNING = datetime(2026, 11, 30, 9, 2, tzinfo=ROME)
ACCESS_LOG = "/accounts/access-log/"
GROUPED = "/admin/triage/auditevent/grouped/"


def event(minutes, *, actor_id=1, action="case_view", patient_ref="p1", object_id="7"):
    """An unsaved event `minutes` after nine o'clock."""
    return AuditEvent(
        actor_id=actor_id,
        actor_label=f"user{actor_id}@example.com",
        action=action,
        object_type="triage.case",
        object_id=object_id,
        patient_ref=patient_ref,
        created_at=MORNING + timedelta(minutes=minutes),
    )


def newest_first(*events):
    return sorted(events, key=lambda item: item.created_at, reverse=True)


def test_views_by_one_person_within_ten_minutes_are_one_group():
    groups = audit_event_groups(newest_first(*(event(minute) for minute in (0, 1, 2, 4, 5))))

    (group,) = groups
    assert group.count == 5
    assert group.first.created_at == MORNING
    assert group.last.created_at == MORNING + timedelta(minutes=5)


def test_a_group_spans_at_most_ten_minutes_however_often_she_comes_back():
    groups = audit_event_groups(newest_first(*(event(minute) for minute in range(0, 30, 3))))

    assert [group.count for group in groups] == [4, 4, 2]
    for group in groups:
        assert group.last.created_at - group.first.created_at <= timedelta(minutes=10)


@pytest.mark.parametrize(
    "other",
    [
        {"actor_id": 2},
        {"action": "case_print"},
        {"patient_ref": "p2"},
    ],
    ids=["another-person", "another-action", "another-patient"],
)
def test_another_person_action_or_patient_starts_a_new_line(other):
    groups = audit_event_groups(newest_first(event(0), event(1, **other), event(2)))

    assert [group.count for group in groups] == [1, 1, 1]


def test_views_of_her_two_questionnaires_in_a_row_are_one_line_naming_both():
    (group,) = audit_event_groups(newest_first(event(0, object_id="7"), event(3, object_id="8")))

    assert group.object_ids == ["7", "8"]


def test_an_erased_staff_account_groups_by_its_recorded_email():
    erased = [event(minute, actor_id=None) for minute in (0, 1)]

    assert [group.count for group in audit_event_groups(newest_first(*erased))] == [2]


# --- The patient's page -----------------------------------------------------------------------------


def _views(doctor, case, minutes):
    """The doctor opens the case at these minutes after 09:02, as the case page records it."""
    request = RequestFactory().get(reverse("triage:case_detail", args=[case.pk]))
    request.user = doctor
    for minute in minutes:
        with time_machine.travel(MORNING + timedelta(minutes=minute), tick=False):
            audit_record(
                Actor.from_request(request), AuditEvent.Action.CASE_VIEW, obj=case, patient=case.patient_id
            )


@pytest.mark.django_db
def test_the_patient_reads_five_views_in_five_minutes_as_one_line(doctor, patient):
    case = make_case(patient, level=P, score=6)
    _views(doctor, case, (0, 1, 2, 4, 5))
    _views(doctor, case, (40,))

    client = Client()
    client.force_login(patient.user)
    html = client.get(ACCESS_LOG, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert html.count("Viewed a case") == 2
    assert "5 times between 09:02 and 09:07" in html
    assert html.count("Giulia Bianchi") == 2

    html = client.get(ACCESS_LOG, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "5 volte tra le 09:02 e le 09:07" in html


@pytest.mark.django_db
def test_views_within_one_minute_read_as_one_time_not_a_span(doctor, patient):
    case = make_case(patient, level=P, score=6)
    _views(doctor, case, (0, 0, 0))

    client = Client()
    client.force_login(patient.user)
    html = client.get(ACCESS_LOG, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 times at 09:02" in html
    assert "between 09:02 and 09:02" not in html

    html = client.get(ACCESS_LOG, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "3 volte alle 09:02" in html


@pytest.mark.django_db
def test_the_access_log_pages_count_lines_and_its_queries_do_not_grow(
    doctor, patient, django_assert_max_num_queries
):
    case = make_case(patient, level=P, score=6)
    client = Client()
    client.force_login(patient.user)
    _views(doctor, case, (0,))
    with CaptureQueriesContext(connection) as few:
        client.get(ACCESS_LOG)

    # 60 lines of 3 views each: more events than one page, but lines are what is paged.
    _views(
        doctor,
        case,
        [minute for start in range(20, 20 + 60 * 15, 15) for minute in (start, start + 1, start + 2)],
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(ACCESS_LOG, HTTP_ACCEPT_LANGUAGE="en")
    assert len(page.context["rows"]) == 50
    assert page.context["page"].paginator.count == 61
    assert client.get(ACCESS_LOG, {"page": "2"}, HTTP_ACCEPT_LANGUAGE="en").context["rows"][-1][0].count == 1


# --- The admin --------------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(db):
    user = User.objects.create_superuser(email="admin@example.com", password="a-Long-admin-passphrase-1")
    return login_verified(Client(), user)


@pytest.mark.django_db
def test_the_admin_groups_a_days_repeated_views(superuser_client, doctor, patient):
    case = make_case(patient, level=P, score=6)
    _views(doctor, case, (0, 1, 2, 4, 5, 30))

    response = superuser_client.get(GROUPED, {"day": "2026-11-30"}, HTTP_ACCEPT_LANGUAGE="en")

    groups = list(response.context["page"])
    assert [group.count for group in groups] == [1, 5]
    html = response.content.decode()
    assert "Grouped by person" in html
    assert superuser_client.get(GROUPED, {"day": "2026-11-29"}).context["page"].object_list == []
    listing = superuser_client.get("/admin/triage/auditevent/").content.decode()
    assert f'href="{GROUPED}"' in listing


@pytest.mark.django_db
def test_the_admins_grouped_view_narrows_to_one_patient(superuser_client, doctor, patient, other_patient):
    _views(doctor, make_case(patient, level=P, score=6), (0, 1))
    _views(doctor, make_case(other_patient, level=P, score=6), (2,))
    ref = AuditEvent.objects.filter(patient=other_patient).first().patient_ref

    response = superuser_client.get(GROUPED, {"day": "2026-11-30", "patient_ref": ref})

    assert [group.last.patient_ref for group in response.context["page"]] == [ref]


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["", "yesterday", "2026-02-30", "9999-12-31", "0001-01-01"])
def test_the_admins_grouped_view_takes_any_day_without_failing(superuser_client, day):
    assert superuser_client.get(GROUPED, {"day": day, "page": "x"}).status_code == 200


@pytest.mark.django_db
def test_the_admins_grouped_view_is_for_superusers_only(client):
    doctor = make_doctor(email="staff@example.com")
    response = login_verified(client, doctor).get(GROUPED)

    assert response.status_code in (302, 403)
    assert response.status_code == 403 or "/admin/login/" in response.url


@pytest.mark.django_db
def test_the_admins_grouped_view_queries_do_not_grow_with_the_day(
    superuser_client, doctor, patient, django_assert_max_num_queries
):
    case = make_case(patient, level=P, score=6)
    _views(doctor, case, (0,))
    with CaptureQueriesContext(connection) as few:
        superuser_client.get(GROUPED, {"day": "2026-11-30"})

    # 60 lines of 3 views each, twelve minutes apart (all on one day), and the first view alone.
    _views(
        doctor,
        case,
        [minute for start in range(20, 20 + 60 * 12, 12) for minute in (start, start + 1, start + 2)],
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = superuser_client.get(GROUPED, {"day": "2026-11-30"})
    assert response.context["page"].paginator.count == 61
