"""The patient's data rights: download everything, erase the account, see who opened her record."""

import json
import re
from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.admin.models import CHANGE, LogEntry
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from patients.gdpr import STAFF_ACTIONS, patient_data_export
from patients.models import Consent, Patient, Submission, User
from patients.services import submission_draft, submission_record
from tests import factories
from tests.test_support import run_tasks
from tests.triage.retriage import RETRIAGED, SENT, reassess
from triage.audit.writer import patient_pseudonym
from triage.models import Assessment, AuditEvent, Case, CaseEvent, CaseLevel

from .conftest import login_verified, make_totp_device


def admin_saw(doctor, *objects):
    """Admin history entries for her records, as the admin writes them (with each object's name)."""
    for obj in objects:
        LogEntry.objects.log_actions(doctor.pk, [obj], CHANGE, change_message="[]", single_object=True)


def clinical_record(patient):
    """What the clinic must keep: every questionnaire, assessment, case, event and audit row of hers."""
    submissions = Submission.objects.filter(patient=patient, status="submitted")
    return (
        sorted(submissions.values_list("pk", "answers", "submitted_at")),
        sorted(Assessment.objects.filter(submission__in=submissions).values_list("pk", "level", "score")),
        sorted(Case.objects.filter(patient=patient).values_list("pk", "status", "level")),
        sorted(CaseEvent.objects.filter(case__patient=patient).values_list("pk", "text")),
        sorted(
            AuditEvent.objects.filter(patient=patient, action__in=STAFF_ACTIONS).values_list("pk", "action")
        ),
    )


def tables_mentioning(*words) -> set[str]:
    """Every table with a row where any column, read as text, contains one of the words."""
    found = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row if value is not None).lower()
                if any(word.lower() in text for word in words):
                    found.add(table)
                    break
    return found


def prune(*args) -> str:
    out = StringIO()
    call_command("prune_records", *args, stdout=out)
    return out.getvalue().strip()


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
    assert "Download the data" in confirm.content.decode()
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
    # The advice she is shown: a re-assessment that is not taken into the case changes nothing.
    assert data["questionnaires"][0]["advice_shown"]["headline"] == "Get urgent care now"
    assert data["questionnaires"][1]["advice_shown"]["headline"] == "Book a visit in the coming weeks"
    assert [row["action"] for row in data["record_opened_by_staff"]] == ["Printed a case", "Viewed a case"]
    assert all(row["who"] == "Giulia Bianchi" for row in data["record_opened_by_staff"])
    assert "Anna" not in response.content.decode()


def moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, level, updated, earlier",
    [
        ("en", "Urgent", "Get checked today", "Book a visit in the coming weeks"),
        ("it", "Urgente", "Si faccia valutare oggi", "Prenoti una visita nelle prossime settimane"),
    ],
)
def test_export_gives_the_advice_a_move_up_gave_her_with_its_date_and_the_advice_it_replaced(
    patient, language, level, updated, earlier
):
    case = factories.make_case(patient, level=CaseLevel.FOLLOW_UP, score=2, submitted_at=SENT)
    reassess(case, CaseLevel.URGENT, at=RETRIAGED)

    advice = patient_data_export(patient, language)["questionnaires"][0]["advice_shown"]

    assert (advice["level"], advice["headline"], moment(advice["given_at"])) == (level, updated, RETRIAGED)
    assert (advice["earlier_advice"]["headline"], moment(advice["earlier_advice"]["given_at"])) == (
        earlier,
        SENT,
    )


@pytest.mark.django_db
def test_export_keeps_her_advice_while_a_lower_level_waits_for_sign_off(patient):
    case = factories.make_case(patient, level=CaseLevel.URGENT, score=5, submitted_at=SENT)
    reassess(case, CaseLevel.ROUTINE, score=0, flags=(), at=RETRIAGED)

    advice = patient_data_export(patient, "en")["questionnaires"][0]["advice_shown"]

    assert (advice["headline"], moment(advice["given_at"]), advice["earlier_advice"]) == (
        "Get checked today",
        SENT,
        None,
    )


