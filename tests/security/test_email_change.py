"""She changes her own email: the new address is proven by a link sent to it before it replaces the
old one, the old one is told, and until then her login and every email keep the old one."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from outbox.models import OutboundEmail
from patients.gdpr import patient_account_close, patient_erase
from patients.models import User
from patients.services import email_change_request
from patients.verification import email_change_token, email_masked
from tests.factories import PASSWORD, make_patient, record
from tests.test_support import run_tasks
from triage import rules
from triage.models import AuditEvent, CaseLevel, Visit, VisitInvitation
from triage.visits.services import invitation_for, visit_book

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2027, 3, 20, 9, 0, tzinfo=ROME)
CHANGE_LINK = re.compile(r"https?://[^/\s]+(/accounts/profile/email/confirm/[^/\s]+/[^/\s]+/)")
OLD, NEW = "carla@example.com", "carla.new@example.org"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True), translation.override("en"):
        yield


@pytest.fixture
def carla():
    return make_patient(email=OLD, first_name="Carla", last_name="Conti")


@pytest.fixture
def carla_client(carla):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(carla.user)
    return client


def ask(client, email=NEW, password=PASSWORD):
    return client.post(reverse("patients:email_change"), {"email": email, "password": password})


def sent_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def change_link(address=NEW) -> str:
    (path,) = [found.group(1) for m in sent_to(address) if (found := CHANGE_LINK.search(m.body))]
    return path


def logs_in(email) -> bool:
    response = Client().post(reverse("login"), {"username": email, "password": PASSWORD})
    return response.status_code == 302


def errors_of(response, field):
    return response.context["email_form"].errors.get(field, [])


# --- Asking for it ------------------------------------------------------------------------------


def test_asking_sends_the_link_to_the_new_address_and_a_masked_notice_to_the_old(carla_client, carla):
    response = ask(carla_client)

    assert response.status_code == 302
    user = User.objects.get(pk=carla.user.pk)
    assert (user.email, user.pending_email, user.email_verified) == (OLD, NEW, True)
    run_tasks()
    assert CHANGE_LINK.search(sent_to(NEW)[0].body)
    (notice,) = sent_to(OLD)
    assert NEW not in notice.body and "carla.new" not in notice.body
    assert email_masked(NEW) == "c***@e***.org"
    assert email_masked(NEW) in notice.body
    assert reverse("password_change") in notice.body
    # The profile shows the address waiting, with its two buttons.
    page = carla_client.get(reverse("patients:profile")).content.decode()
    assert NEW in page
    assert reverse("patients:email_change_cancel") in page
    assert reverse("patients:email_change_send") in page


def test_until_she_confirms_her_login_and_emails_keep_the_old_address(carla_client, carla):
    ask(carla_client)
    run_tasks()
    mail.outbox.clear()

    assert logs_in(OLD)
    assert not logs_in(NEW)
    carla_client.post(reverse("password_reset"), {"email": NEW})
    carla_client.logout()
    Client().post(reverse("password_reset"), {"email": OLD})
    run_tasks()
    assert [m.to for m in mail.outbox] == [[OLD]]


def test_a_wrong_password_changes_nothing_and_keeps_what_she_typed(carla_client, carla):
    response = ask(carla_client, password="not-her-password")

    assert response.status_code == 200
    assert errors_of(response, "password") == ["The password is not correct."]
    assert f'value="{NEW}"' in response.content.decode()
    assert User.objects.get(pk=carla.user.pk).pending_email == ""
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter the new email."),
        ("carla@", "Enter a valid email address, for example name@example.com."),
        (" CARLA@example.com ", "This is already the email you log in with."),
    ],
)
def test_a_bad_address_is_told_next_to_the_field(carla_client, carla, email, message):
    response = ask(carla_client, email=email)

    assert response.status_code == 200
    assert errors_of(response, "email") == [message]
    assert User.objects.get(pk=carla.user.pk).pending_email == ""


def test_an_address_of_another_account_is_told_only_with_her_right_password(carla_client, carla):
    make_patient(email="taken@example.com")
    taken = "Another account uses this email. Enter an address of yours that no account uses."

    wrong = ask(carla_client, email="Taken@example.com", password="guess")
    right = ask(carla_client, email="Taken@example.com")

    assert errors_of(wrong, "email") == []
    assert errors_of(right, "email") == [taken]
    assert 'value="Taken@example.com"' in right.content.decode()
    assert User.objects.get(pk=carla.user.pk).pending_email == ""


def test_posting_twice_makes_one_pending_change(carla_client, carla):
    ask(carla_client)
    ask(carla_client, email=NEW.upper())

    assert User.objects.get(pk=carla.user.pk).pending_email == NEW
    kinds = OutboundEmail.objects.values_list("kind", flat=True)
    assert sorted(kind.rsplit(".", 1)[1] for kind in kinds) == [
        "email_change_email",
        "email_change_notice_email",
    ]


def test_the_outbox_holds_no_address(carla_client, carla):
    ask(carla_client)
    for params in OutboundEmail.objects.values_list("params", flat=True):
        assert "carla" not in str(params).lower()


# --- Confirming ---------------------------------------------------------------------------------


def test_opening_the_link_changes_nothing_and_the_post_swaps_the_address(carla_client, carla):
    ask(carla_client)
    run_tasks()
    path = change_link()

    page = carla_client.get(path)
    assert page.status_code == 200
    assert NEW in page.content.decode()
    assert User.objects.get(pk=carla.user.pk).email == OLD

    response = carla_client.post(path)

    assert response.status_code == 302
    user = User.objects.get(pk=carla.user.pk)
    assert (user.email, user.pending_email) == (NEW, "")
    assert user.email_verified
    assert logs_in(NEW)
    assert not logs_in(OLD)
    # She stays logged in; the link is used up.
    assert carla_client.get(reverse("patients:profile")).status_code == 200
    assert carla_client.post(path).status_code == 400
    assert not email_change_token.check_token(user, path.rstrip("/").rsplit("/", 1)[1])


def test_an_unverified_account_is_verified_by_confirming_a_new_address(carla_client, carla):
    User.objects.filter(pk=carla.user.pk).update(email_verified_at=None)
    ask(carla_client)
    run_tasks()
    carla_client.post(change_link())
    assert User.objects.get(pk=carla.user.pk).email_verified


def test_an_older_link_cannot_confirm_a_newer_address(carla_client, carla):
    ask(carla_client, email="first@example.org")
    run_tasks()
    old_path = change_link("first@example.org")
    ask(carla_client, email="second@example.org")
    run_tasks()

    assert carla_client.post(old_path).status_code == 400
    assert User.objects.get(pk=carla.user.pk).email == OLD
    assert carla_client.post(change_link("second@example.org")).status_code == 302
    assert User.objects.get(pk=carla.user.pk).email == "second@example.org"


def test_a_cancelled_change_cannot_be_confirmed(carla_client, carla):
    ask(carla_client)
    run_tasks()
    path = change_link()

    carla_client.post(reverse("patients:email_change_cancel"))

    assert User.objects.get(pk=carla.user.pk).pending_email == ""
    assert carla_client.post(path).status_code == 400
    assert User.objects.get(pk=carla.user.pk).email == OLD


def test_someone_elses_session_cannot_confirm(carla_client, carla):
    ask(carla_client)
    run_tasks()
    path = change_link()

    anonymous = Client().post(path)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(make_patient(email="mallory@evil.example").user)
    assert other.get(path).status_code == 400
    assert other.post(path).status_code == 400
    assert User.objects.get(pk=carla.user.pk).email == OLD
    assert User.objects.get(email="mallory@evil.example").pending_email == ""


def test_the_link_expires_after_three_days(carla_client, carla):
    ask(carla_client)
    run_tasks()
    path = change_link()
    with time_machine.travel(NOW + timedelta(days=3, hours=1), tick=False):
        carla_client.force_login(carla.user)
        assert carla_client.post(path).status_code == 400
    assert User.objects.get(pk=carla.user.pk).email == OLD


def test_an_address_taken_in_the_meantime_is_not_swapped(carla_client, carla):
    ask(carla_client)
    run_tasks()
    make_patient(email=NEW)

    response = carla_client.post(change_link())

    assert response.status_code == 302
    user = User.objects.get(pk=carla.user.pk)
    assert (user.email, user.pending_email) == (OLD, NEW)


def test_confirming_ends_her_other_sessions_and_is_in_her_trail(carla_client, carla):
    elsewhere = Client()
    elsewhere.force_login(carla.user)
    ask(carla_client)
    run_tasks()

    carla_client.post(change_link())

    mine = {str(s.get_decoded().get(SESSION_KEY)) for s in Session.objects.all()}
    assert Session.objects.count() == 1 and mine == {str(carla.user.pk)}
    assert carla_client.get(reverse("patients:profile")).status_code == 200
    assert elsewhere.get(reverse("patients:profile")).status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.EMAIL_CHANGE)
    assert (event.patient, event.actor, event.actor_label, event.ip_address) == (carla, carla.user, "", None)
    # Her own action, not a staff read: it is not listed under "who opened my record".
    assert "Changed own email" not in carla_client.get(reverse("patients:access_log")).content.decode()


def test_confirming_claims_the_visits_booked_for_invitations_to_the_new_address(carla_client, carla):
    invitation = invitation_for(email=NEW, first_name="Carla", last_name="Conti")
    visit = visit_book(invitation=invitation, starts_at=timezone.now() + timedelta(days=6))
    ask(carla_client)
    run_tasks()
    visit.refresh_from_db()
    assert visit.patient is None

    carla_client.post(change_link())

    visit.refresh_from_db()
    assert visit.patient == carla
    assert VisitInvitation.objects.get(pk=invitation.pk).used_at is not None


def test_the_notice_never_goes_to_the_new_address(carla_client, carla):
    """Confirmed before the worker sent the notice: the notice builds to nothing."""
    ask(carla_client)
    notice = OutboundEmail.objects.get(kind__endswith="email_change_notice_email")
    OutboundEmail.objects.filter(pk=notice.pk).update(status=OutboundEmail.Status.DISMISSED)
    run_tasks()
    carla_client.post(change_link())
    OutboundEmail.objects.filter(pk=notice.pk).update(status=OutboundEmail.Status.PENDING)
    mail.outbox.clear()

    run_tasks()

    assert [m for m in mail.outbox if "carla" in m.to[0]] == []


def test_get_never_changes_state(carla_client, carla):
    for name in ("email_change", "email_change_cancel", "email_change_send"):
        assert carla_client.get(reverse(f"patients:{name}")).status_code == 405
    ask(carla_client)
    assert carla_client.get(reverse("patients:email_change_cancel")).status_code == 405
    assert User.objects.get(pk=carla.user.pk).pending_email == NEW


def test_sending_the_link_again_is_limited(carla_client, carla, settings):
    ask(carla_client)
    for _ in range(settings.EMAIL_VERIFICATION_LIMIT + 2):
        carla_client.post(reverse("patients:email_change_send"))
    links = OutboundEmail.objects.filter(kind__endswith=".email_change_email")
    assert links.count() == settings.EMAIL_VERIFICATION_LIMIT
    OutboundEmail.objects.update(created_at=timezone.now() - timedelta(hours=1, minutes=1))
    carla_client.post(reverse("patients:email_change_send"))
    assert links.count() == settings.EMAIL_VERIFICATION_LIMIT + 1


def test_asking_for_new_addresses_shares_the_limit(carla_client, carla, settings):
    for number in range(settings.EMAIL_VERIFICATION_LIMIT):
        assert ask(carla_client, email=f"new{number}@example.org").status_code == 302

    response = ask(carla_client, email="one-more@example.org")

    assert errors_of(response, "email") == [
        "Several links have been sent in the last hour: please try again later."
    ]
    assert 'value="one-more@example.org"' in response.content.decode()
    assert (
        User.objects.get(pk=carla.user.pk).pending_email
        == f"new{settings.EMAIL_VERIFICATION_LIMIT - 1}@example.org"
    )


def test_the_admin_changing_her_email_leaves_it_unverified_and_voids_her_link(carla_client, carla):
    ask(carla_client)
    run_tasks()
    path = change_link()
    user = User.objects.get(pk=carla.user.pk)
    user.email = "by-the-admin@example.com"
    user.save()
    user.refresh_from_db()
    assert not user.email_verified
    assert carla_client.post(path).status_code == 400


# --- Leaving, and what the emails say -----------------------------------------------------------


@pytest.mark.parametrize("closing", ["erase", "close"])
def test_closing_or_erasing_the_account_clears_the_pending_address(carla, closing, rf):
    if closing == "close":
        record(carla, {})
    email_change_request(carla.user, NEW)
    request = rf.post("/")
    request.user = carla.user

    if closing == "erase":
        patient_erase(carla)
    else:
        patient_account_close(carla, request)
    run_tasks()

    assert not User.objects.filter(pending_email=NEW).exists()
    assert mail.outbox == []
    assert not OutboundEmail.objects.filter(status="pending").exists()


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_emails_hold_no_health_data_and_speak_her_language(carla, language):
    from patients.advice import HEADLINES
    from triage.questionnaire import QUESTION_LABELS, SHORT_LABELS

    carla.user.language = language
    carla.user.save()
    record(carla, {"bleeding_after_sex": True})
    email_change_request(carla.user, NEW)
    run_tasks()
    (link,) = sent_to(NEW)
    (notice,) = sent_to(OLD)

    words = {"Carla", "Conti", *rules.FLAG_CODES, "questionnaire", "questionario"}
    for reading in ("it", "en"):
        with translation.override(reading):
            words |= {str(label) for label in [*SHORT_LABELS.values(), *QUESTION_LABELS.values()]}
            words |= {str(level.label) for level in CaseLevel}
            words |= {str(headline) for headline in HEADLINES.values()}
    for message in (link, notice):
        text = f"{message.subject}\n{message.body}".lower()
        assert sorted(word for word in words if word.lower() in text) == []
    expected = {"it": "Confermi il nuovo indirizzo email", "en": "Confirm the new email"}[language]
    assert expected in link.subject
    assert Visit.objects.count() == 0
