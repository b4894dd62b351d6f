"""Cached fragments of the worklist, the case page and her submission page are never stale.

Each test changes what a fragment shows, and the very next request shows the change, with the
fragment cache on and off (`fragment_cache`): the pages must agree either way.
"""

import re
from collections import Counter

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import QUIET_ANSWERS, make_case, make_visit, record
from tests.triage.worklist import DASHBOARD, E, F, P, hours_ago
from triage.audit.writer import Actor
from triage.cases.assessments import submission_assess
from triage.cases.presenters import ANSWERS, CASE_FLAGS, CASE_HISTORY, TIMELINE_EVENT
from triage.cases.retriage_tasks import case_sign_off_lower
from triage.cases.services import case_add_note, case_assign, case_change_status
from triage.models import Case, Visit
from triage.worklist.presenters import WORKLIST_ROW


def worklist(client, language="en", **params) -> str:
    response = client.get(DASHBOARD, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def case_page(client, pk, language="en") -> str:
    response = client.get(reverse("triage:case_detail", args=[pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    """The page's text with tags dropped and spaces (non-breaking ones too) collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def row(html: str, pk: int) -> str:
    """The text of the worklist row that links to case `pk`."""
    for markup in re.findall(r'<tr class="queue-row.*?</tr>', html, re.S):
        if f"/cases/{pk}/" in markup:
            return text(markup)
    raise AssertionError(f"no row for case {pk}")


def section(html: str, title_id: str) -> str:
    """The text of the case page's card headed by the element with id `title_id`."""
    match = re.search(rf'<section[^>]*aria-labelledby="{title_id}".*?</section>', html, re.S)
    assert match, title_id
    return text(match.group(0))


@pytest.fixture
def flagged(patient):
    return make_case(
        patient, level=F, score=3, flags=["RECURRENT"], answers=dict(QUIET_ANSWERS), submitted_at=hours_ago(5)
    )


# The fragments of the worklist and the case page, by their templates.
FRAGMENT_TEMPLATES = [
    WORKLIST_ROW.kind,
    CASE_FLAGS.kind,
    CASE_HISTORY.kind,
    TIMELINE_EVENT.kind,
    ANSWERS.kind,
]


def rendered_templates(client, pk) -> Counter:
    """How many times each template was rendered while the worklist and case `pk` were shown."""
    rendered = Counter()

    def count(sender, template, context, **kwargs):
        rendered[template.name] += 1

    template_rendered.connect(count)
    try:
        worklist(client)
        case_page(client, pk)
    finally:
        template_rendered.disconnect(count)
    return rendered


def test_fragments_are_rendered_once_with_the_cache_on_and_on_every_request_with_it_off(
    doctor_client, doctor, flagged, fragment_cache
):
    case_add_note(case_id=flagged.pk, actor=Actor(doctor), text="Call her back on Monday")

    first = rendered_templates(doctor_client, flagged.pk)
    again = rendered_templates(doctor_client, flagged.pk)

    assert {name: first[name] > 0 for name in FRAGMENT_TEMPLATES} == dict.fromkeys(FRAGMENT_TEMPLATES, True)
    expected = {name: 0 if fragment_cache == "cache on" else first[name] for name in FRAGMENT_TEMPLATES}
    assert {name: again[name] for name in FRAGMENT_TEMPLATES} == expected


def test_a_status_change_shows_on_the_next_request(doctor_client, doctor, flagged, fragment_cache):
    assert "New" in row(worklist(doctor_client), flagged.pk)

    case_change_status(
        case_id=flagged.pk,
        actor=Actor(doctor),
        to_status=Case.Status.IN_REVIEW,
        expected_version=flagged.version,
    )

    shown = row(worklist(doctor_client), flagged.pk)
    assert "In review" in shown
    assert "Giulia Bianchi" in shown
    assert "Status: New → In review" in section(case_page(doctor_client, flagged.pk), "timeline-title")


def test_a_new_note_shows_on_the_next_request(doctor_client, doctor, flagged, fragment_cache):
    before = case_page(doctor_client, flagged.pk)
    assert "Call her back on Monday" not in before

    case_add_note(case_id=flagged.pk, actor=Actor(doctor), text="Call her back on Monday")

    assert "Call her back on Monday" in section(case_page(doctor_client, flagged.pk), "timeline-title")
    assert "Giulia Bianchi" in row(worklist(doctor_client), flagged.pk)


def test_a_reassessment_shows_its_flags_on_the_next_request(doctor_client, doctor, flagged, fragment_cache):
    assert "Recurrent" in section(case_page(doctor_client, flagged.pk), "assessment-title")
    assert "Recurrent" in row(worklist(doctor_client, all="1"), flagged.pk)

    # Her stored answers report nothing: the rules now raise no flag, a lower level that waits for
    # a doctor's sign-off (RULES.md 11.2, S5).
    pending = submission_assess(flagged.submission, actor=doctor)

    page = case_page(doctor_client, flagged.pk)
    assert "Re-assessed" in section(page, "timeline-title")
    assert "pending sign-off" in row(worklist(doctor_client, all="1"), flagged.pk)
    case_sign_off_lower(case_id=flagged.pk, actor=Actor(doctor), assessment_id=pending.pk)

    page = case_page(doctor_client, flagged.pk)
    assert "No flags raised." in section(page, "assessment-title")
    assert "Recurrent" not in section(page, "assessment-title")
    assert "Signed off the lower level" in section(page, "timeline-title")
    shown = row(worklist(doctor_client, all="1"), flagged.pk)
    assert "Recurrent" not in shown
    assert "pending sign-off" not in shown


def test_a_language_switch_shows_every_fragment_in_the_new_language(
    doctor_client, doctor, flagged, fragment_cache
):
    case_add_note(case_id=flagged.pk, actor=Actor(doctor), text="Visita")
    english_row = row(worklist(doctor_client, "en"), flagged.pk)
    english = case_page(doctor_client, flagged.pk, "en")

    italian_row = row(worklist(doctor_client, "it"), flagged.pk)
    italian = case_page(doctor_client, flagged.pk, "it")

    assert "Recurrent" in english_row and "Follow-up" in english_row
    assert "Ricorrente" in italian_row and "Controllo" in italian_row
    assert "Recurrent" in section(english, "assessment-title")
    assert "Ricorrente" in section(italian, "assessment-title")
    assert "Note:" in section(english, "timeline-title")
    assert "Nota:" in section(italian, "timeline-title")
    assert section(english, "answers-title") != section(italian, "answers-title")
    # And back: the English fragments are the English ones again.
    assert row(worklist(doctor_client, "en"), flagged.pk) == english_row


def test_a_name_change_shows_on_the_next_request(doctor_client, doctor, patient, flagged, fragment_cache):
    case_add_note(case_id=flagged.pk, actor=Actor(doctor), text="Seen")
    assert "Maria Rossi" in row(worklist(doctor_client), flagged.pk)
    assert "Giulia Bianchi" in section(case_page(doctor_client, flagged.pk), "timeline-title")

    patient.user.first_name = "Marta"
    patient.user.save()
    doctor.last_name = "Verdi"
    doctor.save()

    shown = row(worklist(doctor_client), flagged.pk)
    assert "Marta Rossi" in shown and "Maria Rossi" not in shown
    assert "Giulia Verdi" in shown
    timeline = section(case_page(doctor_client, flagged.pk), "timeline-title")
    assert "Giulia Verdi" in timeline and "Giulia Bianchi" not in timeline


def test_a_phone_change_shows_on_the_next_request(doctor_client, patient, flagged, fragment_cache):
    assert "333 123 4567" not in row(worklist(doctor_client), flagged.pk)

    patient.phone = "+393331234567"
    patient.save()

    assert "333 123 4567" in row(worklist(doctor_client), flagged.pk)


def test_an_assignment_shows_on_the_next_request(doctor_client, doctor, flagged, fragment_cache):
    assert "assigned to" not in row(worklist(doctor_client), flagged.pk)

    case_assign(case_id=flagged.pk, actor=Actor(doctor), take=True)
    assert "assigned to Giulia Bianchi" in row(worklist(doctor_client), flagged.pk)
    assert "Took the case." in section(case_page(doctor_client, flagged.pk), "timeline-title")

    case_assign(case_id=flagged.pk, actor=Actor(doctor), take=False)
    assert "assigned to" not in row(worklist(doctor_client), flagged.pk)


def test_a_new_emergency_is_first_on_the_very_next_request(doctor_client, patient, flagged, fragment_cache):
    worklist(doctor_client)

    emergency = make_case(patient, level=E, score=10, flags=["HEAVY_ACUTE"], submitted_at=hours_ago(1))

    html = worklist(doctor_client)
    first = re.search(r'<tr class="queue-row.*?</tr>', html, re.S).group(0)
    assert f"/cases/{emergency.pk}/" in first
    assert "Emergency" in text(first)


def test_the_filters_in_a_rows_link_follow_the_request(doctor_client, flagged, fragment_cache):
    plain = worklist(doctor_client)
    filtered = worklist(doctor_client, level=str(F))

    assert f'href="/dashboard/cases/{flagged.pk}/"' in plain
    assert f'href="/dashboard/cases/{flagged.pk}/?level={F}' in filtered


def test_cases_with_the_same_values_keep_their_own_answers(doctor_client, patient, fragment_cache):
    first = make_case(patient, level=P, answers={**QUIET_ANSWERS, "pelvic_pain_days": 3})
    second = make_case(patient, level=P, answers={**QUIET_ANSWERS, "pelvic_pain_days": 9})

    assert section(case_page(doctor_client, first.pk), "answers-title") != section(
        case_page(doctor_client, second.pk), "answers-title"
    )


def test_her_answers_follow_her_language(patient_client, patient, fragment_cache):
    submission = record(patient, {**QUIET_ANSWERS, "pelvic_pain_days": 3})
    url = reverse("patients:submission_detail", args=[submission.pk])

    english = text(patient_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    italian = text(patient_client.get(url, HTTP_ACCEPT_LANGUAGE="it").content.decode())
    again = text(patient_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())

    assert "Your answers" in english and "Le sue risposte" in italian
    answers_en = english.rsplit("Your answers", 1)[1]
    answers_it = italian.rsplit("Le sue risposte", 1)[1]
    assert "Yes" in answers_en or "No" in answers_en
    assert answers_en != answers_it
    assert again == english


def test_a_cached_form_never_holds_a_csrf_token_or_a_booking_key(doctor, flagged, fragment_cache):
    """Two doctors' browsers get their own CSRF token and a fresh booking key on each showing."""
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(doctor)
    pages = [case_page(client, flagged.pk) for client in clients]

    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1) for page in pages]
    keys = [re.search(r'name="booking_key" value="([^"]+)"', page).group(1) for page in pages]
    assert all(key.startswith(f"case-{flagged.pk}-") for key in keys)
    assert keys[0] != keys[1]
    assert clients[0].cookies["csrftoken"].value != clients[1].cookies["csrftoken"].value
    stored = "".join(str(value) for value in getattr(caches["fragments"], "_cache", {}).values())
    assert not any(token in stored for token in tokens)
    assert not any(key in stored for key in keys)
    assert "fragmentmark" not in pages[0] + pages[1]


def status_card(html: str) -> str:
    return re.search(r'<section[^>]*aria-labelledby="status-title".*?</section>', html, re.S).group(0)


def test_the_status_form_follows_the_cases_status(doctor_client, doctor, flagged, fragment_cache):
    before = status_card(case_page(doctor_client, flagged.pk))
    assert 'value="in_review"' in before
    assert f'name="version" value="{flagged.version}"' in before

    case_change_status(
        case_id=flagged.pk,
        actor=Actor(doctor),
        to_status=Case.Status.IN_REVIEW,
        expected_version=flagged.version,
    )

    after = status_card(case_page(doctor_client, flagged.pk))
    assert 'value="in_review"' not in after
    assert 'value="new"' not in after
    assert f'name="version" value="{flagged.version + 1}"' in after


def test_a_form_with_errors_comes_back_filled_in_not_from_the_cache(doctor_client, flagged, fragment_cache):
    case_page(doctor_client, flagged.pk)
    url = reverse("triage:case_note", args=[flagged.pk])

    response = doctor_client.post(url, {"text": ""}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Write the note before saving it." in response.content.decode()
    assert "Write the note before saving it." not in case_page(doctor_client, flagged.pk)


def test_a_new_questionnaire_shows_in_the_history_on_the_next_request(
    doctor_client, doctor, patient, flagged, fragment_cache
):
    assert "Emergency" not in section(case_page(doctor_client, flagged.pk), "history-title")

    later = make_case(
        patient,
        level=E,
        score=10,
        flags=["HEAVY_ACUTE"],
        answers=dict(QUIET_ANSWERS),
        submitted_at=hours_ago(1),
    )

    assert "Emergency" in section(case_page(doctor_client, flagged.pk), "history-title")

    # A re-assessment of the later questionnaire to a lower level changes nothing until a doctor
    # signs it off (RULES.md 11.2, S5); then its level changes in this case's history.
    lower = submission_assess(later.submission, actor=doctor)
    assert "Emergency" in section(case_page(doctor_client, flagged.pk), "history-title")
    case_sign_off_lower(case_id=later.pk, actor=Actor(doctor), assessment_id=lower.pk)
    assert "Emergency" not in section(case_page(doctor_client, flagged.pk), "history-title")


def test_her_printable_copy_shows_her_own_answers_in_her_language(patient_client, patient, fragment_cache):
    mild = record(patient, {**QUIET_ANSWERS, "pelvic_pain_days": 3})
    strong = record(patient, {**QUIET_ANSWERS, "pelvic_pain_days": 9})

    def printed(submission, language):
        url = reverse("patients:submission_print", args=[submission.pk])
        html = patient_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        return text(re.search(r'<div class="answers">.*?</section>', html, re.S).group(0))

    english, italian = printed(mild, "en"), printed(mild, "it")
    assert english and english != italian
    assert printed(mild, "en") == english
    assert printed(strong, "en") != english


def day_list(client, day, language="en") -> str:
    url = reverse("triage:visit_day")
    response = client.get(url, {"date": day.isoformat()}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def day_row(html: str, visit_pk: int) -> str:
    for markup in re.findall(r'<tr class="day-visit.*?</tr>', html, re.S):
        if f"/visits/{visit_pk}/" in markup:
            return text(markup)
    raise AssertionError(f"no row for visit {visit_pk}")


def test_the_day_list_shows_a_change_of_state_name_or_phone_on_the_next_request(
    doctor_client, patient, fragment_cache
):
    visit = make_visit(patient, days_ahead=3)
    day = timezone.localtime(visit.starts_at).date()
    assert "Maria Rossi" in day_row(day_list(doctor_client, day), visit.pk)

    visit.state = Visit.State.CANCELLED
    visit.save()
    patient.user.first_name = "Marta"
    patient.user.save()
    patient.phone = "+393331234567"
    patient.save()

    shown = day_row(day_list(doctor_client, day), visit.pk)
    assert "Marta Rossi" in shown and "Maria Rossi" not in shown
    assert "Cancelled" in shown
    assert "+393331234567" in shown or "333 123 4567" in shown
    assert day_row(day_list(doctor_client, day, "it"), visit.pk) != shown


def test_the_day_list_shows_her_new_questionnaire_on_the_next_request(doctor_client, patient, fragment_cache):
    visit = make_visit(patient, days_ahead=3)
    day = timezone.localtime(visit.starts_at).date()
    assert "not filled in" in day_row(day_list(doctor_client, day), visit.pk)

    record(patient, {**QUIET_ANSWERS, "soaks_pad_hourly": True}, days_ago=0)

    shown = day_row(day_list(doctor_client, day), visit.pk)
    assert "not filled in" not in shown
    assert "Emergency" in shown


def test_cached_pages_use_as_many_queries_however_many_cases(doctor_client, patient, flagged, fragment_cache):
    """The fragments never read the database: warm or cold, few cases or many, the count is the same."""

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert doctor_client.get(url).status_code == 200
        return len(captured)

    case_url = reverse("triage:case_detail", args=[flagged.pk])
    queries(DASHBOARD)  # the clinic's profile, read once a minute, is in the cache from here on
    few = (queries(DASHBOARD), queries(case_url))
    for index in range(30):
        make_case(patient, level=P, score=index, flags=["RECURRENT"], submitted_at=hours_ago(index + 2))
    cold = (queries(DASHBOARD), queries(case_url))
    warm = (queries(DASHBOARD), queries(case_url))
    assert few == cold == warm
