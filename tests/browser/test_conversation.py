"""One conversation per case in a real browser: the doctor writes on a desktop, she reads and replies
on a phone, the worklist marks her reply until a doctor has read it; then the other way round (the
doctor on a phone, she at a desktop) with his answer on the contact log; in both pairs of languages."""

import pytest

from tests import factories
from triage.models import CaseLevel, CaseMessage, ContactAttempt, SavedReply

from .support import DESKTOP, PHONE, PageChecker, assert_accessible, assert_no_sideways_scroll, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def saved_reply(db):
    return SavedReply.objects.create(
        title="Richiamata domani",
        text_it="La richiameremo domani alle 9.",
        text_en="We will call you tomorrow at 9.",
    )


def her_case(language):
    patient = factories.make_patient(email="anna@example.com", first_name="Anna", last_name="Verdi")
    patient.user.language = language
    patient.user.save(update_fields=["language"])
    return factories.make_case(patient, level=CaseLevel.FOLLOW_UP, score=2)


def test_doctor_writes_in_italian_on_a_desktop_and_she_replies_in_english_on_a_phone(
    new_context, shot, saved_reply
):
    case = her_case("en")
    doctor = factories.make_doctor()

    desk = new_context(language="it").new_page()
    login(desk, doctor.email)
    desk.goto(f"/dashboard/cases/{case.pk}/")
    box = desk.locator("#conversation textarea[name=text]")
    desk.select_option("#saved-reply", label="Richiamata domani")
    # Her account reads English: the saved reply fills the box in English, and stays editable.
    assert box.input_value() == "We will call you tomorrow at 9."
    box.fill(box.input_value() + " Book here: https://example.com/book")
    assert_accessible(desk, "case page with the conversation")
    shot(desk, "doctor-writes")
    with desk.expect_navigation():
        desk.locator("#conversation [type=submit]").click()
    assert "Messaggio inviato" in desk.locator(".messages").inner_text()
    assert "We will call you tomorrow at 9." in desk.locator("#conversation").inner_text()

    phone = new_context(viewport=PHONE, language="en").new_page()
    login(phone, "anna@example.com")
    phone.goto("/")
    card = phone.locator(f"#conversation-{case.pk}")
    assert "We will call you tomorrow at 9." in card.inner_text()
    assert card.locator("a[href='https://example.com/book']").count() == 1
    assert "Not for emergencies." in card.locator(".not-for-emergencies").inner_text()
    assert_accessible(phone, "home page with the conversation")
    assert_no_sideways_scroll(phone, "home page with the conversation")
    shot(phone, "she-reads")
    card.locator("textarea[name=text]").fill("I can't come on Tuesday; Wednesday works.")
    with phone.expect_navigation():
        card.locator("[type=submit]").click()
    assert "Your reply has been sent to the clinic." in phone.locator(".messages").inner_text()
    assert "Wednesday works" in phone.locator(f"#conversation-{case.pk}").inner_text()
    assert CaseMessage.objects.filter(case=case, author_kind="patient").count() == 1

    desk.goto("/dashboard/")
    row = desk.locator("table.worklist tbody tr", has=desk.locator(f"a[href^='/dashboard/cases/{case.pk}/']"))
    marker = row.locator(".new-reply")
    assert marker.is_visible()
    assert "nuova risposta" in marker.inner_text()
    shot(desk, "worklist-new-reply")
    with desk.expect_navigation():
        row.locator("a.case-link").click()
    assert "Wednesday works" in desk.locator("#conversation").inner_text()
    desk.goto("/dashboard/")
    assert desk.locator("table.worklist .new-reply").count() == 0


def test_doctor_writes_in_english_and_she_replies_in_italian_on_her_questionnaire_page(new_context, shot):
    case = her_case("it")
    doctor = factories.make_doctor()

    desk = new_context(language="en").new_page()
    login(desk, doctor.email)
    desk.goto(f"/dashboard/cases/{case.pk}/")
    desk.locator("#conversation textarea[name=text]").fill("Prenoti una visita qui: https://example.com/book")
    with desk.expect_navigation():
        desk.locator("#conversation [type=submit]").click()
    assert "Message sent" in desk.locator(".messages").inner_text()

    phone = new_context(viewport=PHONE, language="it").new_page()
    login(phone, "anna@example.com")
    phone.goto(f"/questionnaire/{case.pk}/")
    section = phone.locator("#conversation")
    assert "Lo studio ha scritto" in section.inner_text()
    assert "Non per le emergenze." in section.inner_text()
    # Too long a reply is refused next to the box, with what she typed kept.
    long_reply = "Grazie, prenoto subito. " * 100
    section.locator("textarea[name=text]").fill(long_reply)
    with phone.expect_navigation():
        section.locator("[type=submit]").click()
    section = phone.locator("#conversation")
    assert "Il messaggio non deve superare" in section.locator(".invalid-feedback").inner_text()
    assert section.locator("textarea[name=text]").input_value() == long_reply
    section.locator("textarea[name=text]").fill("Grazie, prenoto subito.")
    with phone.expect_navigation():
        section.locator("[type=submit]").click()
    assert "Grazie, prenoto subito." in phone.locator("#conversation").inner_text()
    assert_accessible(phone, "questionnaire page with the conversation")
    assert_no_sideways_scroll(phone, "questionnaire page with the conversation")
    shot(phone, "she-replies-in-italian")

    desk.goto("/dashboard/")
    assert "new reply" in desk.locator("table.worklist .new-reply").inner_text()


