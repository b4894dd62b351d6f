"""Password-reset emails are limited per inbox and per address, with the same response either way."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from patients.models import PasswordResetRequest
from tests import factories
from tests.test_support import run_tasks

RESET_URL = "/accounts/password_reset/"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def sent():
    """The reset emails delivered so far: the worker sends what the requests queued."""
    run_tasks()
    return mail.outbox


def ask(client, email):
    response = client.post(RESET_URL, {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    return response


@pytest.mark.django_db
def test_one_inbox_gets_at_most_three_reset_emails_an_hour_from_any_number_of_addresses(patient, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(18):
            ask(Client(REMOTE_ADDR=f"203.0.113.{n + 1}"), patient.user.email)
    assert len(sent()) == settings.PASSWORD_RESET_LIMIT_PER_EMAIL == 3
    with time_machine.travel(start + settings.PASSWORD_RESET_WINDOW + timedelta(seconds=1), tick=False):
        ask(Client(REMOTE_ADDR="198.51.100.1"), patient.user.email)
    assert len(sent()) == 4


@pytest.mark.django_db
def test_look_alike_spellings_count_against_the_same_inbox(patient):
    for variant in [
        "PATIENT@example.com",
        " patient@example.com ",
        "Patient@Example.COM",
        "patient@example.com",
    ]:
        ask(Client(REMOTE_ADDR="198.51.100.2"), variant)
    assert len(sent()) == 3
    assert {tuple(message.to) for message in sent()} == {(patient.user.email,)}


@pytest.mark.django_db
def test_one_address_may_ask_for_at_most_ten_resets_an_hour(settings):
    for n in range(12):
        factories.make_patient(email=f"p{n}@example.com")
    client = Client(REMOTE_ADDR="203.0.113.99")
    for n in range(12):
        ask(client, f"p{n}@example.com")
    assert len(sent()) == settings.PASSWORD_RESET_LIMIT_PER_ADDRESS == 10


@pytest.mark.django_db
def test_a_limited_request_looks_exactly_like_an_answered_one(patient):
    client = Client(REMOTE_ADDR="198.51.100.3")
    pages = []
    for _ in range(4):
        response = ask(client, patient.user.email)
        pages.append(CSRF_TOKEN.sub("", client.get(response["Location"]).content.decode()))
    assert len(sent()) == 3
    assert pages[0] == pages[3]


@pytest.mark.django_db
def test_the_table_keeps_no_email_and_forgets_requests_after_the_window(patient, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ask(Client(), patient.user.email)
    stored = PasswordResetRequest.objects.values_list("email_digest", flat=True).get()
    assert "patient" not in stored and "@" not in stored
    with time_machine.travel(start + settings.PASSWORD_RESET_WINDOW + timedelta(minutes=1), tick=False):
        ask(Client(), "someone-else@example.com")
    assert PasswordResetRequest.objects.count() == 1
