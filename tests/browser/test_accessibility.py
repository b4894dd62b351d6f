"""Every page a patient or the doctor sees, in Italian and English, on a phone.

Each page must have no serious or critical axe-core violation, must not scroll
sideways at 390 × 844, must find every static file it asks for and load nothing
the Content Security Policy blocks. The doctor's pages are checked on a desktop too.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic.models import DEMO_PROFILE, SINGLE_ROW_ID, ClinicProfile
from patients.advice import HEADLINES
from patients.models import Submission
from tests import factories
from triage.models import CaseLevel

from .support import (
    DESKTOP,
    PHONE,
    QUESTIONNAIRE_URL,
    PageChecker,
    login,
    step_url,
    submit_answers,
    submit_questionnaire,
)

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["it", "en"]


def emergency_submission(patient) -> Submission:
    return submit_answers(patient, soaks_pad_hourly=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_before_login_are_accessible_on_a_phone(new_context, shot, language):
    patient = factories.make_patient()
    page = new_context(viewport=PHONE, language=language).new_page()
    check = PageChecker(page, shot)

    for path in (
        "/accounts/login/",
        "/accounts/signup/",
        "/privacy/",
        "/accounts/password_reset/",
        "/accounts/reset/done/",
    ):
        check.visit(path)

    page.goto("/accounts/signup/")
    with page.expect_navigation():
        page.click("form [type=submit][name=signup]")
    check("signup with errors")

    page.goto("/accounts/login/")
    page.fill("input[name=username]", patient.user.email)
    page.fill("input[name=password]", "not-the-password")
    with page.expect_navigation():
        page.click("form [type=submit][name=login]")
    check("login with a wrong password")

    page.goto("/accounts/password_reset/")
    page.fill("input[name=email]", patient.user.email)
    with page.expect_navigation():
        page.click("main form [type=submit]")
    check("password reset sent")

    uid = urlsafe_base64_encode(force_bytes(patient.user.pk))
    page.goto(f"/accounts/reset/{uid}/{default_token_generator.make_token(patient.user)}/")
    assert page.locator("input[name=new_password1]").count() == 1
    check("choose a new password")
    page.goto(f"/accounts/reset/{uid}/not-a-valid-token/")
    check("expired reset link")

    check.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_patient_pages_are_accessible_on_a_phone(new_context, shot, language):
    patient = factories.make_patient()
    emergency = emergency_submission(patient)
    # The row the first migration creates is gone once an earlier browser test has flushed the tables.
    ClinicProfile.objects.update_or_create(id=SINGLE_ROW_ID, defaults=DEMO_PROFILE)
    # An emergency advice of three days ago that the clinic has acted on: shown folded, as a record,
    # its call buttons still in view.
    past = factories.make_case(
        patient,
        level=CaseLevel.EMERGENCY,
        submitted_at=timezone.now() - timedelta(days=3),
        status="in_review",
    )
    page = new_context(viewport=PHONE, language=language).new_page()
    check = PageChecker(page, shot)
    login(page, patient.user.email)

    page.goto(f"/questionnaire/{past.pk}/")
    record = page.locator("main .advice-past")
    assert record.locator("[role=alert]").count() == 0
    assert not record.locator("details").evaluate("details => details.open")
    assert record.locator("a[href='tel:112']").is_visible()
    assert record.locator("a.clinic-call").is_visible()
    # The other, fresh emergency still heads the page as a live alarm.
    assert page.locator("main .alarm-banner[role=alert]").count() == 1

    for path in (
        "/",
        QUESTIONNAIRE_URL,
        f"/questionnaire/{emergency.pk}/",
        f"/questionnaire/{emergency.pk}/print/",
        f"/questionnaire/{past.pk}/",
        "/accounts/profile/",
        "/accounts/password_change/",
        "/accounts/password_change/done/",
    ):
        check.visit(path)

    page.goto(step_url(3))
    page.check("input[name=bleeding_after_sex][value=yes]")
    check("questionnaire with bleeding details open")
    submit_questionnaire(page)
    assert page.locator("#form-errors").is_visible()
    check("questionnaire with errors")

    submit_questionnaire(page, "save")
    page.goto("/questionnaire/")
    # Listed once, and linked once more from the live alarm at the top of the page.
    assert page.locator(f"main .submission-item a[href='/questionnaire/{emergency.pk}/']").count() == 1
    assert page.locator(f"main .alarm-banner a[href='/questionnaire/{emergency.pk}/']").count() == 1
    check("questionnaire list with a draft")

    page.goto("/accounts/profile/")
    page.fill("input[name=phone]", "not a phone")
    with page.expect_navigation():
        page.click("main form [type=submit]")
    check("profile with errors")

    check.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_doctor_pages_are_accessible_on_desktop_and_phone(new_context, shot, language):
    patient = factories.make_patient()
    emergency = emergency_submission(patient)
    factories.make_case(
        factories.make_patient(email="anna@example.com"), level=1, score=2, flags=["RECURRENT"]
    )
    doctor = factories.make_doctor()
    paths = [
        "/dashboard/",
        f"/dashboard/cases/{emergency.case.pk}/",
        f"/dashboard/cases/{emergency.case.pk}/print/",
        "/accounts/password_change/",
        "/accounts/2fa/",
        "/accounts/2fa/setup/",
    ]

    for viewport in (DESKTOP, PHONE):
        page = new_context(viewport=viewport, language=language).new_page()
        check = PageChecker(page, shot, suffix="phone" if viewport == PHONE else "desktop")
        login(page, doctor.email)
        for path in paths:
            check.visit(path)
        check.assert_clean()


# For each control marked invalid: the text of the error it is described by (on it or its fieldset).
INVALID_CONTROLS = """() => [...document.querySelectorAll("[aria-invalid=true]")].map((el) => {
  const ids = el.getAttribute("aria-describedby")
    || (el.closest("fieldset[aria-describedby]") || {getAttribute: () => ""}).getAttribute("aria-describedby")
    || "";
  const text = ids.split(/\\s+/).filter(Boolean)
    .map((id) => (document.getElementById(id) || {textContent: ""}).textContent.trim()).join(" ");
  return {name: el.name, error: text};
})"""

# Every fieldset with the text of its legend, which must be its first child.
FIELDSET_LEGENDS = """() => [...document.querySelectorAll("main fieldset")].map((fieldset) => {
  const first = fieldset.firstElementChild;
  return first && first.tagName === "LEGEND" ? first.textContent.trim() : "";
})"""


def assert_errors_described(page):
    controls = page.evaluate(INVALID_CONTROLS)
    assert controls, "no control is marked invalid"
    undescribed = sorted({control["name"] for control in controls if not control["error"]})
    assert not undescribed, f"invalid controls without a linked error message: {undescribed}"
    return {control["name"] for control in controls}


def test_questionnaire_errors_are_announced_and_lead_to_their_fields(page, shot):
    patient = factories.make_patient()
    login(page, patient.user.email)
    page.goto(step_url(4))
    page.fill("input[name=pain_during_sex]", "11")
    submit_questionnaire(page)

    summary = page.locator("#form-errors")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.id") == "form-errors", "the summary gets focus"
    invalid = assert_errors_described(page)
    links = summary.locator("a")
    targets = [link.get_attribute("href") for link in links.all()]
    assert len(targets) == len(invalid) == len(set(targets))
    for href in targets:
        target = page.locator(href)
        assert target.count() == 1, f"{href} leads nowhere"
        assert target.get_attribute("aria-invalid") == "true"
    shot(page, "summary", full_page=False)

    summary.locator("a[href='#id_pain_during_sex']").click()
    assert page.evaluate("document.activeElement.name") == "pain_during_sex"
    assert page.input_value("input[name=pain_during_sex]") == "11", "input is kept"
    summary.locator("a[href='#id_burning_0']").click()
    assert page.evaluate("document.activeElement.name") == "burning"
    shot(page, "after-following-a-link", full_page=False)


def test_form_errors_take_focus_and_are_linked_to_their_fields(page):
    """After a failed sign-up the first wrong field has focus; a failed login focuses its message."""
    patient = factories.make_patient()
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "not-an-email")
    page.fill("input[name=date_of_birth]", "2099-01-01")
    with page.expect_navigation():
        page.click("form [type=submit][name=signup]")
    invalid = assert_errors_described(page)
    assert {"email", "date_of_birth", "password1", "consent"} <= invalid
    assert page.evaluate("document.activeElement.name") == "email"
    assert page.input_value("input[name=email]") == "not-an-email", "input is kept"

    page.goto("/accounts/login/")
    page.fill("input[name=username]", patient.user.email)
    page.fill("input[name=password]", "not-the-password")
    with page.expect_navigation():
        page.click("form [type=submit][name=login]")
    focused = page.evaluate("document.activeElement.className")
    assert "alert-danger" in focused, f"focus is on {focused!r}, not on the error message"


def test_every_fieldset_has_a_legend(page):
    patient = factories.make_patient()
    page.goto("/accounts/signup/")
    signup_legends = page.evaluate(FIELDSET_LEGENDS)
    login(page, patient.user.email)
    questionnaire_legends = []
    for step in range(1, 7):
        page.goto(step_url(step))
        questionnaire_legends += page.evaluate(FIELDSET_LEGENDS)
    # One fieldset per section (one section a step) and one per question with options.
    assert len(questionnaire_legends) >= 6 + 15
    for legends in (signup_legends, questionnaire_legends):
        assert legends and all(legends), f"a fieldset has no legend: {legends}"


def test_level_badges_say_the_level_in_words(new_context):
    """Badges carry the level's name and a shape as well as a colour."""
    patient = factories.make_patient()
    emergency = emergency_submission(patient)
    doctor = factories.make_doctor()
    page = new_context().new_page()
    login(page, doctor.email)
    page.goto("/dashboard/")
    badge = page.locator(f"tr:has(a[href^='/dashboard/cases/{emergency.case.pk}/']) .level-badge")
    icon = badge.locator("[aria-hidden=true]")
    assert icon.inner_text().strip(), "a shape accompanies the colour"
    words = badge.inner_text().replace(icon.inner_text(), "").strip()
    with translation.override("it"):
        assert words == str(CaseLevel.EMERGENCY.label)

    page = new_context(language="en").new_page()
    login(page, patient.user.email)
    page.goto("/questionnaire/")
    badge = page.locator(f"li:has(a[href='/questionnaire/{emergency.pk}/']) .badge")
    with translation.override("en"):
        assert badge.inner_text().strip() == str(HEADLINES[CaseLevel.EMERGENCY])