DOCTOR_WORDS = {
    "it": {
        "sent": "Messaggio inviato",
        "new_reply": "nuova risposta",
        "logged": "Risposto al suo messaggio · Messaggio nel portale",
        "counted": "1 tentativo, l’ultimo alle",
    },
    "en": {
        "sent": "Message sent",
        "new_reply": "new reply",
        "logged": "Answered her message · Portal message",
        "counted": "1 attempt, last",
    },
}
HER_WORDS = {
    "it": {"clinic_wrote": "Lo studio ha scritto", "replied": "La sua risposta è stata inviata allo studio."},
    "en": {"clinic_wrote": "The clinic wrote", "replied": "Your reply has been sent to the clinic."},
}


@pytest.mark.parametrize(("doctor_language", "her_language"), [("it", "en"), ("en", "it")])
def test_doctor_on_a_phone_and_she_on_a_desktop_and_his_answer_is_on_the_contact_log(
    new_context, shot, doctor_language, her_language
):
    """The other pair of screens: the doctor works from a phone, she reads and replies at a desktop;
    his answer to her reply is an attempt by portal message on the row and the case page."""
    case = her_case(her_language)
    doctor = factories.make_doctor()
    said, her_words = DOCTOR_WORDS[doctor_language], HER_WORDS[her_language]

    phone = new_context(viewport=PHONE, language=doctor_language).new_page()
    check = PageChecker(phone, shot, suffix=f"doctor-phone-{doctor_language}")
    login(phone, doctor.email)
    phone.goto(f"/dashboard/cases/{case.pk}/")
    phone.locator("#conversation textarea[name=text]").fill("Can you come on Tuesday at 10?")
    with phone.expect_navigation():
        phone.locator("#conversation [type=submit]").click()
    assert said["sent"] in phone.locator(".messages").inner_text()

    desk = new_context(viewport=DESKTOP, language=her_language).new_page()
    her_check = PageChecker(desk, shot, suffix=f"patient-desktop-{her_language}")
    login(desk, "anna@example.com")
    her_check.visit(f"/questionnaire/{case.pk}/")
    section = desk.locator("#conversation")
    assert her_words["clinic_wrote"] in section.inner_text()
    assert "Can you come on Tuesday at 10?" in section.inner_text()
    section.locator("textarea[name=text]").fill("Tuesday is fine.")
    with desk.expect_navigation():
        section.locator("[type=submit]").click()
    assert her_words["replied"] in desk.locator(".messages").inner_text()
    her_check("she-replied")

    check.visit("/dashboard/")
    row = phone.locator(f"#case-{case.pk}")
    assert said["new_reply"] in row.locator(".new-reply").inner_text()
    check("worklist-new-reply")
    with phone.expect_navigation():
        row.locator("a.case-link").click()
    assert "Tuesday is fine." in phone.locator("#conversation").inner_text()
    phone.locator("#conversation textarea[name=text]").fill("See you on Tuesday.")
    with phone.expect_navigation():
        phone.locator("#conversation [type=submit]").click()
    assert said["logged"] in phone.locator("#contact-log .contact-log-entries").inner_text()
    assert said["logged"] in phone.locator(".timeline-contact").last.inner_text()
    check("case-page-answered")
    check.visit("/dashboard/")
    assert said["counted"] in phone.locator(f"#case-{case.pk} .contact-count").inner_text()
    assert phone.locator(f"#case-{case.pk} .new-reply").count() == 0
    check("worklist-counted")

    check.assert_clean()
    her_check.assert_clean()
    attempt = ContactAttempt.objects.get(case=case)
    assert (attempt.outcome, attempt.channel, attempt.actor_id) == ("answered", "message", doctor.pk)
