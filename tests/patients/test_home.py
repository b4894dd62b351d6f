"""Her home page: a card for each open questionnaire, live alarms first, then her next visit."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from clinic.models import ClinicProfile
from tests import factories
from triage.models import CaseLevel

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 12, 10, 11, 0, tzinfo=ROME)  # a Thursday, the clinic open
PHONE_HREF = 'href="tel:+390276543210"'


@pytest.fixture(autouse=True)
def clinic_phone():
    ClinicProfile.objects.update(phone="+39 02 7654 3210")


def home(client, language="en"):
    client.cookies["django_language"] = language
    return client.get(reverse("home")).content.decode()


def cards_of(page):
    return re.findall(r'<section class="card mb-3 home-card.*?data-level="(\d)"', page)


def test_five_questionnaires_make_five_cards_with_the_emergency_first(client, patient):
    with time_machine.travel(NOW, tick=False):
        for n, level in enumerate(
            [
                CaseLevel.ROUTINE,
                CaseLevel.EMERGENCY,
                CaseLevel.FOLLOW_UP,
                CaseLevel.PRIORITY,
                CaseLevel.ROUTINE,
            ]
        ):
            factories.make_case(patient, level=level, submitted_at=NOW - timedelta(days=6 - n))
        factories.make_case(
            patient, level=CaseLevel.URGENT, submitted_at=NOW - timedelta(days=9), status="closed"
        )
        client.force_login(patient.user)
        page = home(client)
    assert cards_of(page) == ["4", "0", "2", "1", "0"]
    alarm = page[page.index("home-card-alarm") :]
    assert 'role="alert"' in alarm[: alarm.index("</section>")]
    # Each card: her status, what happens next, the clinic's phone.
    assert page.count('class="patient-status"') == 5
    assert page.count("What happens next:") == 5
    assert page.count(PHONE_HREF) >= 5
    assert page.index("home-card") < page.index("Fill in the questionnaire")


def test_an_unacted_emergency_three_days_old_is_still_a_live_alarm_at_home(client, patient):
    factories.make_case(patient, level=CaseLevel.EMERGENCY, submitted_at=NOW)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        client.force_login(patient.user)
        page = home(client)
    assert "home-card-alarm" in page
    assert "If you have not been seen yet, go to an emergency department today or phone the clinic" in page
    assert 'href="tel:112"' in page


def test_her_next_visit_follows_the_cards(client, patient):
    with time_machine.travel(NOW, tick=False):
        factories.make_case(patient, level=CaseLevel.PRIORITY, submitted_at=NOW - timedelta(hours=1))
        factories.make_visit(patient, days_ahead=3)
        client.force_login(patient.user)
        page = home(client)
    assert page.index("home-card") < page.index("Your next visit")


def test_routine_advice_offers_the_booking_link_without_a_visit_and_the_visit_with_one(client, patient):
    ClinicProfile.objects.update(booking_url="https://book.example.com/studio")
    with time_machine.travel(NOW, tick=False):
        factories.make_case(patient, level=CaseLevel.ROUTINE, submitted_at=NOW - timedelta(hours=1))
        client.force_login(patient.user)
        page = home(client)
        assert 'href="https://book.example.com/studio"' in page
        assert "When you book a visit." in page
        factories.make_visit(patient, days_ahead=3)
        page = home(client)
    assert 'href="https://book.example.com/studio"' not in page
    assert "At your booked appointment." in page


@pytest.mark.parametrize("size", [2, 15])
def test_home_reads_a_constant_number_of_queries(patient, doctor, size, django_assert_max_num_queries):
    doctor_client = Client()
    doctor_client.force_login(doctor)
    client = Client()
    client.force_login(patient.user)
    for n in range(size):
        case = factories.make_case(patient, level=n % 5, submitted_at=NOW - timedelta(hours=n + 1))
        if n % 3 == 0:
            doctor_client.get(reverse("triage:case_detail", args=[case.pk]))
        if n % 4 == 0:
            factories.make_visit(patient, days_ahead=n + 1, booked_at=NOW)
    home(client)  # warms the session and the clinic profile's cache
    # The session and her account, her next visit, her open questionnaires with their state, and
    # their conversations' messages.
    with django_assert_max_num_queries(6):
        page = home(client)
    assert len(cards_of(page)) == size


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_home_card_reads_in_her_language(client, patient, language):
    with time_machine.travel(NOW, tick=False):
        factories.make_case(patient, level=CaseLevel.URGENT, submitted_at=NOW - timedelta(minutes=5))
        client.force_login(patient.user)
        page = home(client, language)
    words = {"en": ("Get checked today", "Call the clinic"), "it": ("Chiami lo studio", "Stato:")}[language]
    for word in words:
        assert word in page
