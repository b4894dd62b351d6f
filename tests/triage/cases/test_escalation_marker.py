"""An escalated case is marked on the worklist row and the case page, with when, at a constant query
count; its timeline shows what was sent; a step left unsent shows on /health/ (RULES.md 11.2, S8)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_case
from tests.triage.worklist import DASHBOARD, E, P, U
from triage.models import Assessment, Escalation

from .test_escalation import MONDAY_10, arrive, rome, run_sender

pytestmark = pytest.mark.django_db

SENT = rome(2026, 12, 14, 10, 30)


def escalate(case, at=SENT, step=Escalation.Step.REMINDER) -> Escalation:
    """A step of `case` (its reminder) sent at `at`."""
    return Escalation.objects.create(
        case=case,
        assessment=Assessment.objects.filter(submission_id=case.pk).first(),
        level=case.level,
        step=step,
        since=at - timedelta(minutes=30),
        due_at=at,
        sent_at=at,
    )


def row_of(html: str, pk: int) -> str:
    match = re.search(rf'<tr class="queue-row[^"]*" id="case-{pk}">.*?</tr>', html, re.S)
    assert match, pk
    return match.group(0)


def test_the_worklist_row_marks_an_escalated_case_with_a_word_a_shape_and_when(doctor_client, patient):
    escalated = make_case(patient, level=E, score=9)
    quiet = make_case(patient, level=U, score=5)
    escalate(escalated)

    html = doctor_client.get(DASHBOARD).content.decode()

    marker = row_of(html, escalated.pk)
    assert 'class="escalated-marker' in marker
    assert (
        '<span aria-hidden="true">⇈</span> sollecitato <time datetime="2026-12-14T10:30:00+01:00">14/12/2026 10:30</time>'
        in marker
    )
    assert "escalated-marker" not in row_of(html, quiet.pk)


def test_the_worklist_marker_is_in_english_for_an_english_reader(doctor_client, doctor, patient):
    doctor.language = "en"
    doctor.save()
    escalate(make_case(patient, level=E))

    html = doctor_client.get(DASHBOARD, headers={"accept-language": "en"}).content.decode()

    assert re.search(r"⇈</span> escalated <time", html)


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_worklist_reads_the_marker_at_a_constant_number_of_queries(
    doctor_client, patient, other_patient, django_assert_max_num_queries
):
    for level in (E, U, P):
        escalate(make_case(patient, level=level))
    doctor_client.get(DASHBOARD)  # the session settles on the first request
    few = queries_of(doctor_client, DASHBOARD)

    for index in range(30):
        case = make_case(other_patient if index % 2 else patient, level=(E, U, P)[index % 3], score=index)
        for step in list(Escalation.Step)[: index % 3]:
            escalate(case, SENT + timedelta(minutes=index), step)

    with django_assert_max_num_queries(few):
        response = doctor_client.get(DASHBOARD)
    rows = response.context["page"].rows
    escalated = {
        case.pk for case in rows if Escalation.objects.filter(case_id=case.pk, sent_at__isnull=False)
    }
    assert len(rows) == 25 and 10 < len(escalated) < 25
    assert response.content.decode().count('class="escalated-marker') == len(escalated)
    assert {case.pk for case in rows if case.escalated_at} == escalated


def test_the_case_page_marks_it_and_its_timeline_shows_what_was_sent(client, doctor, patient):
    case = arrive(patient, E, MONDAY_10)
    run_sender(rome(2026, 12, 14, 10, 30))

    with time_machine.travel(rome(2026, 12, 14, 10, 40), tick=False):
        client.force_login(doctor)
        html = client.get(reverse("triage:case_detail", args=[case.pk])).content.decode()

    assert re.search(
        r'id="case-escalated"><span aria-hidden="true">⇈</span> sollecitato <time datetime="2026-12-14T10:30:00\+01:00">14/12/2026 10:30</time>',
        html,
    )
    assert "Sollecito, Emergenza: Promemoria ai medici (email a tutti i medici)" in html


def test_a_case_never_escalated_has_no_marker_on_its_page(doctor_client, patient):
    case = make_case(patient, level=E)
    assert (
        'id="case-escalated"'
        not in doctor_client.get(reverse("triage:case_detail", args=[case.pk])).content.decode()
    )


def health(client) -> dict:
    return client.get(reverse("health")).json()


def test_a_step_left_unsent_for_minutes_shows_on_health(client, patient, doctor):
    arrive(patient, E, MONDAY_10)

    with time_machine.travel(rome(2026, 12, 14, 10, 35), tick=False):
        on_time = health(client)
    with time_machine.travel(rome(2026, 12, 14, 10, 36), tick=False):
        late = health(client)
    run_sender(rome(2026, 12, 14, 10, 36))
    with time_machine.travel(rome(2026, 12, 14, 10, 37), tick=False):
        caught_up = health(client)

    assert "escalation_overdue" not in on_time["warnings"]
    assert "escalation_overdue" in late["warnings"]
    assert late["escalation"] == {"overdue": 1, "oldest_due": "2026-12-14T09:30:00+00:00"}
    assert "escalation_overdue" not in caught_up["warnings"]
    assert caught_up["escalation"]["overdue"] == 0
