"""The contact log: one click per attempt to reach her, on the case page and on the worklist row."""

from datetime import datetime

import pytest
import time_machine
from django.db.models import OuterRef
from django.urls import reverse

from tests.factories import make_case, make_doctor
from tests.triage.worklist import DASHBOARD, P, hours_ago
from triage.audit.writer import Actor
from triage.cases.selectors import spoke_with_her_at
from triage.cases.services import case_log_contact
from triage.models import AuditEvent, Case, CaseEvent, ContactAttempt
from triage.worklist.selectors import WorklistFilters, case_worklist_page

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
IT = {"HTTP_ACCEPT_LANGUAGE": "it"}


@pytest.fixture
def case(patient):
    return make_case(patient, level=P, score=6, flags=["PREGNANCY_BLEEDING"], submitted_at=hours_ago(5))


def contact_url(case, query=""):
    return reverse("triage:case_contact", args=[case.pk]) + (f"?{query}" if query else "")


def contact_audit(case) -> tuple:
    """The audit event of the case's one contact attempt: who logged it, for whom, from where."""
    audit = AuditEvent.objects.get(action=AuditEvent.Action.CONTACT_LOG, object_id=str(case.pk))
    return (audit.actor, audit.patient_id, audit.ip_address)


def test_a_logged_call_is_in_the_log_the_timeline_and_the_audit_log(case, doctor):
    logged = case_log_contact(
        case_id=case.pk, actor=Actor(user=doctor, ip="10.1.2.3"), outcome="no_answer", seen=0
    )

    assert logged.attempts == 1
    attempt = ContactAttempt.objects.get(case=case)
    assert (attempt.actor, attempt.outcome, attempt.channel) == (doctor, "no_answer", "phone")
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CONTACT)
    assert event.detail == {"attempt": attempt.pk, "outcome": "no_answer", "channel": "phone"}
    assert event.actor == doctor
    assert contact_audit(case) == (doctor, case.patient_id, "10.1.2.3")
    case.refresh_from_db()
    assert (case.last_actor, case.last_acted_at) == (doctor, attempt.created_at)


def test_the_same_click_posted_twice_logs_one_attempt(doctor_client, case):
    for _ in range(2):
        response = doctor_client.post(contact_url(case), {"contact": "left_message:0"}, **EN)
        assert response.status_code == 302

    assert ContactAttempt.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="contact").count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONTACT_LOG).count() == 1


def test_a_second_attempt_counts_when_the_page_showed_the_first(doctor_client, case):
    doctor_client.post(contact_url(case), {"contact": "no_answer:0"})
    doctor_client.post(contact_url(case), {"contact": "spoke:1"})

    outcomes = list(ContactAttempt.objects.filter(case=case).values_list("outcome", flat=True))
    assert outcomes == ["no_answer", "spoke"]


def test_a_repeat_says_nothing_was_added(doctor_client, case):
    doctor_client.post(contact_url(case), {"contact": "no_answer:0"})

    response = doctor_client.post(contact_url(case), {"contact": "no_answer:0"}, follow=True, **EN)

    assert "nothing was added" in response.content.decode()


@pytest.mark.parametrize("value", ["", "phoned:0", "spoke:", "spoke:-1", "spoke:x"])
def test_a_bad_button_value_is_refused_with_a_message_and_logs_nothing(doctor_client, case, value):
    response = doctor_client.post(contact_url(case), {"contact": value}, **EN)

    assert response.status_code == 400
    assert "Choose one of the outcomes offered." in response.content.decode()
    assert not ContactAttempt.objects.exists()


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("patient", 403), ("doctor", 302)])
def test_only_a_doctor_logs_a_contact(client_as, case, role, status):
    response = client_as(role).post(contact_url(case), {"contact": "no_answer:0"})

    assert response.status_code == status
    assert ContactAttempt.objects.exists() == (role == "doctor")


def test_get_changes_nothing(doctor_client, case):
    response = doctor_client.get(contact_url(case), {"contact": "no_answer:0"})

    assert response.status_code == 405
    assert not ContactAttempt.objects.exists()


