import re
import uuid
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from patients.models import ImmutableSubmission, Submission
from patients.services import submission_draft, submission_record
from tests.factories import QUIET_FORM
from tests.test_support import run_tasks
from triage import rules
from triage.models import Assessment, Case, CaseEvent, CaseLevel
from triage.questionnaire import NOT_OFFERED
from triage.rules import SHOWN_WHEN

EDIT_URL = "/questionnaire/new/"
ROME = ZoneInfo("Europe/Rome")

# Every visible question answered, nothing of concern: a routine questionnaire.
QUIET = {**QUIET_FORM, "notes": ""}
BLEEDING = {
    "bleeding_after_sex": "yes",
    "bleeding_episodes_3m": "3",
    "bleeding_first_noticed_weeks": "6",
    "bleeding_amount": "light",
    "bleeding_trend": "same",
    "clots": "no",
}

BLEEDING_DETAIL_FIELDS = SHOWN_WHEN["clots"].details
# The details of bleeding between periods (RULES.md 3.3), answered with nothing of concern.
OTHER_BLEEDING = {
    "intermenstrual_bleeding": "yes",
    "other_bleeding_amount": "spotting",
    "other_bleeding_clots": "no",
    "intermenstrual_weeks": "1",
}


def form_key(client):
    """The form key of her questionnaire, read from the step the questionnaire opens at."""
    html = client.get(EDIT_URL, follow=True).content.decode()
    return re.search(r'name="key" value="([0-9a-f-]+)"', html).group(1)


def post(client, action, key, answers=None, **more):
    return client.post(EDIT_URL, {"key": key, "action": action, **(answers or {}), **more})


@pytest.mark.django_db
def test_form_posts_every_field_under_its_rules_name(patient_client):
    pages = [patient_client.get(f"/questionnaire/new/step/{step}/").content.decode() for step in range(1, 7)]
    html = "".join(pages)
    for field in rules.FIELDS:
        assert f'name="{field.name}"' in html, field.name
        if field.kind == rules.BOOL:
            assert f'name="{field.name}" value="yes"' in html
            assert f'name="{field.name}" value="no"' in html
        elif field.kind == rules.INT and field.max_value == 10:
            # A 0-10 answer is a row of eleven choices.
            for value in range(11):
                assert f'name="{field.name}" value="{value}"' in html
        elif field.kind == rules.INT:
            assert re.search(rf'<input type="number" name="{field.name}"[^>]*min="0"', html)
        elif field.kind == rules.CHOICE:
            for value in field.choices:
                offered = value not in NOT_OFFERED.get(field.name, ())
                assert (f'name="{field.name}" value="{value}"' in html) is offered, (field.name, value)
    for page in pages:
        assert 'name="action" value="save"' in page
        assert 'name="action" value="next"' in page
        assert "<legend" in page
    assert "<script>" not in html  # branching lives in a static file


@pytest.mark.django_db
def test_sections_cover_the_rules_fields_in_order():
    from triage.questionnaire import SECTIONS

    assert [name for _title, names in SECTIONS for name in names] == [field.name for field in rules.FIELDS]


@pytest.mark.django_db
def test_one_draft_per_patient_and_it_is_resumed(patient_client, patient):
    first = form_key(patient_client)
    post(patient_client, "save", first, pain_during_sex="3", burning="yes")
    second = form_key(patient_client)

    assert first == second
    assert Submission.objects.filter(patient=patient, status="draft").count() == 1
    html = patient_client.get("/questionnaire/new/step/4/").content.decode()
    assert re.search(r'name="pain_during_sex" value="3"', html)
    assert re.search(r'name="burning" value="yes"[^>]*checked', html)


