"""Data migrations of the triage app, run on rows written by the previous schema."""

import importlib
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from patients.models import Patient, Submission, User

BEFORE = ("triage", "0011_visits")
AFTER = ("triage", "0012_follow_up_dates_to_visits")


@pytest.fixture
def executor():
    """A migration executor; the schema is put back to the latest migrations afterwards."""
    yield lambda: _executor()
    _executor().migrate(_executor().loader.graph.leaf_nodes())


def _executor() -> MigrationExecutor:
    migrator = MigrationExecutor(connection)
    migrator.loader.build_graph()
    return migrator


@pytest.mark.django_db(transaction=True)
def test_follow_up_dates_become_visits_linked_to_their_cases_and_back(executor, monkeypatch):
    migrator = executor()
    migrator.migrate([BEFORE])
    apps = migrator.loader.project_state([BEFORE]).apps
    # The patients app stays at its latest schema: her records are written as the portal does now.
    # Written straight to the tables: the portal's sign-up would reach triage tables of a later schema.
    user = User.objects.create(email="maria@example.com", first_name="Maria", last_name="Rossi")
    patient = Patient.objects.create(user=user, date_of_birth=date(1990, 1, 1))
    Case = apps.get_model("triage", "Case")
    days = {"follow_up": date(2026, 12, 20), "in_review": date(2026, 12, 21), "new": None}
    for status, day in days.items():
        submission = Submission.objects.create(
            patient=patient, status="submitted", submitted_at=timezone.now(), age=36, answers={}
        )
        Case.objects.create(
            submission_id=submission.pk,
            patient_id=patient.pk,
            submitted_at=submission.submitted_at,
            level=1,
            status=status,
            follow_up_on=day,
        )
    # Two cases per batch: the batches and the last, partial one are all written.
    monkeypatch.setattr(
        importlib.import_module("triage.migrations.0012_follow_up_dates_to_visits"), "BATCH", 2
    )

    migrator = executor()
    migrator.migrate([AFTER])
    apps = migrator.loader.project_state([AFTER]).apps
    Case = apps.get_model("triage", "Case")
    linked = {
        case.status: (case.follow_up_visit.state, case.follow_up_visit.starts_at)
        for case in Case.objects.select_related("follow_up_visit").exclude(follow_up_visit=None)
    }
    nine = time(9, 0)
    assert linked == {
        "follow_up": ("booked", timezone.make_aware(datetime.combine(days["follow_up"], nine))),
        "in_review": ("cancelled", timezone.make_aware(datetime.combine(days["in_review"], nine))),
    }

    migrator = executor()
    migrator.migrate([BEFORE])
    apps = migrator.loader.project_state([BEFORE]).apps
    Case = apps.get_model("triage", "Case")
    assert dict(Case.objects.values_list("status", "follow_up_on")) == days


BEFORE_DEADLINES = ("triage", "0029_caseevent_kind_escalation")
AFTER_DEADLINES = ("triage", "0031_case_deadlines_fill")