@pytest.mark.django_db
def test_export_reads_a_constant_number_of_queries_however_many_questionnaires_she_sent(patient):
    def export_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            patient_data_export(patient, "en")
        return len(queries)

    case = factories.make_case(patient, level=CaseLevel.FOLLOW_UP, score=2, submitted_at=SENT)
    reassess(case, CaseLevel.URGENT, at=RETRIAGED)
    one = export_queries()
    for _ in range(4):
        case = factories.make_case(patient, level=CaseLevel.FOLLOW_UP, score=2, submitted_at=SENT)
        reassess(case, CaseLevel.URGENT, at=RETRIAGED)

    assert export_queries() == one


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
@pytest.mark.parametrize(
    "action",
    [action for action in AuditEvent.Action if action not in AuditEvent.PATIENT_OWN_ACTIONS],
    ids=str,
)
def test_every_kind_of_staff_access_is_in_her_access_log_and_her_download(client, patient, doctor, action):
    case = factories.make_case(patient, level=CaseLevel.ROUTINE)
    staff_opened(doctor, case, action)
    client.force_login(patient.user)
    client.cookies["django_language"] = "en"

    page = client.get("/accounts/access-log/").content.decode()
    assert str(AuditEvent.Action(action).label) in page
    assert "Nobody on the staff has opened your record yet." not in page
    data = json.loads(client.post("/accounts/data/export/").content)
    assert [row["action"] for row in data["record_opened_by_staff"]] == [str(AuditEvent.Action(action).label)]


