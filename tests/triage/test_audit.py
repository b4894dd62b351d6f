"""The staff audit trail: what is recorded, that it cannot be rewritten, who can read it."""

import pytest
from django.test import Client
from django.urls import reverse

from patients.models import User
from tests.factories import make_case
from triage.audit.writer import patient_pseudonym
from triage.models import AppendOnlyError, AuditEvent, CaseLevel
from triage.worklist.selectors import PAGE_SIZE

Action = AuditEvent.Action


@pytest.fixture
def case(patient):
    return make_case(
        patient,
        level=CaseLevel.PRIORITY,
        score=6,
        flags=["PREGNANCY_BLEEDING"],
        answers={"bleeding_after_sex": True, "notes": "Segreto clinico"},
    )


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="admin@example.com", password="x-Admin-pass-2026")


def only_event(action):
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1
    return events[0]


def test_case_view_is_recorded_with_actor_object_patient_time_and_ip(doctor_client, case, doctor, patient):
    doctor_client.get(reverse("triage:case_detail", args=[case.pk]), REMOTE_ADDR="192.0.2.10")

    event = only_event(Action.CASE_VIEW)
    assert event.actor == doctor
    assert event.actor_label == doctor.email
    assert (event.object_type, event.object_id) == ("triage.case", str(case.pk))
    assert event.patient == patient
    assert event.patient_ref == patient_pseudonym(patient.pk)
    assert str(event.ip_address) == "192.0.2.10"
    assert event.created_at is not None


def test_status_change_and_note_are_recorded(doctor_client, case):
    doctor_client.post(
        reverse("triage:case_status", args=[case.pk]), {"to_status": "in_review", "version": 1}
    )
    doctor_client.post(reverse("triage:case_note", args=[case.pk]), {"text": "Nota riservata"})

    assert only_event(Action.STATUS_CHANGE).object_id == str(case.pk)
    assert only_event(Action.NOTE_ADD).object_id == str(case.pk)


def test_refused_changes_are_not_recorded_as_changes(doctor_client, case):
    doctor_client.post(reverse("triage:case_status", args=[case.pk]), {"to_status": "closed", "version": 1})
    doctor_client.post(reverse("triage:case_note", args=[case.pk]), {"text": ""})

    assert not AuditEvent.objects.filter(action__in=[Action.STATUS_CHANGE, Action.NOTE_ADD]).exists()
    # The page shown again with the error displays the case, so that is a view.
    assert AuditEvent.objects.filter(action=Action.CASE_VIEW).count() == 2


def test_worklist_browsing_is_recorded_for_each_patient_shown_not_as_a_case_view(
    doctor_client, case, patient
):
    doctor_client.get(reverse("triage:dashboard"), REMOTE_ADDR="192.0.2.10")

    assert not AuditEvent.objects.filter(action=Action.CASE_VIEW).exists()
    listing = AuditEvent.objects.get(action=Action.WORKLIST_VIEW, object_type="worklist")
    assert listing.object_id == "1" and listing.patient_id is None
    shown = AuditEvent.objects.get(action=Action.WORKLIST_VIEW, object_type="triage.case")
    assert (shown.object_id, shown.patient_id) == (str(case.pk), patient.pk)
    assert shown.patient_ref == patient_pseudonym(patient.pk)
    assert shown.ip_address == "192.0.2.10"


def test_only_the_patients_on_the_page_are_recorded(doctor_client, patient):
    """A page shows PAGE_SIZE rows: the cases further down, and the closed ones it hides, were not read."""
    cases = [make_case(patient, level=CaseLevel.PRIORITY, score=index) for index in range(PAGE_SIZE + 2)]
    hidden = make_case(patient, level=CaseLevel.EMERGENCY, status="closed")

    doctor_client.get(reverse("triage:dashboard"))

    recorded = set(
        AuditEvent.objects.filter(action=Action.WORKLIST_VIEW, object_type="triage.case").values_list(
            "object_id", flat=True
        )
    )
    assert len(recorded) == PAGE_SIZE
    assert recorded < {str(case.pk) for case in cases}
    assert str(hidden.pk) not in recorded


def test_audit_events_hold_no_health_data(doctor_client, case):
    doctor_client.get(reverse("triage:case_detail", args=[case.pk]))
    doctor_client.post(reverse("triage:case_note", args=[case.pk]), {"text": "Nota riservata"})
    doctor_client.get(reverse("triage:export_csv"))

    for event in AuditEvent.objects.all():
        stored = " ".join(
            str(value)
            for value in (
                event.actor_label,
                event.action,
                event.object_type,
                event.object_id,
                event.patient_ref,
            )
        )
        for secret in ("Segreto", "Nota riservata", "PREGNANCY", "priority", "Maria", "Rossi"):
            assert secret.lower() not in stored.lower()


