"""One conversation per case: the doctor's messages, her replies, the rules that guard them
(triage/conversation/, the case page, her questionnaire and home pages)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from outbox.models import OutboundEmail
from tests.factories import make_case, make_doctor, make_patient
from tests.test_support import run_tasks
from triage.audit.writer import Actor
from triage.conversation.selectors import case_has_new_reply
from triage.conversation.services import message_post_by_doctor
from triage.models import MESSAGE_MAX_LENGTH, AuditEvent, Case, CaseMessage, SavedReply

SECRET = "Bleeding since Tuesday"


def case_url(case):
    return reverse("triage:case_detail", args=[case.pk])


def post_message(client, case, text, key="k1", language="en"):
    return client.post(
        reverse("triage:case_message", args=[case.pk]),
        {"text": text, "key": key},
        HTTP_ACCEPT_LANGUAGE=language,
    )


def post_reply(client, case, text, key="r1", language="en", **extra):
    return client.post(
        reverse("patients:submission_reply", args=[case.pk]),
        {"text": text, "key": key, **extra},
        HTTP_ACCEPT_LANGUAGE=language,
    )


def doctor_writes(case, doctor, text="We will call you tomorrow at 9.", key="d1"):
    return message_post_by_doctor(case_id=case.pk, actor=Actor(user=doctor), text=text, key=key)


@pytest.fixture
def her(patient):
    """The patient's own browser, beside the doctor's (`doctor_client`)."""
    client = Client()
    client.force_login(patient.user)
    return client


@pytest.fixture
def case(patient):
    return make_case(patient, level=1)


@pytest.mark.django_db
def test_a_doctor_message_is_kept_audited_and_noticed_once_without_its_text(doctor_client, doctor, case):
    response = post_message(doctor_client, case, f"{SECRET}: book here https://example.com/book")
    assert response.status_code == 302
    assert SECRET not in response["Location"]
    message = CaseMessage.objects.get()
    assert (message.case_id, message.author_kind, message.author) == (case.pk, "doctor", doctor)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MESSAGE_SEND, object_id=str(case.pk), patient=case.patient
    ).exists()
    assert OutboundEmail.objects.count() == 1
    assert SECRET not in str(OutboundEmail.objects.get().params)

    run_tasks()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["patient@example.com"]
    assert "Acceda al portale per leggerlo:\nhttp" in email.body
    for text in (SECRET, "book here", "example.com/book", "Maria", "Rossi"):
        assert text not in email.subject + email.body


@pytest.mark.django_db
def test_the_notice_is_in_her_language(doctor_client, case):
    user = case.patient.user
    user.language = "en"
    user.save(update_fields=["language"])
    post_message(doctor_client, case, "Hello", language="it")
    run_tasks()
    assert mail.outbox[0].subject == "A new message from the clinic"


@pytest.mark.django_db
def test_the_same_form_posted_twice_makes_one_message_and_one_notice(doctor_client, case):
    post_message(doctor_client, case, "Please book a visit.", key="same")
    post_message(doctor_client, case, "Please book a visit.", key="same")
    assert CaseMessage.objects.count() == 1
    assert OutboundEmail.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MESSAGE_SEND).count() == 1


@pytest.mark.django_db
def test_her_reply_posted_twice_makes_one_message(her, doctor, case):
    doctor_writes(case, doctor)
    post_reply(her, case, "I can't come on Tuesday.", key="same")
    post_reply(her, case, "I can't come on Tuesday.", key="same")
    assert CaseMessage.objects.filter(author_kind="patient").count() == 1


@pytest.mark.django_db
def test_too_long_a_message_is_refused_next_to_the_box_with_the_text_kept(doctor_client, case):
    text = "x" * (MESSAGE_MAX_LENGTH + 5)
    response = post_message(doctor_client, case, text)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Keep the message under {MESSAGE_MAX_LENGTH} characters (it has {MESSAGE_MAX_LENGTH + 5})" in page
    assert f">{text}</textarea>" in page
    assert not CaseMessage.objects.exists()


@pytest.mark.django_db
def test_an_empty_reply_is_refused_in_italian_next_to_her_box(her, doctor, case):
    doctor_writes(case, doctor)
    response = post_reply(her, case, "   ", language="it")
    assert response.status_code == 400
    assert "Scriva il messaggio prima di inviarlo." in response.content.decode()
    assert CaseMessage.objects.filter(author_kind="patient").count() == 0


@pytest.mark.django_db
def test_too_long_a_reply_keeps_what_she_typed(her, doctor, case):
    doctor_writes(case, doctor)
    text = "Non posso venire martedì. " * 100
    response = post_reply(her, case, text)
    assert response.status_code == 400
    assert text.strip() in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [(None, 302), ("patient", 403), ("doctor", 302)])
def test_only_doctors_post_on_the_case(client_as, case, role, status):
    response = post_message(client_as(role), case, "Hello")
    assert response.status_code == status
    assert CaseMessage.objects.count() == (1 if role == "doctor" else 0)


@pytest.mark.django_db
def test_another_patient_gets_a_404_for_her_conversation(client_as, other_patient, doctor, case):
    doctor_writes(case, doctor)
    client = client_as("patient", patient=other_patient)
    assert client.get(reverse("patients:submission_detail", args=[case.pk])).status_code == 404
    assert post_reply(client, case, "Not mine").status_code == 404
    assert not CaseMessage.objects.filter(author_kind="patient").exists()
    home = client.get(reverse("home")).content.decode()
    assert "We will call you tomorrow" not in home


@pytest.mark.django_db
def test_a_doctor_cannot_reply_as_the_patient(doctor_client, doctor, case):
    doctor_writes(case, doctor)
    response = post_reply(doctor_client, case, "Fake")
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_closed_case_refuses_replies_with_a_message_next_to_the_box(her, doctor, patient):
    case = make_case(patient, level=1)
    doctor_writes(case, doctor)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    response = post_reply(her, case, "One more thing")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This case is closed" in page
    assert "One more thing" in page
    assert not CaseMessage.objects.filter(author_kind="patient").exists()

    shown = her.get(
        reverse("patients:submission_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "We will call you tomorrow" in shown
    assert 'class="reply-form' not in shown
    assert "no longer reply here" in shown


@pytest.mark.django_db
def test_a_closed_case_takes_no_more_doctor_messages(doctor_client, patient):
    case = make_case(patient, level=1, status=Case.Status.CLOSED)
    response = post_message(doctor_client, case, "Late note")
    assert response.status_code == 400
    assert not CaseMessage.objects.exists()
    assert "conversation-form" not in doctor_client.get(case_url(case)).content.decode()


@pytest.mark.django_db
def test_she_replies_only_once_the_clinic_has_written(her, case):
    response = post_reply(her, case, "Hello?")
    assert response.status_code == 400
    assert not CaseMessage.objects.exists()


@pytest.mark.django_db
def test_messages_are_plain_text_with_links_made_clickable(her, doctor, case):
    doctor_writes(
        case, doctor, text="<script>alert(1)</script> <b>bold</b> book: https://example.com/a?b=1&c=2"
    )
    page = her.get(reverse("patients:submission_detail", args=[case.pk])).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert re.search(r'<a href="https://example.com/a\?b=1&amp;c=2" rel="nofollow">', page)


@pytest.mark.django_db
def test_she_reads_the_conversation_on_her_questionnaire_and_home_page_with_the_emergency_line(
    her, doctor, case
):
    doctor_writes(case, doctor)
    for url in (reverse("patients:submission_detail", args=[case.pk]), reverse("home")):
        page = her.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "We will call you tomorrow at 9." in page
        assert "Not for emergencies." in page
        assert "call 112 or 118" in page
        assert page.index("Not for emergencies.") < page.index('class="reply-form')


@pytest.mark.django_db
def test_a_reply_sent_from_home_goes_back_home(her, doctor, case):
    doctor_writes(case, doctor)
    response = post_reply(her, case, "Thanks", **{"from": "home"})
    assert response["Location"] == f"/#conversation-{case.pk}"


@pytest.mark.django_db
def test_her_reply_marks_the_worklist_row_until_a_doctor_reads_the_case(doctor_client, her, doctor, case):
    doctor_writes(case, doctor)
    dashboard = reverse("triage:dashboard")
    assert "new-reply" not in doctor_client.get(dashboard).content.decode()

    post_reply(her, case, "I can't come on Tuesday.")
    assert case_has_new_reply(case.pk)
    listed = doctor_client.get(dashboard, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "nuova risposta" in listed

    shown = doctor_client.get(case_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "I can&#x27;t come on Tuesday." in shown
    assert "new-reply-badge" in shown
    assert not case_has_new_reply(case.pk)
    assert "new-reply" not in doctor_client.get(dashboard).content.decode()


@pytest.mark.django_db
def test_a_reply_counts_as_a_contact_once_a_doctor_has_answered_it(her, doctor, case):
    doctor_writes(case, doctor)
    post_reply(her, case, "When?")
    reply = CaseMessage.objects.get(author_kind="patient")
    assert reply.answered_at is None
    answer = doctor_writes(case, doctor, text="Tomorrow at 9.", key="d2")
    reply.refresh_from_db()
    assert reply.answered_at == answer.created_at


@pytest.mark.django_db
def test_reading_the_conversation_is_audited_and_on_her_access_page(doctor_client, her, doctor, case):
    doctor_client.get(case_url(case))
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CONVERSATION_READ).exists()
    doctor_writes(case, doctor)
    doctor_client.get(case_url(case))
    event = AuditEvent.objects.get(action=AuditEvent.Action.CONVERSATION_READ)
    assert (event.actor, event.patient_id, event.object_id) == (doctor, case.patient_id, str(case.pk))
    page = her.get(reverse("patients:access_log"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Read the messages of a case" in page
    assert "Wrote a message to the patient" in page


@pytest.mark.django_db
def test_another_doctor_reading_is_in_her_access_log_under_his_name(client, her, doctor, case):
    doctor_writes(case, doctor)
    colleague = make_doctor(email="second@example.com", first_name="Paolo", last_name="Neri")
    client.force_login(colleague)
    client.get(case_url(case))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONVERSATION_READ, actor=colleague).count() == 1
    page = her.get(reverse("patients:access_log"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Paolo Neri" in page


@pytest.mark.django_db
def test_saved_replies_are_offered_in_her_language_and_fill_an_editable_box(doctor_client, case):
    SavedReply.objects.create(
        title="Call tomorrow",
        text_it="La richiameremo domani alle 9.",
        text_en="We will call you tomorrow at 9.",
    )
    SavedReply.objects.create(title="Old", text_it="Vecchia", text_en="Old", active=False)
    page = doctor_client.get(case_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-text="La richiameremo domani alle 9."' in page
    assert "Vecchia" not in page
    user = case.patient.user
    user.language = "en"
    user.save(update_fields=["language"])
    page = doctor_client.get(case_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-text="We will call you tomorrow at 9."' in page
    assert "In English, the language of her account." in page


@pytest.mark.django_db
def test_no_message_text_in_the_logs(doctor_client, her, doctor, case, caplog):
    caplog.set_level("DEBUG")
    post_message(doctor_client, case, SECRET)
    post_reply(her, case, "Also " + SECRET)
    run_tasks()
    assert SECRET not in caplog.text


@pytest.mark.django_db
def test_the_notice_is_not_sent_to_a_closed_account(doctor, case):
    doctor_writes(case, doctor)
    case.patient.user.is_active = False
    case.patient.user.save(update_fields=["is_active"])
    run_tasks()
    assert mail.outbox == []


@pytest.mark.django_db
def test_every_text_of_the_conversation_has_an_italian_translation_in_the_formal_register():
    texts = [
        "Write the message before sending it.",
        "This case is closed: its conversation can be read but no longer answered.",
        "You can reply once the clinic has written to you here.",
        "Not for emergencies.",
        "Your reply",
        "Send reply",
        "new reply",
        "Messages with the clinic",
    ]
    with translation.override("it"):
        translated = [translation.gettext(text) for text in texts]
    assert all(t != s for t, s in zip(translated, texts, strict=True))
    assert not any(re.search(r"\b(tu|ti|tuo|tua|scrivi|puoi)\b", t, re.IGNORECASE) for t in translated)


@pytest.mark.django_db
def test_no_message_goes_to_a_closed_account(doctor_client, case):
    Patient = type(case.patient)
    Patient.objects.filter(pk=case.patient_id).update(closed_at=timezone.now())
    response = post_message(doctor_client, case, "Hello")
    assert response.status_code == 400
    assert not CaseMessage.objects.exists()
    assert "She closed her account" in response.content.decode()


@pytest.mark.django_db
def test_she_gets_the_notice_by_text_too_when_she_opted_in(doctor_client):
    from outbox.models import OutboundText

    texting = make_patient(email="texts@example.com", phone="+393331234567", texts=True)
    case = make_case(texting, level=1)
    post_message(doctor_client, case, SECRET, key="t1")
    post_message(doctor_client, case, SECRET, key="t1")
    run_tasks()
    (text,) = OutboundText.objects.all()
    assert text.status == "sent"
    assert SECRET not in text.text
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "words"), [("en", "Plain text; links"), ("it", "Solo testo; i link")])
def test_the_box_is_described_in_the_language_of_the_page(her, doctor, case, language, words):
    doctor_writes(case, doctor)
    page = her.get(reverse("patients:submission_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert words in page.content.decode()


@pytest.mark.django_db
def test_the_clinic_writes_and_edits_its_saved_replies_in_the_admin_in_both_languages(
    admin_client, doctor_client, case
):
    fields = {
        "title": "Richiamata",
        "text_it": "La richiameremo domani alle 9.",
        "position": 0,
        "active": "on",
    }
    added = admin_client.post(
        reverse("admin:triage_savedreply_add"), {**fields, "text_en": "We will call you tomorrow at 9."}
    )
    assert added.status_code == 302
    reply = SavedReply.objects.get()
    assert 'data-text="La richiameremo domani alle 9."' in doctor_client.get(case_url(case)).content.decode()

    edited = admin_client.post(
        reverse("admin:triage_savedreply_change", args=[reply.pk]),
        {**fields, "text_it": "La richiameremo domani alle 10.", "text_en": "We will call you at 10."},
    )
    assert edited.status_code == 302
    case.patient.user.language = "en"
    case.patient.user.save(update_fields=["language"])
    page = doctor_client.get(case_url(case)).content.decode()
    assert 'data-text="We will call you at 10."' in page