@pytest.mark.django_db
def test_save_accepts_gaps_and_keeps_values(patient_client, patient):
    key = form_key(patient_client)
    response = post(patient_client, "save", key, menopause_status="unsure", notes="Sometimes after running")

    assert response.status_code == 302
    draft = Submission.objects.get(patient=patient, status="draft")
    assert draft.answers == {"menopause_status": "unsure", "notes": "Sometimes after running"}
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_submit_requires_every_visible_question(patient_client, patient):
    key = form_key(patient_client)
    answers = dict(QUIET, bleeding_after_sex="yes")
    del answers["fever"]

    response = post(patient_client, "submit", key, **answers)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"fever", *BLEEDING_DETAIL_FIELDS}
    html = response.content.decode()
    assert 'id="id_fever_error"' in html
    assert re.search(r'name="burning" value="no"[^>]*checked', html)
    assert not Submission.objects.filter(patient=patient, status="submitted").exists()


@pytest.mark.django_db
def test_hidden_answers_are_dropped_before_saving(patient_client, patient):
    """With bleeding after sex answered no, stale details (even invalid ones) never reach the rules."""
    key = form_key(patient_client)
    stale = {
        "bleeding_episodes_3m": "12",
        "bleeding_amount": "heavy",
        "clots": "yes",
        "bleeding_trend": "nonsense",
    }
    response = post(patient_client, "submit", key, **QUIET, **stale, discharge_color="grey")

    assert response.status_code == 302
    submission = Submission.objects.get(patient=patient)
    for name in [*stale, "discharge_color"]:
        assert name not in submission.answers
    assert submission.case.level == CaseLevel.ROUTINE
    assert submission.case.flags == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pain_during_sex", "11", "from 0 to 10"),
        ("pelvic_pain_days", "-1", "from 0"),
        ("pain_during_sex", "a lot", "from 0 to 10"),
        ("pelvic_pain_days", "a lot", "whole number"),
        ("bleeding_amount", "gallons", "options shown"),
        ("fever", "maybe", "yes or no"),
        ("notes", "x" * 2001, "2000"),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_reported_next_to_the_field_and_kept(patient_client, patient, field, value, message):
    patient_client.cookies["django_language"] = "en"
    key = form_key(patient_client)
    answers = {**QUIET, **BLEEDING, "notes": "keep me", field: value}

    response = post(patient_client, "submit", key, **answers)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert re.search(r'name="bleeding_episodes_3m" value="3"', html)
    assert re.search(r'name="bleeding_amount" value="light"[^>]*checked', html) or field == "bleeding_amount"
    assert not Submission.objects.filter(patient=patient, status="submitted").exists()


@pytest.mark.django_db
def test_submit_freezes_assesses_and_shows_advice(patient_client, patient):
    key = form_key(patient_client)
    response = post(patient_client, "submit", key, {**QUIET, **BLEEDING, "pain_during_sex": "5"})

    submission = Submission.objects.get(patient=patient)
    assert response.status_code == 302
    assert response.url == f"/questionnaire/{submission.pk}/"
    assert submission.status == "submitted"
    assert submission.age == patient.age_on(submission.submitted_at.date())
    assert submission.answers["bleeding_after_sex"] is True
    assert submission.answers["bleeding_episodes_3m"] == 3
    assessment = Assessment.objects.get(submission=submission)
    assert assessment.rules_version == rules.RULES_VERSION
    # RECURRENT (3 episodes) + PAINFUL (pain 5) -> ESC_MULTIPLE_FEATURES (RULES.md 4, rule 7);
    # recurrent, first noticed 6 weeks ago, aged 36 -> ESC_PERSISTENT_AGE (rule 9).
    assert assessment.flags == ["ESC_MULTIPLE_FEATURES", "ESC_PERSISTENT_AGE", "RECURRENT", "PAINFUL"]
    assert assessment.level == CaseLevel.PRIORITY
    assert submission.case.score == 3 + 3 + 2 + 2

    page = patient_client.get(response.url).content.decode()
    assert rules.ADVICE[rules.Level.PRIORITY]["it"] in page.replace("&#x27;", "'")
    assert "ESC_MULTIPLE_FEATURES" not in page