def test_the_case_page_offers_the_buttons_and_shows_the_attempt_in_the_timeline(doctor_client, case):
    page = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), **EN).content.decode()
    assert 'value="no_answer:0"' in page
    assert 'value="left_message:0"' in page
    assert 'value="spoke:0"' in page

    response = doctor_client.post(contact_url(case, "flag=RECURRENT"), {"contact": "spoke:0"}, **EN)

    assert response.url == reverse("triage:case_detail", args=[case.pk]) + "?flag=RECURRENT#contact-log"
    page = doctor_client.get(response.url, **EN).content.decode()
    assert "Spoke with her" in page
    assert 'value="spoke:1"' in page
    assert "1 attempt to reach her so far." in page


def test_the_timeline_words_the_attempt_in_italian(doctor_client, case):
    doctor_client.post(contact_url(case), {"contact": "no_answer:0"})

    page = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), **IT).content.decode()

    assert "Chiamata, nessuna risposta" in page


def test_a_click_on_the_worklist_row_comes_back_to_the_row(doctor_client, case):
    response = doctor_client.post(
        contact_url(case, "level=2"), {"contact": "no_answer:0", "back": "worklist"}
    )

    assert response.url == f"{DASHBOARD}?level=2#case-{case.pk}"
    assert ContactAttempt.objects.filter(case=case).count() == 1


@time_machine.travel(datetime.fromisoformat("2026-12-04T09:40:00+01:00"), tick=False)
def test_the_row_counts_the_attempts_and_the_last_time(doctor_client, case, doctor):
    case_log_contact(case_id=case.pk, actor=Actor(user=doctor), outcome="no_answer", seen=0)
    with time_machine.travel(datetime.fromisoformat("2026-12-04T10:40:00+01:00"), tick=False):
        case_log_contact(case_id=case.pk, actor=Actor(user=doctor), outcome="left_message", seen=1)
        doctor_client.force_login(doctor)  # a session of this moment, whenever the fixture logged in
        page = doctor_client.get(DASHBOARD, **EN).content.decode()
        italian = doctor_client.get(DASHBOARD, **IT).content.decode()

    assert "2 attempts, last 10:40" in page
    assert "2 tentativi, l’ultimo alle 10:40" in italian
    assert 'form="contact-log"' in page
    assert f'formaction="{contact_url(case)}"' in page
    assert 'value="spoke:2"' in page


@time_machine.travel(datetime.fromisoformat("2026-12-04T23:40:00+01:00"), tick=False)
def test_an_attempt_on_an_earlier_day_shows_its_date(doctor_client, case, doctor):
    case_log_contact(case_id=case.pk, actor=Actor(user=doctor), outcome="no_answer", seen=0)
    with time_machine.travel(datetime.fromisoformat("2026-12-05T00:10:00+01:00"), tick=False):
        doctor_client.force_login(doctor)  # a session of this moment, whenever the fixture logged in
        page = doctor_client.get(DASHBOARD, **EN).content.decode()

    assert "1 attempt, last 04/12/2026 23:40" in page


def test_a_closed_case_has_no_contact_buttons_on_its_row(doctor_client, case):
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)

    page = doctor_client.get(DASHBOARD, {"all": "1"}).content.decode()

    assert f"case-{case.pk}" in page
    assert 'form="contact-log"' not in page


def test_the_page_of_rows_reads_the_counts_in_the_same_query(
    case, patient, doctor, django_assert_num_queries
):
    others = [make_case(patient, level=P, submitted_at=hours_ago(hours)) for hours in range(1, 6)]
    for other in others:
        case_log_contact(case_id=other.pk, actor=Actor(user=doctor), outcome="no_answer", seen=0)

    with django_assert_num_queries(2):
        page = case_worklist_page(WorklistFilters())

    assert sorted(row.contact_attempts for row in page.rows) == [0, 1, 1, 1, 1, 1]


def test_spoke_with_her_is_the_first_spoke_attempt_of_the_case(case, doctor):
    other = make_doctor(email="other@example.com")
    case_log_contact(case_id=case.pk, actor=Actor(user=doctor), outcome="no_answer", seen=0)
    assert Case.objects.annotate(spoke=spoke_with_her_at(OuterRef("pk"))).get(pk=case.pk).spoke is None

    first = case_log_contact(case_id=case.pk, actor=Actor(user=doctor), outcome="spoke", seen=1).attempt
    case_log_contact(case_id=case.pk, actor=Actor(user=other), outcome="spoke", seen=2)

    assert (
        Case.objects.annotate(spoke=spoke_with_her_at(OuterRef("pk"))).get(pk=case.pk).spoke
        == first.created_at
    )
