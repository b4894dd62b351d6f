"""A change to a case is in the patient's access log, written by the service in the same
transaction: who made it and from which address, never without the change, never the change
without it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from tests.factories import make_case
from tests.triage.worklist import R, hours_ago
from triage.audit.writer import Actor
from triage.cases.services import CaseConflict, case_add_note, case_assign, case_change_status
from triage.models import AuditEvent, Case, CaseEvent
from triage.worklist.services import cases_bulk_close

ADDRESS = "203.0.113.7"


def logged(case) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(patient_id=case.patient_id)
        .order_by("pk")
        .values_list("action", "object_type", "object_id", "actor_id", "ip_address")
    )


def test_each_change_is_logged_under_who_made_it_and_from_where(case, doctor):
    actor = Actor(doctor, ADDRESS)
    pk = str(case.pk)

    case_change_status(
        case_id=case.pk, actor=actor, to_status=Case.Status.IN_REVIEW, expected_version=case.version
    )
    case_add_note(case_id=case.pk, actor=actor, text="Called her")
    case_assign(case_id=case.pk, actor=actor, take=True)

    assert logged(case) == [
        (AuditEvent.Action.STATUS_CHANGE, "triage.case", pk, doctor.pk, ADDRESS),
        (AuditEvent.Action.NOTE_ADD, "triage.case", pk, doctor.pk, ADDRESS),
        (AuditEvent.Action.ASSIGNMENT, "triage.case", pk, doctor.pk, ADDRESS),
    ]


def test_a_refused_change_leaves_no_access_log_entry(case, doctor):
    actor = Actor(doctor, ADDRESS)

    with pytest.raises(CaseConflict):
        case_change_status(case_id=case.pk, actor=actor, to_status=Case.Status.CLOSED, expected_version=99)
    with pytest.raises(ValidationError):
        case_add_note(case_id=case.pk, actor=actor, text="   ")

    assert logged(case) == []


def test_a_change_rolled_back_takes_its_access_log_entry_with_it(case, doctor):
    with pytest.raises(RuntimeError), transaction.atomic():
        case_add_note(case_id=case.pk, actor=Actor(doctor, ADDRESS), text="Called her")
        raise RuntimeError("the request failed after the note")

    assert logged(case) == []
    assert not CaseEvent.objects.filter(case=case).exists()


def test_closing_routine_cases_together_logs_each_under_its_patient(patient, other_patient, doctor):
    mine = make_case(patient, level=R, submitted_at=hours_ago(3))
    hers = make_case(other_patient, level=R, submitted_at=hours_ago(2))

    cases_bulk_close(case_ids=[mine.pk, hers.pk], actor=Actor(doctor, ADDRESS), reason="Nothing to do")

    assert logged(mine) == [
        (AuditEvent.Action.STATUS_CHANGE, "triage.case", str(mine.pk), doctor.pk, ADDRESS)
    ]
    assert logged(hers) == [
        (AuditEvent.Action.STATUS_CHANGE, "triage.case", str(hers.pk), doctor.pk, ADDRESS)
    ]
