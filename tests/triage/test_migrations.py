"""Data migrations of the triage app, run on rows written by the previous schema."""

import importlib
from datetime import date, datetime, time

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
