"""A lower re-assessment waits for a doctor's decision on the case page (RULES.md 11.2, S5): "sign off
the lower level" or "keep the higher level", each on the timeline and in the audit log under the
doctor's name and time; only doctors decide, and posting twice decides once."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.factories import make_case, make_doctor
from tests.triage.retriage import RETRIAGED, SENT, reassess
from tests.triage.worklist import DASHBOARD, F, R, U
from triage.audit.writer import Actor
from triage.cases.retriage_tasks import case_keep_higher, case_sign_off_lower
from triage.models import AuditEvent, CaseEvent

pytestmark = pytest.mark.django_db

SIGNED = RETRIAGED + timedelta(days=1, hours=-5)  # Thursday 10:00
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
IT = {"HTTP_ACCEPT_LANGUAGE": "it"}


@pytest.fixture
def pending_case(patient):
    case = make_case(patient, level=U, score=7, flags=["HEAVY_ACUTE"], rules_version=3, submitted_at=SENT)
    lower = reassess(case, F, score=1, flags=["INFECTION_SIGNS"], at=RETRIAGED)
    case.refresh_from_db()
    assert case.pending_sign_off == lower
    return case


def sign_off_url(case):
    return reverse("triage:case_sign_off", args=[case.pk])


def decide(client, case, decision, *, user=None, **extra):
    """Post a decision at SIGNED, as `user` (logged in then) or anonymously."""
    return post_at(
        client,
        user,
        sign_off_url(case),
        {"assessment": case.pending_sign_off_id, "decision": decision},
        **extra,
    )


def post_at(client, user, url, data, **extra):
    with time_machine.travel(SIGNED, tick=False):
        if user is not None:
            client.force_login(user)
        return client.post(url, data, **extra)


def test_the_case_page_shows_the_lower_assessment_pending_sign_off_with_both_actions(
    doctor_client, pending_case
):
    page = doctor_client.get(reverse("triage:case_detail", args=[pending_case.pk]), **EN).content.decode()

    box = page[page.index('id="sign-off"') :]
    box = box[: box.index("</section>")]
    assert "Lower level pending sign-off" in box
    assert "level-follow-up" in box
    assert f'name="assessment" value="{pending_case.pending_sign_off_id}"' in box
    assert 'value="lower"' in box and "Sign off the lower level" in box
    assert 'value="higher"' in box and "Keep the higher level" in box
    # The level of the case and the advice she is shown stay the higher one meanwhile.
    assessment = page[page.index('id="assessment-title"') :]
    assert "level-urgent" in assessment[: assessment.index("</section>")]
    assert 'id="advice-pending"' in page
    assert "pending sign-off" in page[page.index('id="timeline-title"') :]


def test_the_pending_box_reads_in_italian(doctor_client, pending_case):
    page = doctor_client.get(reverse("triage:case_detail", args=[pending_case.pk]), **IT).content.decode()

    box = page[page.index('id="sign-off"') :]
    assert "Approvi il livello più basso" in box
    assert "Mantenga il livello più alto" in box


def test_signing_off_moves_the_case_and_her_advice_to_the_lower_level(doctor_client, doctor, pending_case):
    lower = pending_case.pending_sign_off
    urgent = pending_case.advice

    response = decide(doctor_client, pending_case, "lower", user=doctor, **EN)

    assert response.status_code == 302
    pending_case.refresh_from_db()
    assert (pending_case.level, pending_case.score, pending_case.flags) == (F, 1, ["INFECTION_SIGNS"])
    assert (pending_case.pending_sign_off, pending_case.assessment) == (None, lower)
    # Her advice is the lower one from the sign-off on; the urgent one stays as its record.
    assert (pending_case.advice, pending_case.advised_at) == (lower, SIGNED)
    assert (pending_case.earlier_advice, pending_case.earlier_advised_at) == (urgent, SENT)
    event = CaseEvent.objects.get(case=pending_case, kind=CaseEvent.Kind.SIGN_OFF)
    assert (event.actor, event.created_at, event.detail["decision"]) == (doctor, SIGNED, "lower")
    audit = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_OFF_LOWER)
    assert (audit.actor, audit.actor_label, audit.created_at) == (doctor, doctor.email, SIGNED)
    assert (audit.object_id, audit.patient_id) == (str(pending_case.pk), pending_case.patient_id)
    doctor_client.force_login(doctor)  # a session of this moment, whatever the clock's start
    page = doctor_client.get(reverse("triage:case_detail", args=[pending_case.pk]), **EN).content.decode()
    timeline = page[page.index('id="timeline-title"') :]
    assert "Signed off the lower level: Urgent (7) → Follow-up (1)" in timeline
    assert "Giulia Bianchi" in timeline
    assert 'id="sign-off"' not in page


def test_keeping_the_higher_level_sets_the_lower_one_aside_and_changes_nothing_for_her(
    doctor_client, doctor, pending_case
):
    before = (pending_case.level, pending_case.score, pending_case.advice, pending_case.advised_at)

    response = decide(doctor_client, pending_case, "higher", user=doctor, **EN)

    assert response.status_code == 302
    pending_case.refresh_from_db()
    assert (pending_case.level, pending_case.score, pending_case.advice, pending_case.advised_at) == before
    assert pending_case.pending_sign_off is None
    assert pending_case.earlier_advice is None
    event = CaseEvent.objects.get(case=pending_case, kind=CaseEvent.Kind.SIGN_OFF)
    assert (event.actor, event.detail["decision"]) == (doctor, "higher")
    audit = AuditEvent.objects.get(action=AuditEvent.Action.KEEP_HIGHER)
    assert (audit.actor, audit.created_at) == (doctor, SIGNED)
    doctor_client.force_login(doctor)
    page = doctor_client.get(reverse("triage:case_detail", args=[pending_case.pk]), **EN).content.decode()
    assert "Kept the higher level; the lower one was set aside: Urgent (7) → Follow-up (1)" in page


@pytest.mark.parametrize("decision", ["lower", "higher"])
def test_posting_the_same_decision_twice_decides_once(doctor_client, doctor, pending_case, decision):
    data = {"assessment": pending_case.pending_sign_off_id, "decision": decision}
    for _ in range(2):
        response = post_at(doctor_client, doctor, sign_off_url(pending_case), data, **EN)
        assert response.status_code == 302

    assert CaseEvent.objects.filter(case=pending_case, kind=CaseEvent.Kind.SIGN_OFF).count() == 1
    assert AuditEvent.objects.filter(action__in=["sign_off_lower", "keep_higher"]).count() == 1


def test_a_decision_on_a_replaced_assessment_changes_nothing(doctor, pending_case):
    stale = pending_case.pending_sign_off_id
    newer = reassess(pending_case, R, score=0, flags=[])

    assert not case_sign_off_lower(case_id=pending_case.pk, actor=Actor(doctor), assessment_id=stale)
    assert not case_keep_higher(case_id=pending_case.pk, actor=Actor(doctor), assessment_id=stale)

    pending_case.refresh_from_db()
    assert (pending_case.level, pending_case.pending_sign_off) == (U, newer)
    assert not CaseEvent.objects.filter(case=pending_case, kind=CaseEvent.Kind.SIGN_OFF).exists()


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("patient", 403)])
def test_only_a_doctor_can_decide(client, request, pending_case, role, status):
    user = request.getfixturevalue(role).user if role else None

    response = decide(client, pending_case, "lower", user=user)

    assert response.status_code == status
    pending_case.refresh_from_db()
    assert (pending_case.level, pending_case.pending_sign_off_id) == (U, pending_case.pending_sign_off.pk)
    assert not AuditEvent.objects.filter(action="sign_off_lower").exists()


def test_the_patient_cannot_decide_on_her_own_case(client, patient, pending_case):
    assert decide(client, pending_case, "lower", user=patient.user).status_code == 403
    assert decide(client, pending_case, "higher", user=patient.user).status_code == 403
    pending_case.refresh_from_db()
    assert pending_case.pending_sign_off is not None


def test_another_doctors_decision_is_recorded_under_her_name(client, doctor, pending_case):
    colleague = make_doctor(email="second@example.com", first_name="Ida", last_name="Neri")

    decide(client, pending_case, "higher", user=colleague, REMOTE_ADDR="10.0.0.7")

    audit = AuditEvent.objects.get(action=AuditEvent.Action.KEEP_HIGHER)
    assert (audit.actor, audit.actor_label, audit.ip_address) == (colleague, "second@example.com", "10.0.0.7")
    assert CaseEvent.objects.get(case=pending_case, kind=CaseEvent.Kind.SIGN_OFF).actor == colleague


def test_a_malformed_decision_is_refused_next_to_the_page_without_a_change(doctor_client, pending_case):
    response = doctor_client.post(sign_off_url(pending_case), {"assessment": "x", "decision": "maybe"}, **EN)

    assert response.status_code == 400
    assert "Choose to sign off the lower level or to keep the higher one." in response.content.decode()
    pending_case.refresh_from_db()
    assert pending_case.pending_sign_off is not None


def test_the_worklist_row_says_pending_sign_off_until_a_doctor_decides(doctor_client, doctor, pending_case):
    def row():
        page = doctor_client.get(DASHBOARD, **EN).content.decode()
        start = page.index(f'id="case-{pending_case.pk}"')
        return page[start : page.index("</tr>", start)]

    marker = row()
    assert "sign-off-marker" in marker and "pending sign-off" in marker and "↓" in marker

    case_keep_higher(
        case_id=pending_case.pk, actor=Actor(doctor), assessment_id=pending_case.pending_sign_off_id
    )

    assert "pending sign-off" not in row()
