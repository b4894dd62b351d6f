"""`Case.acted_on_at` is `acted_on()` stored: every write that acts on a case, or undoes a visit,
leaves the column agreeing with the one definition (RULES.md 11.2)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import make_case, make_patient
from triage.audit.writer import Actor
from triage.cases.acted_on import acted_on, with_acted_on
from triage.cases.services import case_change_status, case_log_contact
from triage.models import Case, CaseLevel, Visit
from triage.visits.matching import CONFIRM, import_file, visit_match_resolve
from triage.visits.services import invitations_claim, visit_book, visit_change, visit_record
from triage.worklist.services import cases_bulk_close

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 20, 9, 0, tzinfo=ZoneInfo("Europe/Rome"))
VISIT_AT = NOW + timedelta(days=9)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def assert_stored_agrees():
    """Every case's column holds what `acted_on` says, time included."""
    for row in with_acted_on(Case.objects.all()):
        found = acted_on(row)
        assert row.acted_on_at == (found.at if found else None), row.pk


def stored(case) -> datetime | None:
    return Case.objects.values_list("acted_on_at", flat=True).get(pk=case.pk)


def status(to):
    def act(case, patient, doctor):
        case_change_status(
            case_id=case.pk,
            actor=Actor(doctor),
            to_status=to,
            expected_version=case.version,
            follow_up_on=VISIT_AT.date() if to == "follow_up" else None,
            reason="Vista in studio.",
        )

    return act


def contact(outcome):
    def act(case, patient, doctor):
        case_log_contact(case_id=case.pk, actor=Actor(doctor), outcome=outcome, seen=0)

    return act


def booked(case, patient, doctor):
    visit_book(starts_at=VISIT_AT, patient=patient, actor=Actor(doctor))


def booked_then_cancelled(case, patient, doctor):
    visit = visit_book(starts_at=VISIT_AT, patient=patient, actor=Actor(doctor))
    assert stored(case) is not None
    visit_change(visit_id=visit.pk, actor=Actor(doctor), state=Visit.State.CANCELLED)


def cancelled_then_booked_again(case, patient, doctor):
    booked_then_cancelled(case, patient, doctor)
    assert stored(case) is None
    visit_change(visit_id=Visit.objects.get().pk, actor=Actor(doctor), state=Visit.State.BOOKED)


def imported(case, patient, doctor):
    import_file(
        "export.csv",
        f"uid;date;time;duration;kind;email\nc-1;2027-03-29;09:00;30;first;{patient.user.email}\n".encode(),
    )


def imported_then_confirmed(case, patient, doctor):
    csv = "uid;date;time;first_name;last_name;date_of_birth\nc-2;2027-03-29;11:15;Maria;Rossi;{dob}\n"
    import_file("export.csv", csv.format(dob=patient.date_of_birth.isoformat()).encode())
    visit = Visit.objects.get(uid="c-2")
    assert (visit.patient, visit.match_patient) == (None, patient)
    assert stored(case) is None
    visit_match_resolve(visit_id=visit.pk, decision=CONFIRM, actor=Actor(doctor))


def invited_then_claimed(case, patient, doctor):
    import_file("export.csv", b"uid;date;time;email\nc-3;2027-03-29;10:00;maria.nuova@example.com\n")
    assert stored(case) is None
    patient.user.email = "maria.nuova@example.com"
    patient.user.save(email_proven=True)
    assert invitations_claim(patient) == 1


def recorded(case, patient, doctor):
    visit_record(patient=patient, starts_at=VISIT_AT, booked_at=NOW, uid="demo-1")


def closed_together(case, patient, doctor):
    Case.objects.filter(pk=case.pk).update(level=CaseLevel.ROUTINE)
    cases_bulk_close(case_ids=[case.pk], actor=Actor(doctor), reason="Nessun segnale.")


PATHS = [
    pytest.param(status("in_review"), True, id="status-in-review"),
    pytest.param(status("closed"), True, id="status-closed"),
    pytest.param(status("follow_up"), True, id="follow-up-booked"),
    pytest.param(closed_together, True, id="closed-together"),
    pytest.param(contact("spoke"), True, id="spoke-with-her"),
    pytest.param(contact("no_answer"), False, id="no-answer"),
    pytest.param(contact("left_message"), False, id="left-a-message"),
    pytest.param(booked, True, id="visit-booked"),
    pytest.param(booked_then_cancelled, False, id="visit-cancelled"),
    pytest.param(cancelled_then_booked_again, True, id="visit-booked-again"),
    pytest.param(imported, True, id="visit-imported"),
    pytest.param(imported_then_confirmed, True, id="visit-import-confirmed"),
    pytest.param(invited_then_claimed, True, id="visit-invitation-claimed"),
    pytest.param(recorded, True, id="visit-recorded"),
]


@pytest.mark.parametrize(("path", "acts"), PATHS)
def test_each_write_leaves_the_stored_moment_agreeing_with_acted_on(doctor, path, acts):
    patient = make_patient(
        email="maria@example.com", first_name="Maria", last_name="Rossi", date_of_birth=date(1980, 5, 4)
    )
    case = make_case(patient, level=CaseLevel.EMERGENCY, submitted_at=NOW - timedelta(hours=1))
    earlier = make_case(patient, level=CaseLevel.URGENT, submitted_at=NOW - timedelta(days=2))
    other = make_case(make_patient(), level=CaseLevel.URGENT, submitted_at=NOW - timedelta(hours=2))

    path(case, patient, doctor)

    assert (stored(case) is not None) is acts
    assert stored(other) is None
    assert_stored_agrees()
    # A visit counts for each of her open cases sent before it.
    if path in (booked, imported, recorded):
        assert stored(earlier) == stored(case)
