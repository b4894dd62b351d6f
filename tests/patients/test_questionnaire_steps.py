"""The questionnaire in steps: each step a form post that saves the draft, a review page, then Send."""

import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from clinic.auth import SEEN_AT
from patients.models import Submission
from patients.questionnaire_views import REVIEW_STEP
from patients.services import submission_draft, submission_record
from tests.factories import PASSWORD, QUIET_ANSWERS, QUIET_FORM, make_patient
from triage import rules
from triage.models import Assessment, CaseLevel
from triage.questionnaire import QUESTION_LABELS, SECTIONS

STEP_COUNT = len(SECTIONS)
REVIEW_URL = "/questionnaire/new/review/"


def step_url(step):
    return f"/questionnaire/new/step/{step}/"


def section_values(step, answers):
    """The values of `answers` that step `step` asks for."""
    names = SECTIONS[step - 1][1]
    return {name: value for name, value in answers.items() if name in names}


def step_key(client, step=1):
    html = client.get(step_url(step)).content.decode()
    return re.search(r'name="key" value="([0-9a-f-]+)"', html).group(1)


def owner_of(html):
    return re.search(r'name="owner" value="([0-9a-f]+)"', html).group(1)


def post_step(client, step, key, answers, action="next", **more):
    data = {"key": key, "action": action, **section_values(step, answers), **more}
    return client.post(step_url(step), data)


def fill_all_steps(client, answers=QUIET_FORM):
    key = step_key(client)
    for step in range(1, STEP_COUNT + 1):
        response = post_step(client, step, key, answers)
        assert response.status_code == 302, (step, response.context and response.context["form"].errors)
    return key


def draft_of(patient):
    return Submission.objects.get(patient=patient, status=Submission.Status.DRAFT)


@pytest.mark.django_db
def test_each_step_saves_its_answers_and_moves_on(patient_client, patient):
    key = step_key(patient_client)
    for step in range(1, STEP_COUNT + 1):
        response = post_step(patient_client, step, key, QUIET_FORM)

        expected_next = REVIEW_URL if step == STEP_COUNT else step_url(step + 1)
        assert response.status_code == 302
        assert response.url == expected_next
        draft = draft_of(patient)
        assert draft.step == step + 1
        assert str(draft.key) == key
        saved = {name for names in (s[1] for s in SECTIONS[:step]) for name in names} & set(QUIET_FORM)
        assert set(draft.answers) == saved
    assert draft_of(patient).answers["last_cervical_screening"] == "within_3y"
    assert draft_of(patient).answers["burning"] is False


@pytest.mark.django_db
def test_a_step_shows_its_place_and_only_its_questions(patient_client):
    patient_client.cookies["django_language"] = "en"
    html = patient_client.get(step_url(2)).content.decode()

    assert "Step 2 of 6: Discharge" in html
    assert re.search(r'<h1 class="h3" id="step-heading">Step 2 of 6: Discharge</h1>', html)
    assert re.search(r'<progress[^>]*max="6" value="2" aria-labelledby="step-heading"', html)
    assert "<title>Step 2 of 6: Discharge" in html
    assert 'name="discharge_after_sex"' in html
    assert 'name="menopause_status"' not in html and 'name="fever"' not in html
    assert 'name="action" value="back"' in html
    assert 'form="questionnaire"' in html  # the language buttons submit (and save) the step
    first = patient_client.get(step_url(1)).content.decode()
    assert 'name="action" value="back"' not in first


@pytest.mark.django_db
def test_back_saves_the_step_without_asking_for_every_answer(patient_client, patient):
    key = step_key(patient_client)
    post_step(patient_client, 1, key, QUIET_FORM)

    response = post_step(patient_client, 2, key, {"discharge_after_sex": "yes"}, action="back")

    assert response.status_code == 302
    assert response.url == step_url(1)
    draft = draft_of(patient)
    assert draft.answers["discharge_after_sex"] is True
    assert "discharge_color" not in draft.answers
    assert draft.step == 1


