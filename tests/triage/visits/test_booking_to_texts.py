"""From her booking to her phone, end to end: she opts in to texts at sign-up, the booking system
publishes her visit, the scheduler's sync brings it in at its next run (within 15 minutes, no upload),
and the task worker texts her the invitation and both reminders through the provider's HTTP API (the
fake Twilio server), each once, with no health data and no name."""

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core import mail

from clinic import scheduler
from clinic.models import ClinicProfile
from outbox.gsm7 import fits_one_message
from outbox.models import OutboundText
from patients.models import Patient
from tests.calendar_server import CalendarServer
from tests.patients.test_accounts import SIGNUP_URL, signup_data
from tests.test_support import run_tasks
from triage.models import Visit
from triage.visits.sync import SYNC_JOB

from .test_calendar_sync import event, ics

ROME = ZoneInfo("Europe/Rome")
SIGNED_UP = datetime(2027, 3, 1, 9, 0, tzinfo=ROME)
VISIT_DAY = date(2027, 3, 20)
HER_EMAIL = "lucia.ferri@example.com"
MOBILE = "+393331234567"
BOOKING = event(
    "booking-77",
    "20270320T100000",
    attendee=f"ATTENDEE;CN=Lucia Ferri:mailto:{HER_EMAIL}",
    extra=["SUMMARY:Visita ginecologica"],
)

pytestmark = pytest.mark.django_db


def at(moment):
    return time_machine.travel(moment, tick=False)


def on_day(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ROME)


@pytest.fixture
def calendar(settings):
    settings.CALENDAR_SYNC_ALLOW_PRIVATE = True
    with CalendarServer() as server:
        yield server


@pytest.fixture
def clinic(calendar):
    ClinicProfile.objects.update_or_create(
        id=1,
        defaults={
            "name": "Studio Rossi",
            "phone": "+39 06 1234 5678",
            "sms_sender": "StudioRossi",
            "booking_calendar_url": calendar.serve("/bookings.ics", body=ics()),
        },
    )


def she_signs_up_with_texts_and_confirms_her_email(client) -> Patient:
    response = client.post(SIGNUP_URL, signup_data(email=HER_EMAIL, phone="333 123 4567", texts="on"))
    assert response.status_code == 302
    run_tasks()
    [link] = re.findall(r"https?://\S+/accounts/verify/\S+/", mail.outbox[-1].body)
    assert client.post(urlparse(link).path).status_code == 302
    patient = Patient.objects.select_related("user").get(user__email=HER_EMAIL)
    assert patient.user.email_verified and patient.accepts_texts()
    return patient


def sync_pass() -> dict:
    """One pass of the scheduler's loop, limited to the calendar's job."""
    return scheduler.run_due(only={SYNC_JOB})


def test_a_booking_reaches_her_by_the_next_sync_and_the_worker_texts_her_invitation_and_reminders(
    client, clinic, calendar, twilio, settings
):
    settings.VISIT_REMINDER_DAYS = (3, 1)
    with at(SIGNED_UP):
        patient = she_signs_up_with_texts_and_confirms_her_email(client)
        assert sync_pass() == {SYNC_JOB: "succeeded"}
    assert not Visit.objects.exists()

    # The booking system publishes her booking a minute after the portal's last sync.
    calendar.serve("/bookings.ics", body=ics(BOOKING))
    with at(SIGNED_UP + timedelta(minutes=14)):
        assert sync_pass() == {}
    assert not Visit.objects.exists()
    with at(SIGNED_UP + timedelta(minutes=15)):
        assert sync_pass() == {SYNC_JOB: "succeeded"}
        visit = Visit.objects.get()
        assert (visit.patient, visit.uid) == (patient, "booking-77")
        run_tasks()

    for days_before in (5, 3, 2, 1):
        with at(on_day(VISIT_DAY - timedelta(days=days_before), 8)):
            scheduler.run_due(only={"send_visit_reminders"})
            run_tasks()

    assert len(twilio.received) == 3
    bodies = [request.fields["Body"] for request in twilio.received]
    for request in twilio.received:
        assert (request.fields["To"], request.fields["From"]) == (MOBILE, "StudioRossi")
    for body in bodies:
        assert body.startswith("StudioRossi: ") and "/start/" in body
        assert fits_one_message(body)
        for private in ("Lucia", "Ferri", "Visita", "ginecolog", "20/03", "10:00"):
            assert private not in body
    assert "Promemoria" not in bodies[0] and all("Promemoria" in body for body in bodies[1:])
    sent = OutboundText.objects.filter(patient=patient).order_by("created_at", "pk")
    assert [(text.idempotency_key, text.status, text.attempts) for text in sent] == [
        (f"visit-invitation:{visit.pk}", "sent", 1),
        (f"visit-reminder:{visit.pk}:3", "sent", 1),
        (f"visit-reminder:{visit.pk}:1", "sent", 1),
    ]
    assert all(text.provider_id.startswith("SM") for text in sent)
    # The emails went too: the verification, the invitation and the two reminders.
    assert len(mail.outbox) == 4


@pytest.fixture
def registry(monkeypatch):
    """The scheduler's jobs as registered now, restored after the test."""
    monkeypatch.setattr(scheduler, "_registry", dict(scheduler._registry))
    monkeypatch.setattr(scheduler, "_retry_at", {})


def test_the_sync_runs_at_the_interval_the_setting_gives(clinic, calendar, settings, registry):
    settings.CALENDAR_SYNC_MINUTES = 5
    apps.get_app_config("triage").ready()

    with at(SIGNED_UP):
        assert sync_pass() == {SYNC_JOB: "succeeded"}
    calendar.serve("/bookings.ics", body=ics(BOOKING))
    with at(SIGNED_UP + timedelta(minutes=4, seconds=59)):
        assert sync_pass() == {}
    with at(SIGNED_UP + timedelta(minutes=5)):
        assert sync_pass() == {SYNC_JOB: "succeeded"}
    assert Visit.objects.get().uid == "booking-77"
    fetched = [request for request in calendar.requests if request["path"] == "/bookings.ics"]
    assert len(fetched) == 2
