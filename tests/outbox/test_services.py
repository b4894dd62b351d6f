import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox.models import OutboundEmail
from outbox.services import email_deliver, email_dismiss, email_send_again, emails_held, retry_delay
from outbox.tasks import email_deliver_task
from patients.models import Submission
from patients.services import submission_record
from tests.patients.test_questionnaire import QUIET, days_ago, form_key, post
from tests.test_support import SlowBrokenEmailBackend, run_tasks
from triage.cases.notifications import notify_urgent_case, urgent_case_email
from triage.models import Case, CaseLevel

BROKEN = "tests.test_support.BrokenEmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
URGENT = {"soaks_pad_hourly": True}


def urgent_submission(patient):
    return submission_record(patient=patient, answers=URGENT, submitted_at=days_ago(0))


def later(seconds):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


@pytest.mark.django_db
def test_an_urgent_submission_with_the_mail_server_down_succeeds_at_once_and_is_delivered_later(
    patient_client, patient, doctor, settings
):
    settings.EMAIL_BACKEND = "tests.test_support.SlowBrokenEmailBackend"
    SlowBrokenEmailBackend.connections.clear()
    key = form_key(patient_client)

    response = post(patient_client, "submit", key, **{**QUIET, "soaks_pad_hourly": "yes"})
    # The request never waits for the mail server: it does not even connect to it.
    assert SlowBrokenEmailBackend.connections == []
    assert response.status_code == 302
    submission = Submission.objects.get(patient=patient)
    assert submission.status == "submitted"

    settings.EMAIL_BACKEND = BROKEN
    run_tasks()
    # The doctors' alert and the patient's confirmation, both waiting for their retry.
    messages = list(OutboundEmail.objects.order_by("pk"))
    assert [(m.status, m.attempts, m.last_error) for m in messages] == [
        ("pending", 1, "ConnectionRefusedError")
    ] * 2
    assert mail.outbox == []

    settings.EMAIL_BACKEND = LOCMEM  # the server is back
    run_tasks()
    assert mail.outbox == []  # the retry waits for its back-off
    with later(settings.EMAIL_RETRY_DELAYS[0] + 1):
        run_tasks()
    for message in messages:
        message.refresh_from_db()
    assert [(m.status, m.attempts) for m in messages] == [("sent", 2)] * 2
    assert sorted(m.to for m in mail.outbox) == sorted([[doctor.email], [patient.user.email]])
    alert = next(m for m in mail.outbox if m.to == [doctor.email])
    assert alert.body.endswith("/dashboard/\n")


@pytest.mark.django_db
def test_with_the_mail_server_down_for_good_the_email_ends_failed_and_logged_without_health_data(
    patient, doctor, settings, caplog
):
    settings.EMAIL_BACKEND = BROKEN
    urgent_submission(patient)
    elapsed = 0
    with caplog.at_level(logging.WARNING, logger="outbox"):
        run_tasks()
        for delay in settings.EMAIL_RETRY_DELAYS:
            elapsed += delay + 1
            with later(elapsed):
                run_tasks()

    message = OutboundEmail.objects.get()
    assert message.status == "failed"
    assert message.attempts == len(settings.EMAIL_RETRY_DELAYS) + 1
    assert DBTaskResult.objects.filter(status="FAILED").count() == 1
    errors = [
        r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and r.name.startswith("outbox")
    ]
    assert errors == [
        f"Email {message.pk} (urgent_case_email) failed after {message.attempts} attempts: ConnectionRefusedError"
    ]
    stored_traceback = DBTaskResult.objects.get(status="FAILED").traceback
    for word in (patient.user.last_name, patient.user.email, "soaks", "HEAVY", doctor.email, "unreachable"):
        assert word not in caplog.text
        assert word not in stored_traceback


def test_retries_back_off_then_stop(settings):
    settings.EMAIL_RETRY_DELAYS = (30, 120, 600)
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(seconds=30),
        timedelta(seconds=120),
        timedelta(seconds=600),
        None,
    ]


@pytest.mark.django_db
def test_a_rolled_back_submission_queues_and_sends_nothing(patient, doctor):
    with pytest.raises(RuntimeError), transaction.atomic():
        urgent_submission(patient)
        assert OutboundEmail.objects.count() == 1
        raise RuntimeError("the request failed after the assessment")

    assert not OutboundEmail.objects.exists()
    assert not DBTaskResult.objects.exists()
    run_tasks()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_committed_urgent_case_has_its_task_in_the_same_transaction(patient, doctor):
    submission = urgent_submission(patient)
    message = OutboundEmail.objects.get()
    assert message.params == {"case_id": submission.pk, "language": doctor.language}
    task = DBTaskResult.objects.get()
    assert task.status == "READY"
    assert task.args_kwargs == {"args": [message.pk], "kwargs": {}}


