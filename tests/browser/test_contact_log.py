"""The contact log in the browser: a click on a worklist row's button logs one call, the row counts
it, and the case page's buttons log the next; on a desktop and a phone, in both languages, axe clean."""

import pytest

from tests import factories
from triage.models import CaseLevel, ContactAttempt

from .support import DESKTOP, PHONE, PageChecker, login

pytestmark = pytest.mark.django_db(transaction=True)

BUTTONS = {
    "it": (
        "Chiamata, nessuna risposta",
        "Parlato con lei",
        "1 tentativo, l’ultimo alle",
        "2 tentativi di contattarla finora.",
    ),
    "en": ("Called, no answer", "Spoke with her", "1 attempt, last", "2 attempts to reach her so far."),
}


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_call_logged_from_the_row_then_from_the_case_page(new_context, shot, language, viewport):
    no_answer, spoke, counted, on_page = BUTTONS[language]
    doctor = factories.make_doctor()
    patient = factories.make_patient(phone="333 123 4567")
    case = factories.make_case(patient, level=CaseLevel.URGENT, score=9, flags=["PREGNANCY_BLEEDING"])
    page = new_context(viewport=viewport, language=language).new_page()
    check = PageChecker(page, shot, suffix="phone" if viewport == PHONE else "desktop")
    login(page, doctor.email)
    check.visit("/dashboard/")

    row = page.locator(f"#case-{case.pk}")
    row.get_by_role("button", name=no_answer).click()
    page.wait_for_url(f"**/dashboard/#case-{case.pk}")

    assert counted in page.locator(f"#case-{case.pk} .contact-count").inner_text()
    check("row-after-a-call")
    page.locator(f"#case-{case.pk} a.case-link").click()
    page.get_by_role("button", name=spoke).click()
    page.wait_for_url(f"**/dashboard/cases/{case.pk}/#contact-log")
    assert on_page in page.locator("#contact-log").inner_text()
    assert spoke in page.locator(".timeline-contact").last.inner_text()
    check("case-after-speaking-with-her")
    check.assert_clean()
    outcomes = list(ContactAttempt.objects.filter(case=case).values_list("outcome", flat=True))
    assert outcomes == ["no_answer", "spoke"]


def test_a_double_click_on_a_row_button_logs_one_call(page):
    doctor = factories.make_doctor()
    case = factories.make_case(factories.make_patient(), level=CaseLevel.EMERGENCY, score=30)
    login(page, doctor.email)
    page.goto("/dashboard/")

    page.locator(f"#case-{case.pk} [data-outcome=left_message]").dblclick()
    page.wait_for_url(f"**/dashboard/#case-{case.pk}")

    assert ContactAttempt.objects.filter(case=case).count() == 1