@pytest.mark.django_db
def test_save_stays_on_the_step_and_says_so(patient_client, patient):
    key = step_key(patient_client)
    response = post_step(patient_client, 4, key, {"burning": "yes"}, action="save")

    assert response.url == step_url(4) + "?saved=1"
    assert draft_of(patient).answers == {"burning": True}
    assert draft_of(patient).step == 4
    patient_client.cookies["django_language"] = "en"
    page = patient_client.get(response.url).content.decode()
    saved = page[page.index("saved-for-later") :]
    assert "You can close this page now" in saved
    assert 'href="/"' in saved[: saved.index("</div>")]
    assert re.search(r'name="burning" value="yes"[^>]*checked', page)
    # Opened again later, the step does not repeat it.
    assert "saved-for-later" not in patient_client.get(step_url(4)).content.decode()


@pytest.mark.django_db
def test_next_asks_for_the_missing_answers_of_its_step_and_keeps_the_rest(patient_client, patient):
    patient_client.cookies["django_language"] = "en"
    key = step_key(patient_client)
    answers = dict(QUIET_FORM, bleeding_after_sex="yes", bleeding_episodes_3m="2")
    del answers["soaks_pad_hourly"]

    response = post_step(patient_client, 3, key, answers)

    assert response.status_code == 200
    details = set(rules.SHOWN_WHEN) & set(SECTIONS[2][1])
    assert set(response.context["form"].errors) == {"soaks_pad_hourly", *details} - {"bleeding_episodes_3m"}
    html = response.content.decode()
    assert "Step 3 of 6" in html
    assert 'id="id_soaks_pad_hourly_error"' in html
    assert 'href="#id_soaks_pad_hourly_0"' in html  # the summary leads to the radio group
    assert re.search(r'name="bleeding_episodes_3m" value="2"', html)
    assert re.search(r'name="bleeding_after_sex" value="yes"[^>]*checked', html)
    # What was answered is saved meanwhile; she stays on the step.
    draft = draft_of(patient)
    assert draft.answers == {"bleeding_after_sex": True, "bleeding_episodes_3m": 2}
    assert draft.step == 3


@pytest.mark.parametrize(
    ("step", "field", "value", "message"),
    [
        (4, "pain_during_sex", "11", "from 0 to 10"),
        (4, "pelvic_pain_days", "-1", "from 0"),
        (4, "pain_during_sex", "a lot", "from 0 to 10"),
        (4, "fever", "maybe", "yes or no"),
        (1, "menopause_status", "sometimes", "options shown"),
        (6, "notes", "x" * 2001, "2000"),
    ],
)
@pytest.mark.parametrize("action", ["next", "back", "save"])
@pytest.mark.django_db
def test_bad_input_on_a_step_comes_back_filled_with_its_message(
    patient_client, patient, step, field, value, message, action
):
    patient_client.cookies["django_language"] = "en"
    key = step_key(patient_client)
    answers = {**QUIET_FORM, "notes": "keep me", field: value}

    response = post_step(patient_client, step, key, answers, action=action)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    form = response.context["form"]
    assert all(form[name].value() == value for name, value in section_values(step, answers).items())
    assert field not in draft_of(patient).answers


@pytest.mark.django_db
def test_posting_the_same_step_twice_keeps_one_draft(patient_client, patient):
    key = step_key(patient_client)
    first = post_step(patient_client, 2, key, QUIET_FORM)
    second = post_step(patient_client, 2, key, QUIET_FORM)

    assert first.url == second.url == step_url(3)
    assert Submission.objects.filter(patient=patient).count() == 1
    assert str(draft_of(patient).key) == key


@pytest.mark.django_db
def test_answering_no_on_a_later_visit_drops_the_details_it_hid(patient_client, patient):
    key = step_key(patient_client)
    details = {
        "bleeding_after_sex": "yes",
        "bleeding_episodes_3m": "3",
        "bleeding_first_noticed_weeks": "6",
        "bleeding_amount": "light",
        "bleeding_trend": "same",
        "clots": "no",
        "soaks_pad_hourly": "no",
    }
    post_step(patient_client, 3, key, details)
    assert draft_of(patient).answers["bleeding_amount"] == "light"

    post_step(patient_client, 3, key, {**details, "bleeding_after_sex": "no"})

    assert draft_of(patient).answers == {"bleeding_after_sex": False, "soaks_pad_hourly": False}


@pytest.mark.django_db
def test_another_patients_form_key_on_a_step_is_refused(patient_client, other_patient):
    their_draft = submission_draft(other_patient)
    response = post_step(patient_client, 4, str(their_draft.key), {"burning": "yes"})
    assert response.status_code == 404
    their_draft.refresh_from_db()
    assert their_draft.answers == {}