@pytest.mark.django_db(transaction=True)
def test_open_cases_get_their_deadline_and_when_they_were_acted_on_as_acted_on_says(executor):
    from datetime import timedelta

    from triage.cases.acted_on import acted_on, with_acted_on
    from triage.cases.deadlines import act_by

    migrator = executor()
    migrator.migrate([BEFORE_DEADLINES])
    apps = migrator.loader.project_state([BEFORE_DEADLINES]).apps
    Case, Assessment = apps.get_model("triage", "Case"), apps.get_model("triage", "Assessment")
    CaseEvent, ContactAttempt = (
        apps.get_model("triage", "CaseEvent"),
        apps.get_model("triage", "ContactAttempt"),
    )
    Visit = apps.get_model("triage", "Visit")
    user = User.objects.create(email="maria@example.com", first_name="Maria", last_name="Rossi")
    patient = Patient.objects.create(user=user, date_of_birth=date(1990, 1, 1))
    sent = timezone.make_aware(datetime(2026, 12, 7, 10, 0))
    cases = {}
    for name, level, status in [
        ("waiting", 3, "new"),
        ("spoke", 3, "new"),
        ("in-review", 2, "in_review"),
        ("moved-up", 3, "new"),
        ("closed", 3, "closed"),
    ]:
        submission = Submission.objects.create(
            patient=patient, status="submitted", submitted_at=sent, age=36, answers={}
        )
        cases[name] = Case.objects.create(
            submission_id=submission.pk, patient_id=patient.pk, submitted_at=sent, level=level, status=status
        )
        Assessment.objects.create(submission_id=submission.pk, level=level, created_at=sent)
    # Moved up from follow-up to emergency a day later: its level dates from then.
    Assessment.objects.filter(submission_id=cases["moved-up"].pk).update(level=1)
    Assessment.objects.create(
        submission_id=cases["moved-up"].pk, level=3, created_at=sent + timedelta(days=1)
    )
    ContactAttempt.objects.create(
        case_id=cases["spoke"].pk, outcome="no_answer", created_at=sent + timedelta(minutes=5)
    )
    ContactAttempt.objects.create(
        case_id=cases["spoke"].pk, outcome="spoke", created_at=sent + timedelta(minutes=20)
    )
    CaseEvent.objects.create(
        case_id=cases["in-review"].pk,
        kind="status",
        from_status="new",
        to_status="in_review",
        created_at=sent + timedelta(hours=1),
    )
    Visit.objects.create(
        patient_id=patient.pk,
        starts_at=sent + timedelta(days=9),
        questionnaire_since=sent,
        created_at=sent + timedelta(days=3),
        updated_at=sent + timedelta(days=3),
        uid="old-booking",
    )

    migrator = executor()
    migrator.migrate([AFTER_DEADLINES])
    apps = migrator.loader.project_state([AFTER_DEADLINES]).apps
    stored = {row.pk: row for row in apps.get_model("triage", "Case").objects.all()}
    by_name = {name: stored[case.pk] for name, case in cases.items()}
    assert by_name["waiting"].level_since == sent
    assert by_name["waiting"].act_by == act_by(3, sent)
    assert by_name["moved-up"].level_since == sent + timedelta(days=1)
    assert by_name["moved-up"].act_by == act_by(3, sent + timedelta(days=1))
    assert by_name["spoke"].acted_on_at == sent + timedelta(minutes=20)
    assert by_name["in-review"].acted_on_at == sent + timedelta(hours=1)
    # Her visit booked later acts on the cases still waiting.
    assert by_name["waiting"].acted_on_at == sent + timedelta(days=3)
    assert (by_name["closed"].level_since, by_name["closed"].act_by) == (None, None)

    migrator = executor()
    migrator.migrate(migrator.loader.graph.leaf_nodes())
    from triage.models import Case as CurrentCase

    for row in with_acted_on(CurrentCase.objects.exclude(status="closed")):
        found = acted_on(row)
        assert row.acted_on_at == (found.at if found else None)


ADVICE_BEFORE = ("triage", "0033_case_advice_sign_off_and_contact_task")
ADVICE_AFTER = ("triage", "0034_case_advice_from_latest_assessment")


@pytest.mark.django_db(transaction=True)
def test_each_case_gets_its_latest_assessment_as_in_force_and_as_her_advice_since_she_sent_it(
    executor, monkeypatch
):
    """What she saw before the advice was recorded: the case's latest assessment, dated on her Send."""
    migrator = executor()
    migrator.migrate([ADVICE_BEFORE])
    apps = migrator.loader.project_state([ADVICE_BEFORE]).apps
    user = User.objects.create(email="maria@example.com", first_name="Maria", last_name="Rossi")
    patient = Patient.objects.create(user=user, date_of_birth=date(1990, 1, 1))
    Case = apps.get_model("triage", "Case")
    Assessment = apps.get_model("triage", "Assessment")
    sent = timezone.now() - timedelta(days=3)
    latest = {}
    for reassessed in (0, 1, 2):
        submission = Submission.objects.create(
            patient=patient, status="submitted", submitted_at=sent, age=36, answers={}
        )
        for n in range(reassessed + 1):
            assessment = Assessment.objects.create(
                submission_id=submission.pk, level=n, score=n, created_at=sent + timedelta(days=n)
            )
        latest[submission.pk] = assessment.pk
        Case.objects.create(
            submission_id=submission.pk, patient_id=patient.pk, submitted_at=sent, level=reassessed
        )
    # Two cases per batch: the batches and the last, partial one are all written.
    monkeypatch.setattr(
        importlib.import_module("triage.migrations.0034_case_advice_from_latest_assessment"), "BATCH", 2
    )

    migrator = executor()
    migrator.migrate([ADVICE_AFTER])
    Case = migrator.loader.project_state([ADVICE_AFTER]).apps.get_model("triage", "Case")
    rows = Case.objects.values_list("pk", "assessment_id", "advice_id", "advised_at", "earlier_advice_id")
    assert {pk: (assessment, advice, at, earlier) for pk, assessment, advice, at, earlier in rows} == {
        pk: (latest[pk], latest[pk], sent, None) for pk in latest
    }

    migrator = executor()
    migrator.migrate([ADVICE_BEFORE])
    Case = migrator.loader.project_state([ADVICE_BEFORE]).apps.get_model("triage", "Case")
    assert set(Case.objects.values_list("advice_id", "assessment_id", "advised_at")) == {(None, None, None)}
