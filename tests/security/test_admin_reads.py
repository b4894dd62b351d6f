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


@pytest.mark.django_db
def test_the_admins_reads_of_her_account_are_in_her_access_log(otp_required):
    """Opening or listing her user and patient rows in the admin is a staff read like any other."""
    from django.urls import reverse

    from triage.models import AuditEvent

    admin_user = factories.make_doctor(email="admin@example.com", first_name="Ada", last_name="Amministra")
    admin_user.is_superuser = True
    admin_user.save()
    patient = factories.make_patient()
    other = factories.make_patient(email="other@example.com", first_name="Anna", last_name="Verdi")
    client = login_verified(Client(), admin_user)

    for url in (
        f"/admin/patients/user/{patient.user.pk}/change/",
        f"/admin/patients/patient/{patient.pk}/change/",
        "/admin/patients/user/",
        "/admin/patients/patient/",
    ):
        assert client.get(url).status_code == 200, url

    events = AuditEvent.objects.filter(patient=patient, actor=admin_user)
    assert sorted(events.values_list("action", flat=True)) == [
        AuditEvent.Action.ADMIN_LIST,
        AuditEvent.Action.ADMIN_LIST,
        AuditEvent.Action.ADMIN_VIEW,
        AuditEvent.Action.ADMIN_VIEW,
    ]
    assert AuditEvent.objects.filter(patient=other, action=AuditEvent.Action.ADMIN_LIST).count() == 2
    # Her page lists them under the administrator's name.
    mine = Client()
    mine.force_login(patient.user)
    page = mine.get(reverse("patients:access_log")).content.decode()
    assert "Ada Amministra" in page