@pytest.mark.django_db
def test_her_row_seen_on_the_worklist_is_in_her_access_log(client, patient, doctor):
    factories.make_case(patient, level=CaseLevel.PRIORITY, flags=["RECURRENT"])
    doctor_client = Client()
    doctor_client.force_login(doctor)
    for minute in (0, 3):
        with time_machine.travel(timezone.now() + timedelta(minutes=minute), tick=False):
            doctor_client.get("/dashboard/")

    client.force_login(patient.user)
    client.cookies["django_language"] = "en"
    page = client.get("/accounts/access-log/").content.decode()
    assert "Viewed the worklist" in page
    assert "2 times between" in page


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
def test_erasing_an_account_without_questionnaires_keeps_only_a_pseudonymous_trail(
    client, patient, other_patient, doctor
):
    user = patient.user
    email = user.email
    pseudonym = patient_pseudonym(patient.pk)
    submission_draft(patient)
    theirs = factories.make_case(other_patient, level=CaseLevel.PRIORITY)
    Client(REMOTE_ADDR="203.0.113.1").post("/accounts/login/", {"username": email, "password": "wrong"})
    assert AccessAttempt.objects.filter(username=email).exists()
    login_verified(client, user, make_totp_device(user))
    client.post("/accounts/data/export/")
    admin_saw(doctor, user, patient)

    response = client.post("/accounts/delete/", {"password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"

    assert not User.objects.filter(pk=user.pk).exists()
    assert not Patient.objects.filter(pk=patient.pk).exists()
    assert not Consent.objects.filter(patient_id=patient.pk).exists()
    assert not Submission.objects.filter(patient_id=patient.pk).exists()
    assert not TOTPDevice.objects.filter(user_id=user.pk).exists()
    assert not AccessAttempt.objects.filter(username=email).exists()
    assert Case.objects.filter(pk=theirs.pk).exists()  # someone else's data is untouched

    deleted = AuditEvent.objects.get(action=AuditEvent.Action.ACCOUNT_DELETE)
    assert (deleted.patient_id, deleted.actor_id, deleted.patient_ref) == (None, None, pseudonym)
    assert deleted.actor_label == "" and deleted.ip_address is None
    assert tables_mentioning(user.first_name, user.last_name, email) == set()

    # Logged out, and the account cannot log in again.
    assert client.get("/questionnaire/").status_code == 302
    again = Client().post("/accounts/login/", {"username": email, "password": factories.PASSWORD})
    assert again.status_code == 200
    assert "_auth_user_id" not in again.wsgi_request.session


@pytest.mark.django_db
def test_closing_an_account_with_an_open_case_keeps_the_record_and_ends_her_login(
    client, patient, other_patient, doctor, history
):
    user = patient.user
    email = user.email
    urgent = submission_record(
        patient=patient, answers={"soaks_pad_hourly": True}, submitted_at=timezone.now()
    )
    open_case = Case.objects.get(pk=urgent.pk)
    run_tasks()
    alert_link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    submission_draft(patient)
    Client(REMOTE_ADDR="203.0.113.1").post("/accounts/login/", {"username": email, "password": "wrong"})
    elsewhere = Client()
    elsewhere.force_login(user)
    login_verified(client, user, make_totp_device(user))
    admin_saw(doctor, user, patient, history["first"].submission)
    record = clinical_record(patient)

    page = client.get("/accounts/delete/").content.decode()
    assert page.index("/accounts/data/export/") < page.index('name="password"')  # export offered first
    assert "What the clinic keeps, and why" in page
    assert "10 years after the last entry" in page
    response = client.post("/accounts/delete/", {"password": factories.PASSWORD})
    assert response.status_code == 302

    # Nothing clinical is deleted.
    assert clinical_record(patient) == record
    patient.refresh_from_db()
    user.refresh_from_db()
    assert patient.closed_at is not None
    assert (user.email, user.first_name, user.last_name) == (email, "Maria", "Rossi")
    # What is not part of the record is gone.
    assert not user.is_active and not user.has_usable_password()
    assert not Submission.objects.filter(patient=patient, status="draft").exists()
    assert not Consent.objects.filter(patient=patient, withdrawn_at__isnull=True).exists()
    assert not TOTPDevice.objects.filter(user_id=user.pk).exists()
    assert not AccessAttempt.objects.filter(username=email).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_DELETE, patient=patient).count() == 1
    # Her name stays only in her identity, part of the record; not in the admin's history.
    assert tables_mentioning(user.first_name, user.last_name, email) == {"patients_user"}

    # Logged out everywhere, and login is refused.
    assert client.get("/questionnaire/").status_code == 302
    assert elsewhere.get("/questionnaire/").status_code == 302
    again = Client().post("/accounts/login/", {"username": email, "password": factories.PASSWORD})
    assert "_auth_user_id" not in again.wsgi_request.session
    Client().post("/accounts/password_reset/", {"email": email})
    run_tasks()
    assert len(mail.outbox) == 1  # only the alert from before

    # The open case stays on the worklist, which the alert links, and opens.
    doctor_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    doctor_client.force_login(doctor)
    assert f"/dashboard/cases/{open_case.pk}/" in doctor_client.get("/dashboard/").content.decode()
    # The alert links the worklist (RULES.md 11.2, S7), where her case still waits.
    assert alert_link == "/dashboard/"
    opened = doctor_client.get(f"/dashboard/cases/{open_case.pk}/")
    assert opened.status_code == 200
    assert "Account closed by the patient on" in opened.content.decode()


@pytest.mark.django_db
def test_prune_records_deletes_a_closed_record_only_after_its_retention_period(
    client, patient, other_patient, doctor, history
):
    login_verified(client, patient.user)
    closed_on = timezone.now()
    with time_machine.travel(closed_on, tick=False):
        client.post("/accounts/delete/", {"password": factories.PASSWORD})
    a_year_later = closed_on + timedelta(days=365)
    with time_machine.travel(a_year_later, tick=False):
        CaseEvent.objects.create(
            case=history["first"], kind=CaseEvent.Kind.NOTE, actor=doctor, text="follow-up"
        )
    record = clinical_record(patient)

    with time_machine.travel(a_year_later + timedelta(days=365 * 10 - 3), tick=False):
        assert prune() == "Deleted the records of 0 closed accounts past their retention period."
    assert clinical_record(patient) == record

    with time_machine.travel(a_year_later + timedelta(days=366 * 10 + 1), tick=False):
        assert (
            prune("--dry-run") == "Would delete the records of 1 closed accounts past their retention period."
        )
        assert clinical_record(patient) == record
        assert prune() == "Deleted the records of 1 closed accounts past their retention period."
        assert prune() == "Deleted the records of 0 closed accounts past their retention period."

    assert not Patient.objects.filter(pk=patient.pk).exists()
    assert not Submission.objects.filter(patient_id=patient.pk).exists()
    assert Case.objects.filter(pk=history["theirs"].pk).exists()
    assert tables_mentioning("Maria", "Rossi", "patient@example.com") == set()


@pytest.mark.django_db
def test_prune_records_leaves_open_accounts_alone(patient, history):
    with time_machine.travel(timezone.now() + timedelta(days=365 * 20), tick=False):
        assert prune() == "Deleted the records of 0 closed accounts past their retention period."
    assert Patient.objects.filter(pk=patient.pk).exists()
