"""An email belongs to whoever proved it: verification, invitations tied to their address, imports
that never guess, visits found at sign-up, and nothing sent once an account is gone."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from outbox.models import OutboundEmail
from patients.gdpr import patient_account_close, patient_erase
from patients.models import User
from patients.services import email_verify, patient_register
from patients.verification import email_verification_token
from tests.factories import PASSWORD, make_patient, record
from tests.test_support import run_tasks
from triage.models import Visit, VisitInvitation
from triage.visits.matching import import_file, import_report_lines
from triage.visits.services import invitation_for, reminders_send, visit_book

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2027, 3, 20, 9, 0, tzinfo=ROME)
VERIFY_LINK = re.compile(r"https?://[^/\s]+(/accounts/verify/[^/\s]+/[^/\s]+/)")
INVITE_LINK = re.compile(r"https?://[^/\s]+(/accounts/signup/invite/\S+/)")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True), translation.override("en"):
        yield


def signup_data(email, **overrides):
    return {
        "email": email,
        "first_name": "Carla",
        "last_name": "Conti",
        "date_of_birth": "1980-04-02",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "consent": "on",
        **overrides,
    }


def csv(*rows: str) -> bytes:
    header = "uid;date;time;duration;kind;email;first_name;last_name;date_of_birth;status;note"
    return "\n".join([header, *rows, ""]).encode()


def link_in(pattern, message) -> str:
    return pattern.search(message.body).group(1)


def invited_visit(email="carla@example.com", **details):
    invitation = invitation_for(email=email, **details)
    return visit_book(invitation=invitation, starts_at=timezone.now() + timedelta(days=6))


# --- A verified email ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_up_sends_a_verification_link_that_works_once_for_her_logged_in(client):
    response = client.post(reverse("signup"), signup_data("dora@example.com"))
    assert response.status_code == 302
    user = User.objects.get(email="dora@example.com")
    assert not user.email_verified
    run_tasks()
    (message,) = mail.outbox
    assert message.to == ["dora@example.com"]
    path = link_in(VERIFY_LINK, message)
    assert "dora" not in path

    # Opening it shows a button; GET changes nothing.
    assert client.get(path).status_code == 200
    user.refresh_from_db()
    assert not user.email_verified
    assert client.post(path).status_code == 302
    user.refresh_from_db()
    assert user.email_verified
    # Used up: the token no longer checks for her account.
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert not email_verification_token.check_token(user, token)


@pytest.mark.django_db
def test_a_verification_link_expires_after_three_days(client):
    client.post(reverse("signup"), signup_data("late@example.com"))
    run_tasks()
    path = link_in(VERIFY_LINK, mail.outbox[0])
    user = User.objects.get(email="late@example.com")
    with time_machine.travel(NOW + timedelta(days=3, hours=1), tick=False):
        client.force_login(user)
        response = client.post(path)
        assert response.status_code == 400
    assert not User.objects.get(email="late@example.com").email_verified


@pytest.mark.django_db
def test_a_verification_link_confirms_nothing_for_someone_else(client):
    """Mallory registered Carla's address; Carla opening the link in her own session (or none)
    cannot verify Mallory's account, since the link needs the account's own login."""
    client.post(reverse("signup"), signup_data("carla@example.com"))
    run_tasks()
    path = link_in(VERIFY_LINK, mail.outbox[0])
    client.logout()
    anonymous = client.post(path)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))
    other = make_patient(email="someone@example.com")
    client.force_login(other.user)
    assert client.post(path).status_code == 400
    assert not User.objects.get(email="carla@example.com").email_verified


@pytest.mark.django_db
def test_resending_the_link_is_limited(client, settings):
    client.post(reverse("signup"), signup_data("resend@example.com"))
    sent = reverse("email_verification_send")
    for _ in range(settings.EMAIL_VERIFICATION_LIMIT + 2):
        client.post(sent)
    queued = OutboundEmail.objects.filter(kind__endswith="email_verification_email").count()
    assert queued == settings.EMAIL_VERIFICATION_LIMIT
    # An hour later she may ask again.
    OutboundEmail.objects.update(created_at=timezone.now() - timedelta(hours=1, minutes=1))
    client.post(sent)
    assert OutboundEmail.objects.filter(kind__endswith="email_verification_email").count() == queued + 1


@pytest.mark.django_db
def test_an_unverified_patient_can_still_send_the_questionnaire(client):
    client.post(reverse("signup"), signup_data("early@example.com"))
    user = User.objects.get(email="early@example.com")
    submission = record(user.patient, {})
    assert submission.is_submitted
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_password_reset_sends_nothing_to_an_unverified_patient_address(client):
    client.post(reverse("signup"), signup_data("squat@example.com"))
    client.logout()
    run_tasks()
    mail.outbox.clear()
    response = client.post(reverse("password_reset"), {"email": "squat@example.com"})
    assert response.status_code == 302
    run_tasks()
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_email_changed_in_the_admin_is_unverified_again(patient):
    assert patient.user.email_verified
    user = User.objects.get(pk=patient.user.pk)
    user.email = "new-address@example.com"
    user.save()
    user.refresh_from_db()
    assert not user.email_verified


# --- An invitation belongs to its email ---------------------------------------------------------


@pytest.mark.django_db
def test_an_invitation_link_signs_up_only_the_invited_address(client):
    """Whoever holds Carla's link and types another address still creates Carla's account."""
    visit = invited_visit()
    run_tasks()
    path = link_in(INVITE_LINK, mail.outbox[0])

    response = client.post(path, signup_data("mallory@evil.example"))

    assert response.status_code == 302
    assert not User.objects.filter(email="mallory@evil.example").exists()
    carla = User.objects.get(email="carla@example.com")
    assert carla.email_verified  # the link was the proof
    visit.refresh_from_db()
    assert visit.patient == carla.patient


@pytest.mark.django_db
def test_an_invitation_used_with_another_address_binds_nothing():
    visit = invited_visit()
    user = patient_register(
        email="mallory@evil.example",
        password=PASSWORD,
        first_name="M",
        last_name="M",
        date_of_birth=date(1990, 1, 1),
        invitation_id=visit.invitation_id,
    )
    visit.refresh_from_db()
    assert visit.patient is None
    assert not user.email_verified
    assert VisitInvitation.objects.get(pk=visit.invitation_id).used_at is None


@pytest.mark.django_db
def test_an_existing_account_with_another_address_following_the_link_binds_nothing(client):
    visit = invited_visit()
    run_tasks()
    path = link_in(INVITE_LINK, mail.outbox[0])
    other = make_patient(email="mallory@evil.example")
    client.force_login(other.user)

    assert client.get(path).status_code == 302
    client.post(path, signup_data("mallory@evil.example"))

    visit.refresh_from_db()
    assert visit.patient is None


@pytest.mark.django_db
def test_an_invitation_with_another_date_of_birth_waits_for_the_doctor(client):
    visit = invited_visit(first_name="Carla", last_name="Conti", date_of_birth=date(1970, 1, 1))
    run_tasks()
    client.post(link_in(INVITE_LINK, mail.outbox[0]), signup_data("carla@example.com"))

    visit.refresh_from_db()
    carla = User.objects.get(email="carla@example.com").patient
    assert visit.patient is None
    assert (visit.match_patient, visit.match_reason) == (carla, Visit.Match.SIGNUP_DIFFERS)


# --- Matching that never guesses ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_import_never_binds_to_an_unverified_account_and_binds_once_she_verifies():
    """Dora's address registered by someone else: the import waits; the verified owner gets it."""
    squatter = make_patient(email="dora@example.com", first_name="Dora", last_name="Dini", verified=False)

    report = import_file(
        "export.csv", csv("d-1;2027-03-28;09:00;30;;dora@example.com;Dora;Dini;1990-03-01;;")
    )

    visit = Visit.objects.get(uid="d-1")
    assert report.saved and visit.patient is None
    # The inbox's owner is invited; the account that merely typed the address gets nothing.
    assert visit.invitation.email == "dora@example.com"
    assert email_verify(squatter.user) == 1
    visit.refresh_from_db()
    assert visit.patient == squatter


