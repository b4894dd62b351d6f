"""Races on PostgreSQL with real threads: one submission per draft, no status change lost silently.

SQLite serialises all writes, so these tests need PostgreSQL (CI runs them there).
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from patients.models import Submission
from patients.services import submission_draft
from tests import factories
from tests.patients.test_questionnaire import BLEEDING, QUIET
from triage.audit.writer import Actor
from triage.cases.services import CaseConflict, case_add_note, case_change_status
from triage.models import Assessment, Case, CaseEvent
from triage.questionnaire import SECTIONS

from .conftest import login_verified

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises every write, so there is no race to test; CI runs this on PostgreSQL")


def together(*calls):
    """Run the calls at the same moment in separate threads, each on its own connection."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=10)
            return call()
        except Exception as exc:  # returned, so the test can tell which one lost
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_simultaneous_submits_of_a_draft_create_one_submission():
    for round_ in range(3):  # a few rounds, so that a lucky ordering does not hide a race
        patient = factories.make_patient(email=f"race{round_}@example.com")
        draft = submission_draft(patient)
        clients = [Client(), Client()]
        for client in clients:
            client.force_login(patient.user)
        data = {"key": str(draft.key), "action": "submit", **QUIET, **BLEEDING}
        responses = together(
            *(lambda c=client, d=data: c.post("/questionnaire/new/", d) for client in clients)
        )

        assert [r.status_code for r in responses] == [302, 302]
        submitted = Submission.objects.filter(patient=patient, status=Submission.Status.SUBMITTED)
        assert submitted.count() == 1
        assert not Submission.objects.filter(patient=patient, status=Submission.Status.DRAFT).exists()
        assert Assessment.objects.filter(submission__patient=patient).count() == 1
        assert Case.objects.filter(patient=patient).count() == 1
        assert {r["Location"] for r in responses} == {f"/questionnaire/{submitted.get().pk}/"}


def test_two_simultaneous_sends_from_the_review_create_one_submission():
    for round_ in range(3):
        patient = factories.make_patient(email=f"review{round_}@example.com")
        draft = submission_draft(patient)
        Submission.objects.filter(pk=draft.pk).update(answers=factories.QUIET_ANSWERS, step=7)
        clients = [Client(), Client()]
        for client in clients:
            client.force_login(patient.user)
        data = {"key": str(draft.key), "action": "submit"}
        responses = together(
            *(lambda c=client, d=data: c.post("/questionnaire/new/review/", d) for client in clients)
        )

        assert [r.status_code for r in responses] == [302, 302]
        submitted = Submission.objects.get(patient=patient)
        assert submitted.status == Submission.Status.SUBMITTED
        assert Assessment.objects.filter(submission__patient=patient).count() == 1
        assert {r["Location"] for r in responses} == {f"/questionnaire/{submitted.pk}/"}


def test_two_simultaneous_posts_of_a_first_step_create_one_draft():
    patient = factories.make_patient()
    key = re.search(
        r'name="key" value="([0-9a-f-]+)"',
        _logged_in(patient).get("/questionnaire/new/step/1/").content.decode(),
    ).group(1)
    clients = [_logged_in(patient), _logged_in(patient)]
    data = {"key": key, "action": "next", **{k: v for k, v in QUIET.items() if k in STEP_1}}
    responses = together(*(lambda c=client: c.post("/questionnaire/new/step/1/", data) for client in clients))

    assert [r.status_code for r in responses] == [302, 302]
    draft = Submission.objects.get(patient=patient)
    assert (draft.status, str(draft.key), draft.step) == (Submission.Status.DRAFT, key, 2)


STEP_1 = SECTIONS[0][1]


def _logged_in(patient) -> Client:
    client = Client()
    client.force_login(patient.user)
    return client


def test_two_simultaneous_status_changes_keep_one_and_reject_the_other_as_a_conflict():
    patient = factories.make_patient()
    first, second = factories.make_doctor(), factories.make_doctor(email="second@example.com")
    case = factories.make_case(patient, level=1)
    results = together(
        lambda: case_change_status(
            case_id=case.pk, actor=Actor(first), to_status="in_review", expected_version=1
        ),
        lambda: case_change_status(
            case_id=case.pk,
            actor=Actor(second),
            to_status="closed",
            expected_version=1,
            reason="seen by phone",
        ),
    )
    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, CaseConflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    case.refresh_from_db()
    assert case.version == 2
    events = list(CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS))
    assert len(events) == 1
    assert events[0].to_status == case.status == winners[0].status
    assert losers[0].case.version == 2  # the loser is told the current state


def test_two_doctors_changing_a_status_at_once_see_a_conflict_not_a_silent_overwrite(settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    patient = factories.make_patient()
    doctors = [factories.make_doctor(), factories.make_doctor(email="second@example.com")]
    case = factories.make_case(patient, level=2)
    clients = [login_verified(Client(), doctor) for doctor in doctors]
    url = f"/dashboard/cases/{case.pk}/status/"
    posts = [
        {"to_status": "in_review", "version": "1"},
        {"to_status": "closed", "version": "1", "reason": "called her back"},
    ]
    responses = together(*(lambda c=c, p=p: c.post(url, p) for c, p in zip(clients, posts, strict=True)))
    assert sorted(r.status_code for r in responses) == [302, 409]
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS).count() == 1
    loser = next(i for i, r in enumerate(responses) if r.status_code == 409)
    page = responses[loser].content.decode()
    # The losing doctor's input is kept in the form, for a deliberate second try.
    if loser == 1:
        assert "called her back" in page
    else:
        assert re.search(r'value="in_review"[^>]*checked', page)


def test_two_simultaneous_changes_from_successive_versions_are_both_kept():
    patient = factories.make_patient()
    doctor = factories.make_doctor()
    case = factories.make_case(patient, level=1)
    case_change_status(case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=1)
    results = together(
        lambda: case_add_note(case_id=case.pk, actor=Actor(doctor), text="first note"),
        lambda: case_change_status(
            case_id=case.pk, actor=Actor(doctor), to_status="closed", expected_version=2
        ),
        lambda: case_add_note(case_id=case.pk, actor=Actor(doctor), text="second note"),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    kinds = sorted(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["note", "note", "status", "status"]