@pytest.mark.django_db
def test_submitted_questionnaire_is_immutable(patient_client, patient):
    key = form_key(patient_client)
    post(patient_client, "submit", key, **QUIET)
    submission = Submission.objects.get(patient=patient)

    response = post(patient_client, "save", key, {**QUIET, "burning": "yes"})
    assert response.status_code == 302
    assert response.url == submission.get_absolute_url()
    submission.refresh_from_db()
    assert "burning" in submission.answers and submission.answers["burning"] is False

    submission.answers["burning"] = True
    with pytest.raises(ImmutableSubmission):
        submission.save()


@pytest.mark.django_db
def test_double_submit_creates_one_submission(patient_client, patient):
    key = form_key(patient_client)
    first = post(patient_client, "submit", key, **QUIET)
    second = post(patient_client, "submit", key, **QUIET)

    assert Submission.objects.filter(patient=patient, status="submitted").count() == 1
    assert Assessment.objects.count() == 1
    assert first.url == second.url


@pytest.mark.django_db
def test_a_new_questionnaire_after_submitting_gets_a_fresh_key(patient_client, patient):
    key = form_key(patient_client)
    post(patient_client, "submit", key, **QUIET)
    fresh = form_key(patient_client)
    assert fresh != key
    assert Submission.objects.filter(patient=patient).count() == 1
    post(patient_client, "save", fresh, burning="yes")
    assert Submission.objects.get(patient=patient, status="draft").key == uuid.UUID(fresh)


@pytest.mark.django_db
def test_opening_the_questionnaire_creates_nothing(patient_client, patient):
    first, second = form_key(patient_client), form_key(patient_client)
    assert not Submission.objects.filter(patient=patient).exists()
    assert first != second


@pytest.mark.django_db
def test_a_second_tab_writes_into_the_draft_the_first_one_created(patient_client, patient):
    first, second = form_key(patient_client), form_key(patient_client)
    post(patient_client, "save", first, burning="yes")
    post(patient_client, "save", second, itching="yes")

    draft = Submission.objects.get(patient=patient)
    assert (draft.status, draft.key, draft.answers) == ("draft", uuid.UUID(first), {"itching": True})


@pytest.mark.parametrize(
    ("answers", "language", "expected"),
    [
        ({**QUIET, "soaks_pad_hourly": "yes"}, "it", rules.ADVICE[rules.Level.EMERGENCY]["it"]),
        ({**QUIET, "soaks_pad_hourly": "yes"}, "en", rules.ADVICE[rules.Level.EMERGENCY]["en"]),
        (
            {
                **QUIET,
                "pregnancy_status": "confirmed",
                "pregnancy_weeks": "8",
                "shoulder_tip_pain": "no",
                **OTHER_BLEEDING,
            },
            "en",
            rules.ADVICE[rules.Level.URGENT]["en"],
        ),
        (
            {**QUIET, "menopause_status": "postmenopausal", **OTHER_BLEEDING},
            "it",
            rules.ADVICE[rules.Level.PRIORITY]["it"],
        ),
        ({**QUIET, "burning": "yes"}, "it", rules.ADVICE[rules.Level.FOLLOW_UP]["it"]),
        ({**QUIET, "burning": "yes"}, "en", rules.ADVICE[rules.Level.FOLLOW_UP]["en"]),
        (QUIET, "it", rules.ADVICE[rules.Level.ROUTINE]["it"]),
        (QUIET, "en", rules.ADVICE[rules.Level.ROUTINE]["en"]),
    ],
)
@pytest.mark.django_db
def test_advice_matches_the_level_in_the_chosen_language(patient_client, answers, language, expected):
    patient_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    key = form_key(patient_client)
    response = post(patient_client, "submit", key, **answers)
    page = patient_client.get(response.url).content.decode().replace("&#x27;", "'")

    assert expected in page
    other = {"it": "en", "en": "it"}[language]
    assert all(text[other] not in page for text in rules.ADVICE.values())


