"""The doctor's worklist and case page: who may see them, order, filters, pages, speed."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patients.models import Submission
from tests.factories import make_case, make_doctor, make_patient
from triage.models import Case, CaseEvent, CaseLevel
from triage.rules import FLAG_RULES_BY_CODE, RULE_SETS
from triage.selectors import PAGE_SIZE, WorklistFilters, case_worklist

DASHBOARD = reverse("triage:dashboard")
R, F, P, U, E, M = (
    CaseLevel.ROUTINE,
    CaseLevel.FOLLOW_UP,
    CaseLevel.PRIORITY,
    CaseLevel.URGENT,
    CaseLevel.EMERGENCY,
    CaseLevel.REVIEW,
)


def hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


def rows(response) -> list[Case]:
    return list(response.context["page"].rows)


def pks(response) -> list[int]:
    return [case.pk for case in rows(response)]


@pytest.fixture
def case(patient):
    return make_case(patient, level=P, score=6, flags=["PREGNANCY_BLEEDING"], submitted_at=hours_ago(5))


# --- Who may see what ------------------------------------------------------------------------------


ROLES = [(None, 302), ("patient", 403), ("doctor", 200)]


@pytest.fixture
def client_as(client, patient, doctor):
    def login(role):
        if role == "patient":
            client.force_login(patient.user)
        elif role == "doctor":
            client.force_login(doctor)
        return client

    return login


@pytest.mark.parametrize(("role", "status"), ROLES)
@pytest.mark.parametrize("name", ["triage:dashboard", "triage:export_csv"])
def test_worklist_pages_are_for_doctors_only(client_as, case, role, status, name):
    response = client_as(role).get(reverse(name))

    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("patient", 403), ("doctor", 200)])
def test_case_page_is_for_doctors_only(client_as, case, role, status):
    response = client_as(role).get(reverse("triage:case_detail", args=[case.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("patient", 403), ("doctor", 302)])
def test_next_case_is_for_doctors_only(client_as, case, role, status):
    response = client_as(role).get(reverse("triage:case_next", args=[case.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("patient", 403), ("doctor", 302)])
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("triage:case_status", {"to_status": "in_review", "version": 1}),
        ("triage:case_note", {"text": "Richiamare la paziente."}),
    ],
)
def test_case_changes_are_for_doctors_only(client_as, case, role, status, name, data):
    response = client_as(role).post(reverse(name, args=[case.pk]), data)

    assert response.status_code == status
    changed = Case.objects.get(pk=case.pk).status != "new" or CaseEvent.objects.exists()
    assert changed is (role == "doctor")


def test_staff_pages_are_never_cached(doctor_client, case):
    for url in (DASHBOARD, reverse("triage:case_detail", args=[case.pk]), reverse("triage:export_csv")):
        response = doctor_client.get(url)
        assert "no-store" in response["Cache-Control"]


def test_case_page_of_a_missing_case_is_404(doctor_client):
    assert doctor_client.get(reverse("triage:case_detail", args=[999999])).status_code == 404


def test_case_changes_refuse_get(doctor_client, case):
    assert doctor_client.get(reverse("triage:case_status", args=[case.pk])).status_code == 405
    assert doctor_client.get(reverse("triage:case_note", args=[case.pk])).status_code == 405


# --- Order -----------------------------------------------------------------------------------------

# (name, level, score, hours waiting). Created in this order, which is not the expected one.
ORDER_CASES = [
    ("routine-new", R, 0, 1),
    ("priority-tie-newer", P, 6, 5),
    ("emergency-low-old", E, 10, 50),
    ("follow-up-low", F, 1, 200),
    ("review", M, 0, 1),
    ("priority-high", P, 11, 3),
    ("emergency-high", E, 20, 1),
    ("routine-old", R, 0, 300),
    ("priority-tie-oldest", P, 6, 72),
    ("emergency-low-new", E, 10, 2),
    ("follow-up-high", F, 5, 100),
    ("priority-same-time-b", P, 3, 24),
]
# Written out by hand from RULES.md section 7: level, then score (highest first), then the
# oldest submission; an engine failure (review) above everything.
EXPECTED_ORDER = [
    "review",
    "emergency-high",  # higher score beats a longer wait
    "emergency-low-old",  # same score: the longer wait first
    "emergency-low-new",
    "priority-high",
    "priority-tie-oldest",
    "priority-tie-newer",
    "priority-same-time-a",  # same level, score and time: the earlier record first
    "priority-same-time-b",
    "follow-up-high",
    "follow-up-low",  # waited longest of all, but a lower score
    "routine-old",
    "routine-new",
]


@pytest.fixture
def ordered_cases(patient):
    names = {}
    same_time = hours_ago(24)
    for name, level, score, hours in ORDER_CASES:
        if name == "priority-same-time-b":
            earlier = make_case(patient, level=level, score=score, submitted_at=same_time)
            names[earlier.pk] = "priority-same-time-a"
            created = make_case(patient, level=level, score=score, submitted_at=same_time)
        else:
            created = make_case(patient, level=level, score=score, submitted_at=hours_ago(hours))
        names[created.pk] = name
    return names


def test_worklist_orders_by_level_then_score_then_waiting_time(doctor_client, ordered_cases):
    response = doctor_client.get(DASHBOARD, {"all": "1"})

    assert [ordered_cases[pk] for pk in pks(response)] == EXPECTED_ORDER


def test_worklist_selector_uses_the_same_order(ordered_cases):
    order = [ordered_cases[case.pk] for case in case_worklist(WorklistFilters(include_all=True))]

    assert order == EXPECTED_ORDER


def test_default_worklist_shows_open_flagged_cases_only(doctor_client, ordered_cases, patient):
    closed = make_case(patient, level=E, score=10, status="closed")

    response = doctor_client.get(DASHBOARD)

    shown = [ordered_cases.get(pk) for pk in pks(response)]
    assert shown == [name for name in EXPECTED_ORDER if not name.startswith("routine")]
    assert closed.pk not in pks(response)


def test_one_link_includes_routine_and_closed_cases(doctor_client, ordered_cases, patient):
    closed = make_case(patient, level=E, score=10, status="closed")
    response = doctor_client.get(DASHBOARD)
    link = re.search(r'href="\?([^"]*all=1[^"]*)"', response.content.decode()).group(1)

    response = doctor_client.get(f"{DASHBOARD}?{link}")

    assert len(pks(response)) == len(EXPECTED_ORDER) + 1
    assert closed.pk in pks(response)


def test_worklist_never_shows_drafts(doctor_client, patient):
    Submission.objects.create(patient=patient, answers={"soaks_pad_hourly": True})

    response = doctor_client.get(DASHBOARD, {"all": "1"}, HTTP_ACCEPT_LANGUAGE="en")

    assert pks(response) == []
    assert "No cases match these filters." in response.content.decode()


# --- Rows ------------------------------------------------------------------------------------------


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
    """What users typed reaches the rows escaped."""
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
        submitted_at=timezone.now() - timedelta(days=10),
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


def test_worklist_has_no_inline_script(doctor_client, case):
    html = doctor_client.get(DASHBOARD).content.decode()

    assert "<script>" not in html
    assert not re.search(r"\son[a-z]+=", html)
    assert "js/dashboard.js" in html


def test_worklist_is_in_italian_by_default(doctor_client, case):
    html = doctor_client.get(DASHBOARD).content.decode()

    assert 'lang="it"' in html


# --- Counts ----------------------------------------------------------------------------------------


def test_counts_per_level_follow_the_other_filters(doctor_client, patient, other_patient):
    make_case(patient, level=E, score=10)
    make_case(patient, level=P, score=6)
    make_case(patient, level=P, score=6, status="closed")
    make_case(patient, level=R)
    make_case(other_patient, level=P, score=6)

    counts = doctor_client.get(DASHBOARD).context["level_links"]
    by_level = {item["level"]: item["count"] for item in counts}
    assert by_level == {M: 0, E: 1, U: 0, P: 2, F: 0, R: 1}
    assert [item["level"] for item in counts] == [M, E, U, P, F, R]

    counts = doctor_client.get(DASHBOARD, {"q": "Verdi"}).context["level_links"]
    assert {item["level"]: item["count"] for item in counts}[P] == 1


def test_total_matches_the_rows(doctor_client, patient):
    for _ in range(3):
        make_case(patient, level=F, score=1)
    make_case(patient, level=R)

    response = doctor_client.get(DASHBOARD)

    assert response.context["total"] == 3


# --- Filters ---------------------------------------------------------------------------------------


@pytest.fixture
def varied(patient, other_patient):
    today = timezone.now()
    cases = {
        "emergency": make_case(patient, level=E, score=10, flags=["HEAVY_ACUTE"], submitted_at=today),
        "recurrent": make_case(
            other_patient,
            level=F,
            score=3,
            flags=["RECURRENT", "SCREENING_GAP"],
            submitted_at=today - timedelta(days=10),
        ),
        "priority_followup": make_case(
            patient,
            level=P,
            score=8,
            flags=["ESC_RECURRENT_SCREENING", "RECURRENT", "SCREENING_GAP"],
            submitted_at=today - timedelta(days=40),
            status="follow_up",
        ),
        "routine": make_case(other_patient, level=R, submitted_at=today - timedelta(days=2)),
        "closed": make_case(
            patient, level=P, score=6, status="closed", submitted_at=today - timedelta(days=5)
        ),
    }
    return {name: case.pk for name, case in cases.items()}


def names_of(response, varied):
    by_pk = {pk: name for name, pk in varied.items()}
    return {by_pk[pk] for pk in pks(response)}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({}, {"emergency", "recurrent", "priority_followup"}, id="default"),
        pytest.param({"level": "4"}, {"emergency"}, id="level"),
        pytest.param({"level": ["2", "1"]}, {"recurrent", "priority_followup"}, id="two-levels"),
        pytest.param({"level": "0"}, {"routine"}, id="routine-level-overrides-default"),
        pytest.param({"level": "2", "all": "1"}, {"priority_followup", "closed"}, id="level-with-all"),
        pytest.param({"flag": "RECURRENT"}, {"recurrent", "priority_followup"}, id="flag"),
        pytest.param({"flag": "HEAVY_ACUTE"}, {"emergency"}, id="flag-first-bit"),
        pytest.param({"flag": "STI_RISK"}, set(), id="flag-none"),
        pytest.param({"status": "follow_up"}, {"priority_followup"}, id="status"),
        pytest.param({"status": "closed"}, {"closed"}, id="closed-status-overrides-default"),
        pytest.param({"status": ["new", "closed"], "level": "2"}, {"closed"}, id="status-and-level"),
        pytest.param(
            {"all": "1"}, {"emergency", "recurrent", "priority_followup", "routine", "closed"}, id="all"
        ),
        pytest.param({"q": "rossi"}, {"emergency", "priority_followup"}, id="search-last-name"),
        pytest.param({"q": "Anna Verdi"}, {"recurrent"}, id="search-full-name"),
        pytest.param({"q": "other@example"}, {"recurrent"}, id="search-email"),
        pytest.param({"q": "Nessuna"}, set(), id="search-no-match"),
        pytest.param({"flag": "SCREENING_GAP", "q": "verdi"}, {"recurrent"}, id="flag-and-search"),
    ],
)
def test_worklist_filters(doctor_client, varied, params, expected):
    response = doctor_client.get(DASHBOARD, params)

    assert response.status_code == 200
    assert names_of(response, varied) == expected
    assert response.context["ignored"] == []


def test_date_range_filter_is_inclusive_in_local_days(doctor_client, varied):
    today = timezone.localdate()
    params = {
        "all": "1",
        "submitted_from": (today - timedelta(days=10)).isoformat(),
        "submitted_to": (today - timedelta(days=2)).isoformat(),
    }

    response = doctor_client.get(DASHBOARD, params)

    assert names_of(response, varied) == {"recurrent", "routine", "closed"}


def test_date_filter_from_only(doctor_client, varied):
    since = (timezone.localdate() - timedelta(days=5)).isoformat()

    response = doctor_client.get(DASHBOARD, {"submitted_from": since})

    assert names_of(response, varied) == {"emergency"}


@pytest.mark.parametrize(
    ("params", "ignored"),
    [
        ({"level": "urgent"}, "Level"),
        ({"level": ["4", "9"]}, "Level"),
        ({"flag": "NOT_A_FLAG"}, "Flag"),
        ({"status": "lost"}, "Status"),
        ({"submitted_from": "yesterday"}, "Submitted from"),
        ({"submitted_to": "2026-02-30"}, "Submitted until"),
        ({"submitted_from": "2026-05-10", "submitted_to": "2026-05-01"}, "Submitted until"),
        ({"q": "x" * 500}, "Patient name or email"),
        ({"after": "abc"}, "Page"),
        ({"before": "-4"}, "Page"),
        ({"page": "9999"}, "Page"),
    ],
)
def test_bad_parameters_are_ignored_with_a_notice(doctor_client, varied, params, ignored):
    response = doctor_client.get(DASHBOARD, params, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert ignored in response.context["ignored"]
    assert "were ignored" in response.content.decode()


def test_a_bad_value_keeps_the_good_ones(doctor_client, varied):
    response = doctor_client.get(DASHBOARD, {"level": ["4", "x"], "flag": "bogus"})

    assert names_of(response, varied) == {"emergency"}


def test_filtered_links_keep_the_filters(doctor_client, varied):
    response = doctor_client.get(DASHBOARD, {"flag": "RECURRENT", "q": "rossi"})
    html = response.content.decode()

    case_url = reverse("triage:case_detail", args=[varied["priority_followup"]])
    assert f'{case_url}?flag=RECURRENT&amp;q=rossi"' in html
    assert f'{reverse("triage:export_csv")}?flag=RECURRENT&amp;q=rossi"' in html


def test_filter_form_shows_the_current_filters(doctor_client, varied):
    html = doctor_client.get(DASHBOARD, {"level": "4", "status": "new", "q": "Ross"}).content.decode()

    assert re.search(r'name="level" value="4"[^>]*checked', html)
    assert not re.search(r'name="level" value="2"[^>]*checked', html)
    assert re.search(r'name="status" value="new"[^>]*checked', html)
    assert 'value="Ross"' in html


# --- Pages -----------------------------------------------------------------------------------------


@pytest.fixture
def sixty(patient):
    """60 open flagged cases; the expected order is the creation order."""
    base = timezone.now() - timedelta(days=30)
    return [
        make_case(patient, level=F, score=2, submitted_at=base + timedelta(minutes=index)).pk
        for index in range(60)
    ]


def test_worklist_pages_hold_25_rows(doctor_client, sixty):
    response = doctor_client.get(DASHBOARD)

    assert PAGE_SIZE == 25
    assert pks(response) == sixty[:25]
    assert response.context["page"].has_next
    assert not response.context["page"].has_previous


def test_next_pages_follow_the_order_without_gaps(doctor_client, sixty):
    seen = []
    params = {}
    while True:
        page = doctor_client.get(DASHBOARD, params).context["page"]
        seen.extend(case.pk for case in page.rows)
        if not page.has_next:
            break
        params = {"after": page.last_pk}

    assert seen == sixty


def test_last_page_and_previous_pages(doctor_client, sixty):
    last = doctor_client.get(DASHBOARD, {"page": "last"}).context["page"]
    assert [case.pk for case in last.rows] == sixty[-25:]
    assert last.has_previous and not last.has_next

    previous = doctor_client.get(DASHBOARD, {"before": last.first_pk}).context["page"]
    assert [case.pk for case in previous.rows] == sixty[10:35]
    assert previous.has_previous and previous.has_next

    first = doctor_client.get(DASHBOARD, {"before": previous.first_pk}).context["page"]
    assert [case.pk for case in first.rows] == sixty[:10]
    assert not first.has_previous


def test_pagination_links_keep_filters(doctor_client, sixty):
    html = doctor_client.get(DASHBOARD, {"level": "1"}).content.decode()

    assert "?level=1&amp;after=" in html
    assert "?level=1&amp;page=last" in html


def test_a_page_cursor_to_a_deleted_case_falls_back_to_the_first_page(doctor_client, sixty):
    Submission.objects.filter(pk=sixty[30]).delete()

    response = doctor_client.get(DASHBOARD, {"after": sixty[30]})

    assert response.status_code == 200
    assert pks(response) == sixty[:25]
    assert response.context["page"].cursor_lost


def test_pages_with_ties_on_score_and_time(doctor_client, patient):
    same = timezone.now() - timedelta(hours=3)
    created = [make_case(patient, level=P, score=6, submitted_at=same).pk for _ in range(30)]

    first = doctor_client.get(DASHBOARD).context["page"]
    second = doctor_client.get(DASHBOARD, {"after": first.last_pk}).context["page"]

    assert [case.pk for case in first.rows] + [case.pk for case in second.rows] == sorted(created)


# --- Next case -------------------------------------------------------------------------------------


def test_next_case_follows_the_worklist_order_and_filters(doctor_client, ordered_cases):
    by_name = {name: pk for pk, name in ordered_cases.items()}

    response = doctor_client.get(reverse("triage:case_next", args=[by_name["emergency-high"]]))
    assert response.url == reverse("triage:case_detail", args=[by_name["emergency-low-old"]])

    response = doctor_client.get(
        reverse("triage:case_next", args=[by_name["emergency-low-new"]]), {"level": "4"}
    )
    assert response.status_code == 302
    assert response.url == f"{DASHBOARD}?level=4"

    response = doctor_client.get(reverse("triage:case_next", args=[by_name["follow-up-low"]]), {"all": "1"})
    assert response.url == reverse("triage:case_detail", args=[by_name["routine-old"]]) + "?all=1"


def test_next_case_from_a_closed_case_continues_from_its_place(doctor_client, ordered_cases):
    by_name = {name: pk for pk, name in ordered_cases.items()}
    Case.objects.filter(pk=by_name["priority-high"]).update(status="closed")

    response = doctor_client.get(reverse("triage:case_next", args=[by_name["priority-high"]]))

    assert response.url == reverse("triage:case_detail", args=[by_name["priority-tie-oldest"]])


def test_case_page_links_to_next_case_with_filters(doctor_client, case):
    html = doctor_client.get(
        reverse("triage:case_detail", args=[case.pk]), {"flag": "RECURRENT"}
    ).content.decode()

    assert f'{reverse("triage:case_next", args=[case.pk])}?flag=RECURRENT"' in html


# --- Case page -------------------------------------------------------------------------------------


ANSWERS = {
    "menopause_status": "premenopausal",
    "pregnancy_status": "possible",
    "discharge_after_sex": False,
    "bleeding_after_sex": True,
    "bleeding_episodes_3m": 3,
    "bleeding_first_noticed_weeks": 6,
    "bleeding_amount": "moderate",
    "bleeding_trend": "more",
    "clots": False,
    "soaks_pad_hourly": False,
    "pain_during_sex": 2,
    "pelvic_pain_days": 2,
    "notes": "Dolore da due giorni.",
}


@pytest.mark.parametrize("version", [1, 2])
def test_case_page_shows_answers_by_section_and_the_assessment_of_its_own_rule_set(
    doctor_client, patient, version
):
    case = make_case(
        patient,
        level=E,
        score=23,
        flags=["ESC_PREGNANCY_RED_FLAG", "PREGNANCY_BLEEDING", "PREGNANCY_PAIN"],
        answers=ANSWERS,
        rules_version=version,
    )
    flag_rules = RULE_SETS[version].flag_rules_by_code

    html = doctor_client.get(
        reverse("triage:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    for section in ("Cycle and pregnancy", "Bleeding after intercourse", "Other symptoms", "Notes"):
        assert section in html
    assert "Possibly (for example a late period, no test yet)" in html
    assert "Dolore da due giorni." in html
    # The discharge colour was not asked (no discharge), so it is not shown as an answer.
    assert "Discharge colour" not in html
    for code in ("ESC_PREGNANCY_RED_FLAG", "PREGNANCY_BLEEDING", "PREGNANCY_PAIN"):
        assert flag_rules[code].label in html
        assert flag_rules[code].reason in html
        # Each assessment explains itself with its own rule set's words, never the other's.
        other = RULE_SETS[3 - version].flag_rules_by_code[code].reason
        assert other == flag_rules[code].reason or other not in html
    assert "Score 23" in html
    assert f"Rules version {version}" in html
    assert "Emergency" in html


def test_case_page_of_a_failed_assessment_says_so(doctor_client, patient):
    case = make_case(patient, level=M, score=0)

    html = doctor_client.get(
        reverse("triage:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Manual review" in html
    assert "could not assess this questionnaire" in html


def test_case_page_shows_the_patients_history_with_bleeding_trend(doctor_client, patient, other_patient):
    now = timezone.now()
    old = make_case(
        patient,
        level=R,
        answers={"bleeding_after_sex": True, "bleeding_episodes_3m": 1, "bleeding_amount": "streaks"},
        submitted_at=now - timedelta(days=60),
    )
    middle = make_case(
        patient,
        level=F,
        score=2,
        flags=["RECURRENT"],
        answers={"bleeding_after_sex": True, "bleeding_episodes_3m": 2, "bleeding_amount": "spotting"},
        submitted_at=now - timedelta(days=20),
    )
    make_case(patient, level=R, answers={"vaginal_dryness": True}, submitted_at=now - timedelta(days=200))
    current = make_case(
        patient,
        level=P,
        score=7,
        flags=["RECURRENT", "ABUNDANT", "ESC_MULTIPLE_FEATURES"],
        answers={
            "bleeding_after_sex": True,
            "bleeding_episodes_3m": 4,
            "bleeding_amount": "moderate",
            "bleeding_trend": "more",
        },
        submitted_at=now,
    )
    make_case(other_patient, level=E, score=10, answers={"bleeding_after_sex": True})

    response = doctor_client.get(reverse("triage:case_detail", args=[current.pk]), HTTP_ACCEPT_LANGUAGE="en")

    history = response.context["history"]
    assert [item.case_id for item in history.entries][:3] == [current.pk, middle.pk, old.pk]
    assert len(history.entries) == 4
    assert history.recent_bleeding_reports == 2
    assert [item.amount_rank for item in history.entries] == [4, 2, 1, 0]
    html = response.content.decode()
    assert "also reported in 2 questionnaires in the 90 days before this one" in html
    assert "moderate (needed a pad)" in html and "more than before" in html
    assert "4 episodes in 3 months" in html
    assert reverse("triage:case_detail", args=[old.pk]) in html


def test_case_page_shows_timeline_with_reasons_and_notes(doctor_client, case, doctor):
    CaseEvent.objects.create(
        case=case,
        kind="status",
        actor=doctor,
        from_status="new",
        to_status="closed",
        text="Vista ieri in studio.",
    )
    CaseEvent.objects.create(case=case, kind="note", actor=doctor, text="Paziente richiamata.")

    html = doctor_client.get(
        reverse("triage:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Status: New → Closed" in html
    assert "Vista ieri in studio." in html
    assert "Paziente richiamata." in html
    assert html.index("Vista ieri in studio.") < html.index("Paziente richiamata.")


# --- Speed -----------------------------------------------------------------------------------------

# Session, user and permissions, then the page's own reads and (case page) its audit write.
MAX_QUERIES = 12


def populate(total: int):
    patients = [
        make_patient(email=f"p{index}@example.com", first_name="Paola", last_name=f"Rossi{index}")
        for index in range(5)
    ]
    levels = [E, P, F, R]
    doctor = make_doctor(email="second.doctor@example.com", first_name="Luca", last_name="Neri")
    cases = []
    for index in range(total):
        cases.append(
            make_case(
                patients[index % 5],
                level=levels[index % 4],
                score=index % 7,
                flags=["RECURRENT", "ABUNDANT"] if index % 3 else ["HEAVY_ACUTE"],
                answers={"bleeding_after_sex": True, "bleeding_amount": "spotting"},
                submitted_at=timezone.now() - timedelta(hours=index),
            )
        )
    Case.objects.filter(pk__in=[case.pk for case in cases[::2]]).update(
        last_actor=doctor, last_acted_at=timezone.now()
    )
    for case in cases[:20]:
        CaseEvent.objects.create(case=case, kind="note", actor=doctor, text="Nota.")
    return cases


def page_urls(cases):
    return {
        "worklist": (DASHBOARD, {}),
        "all": (DASHBOARD, {"all": "1"}),
        "filtered": (DASHBOARD, {"level": ["4", "2"], "flag": "RECURRENT", "q": "rossi", "status": "new"}),
        "last-page": (DASHBOARD, {"all": "1", "page": "last"}),
        "next-page": (DASHBOARD, {"all": "1", "after": cases[3].pk}),
        "case": (reverse("triage:case_detail", args=[cases[0].pk]), {}),
    }


@pytest.mark.parametrize("total", [10, 300])
@pytest.mark.parametrize("page", ["worklist", "all", "filtered", "last-page", "next-page", "case"])
def test_pages_run_a_bounded_number_of_queries(doctor_client, django_assert_max_num_queries, total, page):
    cases = populate(total)
    url, params = page_urls(cases)[page]
    doctor_client.get(url, params)  # the session settles on the first request

    with django_assert_max_num_queries(MAX_QUERIES):
        response = doctor_client.get(url, params)

    assert response.status_code == 200
    assert response.context["page"].rows if "page" in response.context else True


def test_query_count_does_not_grow_with_the_number_of_cases(client, doctor):
    client.force_login(doctor)
    counts = {}
    cases = populate(10)
    for total in (10, 300):
        if total == 300:
            cases = populate_more(cases, 290)
        counts[total] = {}
        for page, (url, params) in page_urls(cases).items():
            client.get(url, params)
            with CaptureQueriesContext(connection) as queries:
                client.get(url, params)
            counts[total][page] = len(queries)

    assert counts[10] == counts[300]


def populate_more(cases, extra):
    patient = cases[0].patient
    for index in range(extra):
        cases.append(make_case(patient, level=(index % 4), score=index % 9, flags=["RECURRENT"]))
    return cases


def test_case_page_shows_stored_answers_the_questionnaire_does_not_know(doctor_client, patient):
    """A case the engine could not assess must be readable in full."""
    case = make_case(patient, level=M, answers={"bleeding_after_sex": True, "legacy_field": "sì"})

    html = doctor_client.get(
        reverse("triage:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Other stored answers" in html
    assert "legacy_field" in html and "sì" in html


def test_history_shrugs_off_malformed_answers(doctor_client, patient):
    make_case(
        patient,
        level=M,
        answers={"bleeding_after_sex": True, "bleeding_episodes_3m": "many", "bleeding_amount": 7},
        submitted_at=timezone.now() - timedelta(days=3),
    )
    current = make_case(patient, level=F, score=2, answers={"bleeding_after_sex": True})

    response = doctor_client.get(reverse("triage:case_detail", args=[current.pk]))

    assert response.status_code == 200
    earlier = response.context["history"].entries[1]
    assert (earlier.bleeding_episodes_3m, earlier.bleeding_amount) == (0, "none")