@pytest.mark.parametrize("step", [0, STEP_COUNT + 1, 99])
@pytest.mark.django_db
def test_a_step_that_does_not_exist_is_not_found(patient_client, step):
    assert patient_client.get(step_url(step)).status_code == 404


@pytest.mark.django_db
def test_review_lists_every_answer_with_a_link_to_change_it(patient_client, patient):
    patient_client.cookies["django_language"] = "en"
    answers = dict(QUIET_FORM, bleeding_after_sex="yes", bleeding_episodes_3m="2", notes="Ask about it")
    key = step_key(patient_client)
    for step in range(1, STEP_COUNT + 1):
        post_step(patient_client, step, key, answers, action="save")

    response = patient_client.get(REVIEW_URL)

    html = response.content.decode()
    visible = rules.visible_fields(draft_of(patient).answers)
    for step, (_title, names) in enumerate(SECTIONS, start=1):
        for name in names:
            if name not in visible:
                assert f'id="review-{name}"' not in html
                continue
            row = re.search(rf'<div class="review-row" id="review-{name}">(.*?)</div>', html, re.S).group(1)
            assert str(QUESTION_LABELS[name]).replace("'", "&#x27;") in row
            assert f'href="{step_url(step)}?review=1#div_id_{name}"' in row
    episodes = re.search(r'id="review-bleeding_episodes_3m">(.*?)</div>', html, re.S).group(1)
    assert "<strong>2</strong>" in episodes
    amount = re.search(r'id="review-bleeding_amount">(.*?)</div>', html, re.S).group(1)
    assert "Not answered" in amount
    assert "<strong>Ask about it</strong>" in html
    assert re.search(rf'name="key" value="{key}"', html)


@pytest.mark.django_db
def test_review_without_a_draft_starts_the_questionnaire(patient_client):
    assert patient_client.get(REVIEW_URL).url == step_url(1)


@pytest.mark.django_db
def test_a_change_link_brings_her_back_to_the_review(patient_client, patient):
    key = fill_all_steps(patient_client)
    page = patient_client.get(step_url(4) + "?review=1").content.decode()
    assert 'name="review" value="1"' in page

    response = post_step(patient_client, 4, key, dict(QUIET_FORM, burning="yes"), review="1")

    assert response.url == REVIEW_URL
    assert draft_of(patient).answers["burning"] is True
    assert draft_of(patient).step == REVIEW_STEP


@pytest.mark.django_db
def test_send_from_the_review_submits_and_assesses_once(patient_client, patient):
    key = fill_all_steps(patient_client, dict(QUIET_FORM, burning="yes"))

    first = patient_client.post(REVIEW_URL, {"key": key, "action": "submit"})
    second = patient_client.post(REVIEW_URL, {"key": key, "action": "submit"})

    submission = Submission.objects.get(patient=patient)
    assert submission.status == Submission.Status.SUBMITTED
    assert first.url == second.url == f"/questionnaire/{submission.pk}/"
    assert Assessment.objects.filter(submission=submission).count() == 1
    assert submission.case.level == CaseLevel.FOLLOW_UP
    assert submission.answers["burning"] is True


@pytest.mark.django_db
def test_send_with_a_missing_answer_shows_the_step_that_needs_it(patient_client, patient):
    patient_client.cookies["django_language"] = "en"
    key = fill_all_steps(patient_client)
    draft = draft_of(patient)
    Submission.objects.filter(pk=draft.pk).update(
        answers={k: v for k, v in draft.answers.items() if k not in ("fever", "hrt")}
    )

    response = patient_client.post(REVIEW_URL, {"key": key, "action": "submit"})

    assert response.status_code == 200
    assert response.context["step"] == 4
    assert list(response.context["form"].errors) == ["fever"]
    html = response.content.decode()
    assert "Step 4 of 6" in html
    assert f'action="{step_url(4)}"' in html
    assert 'id="id_fever_error"' in html
    assert re.search(r'name="burning" value="no"[^>]*checked', html)
    assert not Submission.objects.filter(patient=patient, status=Submission.Status.SUBMITTED).exists()


