"""The task "contact the patient about the new advice" (RULES.md 11.2, S4 d): opened by a move up of
an open case into urgent or emergency, shown on the worklist row and the case page, closed only with a
note, recorded on the timeline and in the audit log; the worklist counts and filters these tasks."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.factories import make_case, make_patient
from tests.triage.retriage import RETRIAGED, SENT, reassess
from tests.triage.worklist import DASHBOARD, E, F, P, R, U
from triage.audit.writer import Actor
from triage.cases.retriage_tasks import case_contact_task_close, case_sign_off_lower
from triage.models import NOTE_MAX_LENGTH, AuditEvent, Case, CaseEvent

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
IT = {"HTTP_ACCEPT_LANGUAGE": "it"}
CLOSED_AT = RETRIAGED + timedelta(hours=1)
NOTE = "Phoned her at 16:00: she is going to the emergency department now."


@pytest.fixture
def moved_up(patient):
    case = make_case(patient, level=F, score=2, submitted_at=SENT)
    reassess(case, U, at=RETRIAGED)
    case.refresh_from_db()
    return case


def task_url(case):
    return reverse("triage:case_contact_task", args=[case.pk])


def close(client, user, case, note, task=None):
    with time_machine.travel(CLOSED_AT, tick=False):
        client.force_login(user)
        return client.post(task_url(case), {"task": task or case.contact_task_id, "note": note}, **EN)


def row_of(client, case, language=EN, **params):
    page = client.get(DASHBOARD, params, **language).content.decode()
    start = page.index(f'id="case-{case.pk}"')
    return page[start : page.index("</tr>", start)]


def test_the_task_shows_on_the_worklist_row_and_on_the_case_page(doctor_client, moved_up):
    row = row_of(doctor_client, moved_up)
    assert "contact-task-marker" in row and "contact her: new advice" in row and "☎" in row

    page = doctor_client.get(reverse("triage:case_detail", args=[moved_up.pk]), **EN).content.decode()
    box = page[page.index('id="contact-task"') :]
    box = box[: box.index("</section>")]
    assert "Contact the patient about the new advice" in box
    assert f'name="task" value="{moved_up.contact_task_id}"' in box
    assert 'name="note"' in box and "Close the task" in box


def test_the_task_reads_in_italian(doctor_client, moved_up):
    assert "contattarla: nuove indicazioni" in row_of(doctor_client, moved_up, IT)
    page = doctor_client.get(reverse("triage:case_detail", args=[moved_up.pk]), **IT).content.decode()
    assert "Contatti la paziente per le nuove indicazioni" in page


@pytest.mark.parametrize("note", ["", "   "])
def test_the_task_does_not_close_without_a_note_and_says_so_next_to_the_box(
    doctor_client, doctor, moved_up, note
):
    response = close(doctor_client, doctor, moved_up, note)

    assert response.status_code == 400
    page = response.content.decode()
    field = page[page.index('id="div_id_note"') :]
    field = field[: field.index("</textarea>") + 200]
    assert "Write what was done to contact her before closing the task." in field
    moved_up.refresh_from_db()
    assert moved_up.contact_task is not None
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.TASK_DONE).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CONTACT_TASK_DONE).exists()


def test_a_note_too_long_is_refused_with_the_text_kept(doctor_client, doctor, moved_up):
    long_note = "Spoke with her mother first. " * (NOTE_MAX_LENGTH // 20)

    response = close(doctor_client, doctor, moved_up, long_note)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Spoke with her mother first." in page[page.index('id="id_note"') :]
    assert "at most" in page or "massimo" in page
    moved_up.refresh_from_db()
    assert moved_up.contact_task is not None


def test_closing_with_a_note_is_on_the_timeline_and_in_the_audit_log(doctor_client, doctor, moved_up):
    response = close(doctor_client, doctor, moved_up, NOTE)

    assert response.status_code == 302
    moved_up.refresh_from_db()
    assert moved_up.contact_task is None
    event = CaseEvent.objects.get(case=moved_up, kind=CaseEvent.Kind.TASK_DONE)
    assert (event.actor, event.text, event.created_at) == (doctor, NOTE, CLOSED_AT)
    audit = AuditEvent.objects.get(action=AuditEvent.Action.CONTACT_TASK_DONE)
    assert (audit.actor, audit.created_at, audit.object_id) == (doctor, CLOSED_AT, str(moved_up.pk))
    doctor_client.force_login(doctor)
    page = doctor_client.get(reverse("triage:case_detail", args=[moved_up.pk]), **EN).content.decode()
    assert 'id="contact-task"' not in page
    assert f"Contacted about the new advice: {NOTE}" in page[page.index('id="timeline-title"') :]
    assert "contact her: new advice" not in row_of(doctor_client, moved_up)


def test_posting_the_note_twice_closes_the_task_once(doctor_client, doctor, moved_up):
    task = moved_up.contact_task_id
    for _ in range(2):
        assert close(doctor_client, doctor, moved_up, NOTE, task=task).status_code == 302

    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.TASK_DONE).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONTACT_TASK_DONE).count() == 1


def test_a_patient_cannot_close_the_task(client, patient, moved_up):
    response = close(client, patient.user, moved_up, NOTE)

    assert response.status_code == 403
    moved_up.refresh_from_db()
    assert moved_up.contact_task is not None


def test_a_second_move_up_keeps_the_one_open_task(doctor, moved_up):
    first = moved_up.contact_task_id

    reassess(moved_up, E, score=12)

    moved_up.refresh_from_db()
    assert moved_up.contact_task_id == first
    assert case_contact_task_close(case_id=moved_up.pk, actor=Actor(doctor), task_id=first, note=NOTE)
    # Once closed, a later move up into emergency opens a new one.
    reassess(moved_up, U, score=4)  # down: pending sign-off, no task
    moved_up.refresh_from_db()
    assert moved_up.contact_task is None


@pytest.mark.parametrize(("before", "after", "task"), [(F, P, False), (P, U, True), (U, E, True)])
def test_only_a_move_into_urgent_or_emergency_opens_the_task(patient, before, after, task):
    case = make_case(patient, level=before, submitted_at=SENT)

    reassess(case, after, at=RETRIAGED)

    case.refresh_from_db()
    assert (case.contact_task is not None) is task


def test_a_closed_case_moved_up_gets_no_task(patient):
    case = make_case(patient, level=F, submitted_at=SENT, status=Case.Status.CLOSED)

    reassess(case, E, at=RETRIAGED)

    case.refresh_from_db()
    assert case.contact_task is None


# --- The worklist's counts and filter -------------------------------------------------------------


def many_tasks(count, start=0):
    """`count` patients to contact, as many lower levels pending sign-off, and as many plain cases."""
    for index in range(start, start + count):
        her = make_patient(email=f"t{index}@example.com", last_name=f"Rossi{index}")
        reassess(make_case(her, level=F, submitted_at=SENT), U)
        reassess(make_case(her, level=U, submitted_at=SENT), F, flags=[])
        make_case(her, level=P, submitted_at=SENT)


def test_the_worklist_counts_the_open_tasks_and_links_to_them(doctor_client):
    many_tasks(3)
    signed_off_elsewhere = Case.objects.filter(pending_sign_off__isnull=False).first()
    Case.objects.filter(pk=signed_off_elsewhere.pk).update(status=Case.Status.CLOSED)

    page = doctor_client.get(DASHBOARD, **EN).content.decode()

    assert "3 patients to contact about new advice" in page
    assert "2 lower levels pending sign-off" in page
    contact = doctor_client.get(DASHBOARD, {"task": "contact"}, **EN)
    assert len(contact.context["page"].rows) == 3
    assert all(row.contact_task for row in contact.context["page"].rows)
    assert "to contact about new advice" in contact.content.decode()
    sign_off = doctor_client.get(DASHBOARD, {"task": "sign_off"}, **EN)
    assert len(sign_off.context["page"].rows) == 2
    assert all(row.pending_sign_off for row in sign_off.context["page"].rows)


def test_closing_her_case_leaves_the_task_to_contact_her_listed_until_it_is_closed_with_a_note(
    doctor_client, doctor, moved_up
):
    Case.objects.filter(pk=moved_up.pk).update(status=Case.Status.CLOSED)

    assert "1 patient to contact about new advice" in doctor_client.get(DASHBOARD, **EN).content.decode()
    row = row_of(doctor_client, moved_up, task="contact")
    assert "contact her: new advice" in row and "Closed" in row

    assert close(doctor_client, doctor, moved_up, NOTE).status_code == 302
    doctor_client.force_login(doctor)
    page = doctor_client.get(DASHBOARD, **EN).content.decode()
    assert "to contact about new advice" not in page
    assert not doctor_client.get(DASHBOARD, {"task": "contact"}, **EN).context["page"].rows


def test_a_lower_level_signed_off_since_leaves_the_task_to_contact_her_listed(
    doctor_client, doctor, moved_up
):
    lower = reassess(moved_up, R, score=0, flags=())
    assert case_sign_off_lower(case_id=moved_up.pk, actor=Actor(user=doctor), assessment_id=lower.pk)
    moved_up.refresh_from_db()
    assert (moved_up.level, moved_up.contact_task_id is not None) == (R, True)

    assert "1 patient to contact about new advice" in doctor_client.get(DASHBOARD, **EN).content.decode()
    contact = doctor_client.get(DASHBOARD, {"task": "contact"}, **EN)
    assert [row.pk for row in contact.context["page"].rows] == [moved_up.pk]
    page = contact.content.decode()
    header = page[page.index('id="worklist-summary"') :]
    header = header[: header.index("</p>")]
    assert "every level, routine included" in header
    assert "Include routine and closed cases" not in header


@pytest.mark.parametrize("params", [{}, {"task": "contact"}, {"task": "sign_off"}, {"all": "1"}])
def test_the_worklist_with_tasks_runs_the_same_queries_at_any_size(
    doctor_client, django_assert_max_num_queries, params
):
    many_tasks(2)
    doctor_client.get(DASHBOARD, params)
    with django_assert_max_num_queries(12) as small:
        doctor_client.get(DASHBOARD, params)
    small_count = len(small.captured_queries)  # read now: the next request clears the query log

    many_tasks(12, start=2)
    doctor_client.get(DASHBOARD, params)
    with django_assert_max_num_queries(small_count) as big:
        response = doctor_client.get(DASHBOARD, params)
    assert response.status_code == 200
    assert len(big.captured_queries) == small_count > 0