@pytest.mark.django_db
def test_emergency_advice_comes_first_with_a_call_link(patient_client):
    key = form_key(patient_client)
    response = post(patient_client, "submit", key, **{**QUIET, "dizziness_fainting": "yes"})
    page = patient_client.get(response.url).content.decode()
    main = page[page.index('<main id="main"') :]

    assert main.index('role="alert"') < main.index("<h1")
    assert 'href="tel:112"' in main


@pytest.mark.django_db
def test_history_lists_own_submissions_with_headline_only(patient_client, patient, other_patient):
    mine = submission_record(patient=patient, answers={"soaks_pad_hourly": True}, submitted_at=days_ago(2))
    theirs = submission_record(patient=other_patient, answers={"burning": True}, submitted_at=days_ago(1))

    page = patient_client.get("/questionnaire/").content.decode()

    assert f"/questionnaire/{mine.pk}/" in page
    assert f"/questionnaire/{theirs.pk}/" not in page
    assert "Cerchi subito assistenza urgente" in page  # the emergency headline, in Italian by default
    assert "HEAVY_ACUTE" not in page
    assert "score" not in page.lower() and "punteggio" not in page.lower()


@pytest.mark.django_db
def test_patient_cannot_open_another_patients_questionnaire(patient_client, other_patient):
    theirs = submission_record(patient=other_patient, answers={}, submitted_at=days_ago(1))
    assert patient_client.get(f"/questionnaire/{theirs.pk}/").status_code == 404


@pytest.mark.django_db
def test_patient_cannot_write_into_another_patients_draft(patient_client, other_patient):
    their_draft = submission_draft(other_patient)
    response = post(patient_client, "submit", str(their_draft.key), **QUIET)
    assert response.status_code == 404
    their_draft.refresh_from_db()
    assert their_draft.status == "draft"
    assert their_draft.answers == {}


