"""When the clinic has acted on a case (RULES.md 11.2): it left `new`, a visit was booked, or the clinic spoke with her."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests import factories
from triage.audit.writer import Actor
from triage.cases.acted_on import ActedOnKind, acted_on, case_is_acted_on, with_acted_on
from triage.cases.services import case_change_status
from triage.models import Case, CaseLevel

pytestmark = pytest.mark.django_db

SENT = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Europe/Rome"))


def read(case):
    return acted_on(with_acted_on(Case.objects.filter(pk=case.pk)).get())


def test_a_new_case_nobody_touched_is_not_acted_on(patient):
    case = factories.make_case(patient, level=CaseLevel.URGENT, submitted_at=SENT)
    assert read(case) is None
    assert not case_is_acted_on(case)


def test_leaving_new_is_acting_on_it_dated_by_the_change(patient, doctor):
    case = factories.make_case(patient, level=CaseLevel.URGENT, submitted_at=SENT)
    with time_machine.travel(SENT + timedelta(hours=3), tick=False):
        case_change_status(
            case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=case.version
        )
    found = read(case)
    assert found.kind == ActedOnKind.STATUS
    assert found.at == SENT + timedelta(hours=3)


def test_a_visit_booked_after_she_sent_it_is_acting_on_it(patient):
    case = factories.make_case(patient, level=CaseLevel.EMERGENCY, submitted_at=SENT)
    factories.make_visit(patient, starts_at=SENT + timedelta(days=1), booked_at=SENT + timedelta(minutes=20))
    found = read(case)
    assert (found.kind, found.at) == (ActedOnKind.VISIT, SENT + timedelta(minutes=20))


def test_a_cancelled_visit_or_one_booked_before_does_not_count(patient):
    case = factories.make_case(patient, level=CaseLevel.EMERGENCY, submitted_at=SENT)
    factories.make_visit(patient, starts_at=SENT + timedelta(days=2), booked_at=SENT - timedelta(days=3))
    factories.make_visit(
        patient, starts_at=SENT + timedelta(days=1), booked_at=SENT + timedelta(hours=1), state="cancelled"
    )
    assert read(case) is None


def test_another_patients_visit_does_not_count(patient, other_patient):
    case = factories.make_case(patient, level=CaseLevel.URGENT, submitted_at=SENT)
    factories.make_visit(
        other_patient, starts_at=SENT + timedelta(days=1), booked_at=SENT + timedelta(hours=1)
    )
    assert read(case) is None


def test_a_case_out_of_new_without_a_timeline_entry_still_counts(patient):
    case = factories.make_case(patient, level=CaseLevel.URGENT, submitted_at=SENT, status="closed")
    assert read(case).kind == ActedOnKind.STATUS


def test_the_first_action_dates_it(patient, doctor):
    case = factories.make_case(patient, level=CaseLevel.URGENT, submitted_at=SENT)
    factories.make_visit(patient, starts_at=SENT + timedelta(days=1), booked_at=SENT + timedelta(hours=5))
    with time_machine.travel(SENT + timedelta(hours=1), tick=False):
        case_change_status(
            case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=case.version
        )
    assert read(case).at == SENT + timedelta(hours=1)


def test_a_list_of_cases_reads_it_in_one_query(patient, django_assert_num_queries):
    for n in range(6):
        factories.make_case(patient, level=CaseLevel.URGENT, submitted_at=SENT + timedelta(minutes=n))
    with django_assert_num_queries(1):
        rows = list(with_acted_on(Case.objects.all()))
    assert [acted_on(row) for row in rows] == [None] * 6


def test_speaking_with_her_is_acting_on_it_dated_by_the_call(patient, doctor):
    from triage.cases.services import case_log_contact

    case = factories.make_case(patient, level=CaseLevel.URGENT, submitted_at=SENT)
    with time_machine.travel(SENT + timedelta(minutes=20), tick=False):
        case_log_contact(case_id=case.pk, actor=Actor(doctor), outcome="no_answer", seen=0)
    assert read(case) is None  # a call nobody answered is not acting on it
    with time_machine.travel(SENT + timedelta(minutes=50), tick=False):
        case_log_contact(case_id=case.pk, actor=Actor(doctor), outcome="spoke", seen=1)

    assert read(case) == acted_on_spoke(SENT + timedelta(minutes=50))
    assert case_is_acted_on(case)


def acted_on_spoke(at):
    from triage.cases.acted_on import ActedOn

    return ActedOn(ActedOnKind.SPOKE, at)