@pytest.mark.django_db
def test_an_import_with_contradicting_details_waits_for_confirmation():
    dora = make_patient(
        email="dora@example.com", first_name="Dora", last_name="Dini", date_of_birth=date(1990, 3, 1)
    )

    report = import_file(
        "export.csv",
        csv(
            "d-1;2027-03-28;09:00;30;;dora@example.com;Dora;Dini;1975-01-01;;",
            "d-2;2027-03-28;10:00;30;;dora@example.com;Mallory;Mala;;;",
            "d-3;2027-03-28;11:00;30;;dora@example.com;dora;DINI;1990-03-01;;",
        ),
    )

    assert (report.created, report.pending) == (3, 2)
    for uid in ("d-1", "d-2"):
        visit = Visit.objects.get(uid=uid)
        assert (visit.patient, visit.match_patient, visit.match_reason) == (
            None,
            dora,
            Visit.Match.DETAILS_DIFFER,
        )
    assert Visit.objects.get(uid="d-3").patient == dora
    lines = " ".join(str(line) for line in import_report_lines(report))
    assert "2 visits need your confirmation" in lines


@pytest.mark.django_db
def test_a_row_matching_only_by_name_and_birth_date_is_not_bound_nor_sent(doctor):
    maria = make_patient(email="maria@example.com")

    import_file("export.csv", csv("m-1;2027-03-28;09:00;30;;;Maria;Rossi;1990-03-01;;"))
    run_tasks()

    visit = Visit.objects.get(uid="m-1")
    assert (visit.patient, visit.match_patient, visit.match_reason) == (None, maria, Visit.Match.NAME_ONLY)
    assert mail.outbox == []
    assert reminders_send(now=visit.starts_at - timedelta(days=2)) == 0


