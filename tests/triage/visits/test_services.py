"""Visits: booking, times across daylight-saving changes, invitations and reminders sent once."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from patients.services import submission_draft, submission_record, submission_submit
from tests.factories import QUIET_ANSWERS, make_patient, make_visit
from tests.test_support import run_tasks
from triage.audit.writer import Actor
from triage.models import Visit, VisitMessage
from triage.visits.selectors import day_bounds, day_visits, patient_next_visit
from triage.visits.services import (
    VisitOverlap,
    invitation_for,
    local_start,
    reminders_send,
    visit_book,
    visit_change,
)

ROME = ZoneInfo("Europe/Rome")
UTC = ZoneInfo("UTC")
# The last Sundays of March and October 2027: the clocks go forward, then back, at 02:00/03:00.
SPRING_FORWARD = date(2027, 3, 28)
FALL_BACK = date(2027, 10, 31)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ROME)


# --- Times ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (SPRING_FORWARD - timedelta(days=1), 8),  # CET, UTC+1
        (SPRING_FORWARD, 7),  # CEST, UTC+2
        (FALL_BACK - timedelta(days=1), 7),  # CEST
        (FALL_BACK, 8),  # CET again
    ],
)
def test_a_nine_oclock_visit_is_stored_in_utc_with_the_offset_of_its_day(day, utc_hour):
    starts_at = local_start(day, time(9, 0))

    assert starts_at.astimezone(UTC).hour == utc_hour
    assert timezone.localtime(starts_at).time() == time(9, 0)


def test_the_hour_skipped_in_spring_cannot_be_booked():
    with pytest.raises(ValidationError) as error:
        local_start(SPRING_FORWARD, time(2, 30))
    assert "start_time" in error.value.message_dict


def test_days_of_the_clock_changes_last_23_and_25_hours():
    spring = day_bounds(SPRING_FORWARD)
    autumn = day_bounds(FALL_BACK)

    assert spring[1].astimezone(UTC) - spring[0].astimezone(UTC) == timedelta(hours=23)
    assert autumn[1].astimezone(UTC) - autumn[0].astimezone(UTC) == timedelta(hours=25)


@pytest.mark.django_db
@pytest.mark.parametrize("day", [SPRING_FORWARD, FALL_BACK])
def test_the_day_list_holds_the_first_and_last_visit_of_a_clock_change_day(patient, other_patient, day):
    with time_machine.travel(at(day - timedelta(days=20), 8), tick=False):
        early = make_visit(patient, starts_at=at(day, 0, 30))
        late = make_visit(other_patient, starts_at=at(day, 23, 30))
        make_visit(patient, starts_at=at(day + timedelta(days=1), 0, 0))
        make_visit(patient, starts_at=at(day - timedelta(days=1), 23, 59))

        listed = [item.visit.pk for item in day_visits(day)]

    assert listed == [early.pk, late.pk]


# --- Booking -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_visit_in_the_past_cannot_be_booked(patient, doctor):
    with pytest.raises(ValidationError) as error:
        visit_book(patient=patient, starts_at=timezone.now() - timedelta(minutes=1), actor=Actor(doctor))

    assert "start_date" in error.value.message_dict
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_an_overlapping_visit_is_refused_until_confirmed(patient, other_patient, doctor):
    first = make_visit(patient, duration_minutes=30)

    with pytest.raises(VisitOverlap):
        visit_book(patient=patient, starts_at=first.starts_at + timedelta(minutes=15), actor=Actor(doctor))
    # Another patient at the same time, or the same patient right after, is no overlap.
    visit_book(patient=other_patient, starts_at=first.starts_at, actor=Actor(doctor))
    visit_book(patient=patient, starts_at=first.starts_at + timedelta(minutes=30), actor=Actor(doctor))
    visit_book(
        patient=patient,
        starts_at=first.starts_at + timedelta(minutes=15),
        actor=Actor(doctor),
        allow_overlap=True,
    )

    assert Visit.objects.filter(patient=patient).count() == 3


@pytest.mark.django_db
def test_the_same_booking_posted_twice_books_once_and_invites_once(patient, doctor):
    starts_at = timezone.now() + timedelta(days=4)

    first = visit_book(patient=patient, starts_at=starts_at, uid="form-key-1", actor=Actor(doctor))
    second = visit_book(patient=patient, starts_at=starts_at, uid="form-key-1", actor=Actor(doctor))
    run_tasks()

    assert first.pk == second.pk
    assert Visit.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_invitation_is_in_her_language_with_the_clinic_phone_and_no_health_data(doctor):
    from clinic.models import DEMO_PROFILE, SINGLE_ROW_ID, ClinicProfile
    from clinic.phones import phone_display

    ClinicProfile.objects.update_or_create(id=SINGLE_ROW_ID, defaults=DEMO_PROFILE)
    patient = make_patient(email="lucia@example.com", first_name="Lucia")
    patient.user.language = "en"
    patient.user.save(update_fields=["language"])
    submission_record(
        patient=patient,
        answers=QUIET_ANSWERS | {"bleeding_after_sex": True},
        submitted_at=timezone.now() - timedelta(days=40),
    )
    starts_at = local_start(timezone.localdate() + timedelta(days=6), time(11, 30))

    visit_book(
        patient=patient, starts_at=starts_at, kind=Visit.Kind.RESULTS, note="PAP ASC-US", actor=Actor(doctor)
    )
    run_tasks()

    (email,) = mail.outbox
    assert email.to == ["lucia@example.com"]
    assert "please fill in the questionnaire" in email.subject
    assert email.body.startswith("Hello,")
    assert "11:30" in email.body
    assert phone_display(DEMO_PROFILE["phone"]) in email.body
    assert "/questionnaire/new/" in email.body
    for health_data in ("bleeding", "PAP", "ASC-US", "Result review", "level", "flag", "Lucia"):
        assert health_data.lower() not in (email.subject + email.body).lower()


@pytest.mark.django_db
def test_a_cancelled_visit_is_never_invited_or_reminded(patient, doctor):
    visit = visit_book(patient=patient, starts_at=timezone.now() + timedelta(days=3), actor=Actor(doctor))
    visit_change(visit_id=visit.pk, actor=Actor(doctor), state=Visit.State.CANCELLED)

    run_tasks()
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        assert reminders_send() == 0

    assert mail.outbox == []


# --- Reminders -----------------------------------------------------------------------------------

VISIT_DAY = date(2027, 5, 20)


@pytest.fixture
def booked(patient, settings):
    """A visit on VISIT_DAY at 10:00, booked ten days before it."""
    settings.VISIT_REMINDER_DAYS = (3, 1)
    with time_machine.travel(at(VISIT_DAY - timedelta(days=10), 9), tick=False):
        visit = visit_book(patient=patient, starts_at=at(VISIT_DAY, 10))
        run_tasks()
    mail.outbox.clear()
    return visit


def remind_on(day: date, hour: int = 8) -> int:
    with time_machine.travel(at(day, hour), tick=False):
        queued = reminders_send()
        run_tasks()
        return queued


@pytest.mark.django_db
def test_reminders_go_three_days_and_one_day_before_once_each(booked):
    sent = {days: remind_on(VISIT_DAY - timedelta(days=days)) for days in (5, 4, 3, 2, 1)}
    again = remind_on(VISIT_DAY - timedelta(days=1), hour=20)

    assert sent == {5: 0, 4: 0, 3: 1, 2: 0, 1: 1}
    assert again == 0
    assert [email.subject for email in mail.outbox] == [
        "La visita è tra 3 giorni: compili il questionario",
        "La visita è domani: compili il questionario",
    ]
    assert set(VisitMessage.objects.filter(visit=booked).values_list("kind", flat=True)) == {
        "invitation",
        "reminder_3d",
        "reminder_1d",
    }


@pytest.mark.django_db
def test_a_second_worker_finds_the_reminder_taken(booked):
    """The claim is a unique row: a second worker's claim of the same reminder fails, so it sends nothing."""
    VisitMessage.objects.create(visit=booked, kind="reminder_3d")

    assert remind_on(VISIT_DAY - timedelta(days=3)) == 0
    with pytest.raises(IntegrityError):
        VisitMessage.objects.create(visit=booked, kind="reminder_3d")
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_late_run_sends_only_the_reminder_still_due(booked):
    """A job that did not run for days sends the one-day reminder, not both at once."""
    assert remind_on(VISIT_DAY - timedelta(days=1)) == 1
    assert remind_on(VISIT_DAY - timedelta(days=1), hour=9) == 0

    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_no_reminder_once_the_questionnaire_is_in(booked, patient):
    with time_machine.travel(at(VISIT_DAY - timedelta(days=5), 18), tick=False):
        submission_submit(patient=patient, key=submission_draft(patient).key, answers=dict(QUIET_ANSWERS))
        run_tasks()
    mail.outbox.clear()

    assert remind_on(VISIT_DAY - timedelta(days=3)) == 0
    assert remind_on(VISIT_DAY - timedelta(days=1)) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_no_reminder_when_she_turned_them_off(booked, patient):
    patient.visit_reminders = False
    patient.save(update_fields=["visit_reminders"])

    assert remind_on(VISIT_DAY - timedelta(days=3)) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_reminder_queued_then_cancelled_is_not_sent(booked, doctor):
    with time_machine.travel(at(VISIT_DAY - timedelta(days=3), 8), tick=False):
        assert reminders_send() == 1
        visit_change(visit_id=booked.pk, actor=Actor(doctor), state=Visit.State.CANCELLED)
        run_tasks()

    assert mail.outbox == []


