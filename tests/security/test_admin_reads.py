"""Doctors read patient data on the worklist, where each opened case is audited, not in the admin."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from patients.services import doctors_group
from tests import factories

from .conftest import login_verified


@pytest.mark.django_db
def test_the_admins_patient_lists_and_forms_are_closed_to_doctors():
    doctor = factories.make_doctor()
    patient = factories.make_patient()
    case = factories.make_case(patient, level=2)
    client = login_verified(Client(), doctor)
    for url in (
        "/admin/triage/case/",
        f"/admin/triage/case/{case.pk}/change/",
        "/admin/triage/assessment/",
        "/admin/patients/patient/",
        f"/admin/patients/patient/{patient.pk}/change/",
        "/admin/patients/submission/",
    ):
        assert client.get(url, {"q": "Rossi"}).status_code == 403, url
    assert client.get(f"/dashboard/cases/{case.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_migration_takes_the_admin_reads_away_from_an_existing_doctors_group(settings):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("patients.migrations.0008_doctors_without_admin_reads")
    group = doctors_group()
    group.permissions.add(*Permission.objects.filter(codename__in=["view_case", "view_patient"]))
    migration.remove_admin_reads(apps, None)
    assert set(group.permissions.values_list("codename", flat=True)) == {"view_queue"}
    migration.restore_admin_reads(apps, None)
    assert {"view_case", "view_patient", "view_submission"} <= set(
        group.permissions.values_list("codename", flat=True)
    )
