"""Working the list: taking and releasing a case, and closing routine cases together."""

import pytest
from django.urls import reverse

from tests.factories import make_case, make_doctor
from tests.triage.worklist import DASHBOARD, E, F, P, R
from triage.audit.writer import Actor
from triage.cases.services import case_assign
from triage.models import AuditEvent, Case, CaseEvent
from triage.worklist.services import BulkCloseRefused, cases_bulk_close

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
BULK = reverse("triage:bulk_close")


def assign_url(case, query=""):
    return reverse("triage:case_assign", args=[case.pk]) + (f"?{query}" if query else "")


# --- Assignment ------------------------------------------------------------------------------------


def test_assign_to_me_then_release_is_in_the_timeline_and_the_audit_log(doctor_client, case, doctor):
    response = doctor_client.post(assign_url(case, "flag=RECURRENT"), {"assignment": "take"}, **EN)

    assert response.status_code == 302
    assert response.url == reverse("triage:case_detail", args=[case.pk]) + "?flag=RECURRENT"
    assert Case.objects.get(pk=case.pk).assigned_to == doctor
    page = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), **EN).content.decode()
    assert "Assigned to you." in page
    assert "Took the case." in page
    assert 'value="release"' in page

    doctor_client.post(assign_url(case), {"assignment": "release"})

    assert Case.objects.get(pk=case.pk).assigned_to is None
    events = list(CaseEvent.objects.filter(case=case, kind="assignment").values_list("actor", "detail"))
    assert events == [
        (doctor.pk, {"from": None, "to": doctor.pk}),
        (doctor.pk, {"from": doctor.pk, "to": None}),
    ]
    audited = AuditEvent.objects.filter(action=AuditEvent.Action.ASSIGNMENT, object_id=str(case.pk))
    assert audited.count() == 2
    assert set(audited.values_list("patient_id", flat=True)) == {case.patient_id}
    page = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), **EN).content.decode()
    assert "Released the case." in page
    assert "Not assigned to anyone." in page


def test_taking_twice_counts_once(doctor_client, case, doctor):
    for _ in range(2):
        doctor_client.post(assign_url(case), {"assignment": "take"})

    assert CaseEvent.objects.filter(case=case, kind="assignment").count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ASSIGNMENT).count() == 1


def test_a_colleague_can_take_over_and_the_case_page_names_who_has_it(doctor_client, case, doctor):
    colleague = make_doctor(email="luca@example.com", first_name="Luca", last_name="Neri")
    assert case_assign(case_id=case.pk, actor=Actor(colleague), take=True)

    page = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), **EN).content.decode()
    assert "Assigned to Luca Neri." in page
    assert 'value="take"' in page

    doctor_client.post(assign_url(case), {"assignment": "take"})
    assert Case.objects.get(pk=case.pk).assigned_to == doctor


@pytest.mark.parametrize("data", [{}, {"assignment": "steal"}])
def test_assignment_without_a_clear_choice_changes_nothing_and_says_so(doctor_client, case, data):
    response = doctor_client.post(assign_url(case), data, **EN)

    assert response.status_code == 400
    assert "Choose to take the case or to release it." in response.content.decode()
    assert Case.objects.get(pk=case.pk).assigned_to is None
    assert not CaseEvent.objects.exists()


def test_assignment_refuses_get(doctor_client, case):
    assert doctor_client.get(assign_url(case)).status_code == 405
    assert Case.objects.get(pk=case.pk).assigned_to is None


def test_worklist_filters_mine_unassigned_and_everybody(doctor_client, doctor, patient):
    colleague = make_doctor(email="luca@example.com", first_name="Luca", last_name="Neri")
    mine = make_case(patient, level=P, score=5)
    theirs = make_case(patient, level=P, score=4)
    nobody = make_case(patient, level=P, score=3)
    case_assign(case_id=mine.pk, actor=Actor(doctor), take=True)
    case_assign(case_id=theirs.pk, actor=Actor(colleague), take=True)

    def shown(params):
        response = doctor_client.get(DASHBOARD, params, **EN)
        return [row.pk for row in response.context["page"].rows], response.content.decode()

    assert shown({})[0] == [mine.pk, theirs.pk, nobody.pk]
    rows, html = shown({"assigned": "mine"})
    assert rows == [mine.pk]
    assert "assigned to you" in html
    assert "?assigned=mine" in html  # the pages and case links keep the filter
    rows, html = shown({"assigned": "unassigned"})
    assert rows == [nobody.pk]
    assert "not assigned to anyone" in html
    assert "assigned to Luca Neri" in shown({})[1]
    assert shown({"assigned": "someone"})[0] == [mine.pk, theirs.pk, nobody.pk]


def test_next_case_keeps_the_assignment_filter(doctor_client, doctor, patient):
    first = make_case(patient, level=E, score=5)
    skipped = make_case(patient, level=P, score=5)
    last = make_case(patient, level=F, score=1)
    for case in (first, last):
        case_assign(case_id=case.pk, actor=Actor(doctor), take=True)

    response = doctor_client.get(reverse("triage:case_next", args=[first.pk]), {"assigned": "mine"})

    assert response.url == reverse("triage:case_detail", args=[last.pk]) + "?assigned=mine"
    assert skipped.pk not in (first.pk, last.pk)


