"""The advice after Send: the clinic's phone on every level, the call actions first when urgent, what
happens next, and alarms that stay live until the clinic has acted (RULES.md 11.2, S2, S3)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from clinic.models import ClinicProfile
from patients.advice import HEADLINES, NEXT_STEPS, ROUTINE_WITHOUT_VISIT
from tests import factories
from triage.audit.writer import Actor
from triage.models import CaseLevel

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
PHONE = "+39 02 7654 3210"
# As patients read it: the national format, as any patient's number is shown.
SHOWN_PHONE = "02 7654 3210"
PHONE_HREF = 'href="tel:+390276543210"'
HOURS = "Monday to Friday 9:00-13:00 and 14:30-18:30"
SENT = datetime(2026, 3, 10, 9, 0, tzinfo=ROME)


def shown(value, format_name, language="en"):
    """A date as the pages show it in `language` (its format is the locale's, not this test's)."""
    with translation.override(language):
        return date_format(timezone.localtime(value) if hasattr(value, "tzinfo") else value, format_name)


@pytest.fixture(autouse=True)
def clinic_phone():
    ClinicProfile.objects.filter().update(phone=PHONE)


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
        r'<section class="(alert|card mb-3 advice-past)[^>]*aria-labelledby="advice-title-main".*?</section>',
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
@pytest.mark.parametrize("after", [timedelta(hours=1), timedelta(days=3)], ids=["1h", "3-days"])
def test_an_alarm_nobody_acted_on_stays_live_whatever_its_age(patient_client, patient, level, after):
    """RULES.md S2: time alone never folds an emergency or urgent advice."""
    case = factories.make_case(patient, level=level, submitted_at=SENT)
    with time_machine.travel(SENT + after, tick=False):
        page = main_of(detail(patient_client, case))
        listing = main_of(english(patient_client).get(reverse("patients:submission_list")).content.decode())
    advice = advice_block(page)
    assert f"Advice given on {shown(SENT, 'DATE_FORMAT')}" in advice
    assert 'role="alert"' in advice and "border-danger" in advice
    assert "<details" not in advice
    assert page.index("advice-title") < page.index("<h1")
    assert str(NEXT_STEPS[level].text) in listing.replace("&#x27;", "'")
    # The list starts with the alarm too, with its call button.
    assert listing.index("alarm-banner") < listing.index("<h1")
    assert 'href="tel:112"' in listing[: listing.index("<h1")]


@pytest.mark.parametrize("level", [CaseLevel.EMERGENCY, CaseLevel.URGENT], ids=["emergency", "urgent"])
@pytest.mark.parametrize(
    ("after", "unacted_headline"),
    [(timedelta(hours=23, minutes=59), False), (timedelta(hours=24, minutes=1), True)],
    ids=["23h59", "24h01"],
)
def test_after_a_day_without_action_the_alarm_headline_sends_her_to_be_seen(
    patient_client, patient, level, after, unacted_headline
):
    """RULES.md S3: the headline changes, the advice text below it does not."""
    case = factories.make_case(patient, level=level, submitted_at=SENT)
    with time_machine.travel(SENT + after, tick=False):
        advice = advice_block(main_of(detail(patient_client, case)))
    headline = "If you have not been seen yet, go to an emergency department today or phone the clinic"
    assert (headline in advice) is unacted_headline
    assert (str(HEADLINES[level]) in advice) is not unacted_headline
    assert "Some of your answers" in advice


def fold_check(page, listing, acted_words):
    advice = advice_block(page)
    assert 'role="alert"' not in page
    assert "alarm-banner" not in listing
    assert acted_words in advice
    assert re.search(r"<details[^>]*>\s*<summary>", advice)
    # The call buttons stay visible, outside the folded text.
    after_details = advice[advice.index("</details>") :]
    assert 'href="tel:112"' in after_details


@pytest.mark.parametrize("level", [CaseLevel.EMERGENCY, CaseLevel.URGENT], ids=["emergency", "urgent"])
def test_an_alarm_folds_once_the_case_left_new(patient_client, patient, doctor, level):
    from triage.cases.services import case_change_status

    case = factories.make_case(patient, level=level, submitted_at=SENT)
    acted = SENT + timedelta(days=3)
    with time_machine.travel(acted, tick=False):
        case_change_status(
            case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=case.version
        )
    with time_machine.travel(acted + timedelta(hours=1), tick=False):
        page = main_of(detail(patient_client, case))
        listing = main_of(english(patient_client).get(reverse("patients:submission_list")).content.decode())
    fold_check(page, listing, f"The clinic took up your questionnaire on {shown(acted, 'DATE_FORMAT')}.")


def test_an_alarm_folds_once_a_visit_is_booked(patient_client, patient):
    case = factories.make_case(patient, level=CaseLevel.URGENT, submitted_at=SENT)
    booked = SENT + timedelta(hours=2)
    with time_machine.travel(booked, tick=False):
        factories.make_visit(patient, days_ahead=1, booked_at=booked)
    with time_machine.travel(booked + timedelta(minutes=5), tick=False):
        page = main_of(detail(patient_client, case))
        listing = main_of(english(patient_client).get(reverse("patients:submission_list")).content.decode())
    fold_check(page, listing, f"The clinic booked you a visit on {shown(booked, 'DATE_FORMAT')}.")


def test_a_visit_booked_before_she_sent_it_does_not_count_as_acting(patient_client, patient):
    factories.make_visit(patient, starts_at=SENT + timedelta(days=5), booked_at=SENT - timedelta(days=7))
    case = factories.make_case(patient, level=CaseLevel.URGENT, submitted_at=SENT)
    with time_machine.travel(SENT + timedelta(days=3), tick=False):
        advice = advice_block(main_of(detail(patient_client, case)))
    assert 'role="alert"' in advice


@pytest.mark.parametrize("level", list(CaseLevel), ids=lambda level: level.name.lower())
def test_the_confirmation_and_the_list_say_what_happens_next(patient_client, patient, level):
    case = factories.make_case(patient, level=level, submitted_at=SENT)
    # Routine advice without a booked visit asks her to book one (rule set 3 assumes none).
    step = ROUTINE_WITHOUT_VISIT if level == CaseLevel.ROUTINE else NEXT_STEPS[level]
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