@pytest.mark.django_db
def test_reminder_delays_come_from_the_settings(booked, settings):
    settings.VISIT_REMINDER_DAYS = (5,)

    assert remind_on(VISIT_DAY - timedelta(days=6)) == 0
    assert remind_on(VISIT_DAY - timedelta(days=5)) == 1


# --- The questionnaire of a visit ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_questionnaire_counts_for_a_visit_within_14_days_before_it(patient):
    with time_machine.travel(at(VISIT_DAY - timedelta(days=30), 9), tick=False):
        visit = make_visit(patient, starts_at=at(VISIT_DAY, 10), booked_at=timezone.now())
        submission_record(
            patient=patient, answers=dict(QUIET_ANSWERS), submitted_at=at(VISIT_DAY, 10) - timedelta(days=15)
        )
        assert patient_next_visit(patient).submission_id is None
        inside = submission_record(
            patient=patient, answers=dict(QUIET_ANSWERS), submitted_at=at(VISIT_DAY, 10) - timedelta(days=13)
        )

        assert patient_next_visit(patient).submission_id == inside.pk
        assert [item.case.pk for item in day_visits(VISIT_DAY)] == [inside.pk]
    assert visit.pk == patient_next_visit(patient, now=at(VISIT_DAY, 9)).pk


# --- Invitations for patients without an account ------------------------------------------------


