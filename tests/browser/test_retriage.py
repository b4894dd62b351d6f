"""In Chromium, after a re-assessment (RULES.md 11.2, S4, S5): the doctor signs off a lower level, or
keeps the higher one, on the case page of a desktop; she reads her updated advice on a 320 px phone,
in both languages."""

from datetime import timedelta

import pytest
from django.utils import formats, timezone, translation

from clinic.models import DEMO_PROFILE, SINGLE_ROW_ID, ClinicProfile
from tests import factories
from tests.triage.retriage import reassess
from triage.models import AuditEvent, Case, CaseEvent, CaseLevel

from .support import DESKTOP, PageChecker, assert_no_sideways_scroll, login, normalized

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 320, "height": 568}
WORDS = {
    "en": {
        "box": "Lower level pending sign-off",
        "lower": "Sign off the lower level",
        "higher": "Keep the higher level",
        "signed": "Signed off the lower level",
        "kept": "Kept the higher level",
        "marker": "pending sign-off",
        "updated": "Advice updated on",
        "given": "Advice given on",
        "urgent": "Get checked today",
        "follow_up": "Book a visit in the coming weeks",
        "call": "Call the clinic",
    },
    "it": {
        "box": "Livello più basso in attesa di approvazione",
        "lower": "Approvi il livello più basso",
        "higher": "Mantenga il livello più alto",
        "signed": "Livello più basso approvato",
        "kept": "Livello più alto mantenuto",
        "marker": "in attesa di approvazione",
        "updated": "Indicazioni aggiornate il",
        "given": "Indicazioni date il",
        "urgent": "Si faccia valutare oggi",
        "follow_up": "Prenoti una visita nelle prossime settimane",
        "call": "Chiami lo studio",
    },
}


def day(moment, language) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_doctor_signs_off_one_lower_level_and_keeps_another_on_the_case_page(new_context, shot, language):
    words = WORDS[language]
    patient = factories.make_patient()
    doctor = factories.make_doctor()
    sent = timezone.now() - timedelta(days=2)
    lowered = factories.make_case(
        patient, level=CaseLevel.URGENT, score=7, flags=["HEAVY_ACUTE"], submitted_at=sent
    )
    kept = factories.make_case(patient, level=CaseLevel.PRIORITY, score=6, submitted_at=sent)
    reassess(lowered, CaseLevel.FOLLOW_UP, score=1, flags=["INFECTION_SIGNS"])
    reassess(kept, CaseLevel.ROUTINE, score=0, flags=[])

    page = new_context(viewport=DESKTOP, language=language).new_page()
    check = PageChecker(page, shot, suffix="desktop")
    login(page, doctor.email)
    check.visit("/dashboard/")
    rows = page.locator("tr.queue-row .sign-off-marker")
    assert rows.count() == 2
    assert words["marker"] in rows.first.inner_text()

    check.visit(f"/dashboard/cases/{lowered.pk}/")
    box = page.locator("#sign-off")
    assert words["box"] in box.inner_text()
    assert box.locator(".level-follow-up").count() == 1
    # Above the fold on a desktop, next to the assessment the case keeps meanwhile.
    assert box.bounding_box()["y"] < DESKTOP["height"] * 2
    with page.expect_navigation():
        box.get_by_role("button", name=words["lower"]).click()
    check("after sign-off")
    assert page.locator("#sign-off").count() == 0
    assert words["signed"] in normalized(page.locator(".timeline").inner_text())
    lowered.refresh_from_db()
    assert (lowered.level, lowered.pending_sign_off) == (CaseLevel.FOLLOW_UP, None)

    check.visit(f"/dashboard/cases/{kept.pk}/")
    with page.expect_navigation():
        page.locator("#sign-off").get_by_role("button", name=words["higher"]).click()
    check("after keeping the higher level")
    assert words["kept"] in normalized(page.locator(".timeline").inner_text())
    kept.refresh_from_db()
    assert (kept.level, kept.pending_sign_off) == (CaseLevel.PRIORITY, None)
    assert AuditEvent.objects.filter(actor=doctor, action__in=["sign_off_lower", "keep_higher"]).count() == 2
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.SIGN_OFF, actor=doctor).count() == 2
    check.assert_clean()


@pytest.mark.parametrize("language", ["it", "en"])
def test_her_updated_advice_on_a_small_phone(new_context, shot, language):
    words = WORDS[language]
    ClinicProfile.objects.update_or_create(
        id=SINGLE_ROW_ID, defaults={**DEMO_PROFILE, "phone": "+39 02 7654 3210"}
    )
    patient = factories.make_patient()
    sent = timezone.now() - timedelta(days=2)
    case = factories.make_case(patient, level=CaseLevel.FOLLOW_UP, score=2, submitted_at=sent)
    reassess(case, CaseLevel.URGENT, score=7)
    case = Case.objects.get(pk=case.pk)
    updated = f"{words['updated']} {day(case.advised_at, language)}"
    given = f"{words['given']} {day(sent, language)}"

    page = new_context(viewport=SMALL_PHONE, language=language).new_page()
    check = PageChecker(page, shot, suffix="320")
    login(page, patient.user.email)
    check.visit("/")
    card = page.locator("main .home-card").first
    assert "home-card-alarm" in card.get_attribute("class")
    alarm = card.locator(".advice-live")
    alarm_text = normalized(alarm.inner_text())
    assert updated in alarm_text and words["urgent"] in alarm_text
    assert given not in alarm_text
    # The alarm's headline and date show without scrolling; its call button too.
    assert alarm.locator(".advice-date").bounding_box()["y"] < SMALL_PHONE["height"]
    call = alarm.locator("a.btn").first
    assert call.bounding_box()["y"] + call.bounding_box()["height"] <= SMALL_PHONE["height"] * 1.5
    record = card.locator(".advice-earlier")
    assert given in normalized(record.inner_text())
    assert record.bounding_box()["y"] > alarm.bounding_box()["y"]
    record.locator("summary").click()
    assert words["follow_up"] in normalized(record.inner_text())
    check("home with the record open")

    for path in ("/questionnaire/", f"/questionnaire/{case.pk}/"):
        check.visit(path)
        first = page.locator("main .advice-live").first
        assert updated in normalized(first.inner_text()), path
        assert_no_sideways_scroll(page, path)
    assert given in normalized(page.locator(".advice-earlier").inner_text())
    check.assert_clean()
