"""Data migrations of the patients app, run forwards on rows written by the previous schema."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("patients", "0009_user_language")
AFTER = ("patients", "0010_patient_phone_e164")


@pytest.fixture
def migrator():
    """A migration executor; the schema is put back to the latest migrations afterwards."""
    yield MigrationExecutor
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_phones_become_e164_and_unreadable_ones_are_kept_as_written(capsys, migrator):
    executor = migrator(connection)
    executor.migrate([BEFORE])
    apps = executor.loader.project_state([BEFORE]).apps
    User = apps.get_model("patients", "User")
    Patient = apps.get_model("patients", "Patient")
    written = {
        "a": "+39 333 123 4567",
        "b": "06/1234-5678",
        "c": "call after 6pm",
        "d": "",
        "e": "+393331234567",
    }
    for name, phone in written.items():
        user = User.objects.create(email=f"{name}@example.com", login_key=f"key-{name}")
        Patient.objects.create(user=user, date_of_birth="1990-01-01", phone=phone)

    executor = migrator(connection)
    executor.loader.build_graph()
    executor.migrate([AFTER])
    apps = executor.loader.project_state([AFTER]).apps
    Patient = apps.get_model("patients", "Patient")

    stored = dict(Patient.objects.values_list("user__email", "phone"))
    assert stored == {
        "a@example.com": "+393331234567",
        "b@example.com": "+390612345678",
        "c@example.com": "call after 6pm",
        "d@example.com": "",
        "e@example.com": "+393331234567",
    }
    output = capsys.readouterr().out
    assert "1 phone number(s) could not be read" in output
    assert "call after 6pm" not in output