@pytest.mark.django_db
def test_a_message_queued_twice_is_sent_once(patient, doctor):
    urgent_submission(patient)
    message = OutboundEmail.objects.get()
    email_deliver_task.enqueue(message.pk)

    run_tasks()

    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


@pytest.mark.django_db
def test_a_worker_killed_between_sending_and_recording_never_sends_twice(patient, doctor, settings):
    settings.EMAIL_BACKEND = "tests.test_support.SendThenDieBackend"
    urgent_submission(patient)
    run_tasks()
    message = OutboundEmail.objects.get()
    assert message.status == "sending"
    assert len(mail.outbox) == 1

    settings.EMAIL_BACKEND = LOCMEM
    email_deliver_task.enqueue(message.pk)  # as a retry or a duplicate task would
    run_tasks()

    message.refresh_from_db()
    assert message.status == "in_doubt"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_staff_can_send_a_failed_message_again_or_dismiss_it(patient, doctor, settings):
    settings.EMAIL_BACKEND = BROKEN
    settings.EMAIL_RETRY_DELAYS = ()
    urgent_submission(patient)
    urgent_submission(patient)
    run_tasks()
    first, second = OutboundEmail.objects.order_by("pk")
    assert {first.status, second.status} == {"failed"}

    settings.EMAIL_BACKEND = LOCMEM
    email_send_again(first)
    email_dismiss(second)
    run_tasks()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("sent", "dismissed")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_alert_for_a_case_with_no_doctor_to_tell_is_skipped(patient):
    urgent_submission(patient)
    run_tasks()
    assert OutboundEmail.objects.get().status == "skipped"
    assert mail.outbox == []


@pytest.mark.django_db
def test_only_declared_kinds_of_email_are_built(patient):
    message = OutboundEmail.objects.create(kind="os.system", params={"command": "true"})
    assert email_deliver(message.pk) == "pending"  # the first failure waits for its retry
    message.refresh_from_db()
    assert message.last_error == SuspiciousOperation.__name__


@pytest.mark.django_db
def test_nothing_is_queued_while_emails_are_held(patient, doctor):
    with emails_held():
        urgent_submission(patient)
        notify_urgent_case(Case.objects.get().pk)
    assert not OutboundEmail.objects.exists()
    urgent_submission(patient)
    assert OutboundEmail.objects.count() == 1


@pytest.mark.django_db
def test_a_reassessment_that_moves_a_case_up_to_priority_alerts_like_a_new_case(patient, doctor):
    from triage.cases.assessments import open_submissions_retriage

    submission = submission_record(patient=patient, answers={"burning": True}, submitted_at=days_ago(0))
    assert not OutboundEmail.objects.exists()
    Submission.objects.filter(pk=submission.pk).update(answers=URGENT)  # as if the rules changed

    open_submissions_retriage()
    open_submissions_retriage()  # no change the second time: no second alert

    assert Case.objects.get(pk=submission.pk).level == CaseLevel.EMERGENCY
    alert = OutboundEmail.objects.get(kind__endswith="urgent_case_email")
    assert alert.params == {"case_id": submission.pk, "language": doctor.language}
    # She is told too, once: the case moved up into emergency (RULES.md 11.2, S4).
    assert OutboundEmail.objects.filter(kind__endswith="patient_notice_email").count() == 1
    run_tasks()
    (to_doctors,) = [message for message in mail.outbox if message.to == [doctor.email]]
    assert to_doctors.body.endswith("/dashboard/\n")


@pytest.mark.django_db
def test_a_reassessment_that_moves_a_case_down_sends_nothing(patient, doctor):
    from triage.cases.assessments import open_submissions_retriage

    submission = urgent_submission(patient)
    OutboundEmail.objects.all().update(status="sent")
    Submission.objects.filter(pk=submission.pk).update(answers={"burning": True})

    open_submissions_retriage()

    # The lower level waits for a doctor's sign-off (RULES.md 11.2, S5).
    case = Case.objects.get(pk=submission.pk)
    assert case.level == CaseLevel.EMERGENCY
    assert case.pending_sign_off.level < CaseLevel.PRIORITY
    assert OutboundEmail.objects.count() == 1


@pytest.mark.django_db
def test_the_urgent_case_email_is_built_when_sent_for_the_doctors_of_that_moment(patient, doctor):
    from tests import factories

    case = Case.objects.get(pk=urgent_submission(patient).pk)
    later_doctor = factories.make_doctor(email="second@example.com")
    built = urgent_case_email(case_id=case.pk)
    assert sorted(built.to) == sorted([doctor.email, later_doctor.email])
