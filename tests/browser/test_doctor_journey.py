"""The doctor's journey in a real browser: worklist, the emergency case, follow-up, note, close."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from triage.cases.selectors import case_follow_up_on
from triage.models import Case, CaseEvent, CaseLevel

from .support import login, submit_answers

pytestmark = pytest.mark.django_db(transaction=True)


def test_doctor_works_the_emergency_case_from_the_top_of_the_worklist(page, shot):
    """The newest case is the emergency, yet it tops the worklist; the doctor schedules, notes, closes."""
    now = timezone.now()
    factories.make_case(
        factories.make_patient(email="anna@example.com", first_name="Anna", last_name="Verdi"),
        level=CaseLevel.PRIORITY,
        score=6,
        flags=["PREGNANCY_BLEEDING"],
        submitted_at=now - timedelta(days=3),
    )
    factories.make_case(
        factories.make_patient(email="elena@example.com", first_name="Elena", last_name="Neri"),
        level=CaseLevel.FOLLOW_UP,
        score=2,
        flags=["RECURRENT"],
        submitted_at=now - timedelta(days=5),
    )
    giovanna = factories.make_patient(email="giovanna@example.com", first_name="Giovanna", last_name="Russo")
    emergency = submit_answers(giovanna, soaks_pad_hourly=True).case
    assert emergency.level == CaseLevel.EMERGENCY
    doctor = factories.make_doctor()

    login(page, doctor.email)
    assert page.url.endswith("/dashboard/")
    shot(page, "worklist")
    rows = page.locator("table.worklist tbody tr")
    assert rows.count() == 3
    top = rows.first
    assert top.locator(f"a[href^='/dashboard/cases/{emergency.pk}/']").count() == 1
    assert top.locator(".level-badge.level-emergency").count() == 1
    assert "Giovanna Russo" in top.inner_text()

    with page.expect_navigation():
        top.locator(f"a[href^='/dashboard/cases/{emergency.pk}/']").click()
    assert page.locator("h1").inner_text() == "Giovanna Russo"
    assert page.locator("section[aria-labelledby=assessment-title] .level-badge.level-emergency").count() == 1
    shot(page, "case")

    follow_up_on = timezone.localdate() + timedelta(days=7)
    status_form = page.locator("form:has(input[name=to_status])")
    status_form.locator("input[name=to_status][value=follow_up]").check()
    status_form.locator("input[name=follow_up_on]").fill(follow_up_on.isoformat())
    with page.expect_navigation():
        status_form.locator("[type=submit]").click()
    assert page.locator(".messages .alert-success").is_visible()
    emergency.refresh_from_db()
    assert emergency.status == Case.Status.FOLLOW_UP
    assert case_follow_up_on(emergency) == follow_up_on
    shot(page, "follow-up-scheduled")

    note_form = page.locator("form:has(textarea#id_text)")
    note_form.locator("textarea[name=text]").fill("Telefonato alla paziente: è andata al pronto soccorso.")
    with page.expect_navigation():
        note_form.locator("[type=submit]").click()
    note = CaseEvent.objects.get(case=emergency, kind=CaseEvent.Kind.NOTE)
    assert note.actor == doctor
    assert "pronto soccorso" in page.locator("main").inner_text()
    shot(page, "note-added")

    # Closing an emergency needs a reason: without one the error is shown on the field.
    status_form = page.locator("form:has(input[name=to_status])")
    status_form.locator("input[name=to_status][value=closed]").check()
    with page.expect_navigation():
        status_form.locator("[type=submit]").click()
    reason = page.locator("textarea[name=reason]")
    assert reason.get_attribute("aria-invalid") == "true"
    error_id = reason.get_attribute("aria-describedby").split()[0]
    assert page.locator(f"#{error_id}").inner_text().strip()
    emergency.refresh_from_db()
    assert emergency.status == Case.Status.FOLLOW_UP
    shot(page, "close-needs-a-reason")

    page.locator("input[name=to_status][value=closed]").check()
    reason.fill("Valutata in pronto soccorso, nessun controllo necessario.")
    with page.expect_navigation():
        page.locator("form:has(input[name=to_status]) [type=submit]").click()
    emergency.refresh_from_db()
    assert emergency.status == Case.Status.CLOSED
    shot(page, "closed")

    page.goto("/dashboard/")
    rows = page.locator("table.worklist tbody tr")
    assert rows.count() == 2
    assert rows.first.locator(".level-badge.level-priority").count() == 1
    shot(page, "worklist-after")