def days_ago(days, hour=10):
    now = datetime.now(ROME)
    return (now - timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.mark.parametrize(("earlier_days", "recurrent"), [(0, False), (1, True), (90, True), (91, False)])
@pytest.mark.django_db
def test_recurrence_counts_earlier_submissions_by_rome_calendar_day(patient, earlier_days, recurrent):
    bleeding = {"bleeding_after_sex": True, "bleeding_episodes_3m": 1, "bleeding_amount": "streaks"}
    now = days_ago(0, hour=9)
    submission_record(
        patient=patient, answers=bleeding, submitted_at=now - timedelta(days=earlier_days, hours=1)
    )
    current = submission_record(patient=patient, answers=bleeding, submitted_at=now)

    assert ("RECURRENT" in current.case.flags) is recurrent


@pytest.mark.django_db
def test_recurrence_uses_the_rome_date_not_utc(patient):
    """00:30 in Rome on one day is still the previous day in UTC; Rome's calendar decides."""
    bleeding = {"bleeding_after_sex": True}
    earlier = datetime(2026, 6, 9, 23, 30, tzinfo=ROME)
    current = datetime(2026, 6, 10, 0, 30, tzinfo=ROME)  # 22:30 UTC on 9 June
    submission_record(patient=patient, answers=bleeding, submitted_at=earlier)
    assert (
        "RECURRENT" in submission_record(patient=patient, answers=bleeding, submitted_at=current).case.flags
    )


@pytest.mark.django_db
def test_earlier_submission_without_bleeding_does_not_count(patient):
    submission_record(patient=patient, answers={"burning": True}, submitted_at=days_ago(10))
    current = submission_record(
        patient=patient, answers={"bleeding_after_sex": True}, submitted_at=days_ago(0)
    )
    assert "RECURRENT" not in current.case.flags


@pytest.mark.django_db
def test_engine_failure_fails_closed_to_manual_review(patient, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("bleeding_amount=heavy broke something")

    monkeypatch.setattr(rules, "assess", broken)
    submission = submission_record(
        patient=patient, answers={"bleeding_after_sex": True}, submitted_at=days_ago(0)
    )

    assert submission.status == "submitted"
    assert submission.case.level == CaseLevel.REVIEW
    assert Assessment.objects.get(submission=submission).error == "RuntimeError"
    assert "heavy" not in caplog.text


def assessed_by_rule_set_1(submission) -> None:
    """As if the submission had been assessed before rule set 2 was released."""
    Assessment.objects.filter(submission=submission).update(rules_version=1)
    Case.objects.filter(pk=submission.pk).update(rules_version=1)


@pytest.mark.django_db
def test_retriage_keeps_earlier_assessments_and_skips_closed_cases(patient):
    submission = submission_record(patient=patient, answers={"burning": True}, submitted_at=days_ago(0))
    assessed_by_rule_set_1(submission)
    Case.objects.filter(pk=submission.pk).update(status=Case.Status.CLOSED)
    open_one = submission_record(patient=patient, answers={"fever": True}, submitted_at=days_ago(0))
    assessed_by_rule_set_1(open_one)

    call_command("retriage", stdout=StringIO())

    assert list(Assessment.objects.filter(submission=open_one).values_list("rules_version", flat=True)) == [
        rules.RULES_VERSION,
        1,
    ]
    assert Assessment.objects.filter(submission=submission).count() == 1
    case = Case.objects.get(pk=open_one.pk)
    assert (case.level, case.rules_version) == (CaseLevel.ROUTINE, rules.RULES_VERSION)


@pytest.mark.django_db
def test_retriage_run_twice_changes_nothing_the_second_time(patient):
    submission = submission_record(
        patient=patient,
        answers={"pregnancy_status": "possible", "intermenstrual_bleeding": True},
        submitted_at=days_ago(0),
    )
    assessed_by_rule_set_1(submission)
    Case.objects.filter(pk=submission.pk).update(level=CaseLevel.PRIORITY, score=6)
    call_command("retriage", stdout=StringIO())
    counts = (
        Assessment.objects.count(),
        CaseEvent.objects.count(),
        Case.objects.get(pk=submission.pk).version,
    )

    out = StringIO()
    call_command("retriage", stdout=out)

    assert (
        Assessment.objects.count(),
        CaseEvent.objects.count(),
        Case.objects.get(pk=submission.pk).version,
    ) == counts
    assert "0 changed" in out.getvalue()
    assert Case.objects.get(pk=submission.pk).level == CaseLevel.URGENT


@pytest.mark.django_db
def test_retriage_dry_run_prints_the_moves_and_writes_nothing(patient):
    """RULES.md 11.2 S6: a from-to table, then the moves up and the moves down in separate lists."""
    moving = submission_record(
        patient=patient,
        answers={"pregnancy_status": "possible", "intermenstrual_bleeding": True},
        submitted_at=days_ago(1),
    )
    assessed_by_rule_set_1(moving)
    Case.objects.filter(pk=moving.pk).update(level=CaseLevel.PRIORITY, score=6, flags=["PREGNANCY_BLEEDING"])
    staying = submission_record(patient=patient, answers={"burning": True}, submitted_at=days_ago(0))
    falling = submission_record(patient=patient, answers={"itching": True}, submitted_at=days_ago(0))
    Case.objects.filter(pk=falling.pk).update(level=CaseLevel.FOLLOW_UP, score=1, flags=["INFECTION_SIGNS"])
    tables = (Assessment, Case, CaseEvent, Submission)
    before = [list(model.objects.order_by("pk").values()) for model in tables]

    out = StringIO()
    call_command("retriage", "--dry-run", stdout=out)

    assert [list(model.objects.order_by("pk").values()) for model in tables] == before
    lines = out.getvalue().splitlines()
    assert f"3 open case(s) assessed with rule set {rules.RULES_VERSION}; nothing was written." in lines[0]
    priority_row = next(line for line in lines if line.startswith("priority "))
    follow_up_row = next(line for line in lines if line.startswith("follow_up "))
    # Columns: review, emergency, urgent, priority, follow_up, routine.
    assert priority_row.split()[1:] == ["0", "0", "1", "0", "0", "0"]
    assert follow_up_row.split()[1:] == ["0", "0", "0", "0", "1", "1"]
    assert "2 case(s) would change level; 1 would move up, 1 would move down." in lines
    up = lines.index("Moving up: 1 case(s)")
    down = lines.index("Moving down: 1 case(s)")
    assert lines[up + 2].split() == [f"#{moving.pk}", "priority", "urgent", "+INTERMENSTRUAL_BLEEDING", "-"]
    assert lines[down + 2].split() == [f"#{falling.pk}", "follow_up", "routine", "-", "-INFECTION_SIGNS"]
    assert f"#{staying.pk}" not in out.getvalue()


@pytest.mark.django_db
def test_urgent_case_notifies_doctors_through_the_worker_without_health_data(patient, doctor):
    submission = submission_record(
        patient=patient, answers={"soaks_pad_hourly": True}, submitted_at=days_ago(0)
    )
    assert mail.outbox == []
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [doctor.email]
    # The level in a word (RULES.md 11.2, S7) and a link to the worklist, nothing about her.
    assert message.subject == "Emergenza: nuovo caso in attesa"
    assert message.body.endswith("/dashboard/\n")
    assert f"/{submission.pk}/" not in message.body
    for word in ("pad", "bleed", "assorbente", patient.user.last_name, "HEAVY", "emergency"):
        assert word.lower() not in message.subject.lower()
        assert word.lower() not in message.body.lower()


@pytest.mark.django_db
def test_an_urgent_case_alerts_the_doctors_like_an_emergency(patient, doctor):
    submission = submission_record(
        patient=patient,
        answers={"pregnancy_status": "possible", "pelvic_pain_days": 1},
        submitted_at=days_ago(0),
    )
    assert submission.case.level == CaseLevel.URGENT
    run_tasks()
    assert [message.to for message in mail.outbox] == [[doctor.email]]
    assert mail.outbox[0].subject == "Caso urgente in attesa"


@pytest.mark.django_db
def test_a_case_moved_up_by_reassessment_alerts_the_doctors(patient, doctor):
    submission = submission_record(
        patient=patient,
        answers={"pregnancy_status": "possible", "intermenstrual_bleeding": True},
        submitted_at=days_ago(0),
    )
    run_tasks()
    mail.outbox.clear()
    assessed_by_rule_set_1(submission)
    Case.objects.filter(pk=submission.pk).update(level=CaseLevel.PRIORITY, score=6)

    call_command("retriage", stdout=StringIO())
    run_tasks()

    assert Case.objects.get(pk=submission.pk).level == CaseLevel.URGENT
    # The doctors' alert for the new level, and her notice of an update (RULES.md 11.2, S4).
    assert sorted(message.to for message in mail.outbox) == [[doctor.email], [patient.user.email]]


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        pytest.param(
            {"pelvic_pain_days": "2", "pelvic_pain_severity": "11"},
            "pelvic_pain_severity",
            "da 0 a 10",
            id="severity-over-10",
        ),
        pytest.param(
            {"pelvic_pain_days": "2", "pelvic_pain_severity": "-1"},
            "pelvic_pain_severity",
            "da 0 a 10",
            id="severity-negative",
        ),
        pytest.param(
            {"pelvic_pain_days": "2", "pelvic_pain_severity": "forte"},
            "pelvic_pain_severity",
            "da 0 a 10",
            id="severity-text",
        ),
        pytest.param(
            {"pregnancy_status": "possible", "shoulder_tip_pain": "maybe"},
            "shoulder_tip_pain",
            "sì o no",
            id="shoulder-not-yes-no",
        ),
        pytest.param({"tamoxifen": "sometimes"}, "tamoxifen", "sì o no", id="tamoxifen-not-yes-no"),
        pytest.param(
            {"pregnancy_status": "possible"},
            "shoulder_tip_pain",
            "Risponda a questa domanda",
            id="shoulder-missing-when-shown",
        ),
        pytest.param(
            {"pelvic_pain_days": "1"},
            "pelvic_pain_severity",
            "Risponda a questa domanda",
            id="severity-missing-when-shown",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_answers_to_the_new_questions_are_explained_next_to_them_and_the_rest_is_kept(
    patient_client, patient, extra, field, message
):
    key = form_key(patient_client)
    answers = {**QUIET, **extra}
    if field not in extra:
        answers.pop(field, None)
    response = post(patient_client, "submit", key, **answers)

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message.lower() in " ".join(form.errors[field]).lower()
    assert form["burning"].value() == "no"
    assert not Submission.objects.filter(patient=patient, status="submitted").exists()


@pytest.mark.django_db
def test_a_severity_posted_while_pelvic_pain_is_0_days_changes_nothing(patient_client, patient):
    key = form_key(patient_client)
    response = post(
        patient_client, "submit", key, **{**QUIET, "pelvic_pain_days": "0", "pelvic_pain_severity": "10"}
    )

    submission = Submission.objects.get(patient=patient)
    assert response.status_code == 302
    assert "pelvic_pain_severity" not in submission.answers
    assert (submission.case.level, submission.case.flags) == (CaseLevel.ROUTINE, [])


@pytest.mark.django_db
def test_a_shoulder_answer_posted_without_a_possible_pregnancy_changes_nothing(patient_client, patient):
    key = form_key(patient_client)
    post(patient_client, "submit", key, **{**QUIET, "shoulder_tip_pain": "yes"})

    submission = Submission.objects.get(patient=patient)
    assert "shoulder_tip_pain" not in submission.answers
    assert submission.case.level == CaseLevel.ROUTINE


@pytest.mark.django_db
def test_routine_case_sends_no_email(patient, doctor):
    submission_record(patient=patient, answers={"burning": True}, submitted_at=days_ago(0))
    run_tasks()
    assert mail.outbox == []


@pytest.mark.django_db
def test_failing_email_never_blocks_the_submission(patient_client, patient, doctor, monkeypatch, settings):
    settings.EMAIL_BACKEND = "tests.test_support.BrokenEmailBackend"
    key = form_key(patient_client)
    response = post(patient_client, "submit", key, **{**QUIET, "soaks_pad_hourly": "yes"})
    assert response.status_code == 302
    assert Submission.objects.get(patient=patient).status == "submitted"


@pytest.mark.django_db
def test_reassessment_shows_on_the_timeline_in_the_readers_language(patient, doctor_client):
    from django.utils import translation

    from triage.models import CaseEvent

    submission = submission_record(patient=patient, answers={"fever": True}, submitted_at=days_ago(0))
    Submission.objects.filter(pk=submission.pk).update(answers={"burning": True})  # as if the rules changed

    call_command("retriage")

    event = CaseEvent.objects.get(case_id=submission.pk, kind="retriage")
    assert event.detail == {
        "from": {"level": 0, "score": 0, "rules_version": rules.RULES_VERSION},
        "to": {"level": 1, "score": 1, "rules_version": rules.RULES_VERSION},
        "assessment": Assessment.objects.filter(submission=submission).first().pk,
    }
    with translation.override("en"):
        assert event.retriage_summary() == "Routine (0) → Follow-up (1)"
    with translation.override("it"):
        assert event.retriage_summary() == "Ordinario (0) → Controllo (1)"
    doctor_client.cookies["django_language"] = "en"
    page = doctor_client.get(f"/dashboard/cases/{submission.pk}/").content.decode()
    assert "Routine (0) → Follow-up (1)" in page
