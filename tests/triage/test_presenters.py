"""Worklist rows, history rows and level badges as triage/presenters.py builds them."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.factories import make_case, make_doctor, make_patient
from tests.triage.worklist import DASHBOARD, E, F, P
from triage.models import Case
from triage.rules import FLAG_RULES_BY_CODE


def test_row_shows_patient_age_waiting_level_flags_status_and_last_actor(doctor_client, patient, doctor):
    case = make_case(
        patient,
        level=P,
        score=8,
        flags=["POSTMENOPAUSAL_BLEEDING", "INTERMENSTRUAL_BLEEDING"],
        submitted_at=timezone.now() - timedelta(days=3, hours=2),
        age=61,
    )
    Case.objects.filter(pk=case.pk).update(
        status="in_review", last_actor=doctor, last_acted_at=timezone.now() - timedelta(hours=2)
    )

    html = doctor_client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en").content.decode().replace("\xa0", " ")

    assert "Maria Rossi" in html
    assert "61 years" in html
    assert "waiting 3 days" in html
    assert "Priority" in html and "level-priority" in html
    for code in ("POSTMENOPAUSAL_BLEEDING", "INTERMENSTRUAL_BLEEDING"):
        rule = FLAG_RULES_BY_CODE[code]
        assert rule.label in html
        # The clinical reason is on a focusable element, so it shows on hover and keyboard focus.
        assert re.search(r'tabindex="0"[^>]*title="' + re.escape(rule.reason.replace("'", "&#x27;")), html)
    assert "In review" in html
    assert "Giulia Bianchi" in html
    assert reverse("triage:case_detail", args=[case.pk]) in html


def test_rows_print_names_and_unknown_flags_escaped(doctor_client):
    """What users typed reaches the rows built in Python escaped, as the templates escaped it."""
    patient = make_patient(email="eva@example.com", first_name="<b>Eva</b>", last_name='& "Co"')
    actor = make_doctor(email="ida@example.com", first_name="<u>Ida</u>", last_name="Neri")
    case = make_case(patient, level=E, score=10, flags=["<i>OLD</i>"])
    Case.objects.filter(pk=case.pk).update(last_actor=actor, last_acted_at=timezone.now())

    html = doctor_client.get(DASHBOARD, {"q": "eva@"}).content.decode()

    assert "&lt;b&gt;Eva&lt;/b&gt; &amp; &quot;Co&quot;" in html
    assert "&lt;u&gt;Ida&lt;/u&gt; Neri" in html
    assert "&lt;i&gt;OLD&lt;/i&gt;" in html
    assert "<b>Eva" not in html and "<u>Ida" not in html and "<i>OLD" not in html


def test_case_history_links_each_earlier_questionnaire_with_its_distance(doctor_client, patient):
    earlier = make_case(
        patient,
        level=F,
        score=2,
        # Ten calendar days back, as the distance counts them, even across a daylight-saving change.
        submitted_at=timezone.localtime() - timedelta(days=10),
        answers={"bleeding_after_sex": True, "bleeding_amount": "light", "clots": True},
    )
    current = make_case(patient, level=P, score=6)

    response = doctor_client.get(reverse("triage:case_detail", args=[current.pk]), HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert f'<a href="{reverse("triage:case_detail", args=[earlier.pk])}">' in html
    assert "10 days before" in html
    assert "light, clots" in html
    assert html.count('<span class="pip on"></span>') == 3
    assert '<tr class="table-active" aria-current="true">' in html


def test_level_badge_has_text_and_a_shape_not_colour_alone(doctor_client, patient):
    make_case(patient, level=E, score=10)

    html = doctor_client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert (
        '<span class="level-badge level-emergency"><span class="level-icon" aria-hidden="true">▲</span> Emergency</span>'
        in html
    )
