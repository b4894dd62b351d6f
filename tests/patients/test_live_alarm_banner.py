"""An emergency or urgent advice nobody has acted on heads every page of hers (RULES.md 11.2, S2)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests import factories
from triage.audit.writer import Actor
from triage.cases.services import case_change_status
from triage.models import CaseLevel

pytestmark = pytest.mark.django_db

SENT = datetime(2026, 12, 9, 10, 0, tzinfo=ZoneInfo("Europe/Rome"))
PAGES = ["patients:submission_list", "patients:profile", "patients:submission_edit"]


def page_at(client, patient, name, moment):
    client.cookies["django_language"] = "en"
    with time_machine.travel(moment, tick=False):
        client.force_login(patient.user)
        response = client.get(reverse(name), follow=True)
    return response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_a_live_alarm_heads_her_pages_three_days_later(client, patient, name):
    case = factories.make_case(patient, level=CaseLevel.EMERGENCY, submitted_at=SENT)
    page = page_at(client, patient, name, SENT + timedelta(days=3))
    main = page[page.index('<main id="main"') :]
    assert main.index("alarm-banner") < main.index("<h1")
    banner = main[main.index("alarm-banner") : main.index("</section>")]
    assert 'href="tel:112"' in banner
    assert reverse("patients:submission_detail", args=[case.pk]) in banner


def test_no_banner_once_the_clinic_has_acted(client, patient, doctor):
    case = factories.make_case(patient, level=CaseLevel.URGENT, submitted_at=SENT)
    with time_machine.travel(SENT + timedelta(hours=1), tick=False):
        case_change_status(
            case_id=case.pk, actor=Actor(doctor), to_status="in_review", expected_version=case.version
        )
    for name in PAGES:
        assert "alarm-banner" not in page_at(client, patient, name, SENT + timedelta(days=3))


def test_no_banner_for_lower_levels_or_other_patients_alarms(client, patient, other_patient):
    factories.make_case(patient, level=CaseLevel.PRIORITY, submitted_at=SENT)
    factories.make_case(other_patient, level=CaseLevel.EMERGENCY, submitted_at=SENT)
    for name in PAGES:
        assert "alarm-banner" not in page_at(client, patient, name, SENT + timedelta(hours=2))


def test_doctors_pages_have_no_patient_banner(client, patient, doctor):
    factories.make_case(patient, level=CaseLevel.EMERGENCY, submitted_at=SENT)
    client.force_login(doctor)
    assert "alarm-banner" not in client.get(reverse("triage:dashboard")).content.decode()


def test_the_alarm_stays_after_unanswered_calls_and_folds_once_the_clinic_spoke_with_her(
    client, patient, doctor
):
    from triage.cases.services import case_log_contact

    case = factories.make_case(patient, level=CaseLevel.EMERGENCY, submitted_at=SENT)
    with time_machine.travel(SENT + timedelta(minutes=10), tick=False):
        case_log_contact(case_id=case.pk, actor=Actor(doctor), outcome="no_answer", seen=0)
        case_log_contact(case_id=case.pk, actor=Actor(doctor), outcome="left_message", seen=1)
    assert "alarm-banner" in page_at(client, patient, PAGES[0], SENT + timedelta(days=3))

    with time_machine.travel(SENT + timedelta(hours=2), tick=False):
        case_log_contact(case_id=case.pk, actor=Actor(doctor), outcome="spoke", seen=2)

    for name in PAGES:
        assert "alarm-banner" not in page_at(client, patient, name, SENT + timedelta(days=3))
    detail = page_at(client, patient, "patients:submission_list", SENT + timedelta(days=3))
    assert "The clinic spoke with you on" in detail