@pytest.mark.django_db
def test_send_with_another_patients_key_is_refused(patient_client, other_patient):
    their_draft = submission_draft(other_patient)
    response = patient_client.post(REVIEW_URL, {"key": str(their_draft.key), "action": "submit"})
    assert response.status_code == 404
    their_draft.refresh_from_db()
    assert their_draft.status == Submission.Status.DRAFT


@pytest.mark.django_db
def test_the_whole_questionnaire_goes_through_plain_form_posts(patient_client, patient):
    """What a browser without JavaScript does: each step posted, details only where revealed."""
    answers = dict(
        QUIET_FORM,
        pregnancy_status="possible",
        shoulder_tip_pain="no",
        bleeding_after_sex="yes",
        bleeding_episodes_3m="1",
        bleeding_first_noticed_weeks="0",
        bleeding_amount="streaks",
        bleeding_trend="first_time",
        clots="no",
        # Posted although "0 days" hides it: dropped.
        pelvic_pain_severity="9",
    )
    key = step_key(patient_client)
    url = step_url(1)
    while url != REVIEW_URL:
        step = int(url.rstrip("/").rsplit("/", 1)[1])
        page = patient_client.get(url).content.decode()
        assert all(f'name="{name}"' in page for name in SECTIONS[step - 1][1])
        url = post_step(patient_client, step, key, answers).url
    response = patient_client.post(REVIEW_URL, {"key": key, "action": "submit"})

    submission = Submission.objects.get(patient=patient)
    assert response.url == f"/questionnaire/{submission.pk}/"
    assert "pelvic_pain_severity" not in submission.answers
    assert submission.answers["shoulder_tip_pain"] is False
    # RULES.md: bleeding in a possible pregnancy is assessed the same day.
    assert submission.case.level == CaseLevel.URGENT


def login(client, email, **more):
    return client.post("/accounts/login/", {"username": email, "password": PASSWORD, **more})


@pytest.mark.django_db
def test_after_logging_in_she_lands_on_the_step_where_she_stopped(client, patient):
    client.force_login(patient.user)
    key = step_key(client)
    for step in (1, 2, 3):
        post_step(client, step, key, QUIET_FORM)
    client.post("/accounts/logout/")

    response = login(client, patient.user.email)
    assert response.url == "/start/"
    landing = client.get(response.url)
    assert landing.url == step_url(4)
    # The questionnaire's own address resumes there too, and the earlier steps keep their answers.
    assert client.get("/questionnaire/new/").url == step_url(4)
    page = client.get(step_url(3)).content.decode()
    assert re.search(r'name="clots"', page)
    assert re.search(r'name="bleeding_after_sex" value="no"[^>]*checked', page)


@pytest.mark.parametrize(
    ("draft_step", "expected"), [(None, "/"), (1, step_url(1)), (5, step_url(5)), (REVIEW_STEP, REVIEW_URL)]
)
@pytest.mark.django_db
def test_start_sends_her_to_her_draft_or_home(patient_client, patient, draft_step, expected):
    if draft_step is not None:
        Submission.objects.create(patient=patient, step=draft_step)
    assert patient_client.get("/start/").url == expected


@pytest.mark.django_db
def test_start_sends_the_doctor_to_the_worklist(doctor_client):
    assert doctor_client.get("/start/").url == "/dashboard/"


def expire(client):
    session = client.session
    session[SEEN_AT] = time.time() - 24 * 60 * 60 + 60  # idle far longer than allowed, not 12 h old
    session.save()


@pytest.mark.django_db
def test_a_step_posted_after_the_session_expired_is_kept_through_the_login(client, patient):
    client.force_login(patient.user)
    page = client.get(step_url(4)).content.decode()
    key = re.search(r'name="key" value="([0-9a-f-]+)"', page).group(1)
    answers = dict(QUIET_FORM, burning="yes", pain_during_sex="4")
    expire(client)

    response = post_step(client, 4, key, answers, owner=owner_of(page))

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={step_url(4)}"
    assert not Submission.objects.filter(patient=patient).exists()
    after_login = login(client, patient.user.email, next=step_url(4))
    assert after_login.url == step_url(4)
    draft = draft_of(patient)
    assert str(draft.key) == key
    assert draft.answers["burning"] is True and draft.answers["pain_during_sex"] == 4
    assert draft.step == 4
    assert re.search(r'name="pain_during_sex" value="4"', client.get(step_url(4)).content.decode())