@pytest.mark.django_db
def test_the_doctor_confirms_a_pending_visit_on_the_import_page(doctor_client, doctor):
    maria = make_patient(email="maria@example.com")
    import_file("export.csv", csv("m-1;2027-03-28;09:00;30;;other@example.org;Maria;Rossi;1990-03-01;;"))
    visit = Visit.objects.get(uid="m-1")

    page = doctor_client.get(reverse("triage:visit_import"))
    assert "Needs your confirmation" in page.content.decode()
    assert "Maria Rossi" in page.content.decode()
    response = doctor_client.post(reverse("triage:visit_match", args=[visit.pk]), {"decision": "confirm"})

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.patient, visit.match_reason) == (maria, "")
    run_tasks()
    assert [m.to for m in mail.outbox] == [["maria@example.com"]]
    # Listing her as a possible match is in her access log.
    from triage.models import AuditEvent

    assert AuditEvent.objects.filter(patient=maria, action=AuditEvent.Action.MATCH_LIST).exists()


@pytest.mark.django_db
def test_the_command_lists_pending_confirmations_and_fails_until_they_are_resolved(tmp_path, capsys):
    maria = make_patient(email="maria@example.com")
    path = tmp_path / "visits.csv"
    path.write_bytes(csv("m-1;2027-03-28;09:00;30;;;Maria;Rossi;1990-03-01;;"))

    with pytest.raises(CommandError, match="need your confirmation"):
        call_command("import_visits", str(path))
    out = capsys.readouterr().out
    assert "m-1" in out and "Maria Rossi" in out

    call_command("import_visits", "--confirm", "m-1")
    assert Visit.objects.get(uid="m-1").patient == maria


# --- Signing up later finds her visits; nothing after she leaves ----------------------------------


@pytest.mark.django_db
def test_signing_up_without_the_link_finds_her_visits_once_verified_and_stops_sign_up_reminders(settings):
    settings.VISIT_REMINDER_DAYS = (3,)
    visit = invited_visit(email="erin@example.com")
    user = patient_register(
        email="erin@example.com",
        password=PASSWORD,
        first_name="Erin",
        last_name="Esposito",
        date_of_birth=date(1991, 2, 2),
    )
    visit.refresh_from_db()
    assert visit.patient is None

    email_verify(user)

    visit.refresh_from_db()
    assert visit.patient == user.patient
    assert VisitInvitation.objects.get(pk=visit.invitation_id).used_at is not None
    run_tasks()
    mail.outbox.clear()
    reminders_send(now=visit.starts_at - timedelta(days=3))
    run_tasks()
    assert all("/accounts/signup/invite/" not in m.body for m in mail.outbox)


@pytest.mark.django_db
@pytest.mark.parametrize("closing", ["erase", "close"])
def test_no_reminder_or_queued_email_reaches_her_after_she_leaves(settings, closing, rf):
    settings.VISIT_REMINDER_DAYS = (3,)
    erin = make_patient(email="erin@example.com", first_name="Erin", last_name="Esposito")
    if closing == "close":
        record(erin, {})
    own = visit_book(patient=erin, starts_at=timezone.now() + timedelta(days=6))
    invited = invited_visit(email="erin@example.com", first_name="Erin", last_name="Esposito")
    # An invitation to her address she never used (booked again after she signed up).
    VisitInvitation.objects.filter(pk=invited.invitation_id).update(used_at=None)
    assert OutboundEmail.objects.filter(status="pending").exists()

    request = rf.post("/")
    request.user = erin.user
    if closing == "erase":
        patient_erase(erin)
    else:
        patient_account_close(erin, request)
    run_tasks()
    reminders_send(now=own.starts_at - timedelta(days=3))
    run_tasks()

    assert [m.to for m in mail.outbox] == []
    assert not OutboundEmail.objects.filter(status="pending").exists()
    assert not VisitInvitation.objects.filter(email="erin@example.com").exists()
