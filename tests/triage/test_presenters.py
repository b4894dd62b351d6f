"""Worklist rows, history rows and level badges; the rows' one template loop prints the markup
the rows had when they were built in Python."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from tests.factories import TEN_FLAGS, make_case, make_doctor, make_patient
from tests.triage.worklist import DASHBOARD, E, F, P
from triage.chips import flag_chip_html, flag_item, flag_items
from triage.models import Case, CaseLevel
from triage.rules import FLAG_RULES_BY_CODE, rule_set
from triage.worklist.presenters import Labels, worklist_rows_html
from triage.worklist.selectors import WorklistRow


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
        rule = rule_set(case.rules_version).flag_rules_by_code[code]
        assert rule.label in html
        # The clinical reason is on a focusable element, so it shows on hover and keyboard focus.
        assert re.search(r'tabindex="0"[^>]*title="' + re.escape(escape(rule.reason)), html)
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


NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def row(pk, **values) -> WorklistRow:
    fields = {
        "pk": pk,
        "submitted_at": NOW - timedelta(days=3, hours=2),
        "level": CaseLevel.PRIORITY,
        "score": 8,
        "flags": ["POSTMENOPAUSAL_BLEEDING", "INTERMENSTRUAL_BLEEDING"],
        # The markup below was written for rule set 2's reasons.
        "rules_version": 2,
        "status": Case.Status.NEW,
        "follow_up_on": None,
        "last_acted_at": None,
        "act_by": None,
        "acted_on_at": None,
        "age": 61,
        "phone": "",
        "patient_id": 1,
        "patient_name": "Maria Rossi",
        "actor_name": "",
        "assignee_name": "",
    }
    return WorklistRow(**(fields | values))


ROWS = [
    row(1, phone="+393331234567"),
    row(
        2,
        level=CaseLevel.FOLLOW_UP,
        score=1,
        flags=[],
        status=Case.Status.FOLLOW_UP,
        follow_up_on=date(2026, 4, 2),
        age=1,
        actor_name="Giulia Bianchi",
        last_acted_at=NOW - timedelta(hours=2),
        assignee_name="Giulia Bianchi",
        phone="+442079460958",
    ),
    row(3, level=CaseLevel.EMERGENCY, status=Case.Status.CLOSED, actor_name="Ida Neri", last_acted_at=NOW),
    row(4, level=CaseLevel.REVIEW, flags=["RECURRENT"], rules_version=1, status=Case.Status.IN_REVIEW),
    row(
        5,
        level=9,
        flags=["<i>OLD</i>"],
        patient_name='<b>Eva</b> & "Co" l\'Aquila',
        actor_name="<u>Ida</u>",
        phone="<b>0</b>",
    ),
]


# The rows above as the worklist prints them (first written by `ROW_HTML` in Python, before the rows
# became a template loop; since then with chips in their flag's level style, the phone as a link to
# call, an unreadable phone escaped as text, the assignee, and the row's anchor and contact log
# buttons on open cases), with the case links keeping
# `flag=RECURRENT&all=1`; whitespace normalised.
PYTHON_MARKUP = {
    "en": [
        '<tr class="queue-row queue-row-level-2" id="case-1"><td><span class="level-badge level-priority"><span class="level-icon" aria-hidden="true">◆</span> Priority</span><span class="d-block small text-body-secondary">score 8</span></td><td><a class="fw-semibold case-link" href="/dashboard/cases/1/?flag=RECURRENT&amp;all=1">Maria Rossi</a><span class="d-block small text-body-secondary">61 years</span></td><td data-label="Phone"><a class="phone-link" href="tel:+393331234567">333 123 4567</a></td><td data-label="Submitted"><time datetime="2026-03-07T08:30:00+01:00">07/03/2026 08:30</time><span class="d-block small text-body-secondary">waiting 3 days</span></td><td class="flags-cell" data-label="Flags"><span class="flag-chip flag-priority" tabindex="0" data-bs-toggle="tooltip" title="Bleeding or blood-stained discharge after the menopause (after sex or spontaneous), or at age 55+ with uncertain menopausal status: manage as postmenopausal bleeding, which meets suspected-cancer referral criteria; a previous normal screening test must not delay it."><span class="flag-icon" aria-hidden="true">◆</span> Postmenopausal bleeding<span class="visually-hidden"> (Priority)</span></span><span class="flag-chip flag-follow-up" tabindex="0" data-bs-toggle="tooltip" title="Bleeding unrelated to intercourse outside the period: abnormal uterine bleeding to be evaluated (PALM-COEIN causes)."><span class="flag-icon" aria-hidden="true">●</span> Intermenstrual bleeding<span class="visually-hidden"> (Follow-up)</span></span></td><td data-label="Status"> New </td><td data-label="Last action"><span class="text-body-secondary">—</span><div class="contact-buttons d-flex flex-wrap gap-1 mt-1" role="group" aria-label="Log a call to Maria Rossi"><button type="submit" form="contact-log" formaction="/dashboard/cases/1/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="no_answer:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="no_answer">Called, no answer</button><button type="submit" form="contact-log" formaction="/dashboard/cases/1/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="left_message:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="left_message">Left a message</button><button type="submit" form="contact-log" formaction="/dashboard/cases/1/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="spoke:0" class="btn btn-sm btn-outline-success contact-button" data-outcome="spoke">Spoke with her</button></div></td></tr>',
        '<tr class="queue-row queue-row-level-1" id="case-2"><td><span class="level-badge level-follow-up"><span class="level-icon" aria-hidden="true">●</span> Follow-up</span><span class="d-block small text-body-secondary">score 1</span></td><td><a class="fw-semibold case-link" href="/dashboard/cases/2/?flag=RECURRENT&amp;all=1">Maria Rossi</a><span class="d-block small text-body-secondary">1 year</span></td><td data-label="Phone"><a class="phone-link" href="tel:+442079460958">+44 20 7946 0958</a></td><td data-label="Submitted"><time datetime="2026-03-07T08:30:00+01:00">07/03/2026 08:30</time><span class="d-block small text-body-secondary">waiting 3 days</span></td><td class="flags-cell" data-label="Flags"><span class="text-body-secondary">—</span></td><td data-label="Status"> Follow-up booked <span class="d-block small">02/04/2026</span><span class="d-block small text-body-secondary">assigned to Giulia Bianchi</span></td><td data-label="Last action"> Giulia Bianchi <span class="d-block small text-body-secondary">2 hours ago</span><div class="contact-buttons d-flex flex-wrap gap-1 mt-1" role="group" aria-label="Log a call to Maria Rossi"><button type="submit" form="contact-log" formaction="/dashboard/cases/2/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="no_answer:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="no_answer">Called, no answer</button><button type="submit" form="contact-log" formaction="/dashboard/cases/2/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="left_message:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="left_message">Left a message</button><button type="submit" form="contact-log" formaction="/dashboard/cases/2/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="spoke:0" class="btn btn-sm btn-outline-success contact-button" data-outcome="spoke">Spoke with her</button></div></td></tr>',
        '<tr class="queue-row queue-row-level-4" id="case-3"><td><span class="level-badge level-emergency"><span class="level-icon" aria-hidden="true">▲</span> Emergency</span><span class="d-block small text-body-secondary">score 8</span></td><td><a class="fw-semibold case-link" href="/dashboard/cases/3/?flag=RECURRENT&amp;all=1">Maria Rossi</a><span class="d-block small text-body-secondary">61 years</span></td><td data-label="Phone"><span class="text-body-secondary">—</span></td><td data-label="Submitted"><time datetime="2026-03-07T08:30:00+01:00">07/03/2026 08:30</time></td><td class="flags-cell" data-label="Flags"><span class="flag-chip flag-priority" tabindex="0" data-bs-toggle="tooltip" title="Bleeding or blood-stained discharge after the menopause (after sex or spontaneous), or at age 55+ with uncertain menopausal status: manage as postmenopausal bleeding, which meets suspected-cancer referral criteria; a previous normal screening test must not delay it."><span class="flag-icon" aria-hidden="true">◆</span> Postmenopausal bleeding<span class="visually-hidden"> (Priority)</span></span><span class="flag-chip flag-follow-up" tabindex="0" data-bs-toggle="tooltip" title="Bleeding unrelated to intercourse outside the period: abnormal uterine bleeding to be evaluated (PALM-COEIN causes)."><span class="flag-icon" aria-hidden="true">●</span> Intermenstrual bleeding<span class="visually-hidden"> (Follow-up)</span></span></td><td data-label="Status"> Closed </td><td data-label="Last action"> Ida Neri <span class="d-block small text-body-secondary">0 minutes ago</span></td></tr>',
        '<tr class="queue-row queue-row-level-5" id="case-4"><td><span class="level-badge level-review"><span class="level-icon" aria-hidden="true">⚠</span> Manual review</span><span class="d-block small text-body-secondary">score 8</span></td><td><a class="fw-semibold case-link" href="/dashboard/cases/4/?flag=RECURRENT&amp;all=1">Maria Rossi</a><span class="d-block small text-body-secondary">61 years</span></td><td data-label="Phone"><span class="text-body-secondary">—</span></td><td data-label="Submitted"><time datetime="2026-03-07T08:30:00+01:00">07/03/2026 08:30</time><span class="d-block small text-body-secondary">waiting 3 days</span></td><td class="flags-cell" data-label="Flags"><span class="flag-chip flag-follow-up" tabindex="0" data-bs-toggle="tooltip" title="Post-coital bleeding is recurring (2+ episodes in 3 months, or also reported in an earlier submission within 90 days)."><span class="flag-icon" aria-hidden="true">●</span> Recurrent<span class="visually-hidden"> (Follow-up)</span></span></td><td data-label="Status"> In review </td><td data-label="Last action"><span class="text-body-secondary">—</span><div class="contact-buttons d-flex flex-wrap gap-1 mt-1" role="group" aria-label="Log a call to Maria Rossi"><button type="submit" form="contact-log" formaction="/dashboard/cases/4/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="no_answer:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="no_answer">Called, no answer</button><button type="submit" form="contact-log" formaction="/dashboard/cases/4/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="left_message:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="left_message">Left a message</button><button type="submit" form="contact-log" formaction="/dashboard/cases/4/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="spoke:0" class="btn btn-sm btn-outline-success contact-button" data-outcome="spoke">Spoke with her</button></div></td></tr>',
        '<tr class="queue-row queue-row-level-9" id="case-5"><td><span class="level-badge level-unknown"><span class="level-icon" aria-hidden="true">?</span> 9</span><span class="d-block small text-body-secondary">score 8</span></td><td><a class="fw-semibold case-link" href="/dashboard/cases/5/?flag=RECURRENT&amp;all=1">&lt;b&gt;Eva&lt;/b&gt; &amp; &quot;Co&quot; l&#x27;Aquila</a><span class="d-block small text-body-secondary">61 years</span></td><td data-label="Phone"> &lt;b&gt;0&lt;/b&gt; </td><td data-label="Submitted"><time datetime="2026-03-07T08:30:00+01:00">07/03/2026 08:30</time><span class="d-block small text-body-secondary">waiting 3 days</span></td><td class="flags-cell" data-label="Flags"><span class="flag-chip flag-unknown" tabindex="0" data-bs-toggle="tooltip" title=""><span class="flag-icon" aria-hidden="true">?</span> &lt;i&gt;OLD&lt;/i&gt;</span></td><td data-label="Status"> New </td><td data-label="Last action"> &lt;u&gt;Ida&lt;/u&gt; <span class="d-block small text-body-secondary"> ago</span><div class="contact-buttons d-flex flex-wrap gap-1 mt-1" role="group" aria-label="Log a call to &lt;b&gt;Eva&lt;/b&gt; &amp; &quot;Co&quot; l&#x27;Aquila"><button type="submit" form="contact-log" formaction="/dashboard/cases/5/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="no_answer:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="no_answer">Called, no answer</button><button type="submit" form="contact-log" formaction="/dashboard/cases/5/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="left_message:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="left_message">Left a message</button><button type="submit" form="contact-log" formaction="/dashboard/cases/5/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="spoke:0" class="btn btn-sm btn-outline-success contact-button" data-outcome="spoke">Spoke with her</button></div></td></tr>',
    ],
    "it": [
        '<tr class="queue-row queue-row-level-2" id="case-1"><td><span class="level-badge level-priority"><span class="level-icon" aria-hidden="true">◆</span> Priorità</span><span class="d-block small text-body-secondary">punteggio 8</span></td><td><a class="fw-semibold case-link" href="/dashboard/cases/1/?flag=RECURRENT&amp;all=1">Maria Rossi</a><span class="d-block small text-body-secondary">61 anni</span></td><td data-label="Telefono"><a class="phone-link" href="tel:+393331234567">333 123 4567</a></td><td data-label="Inviato"><time datetime="2026-03-07T08:30:00+01:00">07/03/2026 08:30</time><span class="d-block small text-body-secondary">in attesa da 3 giorni</span></td><td class="flags-cell" data-label="Segnalazioni"><span class="flag-chip flag-priority" tabindex="0" data-bs-toggle="tooltip" title="Sanguinamento o perdite con sangue dopo la menopausa (post-coitale o spontaneo), oppure a 55 anni o più con stato menopausale incerto: gestire come sanguinamento postmenopausale, che soddisfa i criteri di invio per sospetto tumore; un precedente test di screening normale non deve ritardarlo."><span class="flag-icon" aria-hidden="true">◆</span> Sanguinamento postmenopausale<span class="visually-hidden"> (Priorità)</span></span><span class="flag-chip flag-follow-up" tabindex="0" data-bs-toggle="tooltip" title="Sanguinamento non legato ai rapporti al di fuori delle mestruazioni: sanguinamento uterino anomalo da valutare (cause PALM-COEIN)."><span class="flag-icon" aria-hidden="true">●</span> Sanguinamento intermestruale<span class="visually-hidden"> (Controllo)</span></span></td><td data-label="Stato"> Nuovo </td><td data-label="Ultima azione"><span class="text-body-secondary">—</span><div class="contact-buttons d-flex flex-wrap gap-1 mt-1" role="group" aria-label="Registri una chiamata a Maria Rossi"><button type="submit" form="contact-log" formaction="/dashboard/cases/1/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="no_answer:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="no_answer">Chiamata, nessuna risposta</button><button type="submit" form="contact-log" formaction="/dashboard/cases/1/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="left_message:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="left_message">Lasciato un messaggio</button><button type="submit" form="contact-log" formaction="/dashboard/cases/1/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="spoke:0" class="btn btn-sm btn-outline-success contact-button" data-outcome="spoke">Parlato con lei</button></div></td></tr>',
        '<tr class="queue-row queue-row-level-1" id="case-2"><td><span class="level-badge level-follow-up"><span class="level-icon" aria-hidden="true">●</span> Controllo</span><span class="d-block small text-body-secondary">punteggio 1</span></td><td><a class="fw-semibold case-link" href="/dashboard/cases/2/?flag=RECURRENT&amp;all=1">Maria Rossi</a><span class="d-block small text-body-secondary">1 anno</span></td><td data-label="Telefono"><a class="phone-link" href="tel:+442079460958">+44 20 7946 0958</a></td><td data-label="Inviato"><time datetime="2026-03-07T08:30:00+01:00">07/03/2026 08:30</time><span class="d-block small text-body-secondary">in attesa da 3 giorni</span></td><td class="flags-cell" data-label="Segnalazioni"><span class="text-body-secondary">—</span></td><td data-label="Stato"> Controllo prenotato <span class="d-block small">02/04/2026</span><span class="d-block small text-body-secondary">assegnato a Giulia Bianchi</span></td><td data-label="Ultima azione"> Giulia Bianchi <span class="d-block small text-body-secondary">2 ore fa</span><div class="contact-buttons d-flex flex-wrap gap-1 mt-1" role="group" aria-label="Registri una chiamata a Maria Rossi"><button type="submit" form="contact-log" formaction="/dashboard/cases/2/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="no_answer:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="no_answer">Chiamata, nessuna risposta</button><button type="submit" form="contact-log" formaction="/dashboard/cases/2/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="left_message:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="left_message">Lasciato un messaggio</button><button type="submit" form="contact-log" formaction="/dashboard/cases/2/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="spoke:0" class="btn btn-sm btn-outline-success contact-button" data-outcome="spoke">Parlato con lei</button></div></td></tr>',
        '<tr class="queue-row queue-row-level-4" id="case-3"><td><span class="level-badge level-emergency"><span class="level-icon" aria-hidden="true">▲</span> Emergenza</span><span class="d-block small text-body-secondary">punteggio 8</span></td><td><a class="fw-semibold case-link" href="/dashboard/cases/3/?flag=RECURRENT&amp;all=1">Maria Rossi</a><span class="d-block small text-body-secondary">61 anni</span></td><td data-label="Telefono"><span class="text-body-secondary">—</span></td><td data-label="Inviato"><time datetime="2026-03-07T08:30:00+01:00">07/03/2026 08:30</time></td><td class="flags-cell" data-label="Segnalazioni"><span class="flag-chip flag-priority" tabindex="0" data-bs-toggle="tooltip" title="Sanguinamento o perdite con sangue dopo la menopausa (post-coitale o spontaneo), oppure a 55 anni o più con stato menopausale incerto: gestire come sanguinamento postmenopausale, che soddisfa i criteri di invio per sospetto tumore; un precedente test di screening normale non deve ritardarlo."><span class="flag-icon" aria-hidden="true">◆</span> Sanguinamento postmenopausale<span class="visually-hidden"> (Priorità)</span></span><span class="flag-chip flag-follow-up" tabindex="0" data-bs-toggle="tooltip" title="Sanguinamento non legato ai rapporti al di fuori delle mestruazioni: sanguinamento uterino anomalo da valutare (cause PALM-COEIN)."><span class="flag-icon" aria-hidden="true">●</span> Sanguinamento intermestruale<span class="visually-hidden"> (Controllo)</span></span></td><td data-label="Stato"> Chiuso </td><td data-label="Ultima azione"> Ida Neri <span class="d-block small text-body-secondary">0 minuti fa</span></td></tr>',
        '<tr class="queue-row queue-row-level-5" id="case-4"><td><span class="level-badge level-review"><span class="level-icon" aria-hidden="true">⚠</span> Revisione manuale</span><span class="d-block small text-body-secondary">punteggio 8</span></td><td><a class="fw-semibold case-link" href="/dashboard/cases/4/?flag=RECURRENT&amp;all=1">Maria Rossi</a><span class="d-block small text-body-secondary">61 anni</span></td><td data-label="Telefono"><span class="text-body-secondary">—</span></td><td data-label="Inviato"><time datetime="2026-03-07T08:30:00+01:00">07/03/2026 08:30</time><span class="d-block small text-body-secondary">in attesa da 3 giorni</span></td><td class="flags-cell" data-label="Segnalazioni"><span class="flag-chip flag-follow-up" tabindex="0" data-bs-toggle="tooltip" title="Il sanguinamento post-coitale è ricorrente (2 o più episodi in 3 mesi, oppure segnalato anche in un questionario precedente negli ultimi 90 giorni)."><span class="flag-icon" aria-hidden="true">●</span> Ricorrente<span class="visually-hidden"> (Controllo)</span></span></td><td data-label="Stato"> In valutazione </td><td data-label="Ultima azione"><span class="text-body-secondary">—</span><div class="contact-buttons d-flex flex-wrap gap-1 mt-1" role="group" aria-label="Registri una chiamata a Maria Rossi"><button type="submit" form="contact-log" formaction="/dashboard/cases/4/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="no_answer:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="no_answer">Chiamata, nessuna risposta</button><button type="submit" form="contact-log" formaction="/dashboard/cases/4/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="left_message:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="left_message">Lasciato un messaggio</button><button type="submit" form="contact-log" formaction="/dashboard/cases/4/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="spoke:0" class="btn btn-sm btn-outline-success contact-button" data-outcome="spoke">Parlato con lei</button></div></td></tr>',
        '<tr class="queue-row queue-row-level-9" id="case-5"><td><span class="level-badge level-unknown"><span class="level-icon" aria-hidden="true">?</span> 9</span><span class="d-block small text-body-secondary">punteggio 8</span></td><td><a class="fw-semibold case-link" href="/dashboard/cases/5/?flag=RECURRENT&amp;all=1">&lt;b&gt;Eva&lt;/b&gt; &amp; &quot;Co&quot; l&#x27;Aquila</a><span class="d-block small text-body-secondary">61 anni</span></td><td data-label="Telefono"> &lt;b&gt;0&lt;/b&gt; </td><td data-label="Inviato"><time datetime="2026-03-07T08:30:00+01:00">07/03/2026 08:30</time><span class="d-block small text-body-secondary">in attesa da 3 giorni</span></td><td class="flags-cell" data-label="Segnalazioni"><span class="flag-chip flag-unknown" tabindex="0" data-bs-toggle="tooltip" title=""><span class="flag-icon" aria-hidden="true">?</span> &lt;i&gt;OLD&lt;/i&gt;</span></td><td data-label="Stato"> Nuovo </td><td data-label="Ultima azione"> &lt;u&gt;Ida&lt;/u&gt; <span class="d-block small text-body-secondary"> fa</span><div class="contact-buttons d-flex flex-wrap gap-1 mt-1" role="group" aria-label="Registri una chiamata a &lt;b&gt;Eva&lt;/b&gt; &amp; &quot;Co&quot; l&#x27;Aquila"><button type="submit" form="contact-log" formaction="/dashboard/cases/5/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="no_answer:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="no_answer">Chiamata, nessuna risposta</button><button type="submit" form="contact-log" formaction="/dashboard/cases/5/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="left_message:0" class="btn btn-sm btn-outline-secondary contact-button" data-outcome="left_message">Lasciato un messaggio</button><button type="submit" form="contact-log" formaction="/dashboard/cases/5/contacts/?flag=RECURRENT&amp;all=1" name="contact" value="spoke:0" class="btn btn-sm btn-outline-success contact-button" data-outcome="spoke">Parlato con lei</button></div></td></tr>',
    ],
}


def normalised(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", markup)).strip()


@pytest.mark.parametrize("language", ["en", "it"])
def test_template_rows_print_the_markup_the_python_rows_printed(language, fragment_cache):
    """Rendered, then read back from the cache with the current waiting times put in, the rows are
    the same markup."""
    with time_machine.travel(NOW, tick=False), translation.override(language):
        for _ in range(2):
            rows = worklist_rows_html(
                ROWS, query="flag=RECURRENT&all=1", labels=Labels(), bulk_closable=False
            )
            assert [normalised(row) for row in rows] == PYTHON_MARKUP[language]


def test_a_cached_row_shows_the_waiting_time_of_each_request(fragment_cache):
    """The time a case has waited and the time of the last action are outside the cached row."""
    with translation.override("en"):
        with time_machine.travel(NOW, tick=False):
            before = worklist_rows_html(ROWS[:2], query="", labels=Labels(), bulk_closable=False)
        with time_machine.travel(NOW + timedelta(days=1), tick=False):
            after = worklist_rows_html(ROWS[:2], query="", labels=Labels(), bulk_closable=False)

    before, after = [normalised(row) for row in before], [normalised(row) for row in after]
    assert "waiting 3 days" in before[0]
    assert "waiting 4 days" in after[0]
    assert "2 hours ago" in before[1]
    assert "1 day ago" in after[1]
    assert "<!--" not in before[0] + before[1] + after[0] + after[1]


# --- Flag chips ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "version", "css", "icon", "level"),
    [
        ("HEAVY_ACUTE", 2, "emergency", "▲", "Emergency"),
        ("PREGNANCY_BLEEDING", 2, "urgent", "■", "Urgent"),
        # The same flag was priority in rule set 1: a case keeps its own rule set's level.
        ("PREGNANCY_BLEEDING", 1, "priority", "◆", "Priority"),
        ("RECURRENT", 2, "follow-up", "●", "Follow-up"),
        ("DRYNESS", 2, "info", "i", "Information only"),
        ("NOT_A_FLAG", 2, "unknown", "?", ""),
    ],
)
def test_a_chip_is_styled_by_its_own_flags_level_in_the_cases_rule_set(code, version, css, icon, level):
    with translation.override("en"):
        item = flag_item(code, version)
        html = flag_chip_html(item)

    assert (item.css, item.icon, item.level) == (css, icon, level)
    assert f'class="flag-chip flag-{css}"' in html
    # The level's shape and (for screen readers) its name, never the colour alone.
    assert f'<span class="flag-icon" aria-hidden="true">{icon}</span>' in html
    assert (f'<span class="visually-hidden"> ({level})</span>' in html) is bool(level)


def test_chips_follow_rules_md_order_with_informational_flags_last():
    codes = ["DRYNESS", "RECURRENT", "STI_RISK", "HEAVY_ACUTE", "POSTMENOPAUSAL_BLEEDING"]

    items = flag_items(codes, 2)

    assert [item.code for item in items] == [
        "HEAVY_ACUTE",
        "POSTMENOPAUSAL_BLEEDING",
        "RECURRENT",
        "DRYNESS",
        "STI_RISK",
    ]
    assert [item.info for item in items] == [False, False, False, True, True]
    assert [item.code for item in Labels().flags(codes, 2)] == [item.code for item in items]


def test_a_row_shows_four_chips_then_plus_n_naming_the_others(doctor_client, patient):
    make_case(patient, level=E, score=40, flags=TEN_FLAGS)

    html = doctor_client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    cell = re.search(r'<td class="flags-cell".*?</td>', html, re.S).group(0)
    shown = re.findall(r'class="flag-chip flag-([a-z-]+)"[^>]*><span[^>]*>[^<]*</span> ([^<]+)<', cell)
    assert shown == [
        ("emergency", "Heavy / faint"),
        ("priority", "Postmenopausal bleeding"),
        ("follow-up", "Recurrent"),
        ("follow-up", "Abundant"),
    ]
    more = re.search(r'<span class="flag-more"[^>]*title="([^"]*)">(.*?)</span></span>', cell, re.S)
    hidden = [FLAG_RULES_BY_CODE[item.code].label for item in flag_items(TEN_FLAGS, 2)[4:]]
    assert more.group(1) == ", ".join(hidden)
    assert '<span aria-hidden="true">+6</span>' in more.group(2)
    assert f'<span class="visually-hidden">6 more flags: {", ".join(hidden)}' in more.group(2)


def test_case_page_shows_every_chip_with_the_same_partial(doctor_client, patient):
    case = make_case(patient, level=E, score=40, flags=TEN_FLAGS)

    html = doctor_client.get(reverse("triage:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()

    with translation.override("en"):
        expected = [flag_chip_html(item) for item in flag_items(TEN_FLAGS, 2)]
    positions = [html.index(chip) for chip in expected]
    assert positions == sorted(positions)
    assert "flag-more" not in html


def test_the_flag_chips_tag_prints_what_a_worklist_row_and_the_case_page_print():
    template = Template(
        "{% load triage_tags %}{% flag_chips codes 2 limit=4 %}|{% flag_chips codes 2 %}|{% flag_chips none 2 %}"
    )
    with translation.override("en"):
        row, every, none = template.render(Context({"codes": TEN_FLAGS, "none": []})).split("|")
        assert row == Labels().flags_html(TEN_FLAGS, 2)
        assert every == "\n    ".join(flag_chip_html(item) for item in flag_items(TEN_FLAGS, 2))
    assert row.count('class="flag-chip') == 4 and "+6" in row
    assert every.count('class="flag-chip') == 10 and "flag-more" not in every
    assert none == '<span class="text-body-secondary">—</span>'