@pytest.mark.django_db
def test_an_expired_step_is_discarded_when_someone_else_logs_in(client, patient):
    someone_else = make_patient(email="lucia@example.com")
    client.force_login(patient.user)
    page = client.get(step_url(4)).content.decode()
    key = re.search(r'name="key" value="([0-9a-f-]+)"', page).group(1)
    expire(client)
    post_step(client, 4, key, dict(QUIET_FORM, burning="yes"), owner=owner_of(page))

    login(client, someone_else.user.email)

    assert not Submission.objects.exists()
    assert "patients.pending_step" not in client.session
    # Nor does a forged owner check let anyone write: nothing is kept without hers.
    anonymous = Client()
    anonymous.post(step_url(4), {"key": str(uuid.uuid4()), "owner": "0" * 64, "burning": "yes"})
    login(anonymous, patient.user.email)
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_switching_language_on_a_step_saves_it_first(patient_client, patient):
    key = step_key(patient_client)
    response = post_step(patient_client, 4, key, {"burning": "yes"}, action="", language="en")

    assert response.status_code == 302
    assert response.url == step_url(4)
    assert patient_client.cookies["django_language"].value == "en"
    assert draft_of(patient).answers == {"burning": True}
    page = patient_client.get(step_url(4)).content.decode()
    assert "Step 4 of 6: Other symptoms" in page
    assert re.search(r'name="burning" value="yes"[^>]*checked', page)


def _bigger(patient):
    """Many sent questionnaires and a draft with every answer: what the pages must not scale with."""
    for hours in range(1, 16):
        submission_record(
            patient=patient,
            answers={"burning": True},
            submitted_at=datetime(2026, 3, 2, tzinfo=UTC) - timedelta(hours=hours),
        )
    Submission.objects.filter(patient=patient, status=Submission.Status.DRAFT).update(
        answers=QUIET_ANSWERS | {"bleeding_after_sex": True, "bleeding_amount": "light", "notes": "x" * 500}
    )


@pytest.mark.parametrize("url", [step_url(1), step_url(3), step_url(6), REVIEW_URL])
@pytest.mark.django_db
def test_step_and_review_pages_read_a_constant_number_of_queries(
    patient_client, patient, url, django_assert_max_num_queries
):
    submission_draft(patient)
    patient_client.get(url)  # the first request fills the shared caches (the clinic's profile)
    with django_assert_max_num_queries(8) as small:
        assert patient_client.get(url).status_code == 200
    small_count = len(small.captured_queries)  # read now: the next request clears the query log
    _bigger(patient)
    patient_client.get(url)
    with django_assert_max_num_queries(small_count) as big:
        assert patient_client.get(url).status_code == 200
    assert len(big.captured_queries) == small_count > 0


@pytest.mark.django_db
def test_anonymous_step_posts_from_one_address_create_a_capped_number_of_sessions():
    """A script posting steps without a cookie fills no table: one address gets a few session rows."""
    from django.contrib.sessions.models import Session

    from patients.questionnaire_views import PENDING_SESSIONS_PER_ADDRESS, PENDING_TOTAL_MAX

    for _ in range(PENDING_SESSIONS_PER_ADDRESS + 10):
        Client(REMOTE_ADDR="198.51.100.7").post(
            step_url(4), {"key": str(uuid.uuid4()), "owner": "0" * 64, "burning": "yes"}
        )
    assert Session.objects.count() == PENDING_SESSIONS_PER_ADDRESS
    # Another address is not affected; an oversized post is not kept at all.
    Client(REMOTE_ADDR="198.51.100.8").post(step_url(4), {"key": "k", "owner": "o", "burning": "yes"})
    assert Session.objects.count() == PENDING_SESSIONS_PER_ADDRESS + 1
    from triage.questionnaire import SECTIONS

    names = SECTIONS[3][1]
    assert len(names) * 4000 > PENDING_TOTAL_MAX
    Client(REMOTE_ADDR="198.51.100.9").post(
        step_url(4), {"key": "k", "owner": "o", **dict.fromkeys(names, "x" * 4000)}
    )
    assert Session.objects.count() == PENDING_SESSIONS_PER_ADDRESS + 1
