"""The doctor's day in a real browser: today's visits, a case called up from the list, the day printed.

Every visit page is checked like the others (axe, no sideways scroll, nothing blocked by the
Content Security Policy), on a desktop and a phone, and the patient's home page with her next visit.
"""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from patients.services import submission_record
from tests import factories
from triage.cases.selectors import case_follow_up_on
from triage.models import AuditEvent

from .support import DESKTOP, PHONE, QUIET, PageChecker, login, typed

pytestmark = pytest.mark.django_db(transaction=True)


def today_at(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time(hour, minute)))


def day_with_visits():
    """Today's visits: Elena (no questionnaire), Giovanna (an emergency questionnaire), Marta (cancelled)."""
    giovanna = factories.make_patient(
        email="giovanna@example.com", first_name="Giovanna", last_name="Russo", phone="+39 333 123 4567"
    )
    elena = factories.make_patient(email="elena@example.com", first_name="Elena", last_name="Neri")
    marta = factories.make_patient(email="marta@example.com", first_name="Marta", last_name="Galli")
    factories.make_visit(elena, starts_at=today_at(9, 0))
    visit = factories.make_visit(giovanna, starts_at=today_at(9, 30))
    factories.make_visit(marta, starts_at=today_at(10, 0), state="cancelled")
    # Sent the day before the visit: it is the questionnaire for this visit.
    submission = submission_record(
        patient=giovanna,
        answers=typed(QUIET) | {"soaks_pad_hourly": True},
        submitted_at=visit.starts_at - timedelta(days=1),
    )
    return timezone.localdate(), submission.case


def test_the_doctor_opens_todays_visits_calls_up_a_case_and_prints_the_day(page, shot):
    day, emergency = day_with_visits()
    doctor = factories.make_doctor()

    login(page, doctor.email)
    with page.expect_navigation():
        page.get_by_role("link", name="Visite di oggi").click()
    assert page.url.endswith("/dashboard/day/")
    rows = page.locator("tr.day-visit")
    assert rows.count() == 3
    assert "Elena Neri" in rows.nth(0).inner_text()
    assert "non compilato" in rows.nth(0).inner_text()
    second = rows.nth(1)
    assert "Giovanna Russo" in second.inner_text()
    assert second.locator(".level-badge.level-emergency").count() == 1
    assert second.locator("a[href='tel:+393331234567']").count() == 1
    shot(page, "day")

    with page.expect_navigation():
        second.locator("a.case-link").click()
    assert page.url.endswith(f"/dashboard/cases/{emergency.pk}/")
    assert page.locator("h1").inner_text() == "Giovanna Russo"
    shot(page, "case")

    page.go_back()
    with page.expect_navigation():
        page.locator("#print-day").click()
    sheets = page.locator(".sheet")
    assert sheets.count() == 2  # the cancelled visit is not printed
    assert "Elena Neri" in sheets.nth(0).inner_text()
    assert "Giovanna Russo" in sheets.nth(1).inner_text()
    page.emulate_media(media="print")
    shot(page, "day-print")
    # One page per patient, in visit order: the second sheet starts a new page.
    assert sheets.nth(1).evaluate("el => getComputedStyle(el).breakBefore") == "page"
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 2
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.DAY_PRINT, actor=doctor)
        .exclude(patient=None)
        .count()
        == 2
    )


@pytest.mark.parametrize("language", ["it", "en"])
def test_visit_pages_are_accessible_on_desktop_and_phone(new_context, shot, language):
    day, emergency = day_with_visits()
    doctor = factories.make_doctor()
    patient = emergency.patient
    visit = patient.visits.get()
    for viewport, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = new_context(viewport=viewport, language=language).new_page()
        check = PageChecker(page, shot, suffix)
        login(page, doctor.email)
        for path in (
            f"/dashboard/day/?date={day.isoformat()}",
            f"/dashboard/day/print/?date={day.isoformat()}",
            f"/dashboard/patients/{patient.pk}/",
            f"/dashboard/visits/{visit.pk}/",
            "/dashboard/visits/import/",
            "/dashboard/calendar/",
            f"/dashboard/cases/{emergency.pk}/",
        ):
            check.visit(path)
        page.goto(f"/dashboard/patients/{patient.pk}/")
        with page.expect_navigation():
            page.locator("form [type=submit][name=book]").click()
        check("booking with errors")
        check.assert_clean()

    with_visit = factories.make_patient(email="con-visita@example.com")
    factories.make_visit(with_visit)
    page = new_context(viewport=PHONE, language=language).new_page()
    check = PageChecker(page, shot, "patient")
    login(page, with_visit.user.email)
    check.visit("/")
    assert page.locator(".next-visit").count() == 1
    check.assert_clean()


def test_the_status_form_shows_the_visit_fields_only_for_follow_up(page):
    patient = factories.make_patient()
    case = factories.make_case(patient, level=3, score=6)
    login(page, factories.make_doctor().email)
    page.goto(f"/dashboard/cases/{case.pk}/")

    follow_up = page.locator("[data-shown-values=follow_up]")
    reason = page.locator("[data-shown-values=closed]")
    assert follow_up.is_hidden() and reason.is_hidden()
    page.check("input[name=to_status][value=follow_up]")
    assert follow_up.is_visible() and reason.is_hidden()
    page.check("input[name=to_status][value=closed]")
    assert follow_up.is_hidden() and reason.is_visible()


def test_without_javascript_every_applicable_field_shows(new_context):
    patient = factories.make_patient()
    case = factories.make_case(patient, level=3, score=6)
    page = new_context(javascript=False).new_page()
    login(page, factories.make_doctor().email)
    page.goto(f"/dashboard/cases/{case.pk}/")

    assert page.locator("input[name=follow_up_on]").is_visible()
    assert page.locator("input[name=follow_up_time]").is_visible()
    assert page.locator("textarea[name=reason]").is_visible()
    day = timezone.localdate() + timedelta(days=3)
    page.check("input[name=to_status][value=follow_up]")
    page.fill("input[name=follow_up_on]", day.isoformat())
    page.fill("input[name=follow_up_time]", time(16, 0).strftime("%H:%M"))
    with page.expect_navigation():
        page.locator("form:has(input[name=to_status]) [type=submit]").click()
    case.refresh_from_db()
    assert case.status == "follow_up"
    assert case_follow_up_on(case) == day