def test_pseudonym_is_stable_and_not_the_id():
    assert patient_pseudonym(7) == patient_pseudonym(7)
    assert patient_pseudonym(7) != patient_pseudonym(8)
    assert len(patient_pseudonym(7)) == 20


def test_pseudonym_depends_on_the_secret_key(settings):
    before = patient_pseudonym(7)
    settings.SECRET_KEY = "another-key-entirely-for-this-test-only-0123456789"

    assert patient_pseudonym(7) != before


def test_invalid_remote_address_is_stored_as_unknown(doctor_client, case):
    doctor_client.get(reverse("triage:case_detail", args=[case.pk]), REMOTE_ADDR="not-an-ip")

    assert only_event(Action.CASE_VIEW).ip_address is None


def test_audit_events_cannot_be_changed_or_deleted(doctor_client, case):
    doctor_client.get(reverse("triage:case_detail", args=[case.pk]))
    event = AuditEvent.objects.get()

    event.action = Action.EXPORT_CSV
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action=Action.EXPORT_CSV)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == Action.CASE_VIEW


# --- Admin -----------------------------------------------------------------------------------------


def test_superuser_reads_the_audit_log_in_the_admin(superuser, doctor_client, case):
    doctor_client.get(reverse("triage:case_detail", args=[case.pk]))
    event = AuditEvent.objects.get()
    admin = Client()
    admin.force_login(superuser)

    listing = admin.get(reverse("admin:triage_auditevent_changelist"))
    detail = admin.get(reverse("admin:triage_auditevent_change", args=[event.pk]))

    assert listing.status_code == 200
    assert "doctor@example.com" in listing.content.decode()
    assert detail.status_code == 200
    # Read-only: no save button, no add or delete.
    assert 'name="_save"' not in detail.content.decode()
    assert admin.get(reverse("admin:triage_auditevent_add")).status_code == 403
    assert (
        admin.post(reverse("admin:triage_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_doctors_cannot_read_the_audit_log(doctor_client, case):
    doctor_client.get(reverse("triage:case_detail", args=[case.pk]))

    response = doctor_client.get(reverse("admin:triage_auditevent_changelist"))

    assert response.status_code == 403


def test_assessments_are_read_only_in_the_admin(superuser, case):
    admin = Client()
    admin.force_login(superuser)
    assessment = case.submission.assessments.get()

    detail = admin.get(reverse("admin:triage_assessment_change", args=[assessment.pk]))
    posted = admin.post(
        reverse("admin:triage_assessment_change", args=[assessment.pk]), {"level": 0, "score": 0}
    )

    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert posted.status_code == 403
    assessment.refresh_from_db()
    assert assessment.level == CaseLevel.PRIORITY
    assert admin.get(reverse("admin:triage_assessment_add")).status_code == 403


def test_opening_a_case_in_the_admin_is_audited(superuser, case):
    admin = Client()
    admin.force_login(superuser)

    response = admin.get(reverse("admin:triage_case_change", args=[case.pk]))

    assert response.status_code == 200
    event = only_event(Action.CASE_VIEW)
    assert event.actor == superuser
    assert event.patient_id == case.patient_id


def test_admin_lists_work(superuser, case):
    admin = Client()
    admin.force_login(superuser)

    for name in (
        "admin:triage_case_changelist",
        "admin:triage_assessment_changelist",
        "admin:patients_user_changelist",
        "admin:patients_patient_changelist",
        "admin:patients_submission_changelist",
    ):
        assert admin.get(reverse(name), {"q": "Rossi"}).status_code == 200, name


def test_staff_can_manage_accounts_by_email_in_the_admin(superuser, patient):
    admin = Client()
    admin.force_login(superuser)

    assert admin.get(reverse("admin:patients_user_change", args=[patient.user.pk])).status_code == 200
    assert admin.get(reverse("admin:patients_patient_change", args=[patient.pk])).status_code == 200
    response = admin.post(
        reverse("admin:patients_user_add"),
        {
            "email": "new.doctor@example.com",
            "first_name": "Luca",
            "last_name": "Neri",
            "password1": "x-Long-pass-2026!",
            "password2": "x-Long-pass-2026!",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(email="new.doctor@example.com").exists()
