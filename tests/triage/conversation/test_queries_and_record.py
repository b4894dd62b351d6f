"""The conversation at scale and as part of the record: constant queries on every page that shows
it, her data export, pruning with the record."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patients.gdpr import patient_data_export
from tests.factories import PASSWORD, make_case
from triage.audit.writer import Actor
from triage.conversation.services import message_post_by_doctor, message_post_by_patient
from triage.models import CaseMessage, SavedReply


def exchange(case, doctor, count, start=0):
    """`count` messages each way on `case`."""
    for n in range(start, start + count):
        message_post_by_doctor(case_id=case.pk, actor=Actor(user=doctor), text=f"Doctor {n}", key=f"d{n}")
        message_post_by_patient(case_id=case.pk, user=case.patient.user, text=f"Reply {n}", key=f"p{n}")


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.fixture
def her(patient):
    client = Client()
    client.force_login(patient.user)
    return client


@pytest.mark.django_db
def test_pages_with_the_conversation_run_a_constant_number_of_queries(
    doctor_client, her, patient, doctor, django_assert_max_num_queries
):
    SavedReply.objects.create(title="Call", text_it="La richiameremo.", text_en="We will call you.")
    cases = [make_case(patient, level=level) for level in (1, 2, 3)]
    for case in cases:
        exchange(case, doctor, 1)
    case = cases[0]
    pages = {
        "case": (doctor_client, reverse("triage:case_detail", args=[case.pk])),
        "worklist": (doctor_client, reverse("triage:dashboard")),
        "questionnaire": (her, reverse("patients:submission_detail", args=[case.pk])),
        "home": (her, reverse("home")),
    }
    first = {name: queries_of(client, url) for name, (client, url) in pages.items()}

    for other in cases:
        exchange(other, doctor, 20, start=1)
    for level in (0, 1, 2):
        exchange(make_case(patient, level=level), doctor, 5)
    SavedReply.objects.bulk_create(
        SavedReply(title=f"Reply {n}", text_it=f"Testo {n}", text_en=f"Text {n}") for n in range(10)
    )
    for name, (client, url) in pages.items():
        with django_assert_max_num_queries(first[name]):
            response = client.get(url)
        assert response.status_code == 200, name
    assert "Reply 20" in doctor_client.get(pages["case"][1]).content.decode()


@pytest.mark.django_db
def test_her_data_export_holds_the_conversation_of_each_questionnaire(patient, other_patient, doctor):
    case = make_case(patient, level=1)
    exchange(case, doctor, 1)
    theirs = make_case(other_patient, level=1)
    message_post_by_doctor(case_id=theirs.pk, actor=Actor(user=doctor), text="Not hers", key="x")

    exported = patient_data_export(patient)

    (questionnaire,) = exported["questionnaires"]
    assert [(m["from"], m["text"]) for m in questionnaire["messages"]] == [
        ("doctor", "Doctor 0"),
        ("patient", "Reply 0"),
    ]
    assert all(m["written_at"] for m in questionnaire["messages"])
    assert "Not hers" not in str(exported)


@pytest.mark.django_db
def test_her_downloaded_export_has_the_messages(client, patient, doctor):
    case = make_case(patient, level=1)
    exchange(case, doctor, 1)
    client.force_login(patient.user)
    response = client.post(reverse("patients:data_export"), {"password": PASSWORD})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Reply 0" in content


@pytest.mark.django_db
def test_messages_are_pruned_with_the_record_and_keep_it_alive_until_then(client, patient, doctor, settings):
    case = make_case(patient, level=1)
    exchange(case, doctor, 1)
    client.force_login(patient.user)
    closed_on = timezone.now()
    with time_machine.travel(closed_on, tick=False):
        client.post("/accounts/delete/", {"password": PASSWORD})
    a_year_later = closed_on + timedelta(days=365)
    # A message written after she closed her account (kept in the record) moves the period on.
    CaseMessage.objects.create(
        case=case, author_kind="doctor", text="Last word", key="last", created_at=a_year_later
    )

    years = settings.CLINICAL_RECORD_RETENTION_YEARS
    with time_machine.travel(closed_on + timedelta(days=365 * years + 3), tick=False):
        call_command("prune_records")
    assert CaseMessage.objects.filter(case=case).count() == 3

    with time_machine.travel(a_year_later + timedelta(days=366 * years + 1), tick=False):
        call_command("prune_records")
    assert not CaseMessage.objects.filter(case_id=case.pk).exists()
