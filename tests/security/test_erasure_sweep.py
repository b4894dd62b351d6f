"""After an erasure nothing of hers is left: every text column of every model is read back.

The walk introspects the models (every CharField, EmailField, TextField and JSONField, and their
subclasses), so a model added later is searched without being named here.
"""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models
from django.test import Client
from django.utils import timezone

from outbox.models import OutboundEmail
from patients.models import User
from patients.services import email_change_request, email_verify, patient_register
from tests import factories
from tests.test_support import run_tasks
from triage.audit.writer import Actor
from triage.models import Visit, VisitInvitation
from triage.visits.matching import import_file
from triage.visits.services import invitation_for, visit_book

from .conftest import login_verified

FIRST, LAST, EMAIL = "Fayzella", "Marronetti", "fayzella.m@example.com"
PENDING = "fm.1984@example.org"
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def personal_columns():
    """(model, [field names]) of every concrete model with a text or JSON column."""
    for model in apps.get_models(include_auto_created=True):
        names = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, TEXT_FIELDS) and not field.is_relation
        ]
        if names:
            yield model, names


def rows_mentioning(*needles) -> dict[str, list]:
    """Per model label, the values of its rows that contain any of the needles (case-insensitive)."""
    found = {}
    lowered = [needle.lower() for needle in needles]
    for model, names in personal_columns():
        for values in model._base_manager.values_list(*names).iterator():
            text = " ".join(str(value) for value in values if value is not None).lower()
            if any(needle in text for needle in lowered):
                found.setdefault(model._meta.label, []).append(values)
    return found


def footprint(doctor):
    """Everything the portal writes about her: an invitation before she signs up, an import, her
    visits, queued emails, the admin's history, staff reads, a draft, login records and a new
    email waiting for confirmation."""
    invited = visit_book(
        invitation=invitation_for(email=EMAIL, first_name=FIRST, last_name=LAST),
        starts_at=timezone.now() + timedelta(days=8),
        note=f"{FIRST} {LAST} asks for the morning",
    )
    user = patient_register(
        email=EMAIL,
        password=factories.PASSWORD,
        first_name=FIRST,
        last_name=LAST,
        date_of_birth=date(1984, 7, 7),
    )
    email_verify(user)
    patient = user.patient
    import_file(
        "export.csv",
        (
            "uid;date;time;duration;kind;email;first_name;last_name;date_of_birth;status;note\n"
            f"fz-1;{(timezone.localdate() + timedelta(days=9)).isoformat()};10:00;30;;{EMAIL};{FIRST};{LAST};1984-07-07;;{LAST}\n"
            f"fz-2;{(timezone.localdate() + timedelta(days=10)).isoformat()};10:00;30;;other.{EMAIL};{FIRST};{LAST};1984-07-07;;\n"
        ).encode(),
        actor=Actor(doctor),
    )
    # An invitation to her address booked again after she signed up, never used.
    visit_book(
        invitation=invitation_for(email=EMAIL.upper(), first_name=FIRST, last_name=LAST),
        starts_at=timezone.now() + timedelta(days=11),
    )
    LogEntry.objects.log_actions(doctor.pk, [user, patient, invited], CHANGE, change_message="[]")
    LogEntry.objects.log_actions(doctor.pk, [invited.invitation], CHANGE, change_message="[]")
    Client(REMOTE_ADDR="203.0.113.9").post("/accounts/login/", {"username": EMAIL, "password": "wrong"})
    email_change_request(user, PENDING)
    return patient


@pytest.mark.django_db
def test_the_sweep_reads_the_models_that_hold_names_and_emails():
    labels = {model._meta.label for model, _names in personal_columns()}
    assert {
        "patients.User",
        "triage.VisitInvitation",
        "triage.Visit",
        "outbox.OutboundEmail",
        "admin.LogEntry",
        "django_tasks_database.DBTaskResult",
        "triage.AuditEvent",
        "axes.AccessLog",
    } <= labels


@pytest.mark.django_db
def test_after_an_erasure_no_model_holds_her_name_or_email(client, doctor):
    patient = footprint(doctor)
    assert {"patients.User", "triage.VisitInvitation", "triage.Visit", "admin.LogEntry"} <= set(
        rows_mentioning(FIRST, LAST, EMAIL)
    )
    assert set(rows_mentioning(PENDING)) == {"patients.User"}
    assert OutboundEmail.objects.filter(status="pending").exists()
    login_verified(client, patient.user)

    response = client.post("/accounts/delete/", {"password": factories.PASSWORD})
    assert response.status_code == 302

    assert rows_mentioning(FIRST, LAST, EMAIL, PENDING) == {}
    # Nothing queued for her goes out any more.
    run_tasks()
    assert not OutboundEmail.objects.filter(status="pending").exists()
    assert not Visit.objects.filter(state=Visit.State.BOOKED, invitation__email__iexact=EMAIL).exists()


@pytest.mark.django_db
def test_after_a_closure_only_her_account_row_holds_her_name_and_email(client, doctor):
    patient = footprint(doctor)
    factories.record(patient, {})
    login_verified(client, patient.user)

    client.post("/accounts/delete/", {"password": factories.PASSWORD})

    found = rows_mentioning(FIRST, LAST, EMAIL)
    # Her account and the doctor's note on a visit of hers, kept with her clinical record; no
    # invitation, no visit of anyone else, no queued email, no admin history.
    assert set(found) == {"patients.User", "triage.Visit"}
    # The new email she never confirmed is not kept with the record.
    assert rows_mentioning(PENDING) == {}
    assert not Visit.objects.filter(note__icontains=LAST).exclude(patient=patient).exists()
    assert not VisitInvitation.objects.exists()
    assert not OutboundEmail.objects.filter(status="pending").exists()
    assert User.objects.get(pk=patient.user_id).is_active is False
