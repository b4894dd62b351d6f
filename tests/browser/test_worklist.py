"""The worklist in the browser: keyboard shortcuts (never while typing), chips, phones, and axe clean
in both languages with everything a busy list shows."""

import pytest

from tests import factories
from triage.audit.writer import Actor
from triage.cases.services import case_assign
from triage.models import Case, CaseLevel

from .support import DESKTOP, PHONE, PageChecker, login

pytestmark = pytest.mark.django_db(transaction=True)

FOCUSED_CASE = (
    "() => document.activeElement.closest('tr.queue-row') ? document.activeElement.textContent.trim() : ''"
)


def busy_worklist():
    """A doctor and cases of several levels: ten flags on one, phones, an assignment, routine ones."""
    doctor = factories.make_doctor()
    names = ["Alba", "Bice", "Carla", "Dora"]
    patients = [
        factories.make_patient(email=f"{name.lower()}@example.com", first_name=name, phone=f"333 123 456{i}")
        for i, name in enumerate(names)
    ]
    cases = [
        factories.make_case(patients[0], level=CaseLevel.EMERGENCY, score=40, flags=factories.TEN_FLAGS),
        factories.make_case(
            patients[1], level=CaseLevel.PRIORITY, score=6, flags=["POSTMENOPAUSAL_BLEEDING"]
        ),
        factories.make_case(patients[2], level=CaseLevel.FOLLOW_UP, score=2, flags=["RECURRENT", "DRYNESS"]),
        factories.make_case(patients[3], level=CaseLevel.ROUTINE),
    ]
    case_assign(case_id=cases[1].pk, actor=Actor(doctor), take=True)
    return doctor, cases


def test_j_k_move_between_cases_enter_opens_n_goes_on_and_question_mark_lists_them(page, shot):
    doctor, cases = busy_worklist()
    login(page, doctor.email)
    page.goto("/dashboard/")

    page.keyboard.press("j")
    assert page.evaluate(FOCUSED_CASE).startswith("Alba")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate(FOCUSED_CASE).startswith("Carla")
    page.keyboard.press("k")
    assert page.evaluate(FOCUSED_CASE).startswith("Bice")
    assert page.locator("tr.queue-row.is-current").count() == 1
    # Screen readers hear where the shortcut went.
    assert page.text_content("#shortcut-status") == "Caso 2 di 3: Bice Rossi"
    shot(page, "second-case-chosen", full_page=False)

    page.keyboard.press("?")
    assert page.locator("#shortcuts-help").is_visible()
    shot(page, "shortcuts-listed", full_page=False)
    page.keyboard.press("?")
    assert not page.locator("#shortcuts-help").is_visible()
    # Closed with Esc, the list gives the focus back to the case it was on.
    page.keyboard.press("?")
    assert page.locator("#shortcuts-help").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#shortcuts-help").is_visible()
    assert page.evaluate(FOCUSED_CASE).startswith("Bice")

    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/dashboard/cases/{cases[1].pk}/")

    with page.expect_navigation():
        page.keyboard.press("n")
    assert f"/dashboard/cases/{cases[2].pk}/" in page.url


def test_shortcuts_do_nothing_while_typing(page):
    doctor, cases = busy_worklist()
    login(page, doctor.email)
    page.goto("/dashboard/")
    page.click(".worklist-filters-box > summary")
    page.click("#id_q")
    page.keyboard.type("jk?n")

    assert page.input_value("#id_q") == "jk?n"
    assert page.evaluate(FOCUSED_CASE) == ""
    assert not page.locator("#shortcuts-help").is_visible()
    assert page.locator("tr.queue-row.is-current").count() == 0

    page.goto(f"/dashboard/cases/{cases[0].pk}/")
    page.click("#id_text")
    page.keyboard.type("nota n")
    assert page.input_value("#id_text") == "nota n"
    assert page.url.endswith(f"/dashboard/cases/{cases[0].pk}/"), "n typed in the note opened no other case"


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_busy_worklist_is_accessible_with_its_shortcut_list_open(new_context, shot, language):
    doctor, cases = busy_worklist()
    for viewport in (DESKTOP, PHONE):
        page = new_context(viewport=viewport, language=language).new_page()
        check = PageChecker(page, shot, suffix="phone" if viewport == PHONE else "desktop")
        login(page, doctor.email)
        check.visit("/dashboard/?all=1")
        assert page.locator("tr.queue-row").first.locator(".flag-chip").count() == 4
        assert (
            page.locator("tr.queue-row").first.locator(".flag-more [aria-hidden=true]").inner_text() == "+6"
        )
        assert page.locator("a.phone-link").first.get_attribute("href") == "tel:+393331234560"
        assert page.locator("#bulk-close").is_visible()
        page.locator("[data-shortcuts-open]").click()
        check("shortcuts-open")
        page.keyboard.press("Escape")
        check.visit(f"/dashboard/cases/{cases[0].pk}/")
        assert page.locator(".flag-chip").count() == len(factories.TEN_FLAGS)
        check.assert_clean()
    assert Case.objects.get(pk=cases[1].pk).assigned_to == doctor
