"""Overdue cases in the browser: the marker (a clock and a word, with how long) first in its level,
the header's count that filters the list, and the contact buttons that clear it once she is
reached; on a desktop and a phone, in both languages, axe clean."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from triage.models import Case, CaseLevel, ContactAttempt

from .support import DESKTOP, PHONE, PageChecker, login

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "it": ("In ritardo", "di 3 giorni", "Chiamata, nessuna risposta", "Parlato con lei", "solo in ritardo"),
    "en": ("Overdue", "by 3 days", "Called, no answer", "Spoke with her", "only overdue"),
}


def urgent(patient, *, score, late: timedelta | None):
    """An urgent case; `late` past its deadline, or due in an hour."""
    case = factories.make_case(patient, level=CaseLevel.URGENT, score=score, flags=["PREGNANCY_BLEEDING"])
    now = timezone.now()
    deadline = now - late if late is not None else now + timedelta(hours=1)
    Case.objects.filter(pk=case.pk).update(level_since=deadline - timedelta(hours=2), act_by=deadline)
    return case


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_overdue_case_leads_its_level_is_counted_filtered_and_cleared_by_speaking_with_her(
    new_context, shot, language, viewport
):
    overdue_word, how_long, no_answer, spoke, summary = WORDS[language]
    doctor = factories.make_doctor()
    on_time = urgent(
        factories.make_patient(email="alba@example.com", first_name="Alba", phone="333 123 4560"),
        score=9,
        late=None,
    )
    late = urgent(
        factories.make_patient(email="bice@example.com", first_name="Bice", phone="333 123 4561"),
        score=2,
        late=timedelta(days=3, hours=1),
    )
    page = new_context(viewport=viewport, language=language).new_page()
    check = PageChecker(page, shot, suffix="phone" if viewport == PHONE else "desktop")
    login(page, doctor.email)
    check.visit("/dashboard/")

    rows = page.locator("tr.queue-row")
    assert rows.nth(0).get_attribute("id") == f"case-{late.pk}"
    assert rows.nth(1).get_attribute("id") == f"case-{on_time.pk}"
    marker = page.locator(f"#case-{late.pk} .overdue-marker")
    assert marker.is_visible()
    assert overdue_word in marker.inner_text()
    assert how_long in marker.inner_text()
    assert page.locator(f"#case-{on_time.pk} .overdue-marker").count() == 0
    count = page.locator(".overdue-count")
    assert count.locator(".level-count-number").inner_text() == "1"

    # A call nobody answered leaves her overdue; speaking with her clears it.
    page.locator(f"#case-{late.pk}").get_by_role("button", name=no_answer).click()
    page.wait_for_url(f"**/dashboard/#case-{late.pk}")
    assert page.locator(f"#case-{late.pk} .overdue-marker").is_visible()
    check("overdue-after-a-call")

    count.click()
    page.wait_for_url("**/dashboard/?overdue=1")
    assert summary in page.locator("#worklist-summary").inner_text()
    assert page.locator("tr.queue-row").count() == 1
    check("only-overdue")

    page.locator(f"#case-{late.pk}").get_by_role("button", name=spoke).click()
    page.wait_for_url(f"**/dashboard/?overdue=1#case-{late.pk}")
    assert page.locator("tr.queue-row").count() == 0
    check.visit("/dashboard/")
    assert page.locator(".overdue-marker").count() == 0
    assert page.locator(".overdue-count").count() == 0
    check.assert_clean()
    outcomes = list(ContactAttempt.objects.filter(case=late).values_list("outcome", flat=True))
    assert outcomes == ["no_answer", "spoke"]


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_case_page_shows_the_deadline_beside_the_level(new_context, shot, language):
    doctor = factories.make_doctor()
    case = urgent(factories.make_patient(), score=4, late=timedelta(days=3, hours=1))
    page = new_context(viewport=PHONE, language=language).new_page()
    check = PageChecker(page, shot, suffix="phone")
    login(page, doctor.email)

    check.visit(f"/dashboard/cases/{case.pk}/")

    deadline = page.locator(".case-deadline").inner_text()
    assert WORDS[language][0] in deadline
    assert ("intervenire entro" if language == "it" else "act by") in deadline
    check.assert_clean()
