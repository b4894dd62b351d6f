"""An escalated case in the browser: the worklist row and the case page say so with a word, a shape
and the time, and the timeline says what went; on a desktop and a phone, in both languages, axe clean
(RULES.md 11.2, S8)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from triage.models import Assessment, CaseEvent, CaseLevel, Escalation

from .support import DESKTOP, PHONE, PageChecker, login

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "it": ("sollecitato", "Sollecito, Emergenza: Promemoria ai medici (SMS al medico di turno)"),
    "en": (
        "escalated",
        "Escalation, Emergency: Reminder to the doctors (text message to the doctor on duty)",
    ),
}


def escalated_case(patient):
    """An emergency case whose reminder went ten minutes ago, with its timeline event."""
    case = factories.make_case(patient, level=CaseLevel.EMERGENCY, score=30, flags=["HEAVY_ACUTE"])
    sent = timezone.now() - timedelta(minutes=10)
    Escalation.objects.create(
        case=case,
        assessment=Assessment.objects.get(submission_id=case.pk),
        level=case.level,
        step=Escalation.Step.REMINDER,
        since=sent - timedelta(minutes=30),
        due_at=sent,
        sent_at=sent,
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.ESCALATION,
        detail={"step": "reminder", "level": case.level, "channels": ["on_duty_text"]},
        created_at=sent,
    )
    return case


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_escalated_case_is_marked_on_its_row_and_its_page(new_context, shot, language, viewport):
    word, event = WORDS[language]
    doctor = factories.make_doctor()
    case = escalated_case(factories.make_patient())
    quiet = factories.make_case(factories.make_patient(email="quiet@example.com"), level=CaseLevel.URGENT)
    page = new_context(viewport=viewport, language=language).new_page()
    check = PageChecker(page, shot, suffix="phone" if viewport == PHONE else "desktop")
    login(page, doctor.email)
    check.visit("/dashboard/")

    marker = page.locator(f"#case-{case.pk} .escalated-marker")
    assert marker.is_visible()
    assert word in marker.inner_text()
    assert "⇈" in marker.inner_text()
    assert page.locator(f"#case-{quiet.pk} .escalated-marker").count() == 0
    page.locator(f"#case-{case.pk} a.case-link").click()
    page.wait_for_url(f"**/dashboard/cases/{case.pk}/")
    assert word in page.locator("#case-escalated").inner_text()
    assert event in page.locator(".timeline-escalation").inner_text()
    check("case-page-escalated")
    check.assert_clean()
