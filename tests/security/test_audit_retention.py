"""The audit trail is append-only (ORM and admin) and kept 24 months; pruning spares younger events."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from patients.models import User
from triage.management.commands.prune_audit import months_before
from triage.models import AppendOnlyError, AuditEvent

from .conftest import login_verified


def event(**fields) -> AuditEvent:
    defaults = {"actor_label": "doctor@example.com", "action": AuditEvent.Action.CASE_VIEW, "object_id": "1"}
    return AuditEvent.objects.create(**{**defaults, **fields})


@pytest.mark.django_db
def test_an_event_cannot_be_changed_or_deleted_through_the_orm():
    kept = event()
    kept.action = AuditEvent.Action.NOTE_ADD
    with pytest.raises(AppendOnlyError):
        kept.save()
    with pytest.raises(AppendOnlyError):
        kept.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=kept.pk).update(actor_label="someone else")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    kept.refresh_from_db()
    assert (kept.action, kept.actor_label) == (AuditEvent.Action.CASE_VIEW, "doctor@example.com")


@pytest.mark.django_db
def test_the_admin_shows_events_but_cannot_change_add_or_delete_them(otp_required):
    superuser = User.objects.create_superuser(email="admin@example.com", password="x-admin-pass-42")
    kept = event()
    client = login_verified(Client(HTTP_ACCEPT_LANGUAGE="en"), superuser)
    base = "/admin/triage/auditevent/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}{kept.pk}/change/").status_code == 200  # read-only view
    assert client.post(f"{base}{kept.pk}/change/", {"actor_label": "edited"}).status_code == 403
    assert client.post(f"{base}{kept.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    client.post(base, {"action": "delete_selected", "_selected_action": [kept.pk], "post": "yes"})
    kept.refresh_from_db()
    assert kept.actor_label == "doctor@example.com"
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_audit_log_is_for_superusers_only(doctor, otp_required):
    client = login_verified(Client(), doctor)
    assert client.get("/admin/triage/auditevent/").status_code == 403


def test_months_before_keeps_the_day_or_takes_the_end_of_a_shorter_month():
    now = timezone.now().replace(year=2026, month=3, day=31, hour=12)
    assert months_before(now, 24).date().isoformat() == "2024-03-31"
    assert months_before(now, 25).date().isoformat() == "2024-02-29"
    assert months_before(now, 36).date().isoformat() == "2023-03-31"


@pytest.mark.django_db
def test_pruning_deletes_only_events_older_than_24_months(capsys):
    now = timezone.now().replace(microsecond=0)
    cutoff = months_before(now, 24)
    old = event(created_at=cutoff - timedelta(days=1))
    borderline = event(created_at=cutoff + timedelta(minutes=5))
    recent = event(created_at=now - timedelta(days=30))
    with time_machine.travel(now, tick=False):
        call_command("prune_audit")
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert remaining == {borderline.pk, recent.pk}
    assert old.pk not in remaining
    assert "Deleted 1 audit events" in capsys.readouterr().out


@pytest.mark.django_db
def test_pruning_refuses_a_retention_under_24_months_and_can_only_keep_longer():
    now = timezone.now()
    events = [event(created_at=now - timedelta(days=days)) for days in (400, 800, 1200)]
    with pytest.raises(CommandError, match="at least 24 months"):
        call_command("prune_audit", "--older-than-months", "23")
    assert AuditEvent.objects.count() == 3
    call_command("prune_audit", "--older-than-months", "36", "--dry-run")
    assert AuditEvent.objects.count() == 3
    call_command("prune_audit", "--older-than-months", "36")
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {events[0].pk, events[1].pk}


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_database_refuses_a_raw_update_or_delete_of_an_event():
    """The trail cannot be rewritten from SQL, whoever holds a connection (PostgreSQL triggers)."""
    from django.db import DatabaseError, connection, transaction

    kept = event()
    for sql in (
        "UPDATE triage_auditevent SET actor_label = 'someone else' WHERE id = %s",
        "UPDATE triage_auditevent SET created_at = created_at - interval '1 day' WHERE id = %s",
        "DELETE FROM triage_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="pgtrigger"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [kept.pk])
    kept.refresh_from_db()
    assert kept.actor_label == "doctor@example.com"


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_database_lets_an_erasure_clear_the_link_to_her_and_the_pruning_delete_old_events(capsys):
    from tests import factories

    patient = factories.make_patient()
    linked = event(patient=patient, created_at=timezone.now() - timedelta(days=800))
    patient.user.delete()  # SET NULL on her events: the one update the trigger allows
    linked.refresh_from_db()
    assert linked.patient_id is None and linked.patient_ref == ""
    call_command("prune_audit")
    assert not AuditEvent.objects.filter(pk=linked.pk).exists()