# --- Bulk close ------------------------------------------------------------------------------------


@pytest.fixture
def routine_cases(patient, other_patient):
    return [make_case(patient, level=R), make_case(other_patient, level=R), make_case(patient, level=R)]


def test_routine_cases_are_closed_together_with_the_reason_on_each(doctor_client, doctor, routine_cases):
    chosen = routine_cases[:2]

    response = doctor_client.post(
        BULK + "?all=1", {"cases": [case.pk for case in chosen], "reason": "Nessun sintomo"}, **EN
    )

    assert response.status_code == 302
    assert response.url == DASHBOARD + "?all=1"
    for case in chosen:
        case.refresh_from_db()
        assert (case.status, case.last_actor, case.version) == ("closed", doctor, 2)
        event = CaseEvent.objects.get(case=case)
        assert (event.kind, event.from_status, event.to_status, event.text) == (
            "status",
            "new",
            "closed",
            "Nessun sintomo",
        )
    assert Case.objects.get(pk=routine_cases[2].pk).status == "new"
    audited = AuditEvent.objects.filter(action=AuditEvent.Action.STATUS_CHANGE)
    assert sorted(audited.values_list("object_id", "patient_id")) == sorted(
        (str(case.pk), case.patient_id) for case in chosen
    )
    assert "2 cases closed." in doctor_client.get(DASHBOARD, **EN).content.decode()


def test_posting_the_same_bulk_close_twice_closes_each_case_once(doctor_client, routine_cases):
    data = {"cases": [case.pk for case in routine_cases], "reason": "Controllo regolare"}

    doctor_client.post(BULK, data)
    response = doctor_client.post(BULK, data, **EN)

    assert response.status_code == 302
    assert CaseEvent.objects.count() == 3
    assert AuditEvent.objects.filter(action=AuditEvent.Action.STATUS_CHANGE).count() == 3
    assert "already closed" in doctor_client.get(DASHBOARD, **EN).content.decode()


@pytest.mark.parametrize("level", [F, P, E])
def test_a_non_routine_case_refuses_the_whole_bulk_close(doctor_client, routine_cases, patient, level):
    flagged = make_case(patient, level=level, score=3)
    before = list(Case.objects.order_by("pk").values_list("pk", "status", "version", "last_actor"))

    response = doctor_client.post(
        BULK + "?all=1", {"cases": [routine_cases[0].pk, flagged.pk], "reason": "Tutto a posto"}, **EN
    )

    assert response.status_code == 400
    assert list(Case.objects.order_by("pk").values_list("pk", "status", "version", "last_actor")) == before
    assert not CaseEvent.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.STATUS_CHANGE).exists()
    html = response.content.decode()
    assert "Only routine cases can be closed together. Nothing was closed" in html
    assert str(flagged.pk) in html
    assert 'value="Tutto a posto"' in html  # the form comes back filled in
    assert f'value="{routine_cases[0].pk}" form="bulk-close" id="close-{routine_cases[0].pk}" checked' in html


def test_a_missing_case_refuses_the_bulk_close(doctor, routine_cases):
    with pytest.raises(BulkCloseRefused) as refused:
        cases_bulk_close(case_ids=[routine_cases[0].pk, 999_999], actor=Actor(doctor), reason="x")

    assert refused.value.case_ids == [999_999]
    assert Case.objects.get(pk=routine_cases[0].pk).status == "new"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cases": [], "reason": "Va bene"}, "Choose the routine cases to close."),
        ({"reason": "   "}, "Give the reason for closing these cases."),
        ({"reason": "x" * 501}, "Ensure this value has at most 500 characters"),
        ({"cases": ["abc"], "reason": "Va bene"}, "Choose the routine cases to close."),
    ],
)
def test_bulk_close_with_bad_input_says_why_and_changes_nothing(doctor_client, routine_cases, data, message):
    data = {"cases": [routine_cases[0].pk], **data}

    response = doctor_client.post(BULK + "?all=1", data, **EN)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.filter(status="closed").exists()


def test_worklist_offers_the_bulk_close_for_open_routine_cases_only(doctor_client, patient, routine_cases):
    flagged = make_case(patient, level=P, score=2)
    closed = make_case(patient, level=R, status="closed")

    html = doctor_client.get(DASHBOARD, {"all": "1"}, **EN).content.decode()

    assert 'id="bulk-close"' in html
    for case in routine_cases:
        assert f'name="cases" value="{case.pk}"' in html
    assert f'name="cases" value="{flagged.pk}"' not in html
    assert f'name="cases" value="{closed.pk}"' not in html
    # The default list has no routine cases, so nothing to close together.
    assert 'id="bulk-close"' not in doctor_client.get(DASHBOARD).content.decode()


def test_bulk_close_refuses_get(doctor_client, routine_cases):
    assert doctor_client.get(BULK).status_code == 405


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("patient", 403), ("doctor", 302)])
def test_bulk_close_is_for_doctors_only(client_as, routine_cases, role, status):
    response = client_as(role).post(BULK, {"cases": [routine_cases[0].pk], "reason": "ok"})

    assert response.status_code == status
    assert Case.objects.get(pk=routine_cases[0].pk).status == ("closed" if role == "doctor" else "new")
