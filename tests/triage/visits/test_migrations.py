"""The follow-up dates stored on cases before visits existed become booked visits linked to the cases."""

from datetime import date, datetime, time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("triage", "0011_visits"), ("patients", "0011_patient_visit_reminders")]
AFTER = [("triage", "0013_case_follow_up_date_from_visit")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_follow_up_dates_become_linked_visits():
    try:
        apps = migrate(BEFORE)
        User = apps.get_model("patients", "User")
        Patient = apps.get_model("patients", "Patient")
        Submission = apps.get_model("patients", "Submission")
        Case = apps.get_model("triage", "Case")
        user = User.objects.create(email="old@example.com", login_key="old@example.com")
        patient = Patient.objects.create(user=user, date_of_birth=date(1980, 1, 1))
        cases = {}
        for status, follow_up_on in (
            ("follow_up", date(2027, 3, 28)),
            ("closed", date(2027, 1, 5)),
            ("new", None),
        ):
            submission = Submission.objects.create(
                patient=patient, status="submitted", age=46, submitted_at=timezone.now()
            )
            cases[status] = Case.objects.create(
                submission=submission,
                patient=patient,
                submitted_at=submission.submitted_at,
                level=1,
                status=status,
                follow_up_on=follow_up_on,
            ).pk

        apps = migrate(AFTER)
        Case = apps.get_model("triage", "Case")
        booked = Case.objects.select_related("follow_up_visit").get(pk=cases["follow_up"]).follow_up_visit
        # The Sunday the clocks go forward: 09:00 in Rome is 07:00 UTC.
        assert booked.starts_at == timezone.make_aware(datetime.combine(date(2027, 3, 28), time(9, 0)))
        assert (booked.state, booked.kind, booked.patient_id) == ("booked", "follow_up", patient.pk)
        earlier = Case.objects.select_related("follow_up_visit").get(pk=cases["closed"]).follow_up_visit
        assert earlier.state == "cancelled"
        assert Case.objects.get(pk=cases["new"]).follow_up_visit is None
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
