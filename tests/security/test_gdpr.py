"""The patient's data rights: download everything, erase the account, see who opened her record."""

import json

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from patients.models import Consent, Patient, Submission, User
from tests import factories
from triage.audit import patient_pseudonym
from triage.models import Assessment, AuditEvent, Case, CaseEvent, CaseLevel

from .conftest import login_verified, make_totp_device


def staff_opened(doctor, case, action=AuditEvent.Action.CASE_VIEW):
    return AuditEvent.objects.create(
        actor=doctor,
        actor_label=doctor.email,
        action=action,
        object_type="triage.case",
        object_id=str(case.pk),
        patient=case.patient,
        patient_ref=patient_pseudonym(case.patient_id),
        ip_address="192.0.2.10",
    )


@pytest.fixture
def history(patient, other_patient, doctor):
    """Two questionnaires of hers (one re-assessed later), one of someone else's, staff reads of both."""
    first = factories.make_case(
        patient, level=CaseLevel.EMERGENCY, answers={"notes": "her words", "fever": True}
    )
    Assessment.objects.create(submission=first.submission, level=CaseLevel.ROUTINE, score=0, rules_version=2)
    second = factories.make_case(patient, level=CaseLevel.FOLLOW_UP, answers={"itching": True})
    CaseEvent.objects.create(case=first, kind=CaseEvent.Kind.NOTE, actor=doctor, text="doctor's note")
    theirs = factories.make_case(other_patient, level=CaseLevel.PRIORITY)
    staff_opened(doctor, first)
    staff_opened(doctor, second, AuditEvent.Action.CASE_PRINT)
    staff_opened(doctor, theirs)
    return {"first": first, "second": second, "theirs": theirs}


@pytest.mark.django_db
def test_export_asks_first_then_downloads_all_her_data_as_json(client, patient, history):
    client.force_login(patient.user)
    confirm = client.get("/accounts/data/export/")
    assert confirm.status_code == 200
    assert "Download my data" in confirm.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DATA_EXPORT).exists()

    response = client.post("/accounts/data/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-clinic-data-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == patient.user.email
    assert data["profile"]["date_of_birth"] == "1990-03-01"
    assert [c["privacy_notice_version"] for c in data["consents"]] == [patient.consents.get().notice_version]
    answers = [q["answers"] for q in data["questionnaires"]]
    assert answers == [{"notes": "her words", "fever": True}, {"itching": True}]
    # The advice she was shown comes from the first assessment, not the later re-assessment.
    assert data["questionnaires"][0]["advice_shown"]["headline"] == "Get urgent care now"
    assert data["questionnaires"][1]["advice_shown"]["headline"] == "Book a visit in the coming weeks"
    assert [row["action"] for row in data["record_opened_by_staff"]] == ["Printed a case", "Viewed a case"]
    assert all(row["who"] == "Giulia Bianchi" for row in data["record_opened_by_staff"])
    assert "Anna" not in response.content.decode()


@pytest.mark.django_db
def test_export_is_audit_logged_under_her_pseudonym_only(client, patient):
    client.force_login(patient.user)
    client.post("/accounts/data/export/")
    logged = AuditEvent.objects.get(action=AuditEvent.Action.DATA_EXPORT)
    assert logged.patient_id == patient.pk
    assert logged.patient_ref == patient_pseudonym(patient.pk)
    assert logged.actor_label == ""
    assert logged.ip_address is None


@pytest.mark.django_db
def test_the_patient_sees_who_on_the_staff_opened_her_record(client, patient, history):
    client.force_login(patient.user)
    client.post("/accounts/data/export/")  # her own action, not listed as staff access
    page = client.get("/accounts/access-log/").content.decode()
    assert page.count("Giulia Bianchi") == 2
    assert "Viewed a case" in page and "Printed a case" in page
    assert "Downloaded own data" not in page
    assert "192.0.2.10" not in page
    assert client.get("/accounts/access-log/?page=abc").status_code == 200
    assert client.get("/accounts/access-log/?page=99999").status_code == 200


@pytest.mark.django_db
def test_the_access_log_of_a_patient_nobody_opened_says_so(client, other_patient):
    client.force_login(other_patient.user)
    page = client.get("/accounts/access-log/").content.decode()
    assert "Nobody on the staff has opened your record yet." in page


@pytest.mark.django_db
def test_deletion_asks_for_the_password_and_explains_consent(client, patient):
    client.force_login(patient.user)
    page = client.get("/accounts/delete/").content.decode()
    assert "Withdrawing it therefore means deleting your account" in page
    response = client.post("/accounts/delete/", {"password": "not-my-password"})
    assert response.status_code == 200
    assert "The password is not correct." in response.content.decode()
    assert User.objects.filter(pk=patient.user.pk).exists()


@pytest.mark.django_db
def test_deletion_erases_her_data_and_keeps_only_a_pseudonymous_trail(
    client, patient, other_patient, history
):
    user = patient.user
    email = user.email
    pseudonym = patient_pseudonym(patient.pk)
    Client(REMOTE_ADDR="203.0.113.1").post("/accounts/login/", {"username": email, "password": "wrong"})
    assert AccessAttempt.objects.filter(username=email).exists()
    login_verified(client, user, make_totp_device(user))
    client.post("/accounts/data/export/")
    staff_events = set(AuditEvent.objects.filter(patient=patient).values_list("pk", flat=True))

    response = client.post("/accounts/delete/", {"password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"

    assert not User.objects.filter(pk=user.pk).exists()
    assert not Patient.objects.filter(pk=patient.pk).exists()
    assert not Consent.objects.filter(patient_id=patient.pk).exists()
    assert not Submission.objects.filter(patient_id=patient.pk).exists()
    assert not Case.objects.filter(pk__in=[history["first"].pk, history["second"].pk]).exists()
    assert not CaseEvent.objects.filter(case_id=history["first"].pk).exists()
    assert not TOTPDevice.objects.filter(user_id=user.pk).exists()
    assert not AccessAttempt.objects.filter(username=email).exists()
    # Someone else's data is untouched.
    assert Case.objects.filter(pk=history["theirs"].pk).exists()

    # The trail stays, pointing at nobody but the pseudonym.
    kept = AuditEvent.objects.filter(pk__in=staff_events)
    assert kept.count() == len(staff_events)
    assert all(e.patient_id is None and e.patient_ref == pseudonym for e in kept)
    deleted = AuditEvent.objects.get(action=AuditEvent.Action.ACCOUNT_DELETE)
    assert (deleted.patient_id, deleted.actor_id, deleted.patient_ref) == (None, None, pseudonym)
    assert deleted.actor_label == "" and deleted.ip_address is None
    for row in AuditEvent.objects.values():
        assert email not in json.dumps(row, default=str)

    # Logged out, and the account cannot log in again.
    assert client.get("/questionnaire/").status_code == 302
    again = Client().post("/accounts/login/", {"username": email, "password": factories.PASSWORD})
    assert again.status_code == 200
