"""The advice after Send: the clinic's phone on every level, the call actions first when urgent, what
happens next, and old alarms shown as a record."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from clinic.models import ClinicProfile
from patients.advice import HEADLINES, NEXT_STEPS
from tests import factories
from triage.models import CaseLevel

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
PHONE = "+39 02 7654 3210"
# As patients read it: the national format, as any patient's number is shown.
SHOWN_PHONE = "02 7654 3210"
PHONE_HREF = 'href="tel:+390276543210"'
HOURS = "Mon-Fri 8:30-17:00"
SENT = datetime(2026, 3, 10, 9, 0, tzinfo=ROME)


def shown(value, format_name, language="en"):
    """A date as the pages show it in `language` (its format is the locale's, not this test's)."""
    with translation.override(language):
        return date_format(timezone.localtime(value) if hasattr(value, "tzinfo") else value, format_name)


@pytest.fixture(autouse=True)
def clinic_phone():
    ClinicProfile.objects.filter().update(phone=PHONE, opening_hours_en=HOURS)


def english(client):
    client.cookies["django_language"] = "en"
    return client


def detail(client, case):
    return english(client).get(reverse("patients:submission_detail", args=[case.pk])).content.decode()


def main_of(page):
    return page[page.index('<main id="main"') : page.index("</main>")]


def advice_block(page):
    """The advice section of a page (the live alert, or the collapsed record)."""
    match = re.search(
        r'<section class="(alert|card mb-3 advice-past)[^>]*aria-labelledby="advice-title".*?</section>',
        page,
        re.S,
    )
    assert match, "the page shows no advice"
    return match.group(0)


@pytest.mark.parametrize("level", list(CaseLevel), ids=lambda level: level.name.lower())
def test_every_advice_level_shows_the_clinics_phone_and_hours(patient_client, patient, level):
    case = factories.make_case(patient, level=level, submitted_at=SENT)
    with time_machine.travel(SENT + timedelta(minutes=5), tick=False):
        page = detail(patient_client, case)
    advice = advice_block(page)
    assert str(HEADLINES[level]) in advice
    assert PHONE_HREF in advice and SHOWN_PHONE in advice
    assert HOURS in advice
    # And in the footer of the same page.
    footer = page[page.index("<footer") :]
    assert PHONE_HREF in footer


def test_emergency_advice_puts_112_first_then_the_clinic(patient_client, patient):
    case = factories.make_case(patient, level=CaseLevel.EMERGENCY, submitted_at=SENT)
    with time_machine.travel(SENT + timedelta(hours=1), tick=False):
        page = main_of(detail(patient_client, case))
    advice = advice_block(page)
    assert page.index('role="alert"') < page.index("<h1")
    text_at = advice.index("Some of your answers are warning signs")
    assert advice.index('href="tel:112"') < advice.index(PHONE_HREF) < text_at


def test_urgent_advice_puts_the_clinic_first_then_112_if_worse(patient_client, patient):
    case = factories.make_case(patient, level=CaseLevel.URGENT, submitted_at=SENT)
    with time_machine.travel(SENT + timedelta(hours=1), tick=False):
        advice = advice_block(main_of(detail(patient_client, case)))
    text_at = advice.index("Some of your answers need to be checked today")
    assert 'role="alert"' in advice
    assert advice.index(PHONE_HREF) < advice.index('href="tel:112"') < text_at
    assert "Call 112 if it gets worse" in advice


@pytest.mark.parametrize("level", [CaseLevel.EMERGENCY, CaseLevel.URGENT], ids=["emergency", "urgent"])
@pytest.mark.parametrize(
    ("after", "live"),
    [(timedelta(hours=23, minutes=59), True), (timedelta(hours=24, minutes=1), False)],
    ids=["23h59", "24h01"],
)
def test_an_alarm_older_than_a_day_is_collapsed_under_its_date(patient_client, patient, level, after, live):
    case = factories.make_case(patient, level=level, submitted_at=SENT)
    with time_machine.travel(SENT + after, tick=False):
        page = main_of(detail(patient_client, case))
        listing = main_of(english(patient_client).get(reverse("patients:submission_list")).content.decode())
    advice = advice_block(page)
    given = f"Advice given on {shown(SENT, 'DATE_FORMAT')}"
    assert given in advice
    if live:
        assert 'role="alert"' in advice and "border-danger" in advice
        assert "<details" not in advice
        assert page.index("advice-title") < page.index("<h1")
    else:
        assert 'role="alert"' not in page
        assert "danger" not in advice
        # Under its date, closed until she opens it, after the confirmation and not before it.
        assert re.search(rf"<h2[^>]*>{given}</h2>\s*<details[^>]*>\s*<summary>", advice)
        assert "<details open" not in advice
        assert page.index("<h1") < page.index("advice-title")
        assert str(NEXT_STEPS[level].text) not in page  # "now" or "today" has passed
    assert (str(NEXT_STEPS[level].text) in listing) is live
    assert ("text-bg-danger" in listing) is live


@pytest.mark.parametrize("level", list(CaseLevel), ids=lambda level: level.name.lower())
def test_the_confirmation_and_the_list_say_what_happens_next(patient_client, patient, level):
    case = factories.make_case(patient, level=level, submitted_at=SENT)
    step = NEXT_STEPS[level]
    with time_machine.travel(SENT + timedelta(minutes=2), tick=False):
        page = detail(patient_client, case)
        listing = english(patient_client).get(reverse("patients:submission_list")).content.decode()
    for html in (page, listing):
        text = html.replace("&#x27;", "'")
        assert f"{step.when}.</strong> {step.text}" in text
        assert PHONE_HREF in main_of(html)
    assert "Your questionnaire has been received" in page


def test_next_steps_follow_the_timeframes_of_the_rules():
    """RULES.md 8: emergency now, urgent today, priority today or the next working day, follow-up in
    the coming weeks, routine at the booked appointment."""
    with translation.override("en"):
        check_next_step_words()


def check_next_step_words():
    assert str(NEXT_STEPS[CaseLevel.EMERGENCY].when) == "Now"
    assert "112" in str(NEXT_STEPS[CaseLevel.EMERGENCY].text)
    assert str(NEXT_STEPS[CaseLevel.URGENT].when) == "Today"
    assert str(NEXT_STEPS[CaseLevel.PRIORITY].when) == "Today or the next working day"
    assert str(NEXT_STEPS[CaseLevel.FOLLOW_UP].when) == "In the coming weeks"
    assert str(NEXT_STEPS[CaseLevel.ROUTINE].when) == "At your booked appointment"
    assert set(NEXT_STEPS) == set(CaseLevel)


def test_a_closed_questionnaire_says_nothing_is_ahead(patient_client, patient):
    case = factories.make_case(patient, level=CaseLevel.FOLLOW_UP, submitted_at=SENT, status="closed")
    with time_machine.travel(SENT + timedelta(hours=2), tick=False):
        page = detail(patient_client, case)
    assert "What happens next" not in page
    assert 'data-status="closed">Closed<' in page