def invitation_link(email) -> str:
    return re.search(r"https?://\S+/accounts/signup/invite/\S+/", email.body).group(0)


@pytest.mark.django_db
def test_invitation_link_opens_the_sign_up_once_with_her_email(client, doctor):
    invitation = invitation_for(email="Nuova@Example.com", first_name="Nadia", last_name="Neri")
    visit = visit_book(
        invitation=invitation, starts_at=timezone.now() + timedelta(days=5), actor=Actor(doctor)
    )
    run_tasks()
    (email,) = mail.outbox
    assert email.to == ["nuova@example.com"]
    link = invitation_link(email)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert "nadia" not in link.lower() and "neri" not in link.lower() and "example" not in link.lower()

    page = client.get(f"/{path}")
    assert page.status_code == 200
    assert page.context["form"].initial["email"] == "nuova@example.com"
    response = client.post(
        f"/{path}",
        {
            "email": "nuova@example.com",
            "first_name": "Nadia",
            "last_name": "Neri",
            "date_of_birth": "1988-02-03",
            "password1": "a-Long-test-passphrase-42",
            "password2": "a-Long-test-passphrase-42",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.patient.user.email == "nuova@example.com"

    # The questionnaire she now sends is the one for that visit.
    submission = submission_submit(
        patient=visit.patient, key=submission_draft(visit.patient).key, answers=dict(QUIET_ANSWERS)
    )
    assert patient_next_visit(visit.patient).submission_id == submission.pk

    client.logout()
    again = client.get(f"/{path}")
    assert again.status_code == 302
    assert again.url == "/accounts/signup/"


@pytest.mark.django_db
def test_invitation_link_expires_after_14_days(client, doctor):
    invitation = invitation_for(email="tardi@example.com")
    visit_book(invitation=invitation, starts_at=timezone.now() + timedelta(days=30), actor=Actor(doctor))
    run_tasks()
    path = "/" + invitation_link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]

    with time_machine.travel(timezone.now() + timedelta(days=13), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        assert client.get(path).status_code == 302


@pytest.mark.django_db
def test_a_tampered_invitation_link_is_refused(client, doctor):
    invitation = invitation_for(email="x@example.com")
    visit_book(invitation=invitation, starts_at=timezone.now() + timedelta(days=3), actor=Actor(doctor))
    run_tasks()
    path = "/" + invitation_link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]

    assert client.get(path.replace("/invite/", "/invite/x")).status_code == 302


@pytest.mark.django_db
def test_an_invited_patient_is_reminded_with_a_new_sign_up_link_until_she_signs_up(settings):
    settings.VISIT_REMINDER_DAYS = (3, 1)
    with time_machine.travel(at(VISIT_DAY - timedelta(days=10), 9), tick=False):
        invitation = invitation_for(email="invitata@example.com", first_name="Ida")
        visit_book(invitation=invitation, starts_at=at(VISIT_DAY, 10))
        run_tasks()
    first_link = invitation_link(mail.outbox[0])

    assert remind_on(VISIT_DAY - timedelta(days=3)) == 1
    reminder = mail.outbox[-1]
    assert reminder.to == ["invitata@example.com"]
    assert "profilo" not in reminder.body
    # The reminder's link replaces the invitation's: only the newest one opens the sign-up.
    assert invitation_link(reminder) != first_link
    assert invitation.visits.get().patient is None
