"""A patient's journeys in a real browser: sign up, draft, submit, read the advice."""

import pytest

from clinic.models import DEMO_PROFILE, SINGLE_ROW_ID, ClinicProfile
from patients.models import Submission, User
from tests import factories
from triage import rules
from triage.models import CaseLevel

from .support import (
    QUESTIONNAIRE_URL,
    QUIET,
    answer_steps,
    fill_answers,
    login,
    logout,
    normalized,
    send_questionnaire,
    step_url,
    submit_questionnaire,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Bleeding after intercourse three times in three months, with moderate pain (5/10).
RECURRENT_PAINFUL = QUIET | {
    "bleeding_after_sex": "yes",
    "bleeding_episodes_3m": "3",
    "bleeding_first_noticed_weeks": "2",
    "bleeding_amount": "spotting",
    "bleeding_trend": "same",
    "clots": "no",
    "pain_during_sex": "5",
}


def test_patient_signs_up_saves_a_draft_comes_back_and_submits(page, shot):
    """Sign-up, a half-filled questionnaire saved as a draft, a new login, the rest, then the advice."""
    page.goto("/accounts/signup/")
    shot(page, "signup")
    page.fill("input[name=email]", "lucia.ferri@example.com")
    page.fill("input[name=first_name]", "Lucia")
    page.fill("input[name=last_name]", "Ferri")
    page.fill("input[name=date_of_birth]", "1986-05-14")
    page.fill("input[name=phone]", "+39 333 123 4567")
    page.fill("input[name=password1]", factories.PASSWORD)
    page.fill("input[name=password2]", factories.PASSWORD)
    page.check("input[name=consent]")
    with page.expect_navigation():
        page.click("form [type=submit][name=signup]")
    assert User.objects.get(email="lucia.ferri@example.com").patient.consents.count() == 1
    shot(page, "home")

    with page.expect_navigation():
        page.click(f"main a[href='{QUESTIONNAIRE_URL}']")
    assert page.url.endswith(step_url(1))
    answer_steps(page, RECURRENT_PAINFUL, steps=2)
    assert page.url.endswith(step_url(3))
    fill_answers(
        page, {name: RECURRENT_PAINFUL[name] for name in ("bleeding_after_sex", "bleeding_episodes_3m")}
    )
    shot(page, "questionnaire-half-filled")
    submit_questionnaire(page, "save")
    # She is told she may close the page, with the way home.
    assert page.locator(".saved-for-later").is_visible()
    assert page.locator(".saved-for-later a[href='/']").is_visible()
    draft = Submission.objects.get(patient__user__email="lucia.ferri@example.com")
    assert draft.status == Submission.Status.DRAFT
    assert draft.answers["bleeding_episodes_3m"] == 3
    assert draft.answers["bleeding_after_sex"] is True
    shot(page, "draft-saved")

    logout(page)
    login(page, "lucia.ferri@example.com")
    # She lands where she stopped; the draft comes back as she left it, the bleeding details open.
    assert page.url.endswith(step_url(3))
    assert page.is_checked("input[name=bleeding_after_sex][value=yes]")
    assert page.input_value("input[name=bleeding_episodes_3m]") == "3"
    assert page.is_visible("input[name=bleeding_first_noticed_weeks]")
    page.goto("/questionnaire/")
    shot(page, "history-with-draft")
    with page.expect_navigation():
        page.click(f"main a[href='{QUESTIONNAIRE_URL}']")
    assert page.url.endswith(step_url(3))
    answer_steps(page, RECURRENT_PAINFUL)
    shot(page, "questionnaire-review")
    send_questionnaire(page)

    submission = Submission.objects.get(patient__user__email="lucia.ferri@example.com")
    assert submission.status == Submission.Status.SUBMITTED
    assert page.url.endswith(f"/questionnaire/{submission.pk}/")
    # RULES.md: recurring (RECURRENT) and painful (PAINFUL) bleeding together escalate
    # to priority (ESC_MULTIPLE_FEATURES).
    assert submission.case.level == CaseLevel.PRIORITY
    assert {"RECURRENT", "PAINFUL", "ESC_MULTIPLE_FEATURES"} <= set(submission.case.flags)
    advice = page.locator("main section.alert")
    assert normalized(rules.ADVICE[rules.Level.PRIORITY]["it"]) in normalized(advice.inner_text())
    assert page.locator("main [role=alert]").count() == 0
    assert page.locator("main a[href='tel:112']").count() == 0
    shot(page, "result")

    page.goto("/questionnaire/")
    assert page.locator(f"main a[href='/questionnaire/{submission.pk}/']").is_visible()
    shot(page, "history")


def test_heavy_bleeding_puts_the_emergency_advice_first(phone_page, shot):
    """Soaking a pad an hour: on a phone the emergency advice and the 112 link come before anything else."""
    # The row the first migration creates is gone once an earlier browser test has flushed the tables.
    ClinicProfile.objects.update_or_create(id=SINGLE_ROW_ID, defaults=DEMO_PROFILE)
    factories.make_patient(email="giovanna@example.com", first_name="Giovanna")
    page = phone_page
    login(page, "giovanna@example.com")
    page.goto(QUESTIONNAIRE_URL)
    answer_steps(page, QUIET | {"soaks_pad_hourly": "yes"})
    shot(page, "review")
    send_questionnaire(page)
    shot(page, "emergency-advice", full_page=False)

    submission = Submission.objects.get(patient__user__email="giovanna@example.com")
    assert submission.case.level == CaseLevel.EMERGENCY
    alert = page.locator("main [role=alert]")
    assert alert.count() == 1
    assert normalized(rules.ADVICE[rules.Level.EMERGENCY]["it"]) in normalized(alert.inner_text())
    # The alert is the first thing in the page's content, ahead of the heading.
    first = page.evaluate(
        "() => document.querySelector('main').querySelector('[role=alert], h1, h2, p, section')"
        ".getAttribute('role')"
    )
    assert first == "alert"
    assert page.evaluate(
        "() => Boolean(document.querySelector('main [role=alert]').compareDocumentPosition("
        "document.querySelector('main h1')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    call = alert.locator("a[href='tel:112']")
    assert call.is_visible()
    box = call.bounding_box()
    assert box["y"] + box["height"] <= 844, "the 112 link must be on the first screen"
    assert box["height"] >= 44, "the 112 link must be easy to tap"
    assert "border-danger" in alert.get_attribute("class")
    # Then the clinic's phone: visibly smaller than the call to 112, still easy to tap.
    clinic = alert.locator("a.clinic-call")
    assert clinic.get_attribute("href") == "tel:+390600000000"
    clinic_box = clinic.bounding_box()
    assert clinic_box["y"] > box["y"], "112 comes first in an emergency"
    assert clinic_box["height"] >= 44, "the clinic's number must be easy to tap"
    font = "(element) => parseFloat(getComputedStyle(element).fontSize)"
    assert clinic.evaluate(font) < call.evaluate(font), "the call to 112 dominates"
