"""Bad input, generated: random and malformed values posted to every form and filter.

Whatever arrives, the portal answers without a 500, writes all of a record or
none of it, and shows the form again with the input and a message.
"""

import html
import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patients.models import Patient, Submission, User
from patients.services import submission_draft
from tests import factories
from tests.patients.test_questionnaire import BLEEDING, QUIET
from triage import rules
from triage.models import Case, CaseEvent

from .conftest import login_verified, make_totp_device

# Examples per form; the whole file stays well under a minute.
EXAMPLES = 40

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "Infinity",
    "99999999999999999999999999",
    "yes",
    "no",
    "true",
    "null",
    "[]",
    "{}",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "9999-12-31",
    "1899-12-31",
    "31/12/1990",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202egnp.exe",
    "💥🩸",
    "Ünïcödé ñ 中文 العربية",
    "a\x00b",
    "x" * 10_000,
    "https://evil.example/",
    "%00",
    "../../etc/passwd",
]

values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=300),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(str),
)
# A field is missing, sent once, or sent several times.
field_value = st.one_of(values, st.lists(values, min_size=2, max_size=3))


def form_data(fields, baseline=None):
    """Random data over `fields`, either from scratch or as a valid baseline with some fields spoiled."""
    random = st.dictionaries(st.sampled_from(sorted(fields)), field_value, max_size=len(fields))
    if baseline is None:
        return random
    spoiled = st.tuples(random, st.sets(st.sampled_from(sorted(baseline)), max_size=3)).map(
        lambda pair: {**{k: v for k, v in baseline.items() if k not in pair[1]}, **pair[0]}
    )
    return st.one_of(random, spoiled)


def has_message(page: str) -> bool:
    return any(mark in page for mark in ("invalid-feedback", "alert-danger", "errorlist", "is-invalid"))


def echoed(page: str, data: dict, fields) -> None:
    """Text the user typed into these fields comes back in the page."""
    for name in fields:
        value = data.get(name)
        if isinstance(value, str) and value.strip() and value.isprintable():
            assert html.escape(value) in page, (name, value[:80])


class BrowserClient(Client):
    """Posts what a browser posts: the form's CSRF token always comes along with the fields.

    (CSRF itself is tested in test_deny_by_default.py; a POST without the token never reaches a view.)
    """

    def post(self, path, data=None, **extra):
        return super().post(path, {"csrfmiddlewaretoken": "token", **(data or {})}, **extra)


def fresh_client(user=None, **extra) -> Client:
    client = BrowserClient(HTTP_ACCEPT_LANGUAGE="en", **extra)
    if user is not None:
        client.force_login(user)
    return client


def no_partial_accounts():
    """Every patient account has its profile and its consent; no half-made sign-up."""
    assert not User.objects.filter(is_staff=False, patient__isnull=True).exists()
    assert not Patient.objects.filter(consents__isnull=True).exists()


SIGNUP_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "date_of_birth",
    "phone",
    "password1",
    "password2",
    "consent",
)
SIGNUP_OK = {
    "email": "new@example.com",
    "first_name": "Lucia",
    "last_name": "Neri",
    "date_of_birth": "1985-06-15",
    "phone": "+39 333 1234567",
    "password1": "a-Long-new-passphrase-7",
    "password2": "a-Long-new-passphrase-7",
    "consent": "on",
}


@pytest.mark.django_db
@FUZZ
@given(data=form_data(SIGNUP_FIELDS, SIGNUP_OK))
def test_fuzz_signup(data):
    before = User.objects.count()
    response = fresh_client().post("/accounts/signup/", data)
    assert response.status_code in (200, 302)
    no_partial_accounts()
    if response.status_code == 200:
        assert User.objects.count() == before
        page = response.content.decode()
        assert has_message(page)
        echoed(page, data, ("first_name", "last_name", "phone"))
    else:
        assert User.objects.count() == before + 1
        User.objects.filter(email=SIGNUP_OK["email"]).delete()


@pytest.mark.django_db
@FUZZ
@given(
    data=form_data(("username", "password"), {"username": "patient@example.com", "password": "wrong-pass"})
)
def test_fuzz_login(patient, data):
    AccessAttempt.objects.all().delete()  # each example starts below the lockout
    client = fresh_client()
    response = client.post("/accounts/login/", data)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert has_message(page)
    echoed(page, data, ("username",))


@pytest.mark.django_db
@FUZZ
@given(data=form_data(("email",), {"email": "patient@example.com"}))
def test_fuzz_password_reset(patient, data):
    response = fresh_client().post("/accounts/password_reset/", data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert has_message(response.content.decode())
    else:
        assert response["Location"] == "/accounts/password_reset/done/"


PROFILE_OK = {"first_name": "Maria", "last_name": "Rossi", "date_of_birth": "1990-03-01", "phone": ""}


@pytest.mark.django_db
@FUZZ
@given(data=form_data(PROFILE_OK, PROFILE_OK))
def test_fuzz_profile(patient, data):
    client = fresh_client(patient.user)
    before = Patient.objects.values("date_of_birth", "phone", "user__first_name", "user__last_name").get(
        pk=patient.pk
    )
    response = client.post("/accounts/profile/", data)
    assert response.status_code in (200, 302)
    after = Patient.objects.values("date_of_birth", "phone", "user__first_name", "user__last_name").get(
        pk=patient.pk
    )
    if response.status_code == 200:
        assert after == before, "a rejected profile form changed nothing"
        page = response.content.decode()
        assert has_message(page)
        echoed(page, data, ("first_name", "last_name", "phone"))


PASSWORD_FIELDS = {"old_password": factories.PASSWORD, "new_password1": "x", "new_password2": "x"}


@pytest.mark.django_db
@FUZZ
@given(data=form_data(PASSWORD_FIELDS, PASSWORD_FIELDS))
def test_fuzz_password_change(patient, data):
    response = fresh_client(patient.user).post("/accounts/password_change/", data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert has_message(response.content.decode())
        assert User.objects.get(pk=patient.user.pk).check_password(factories.PASSWORD)
    else:
        patient.user.set_password(factories.PASSWORD)
        patient.user.save()


QUESTIONNAIRE_FIELDS = [field.name for field in rules.FIELDS]
QUESTIONNAIRE_OK = {**QUIET, **BLEEDING}


def questionnaire_consistent(patient):
    for submission in Submission.objects.filter(patient=patient):
        if submission.status == Submission.Status.SUBMITTED:
            assert submission.assessments.exists() and Case.objects.filter(pk=submission.pk).exists()
        else:
            assert not submission.assessments.exists() and not Case.objects.filter(pk=submission.pk).exists()


@pytest.mark.django_db
@FUZZ
@given(
    data=form_data(QUESTIONNAIRE_FIELDS, QUESTIONNAIRE_OK),
    action=st.sampled_from(["save", "submit", "", "delete", "💥"]),
    key=st.sampled_from(["draft", "missing", "random"]),
)
def test_fuzz_questionnaire(patient, data, action, key):
    draft = submission_draft(patient)
    keys = {"draft": str(draft.key), "missing": None, "random": "not-a-uuid"}
    post = {**data, "action": action}
    if keys[key] is not None:
        post["key"] = keys[key]
    submitted_before = Submission.objects.filter(patient=patient, status="submitted").count()
    response = fresh_client(patient.user).post("/questionnaire/new/", post)
    assert response.status_code in (200, 302, 404)
    questionnaire_consistent(patient)
    if response.status_code == 200:
        assert Submission.objects.filter(patient=patient, status="submitted").count() == submitted_before
        page = response.content.decode()
        assert has_message(page)
        echoed(page, post, ("notes",))


@pytest.mark.django_db
@FUZZ
@given(
    data=form_data(QUESTIONNAIRE_FIELDS, QUESTIONNAIRE_OK),
    action=st.sampled_from(["next", "back", "save", "", "💥"]),
    step=st.integers(min_value=1, max_value=6),
    key=st.sampled_from(["draft", "missing", "random"]),
    language=st.sampled_from([None, "en", "xx"]),
)
def test_fuzz_questionnaire_step(patient, data, action, step, key, language):
    """A step post never sends the questionnaire, never fails, and comes back with a message."""
    draft = submission_draft(patient)
    keys = {"draft": str(draft.key), "missing": None, "random": "not-a-uuid"}
    post = {**data, "action": action}
    if keys[key] is not None:
        post["key"] = keys[key]
    if language is not None:
        post["language"] = language
    response = fresh_client(patient.user).post(f"/questionnaire/new/step/{step}/", post)
    assert response.status_code in (200, 302)
    questionnaire_consistent(patient)
    assert not Submission.objects.filter(patient=patient, status="submitted").exists()
    assert Submission.objects.filter(patient=patient).count() == 1
    if response.status_code == 200:
        page = response.content.decode()
        assert has_message(page)
        if step == 6:
            echoed(page, post, ("notes",))


FILTER_FIELDS = (
    "all",
    "level",
    "flag",
    "status",
    "submitted_from",
    "submitted_to",
    "q",
    "after",
    "before",
    "page",
)


@pytest.fixture
def doctor_with_cases(patient, other_patient):
    for level, who in ((3, patient), (1, other_patient), (0, patient)):
        factories.make_case(who, level=level)
    return factories.make_doctor()


@pytest.mark.django_db
@FUZZ
@given(query=form_data(FILTER_FIELDS))
def test_fuzz_dashboard_filters(doctor_with_cases, query):
    client = fresh_client(doctor_with_cases)
    for url in ("/dashboard/", "/dashboard/export.csv"):
        response = client.get(url, query)
        assert response.status_code == 200, url
    page = client.get("/dashboard/", query).content.decode()
    q = query.get("q")
    if isinstance(q, str) and q.strip() and q.isprintable() and len(q) <= 100:
        assert html.escape(q.strip()) in page


@pytest.mark.django_db
@FUZZ
@given(query=form_data(FILTER_FIELDS))
def test_fuzz_case_navigation_filters(doctor_with_cases, query):
    case = Case.objects.order_by("pk").first()
    client = fresh_client(doctor_with_cases)
    assert client.get(f"/dashboard/cases/{case.pk}/", query).status_code == 200
    assert client.get(f"/dashboard/cases/{case.pk}/next/", query).status_code == 302


STATUS_OK = {"to_status": "in_review", "version": "1", "reason": "", "follow_up_on": ""}


def case_consistent(case):
    case.refresh_from_db()
    changes = list(
        CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS).order_by("created_at", "pk")
    )
    assert case.version == 1 + len(changes)
    assert case.status == (changes[-1].to_status if changes else "new")


@pytest.mark.django_db
@FUZZ
@given(data=form_data(STATUS_OK, STATUS_OK))
def test_fuzz_case_status(doctor_with_cases, data):
    case = Case.objects.order_by("pk").first()
    response = fresh_client(doctor_with_cases).post(f"/dashboard/cases/{case.pk}/status/", data)
    assert response.status_code in (302, 400, 409)
    case_consistent(case)
    if response.status_code != 302:
        page = response.content.decode()
        assert has_message(page)
        echoed(page, data, ("reason",))


@pytest.mark.django_db
@FUZZ
@given(data=form_data(("text",), {"text": "Called back, booked a visit."}))
def test_fuzz_case_note(doctor_with_cases, data):
    case = Case.objects.order_by("pk").first()
    notes_before = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.NOTE).count()
    response = fresh_client(doctor_with_cases).post(f"/dashboard/cases/{case.pk}/notes/", data)
    assert response.status_code in (302, 400)
    notes_after = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.NOTE).count()
    assert notes_after == notes_before + (response.status_code == 302)
    if response.status_code == 400:
        page = response.content.decode()
        assert has_message(page)
        text = data.get("text")
        if isinstance(text, str) and len(text) <= 4000:
            echoed(page, data, ("text",))


@pytest.mark.django_db
@FUZZ
@given(data=form_data(("code", "next"), {"code": "123456", "next": "/dashboard/"}))
def test_fuzz_second_factor_code(doctor, data, otp_required):
    device = make_totp_device(doctor)
    client = fresh_client()
    client.force_login(doctor)
    response = client.post("/accounts/2fa/verify/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert has_message(page)
    assert client.get("/dashboard/").status_code == 302
    device.delete()


@pytest.mark.django_db
@FUZZ
@given(data=form_data(("password",), {"password": "not-her-password"}))
def test_fuzz_account_delete_and_second_factor_off(patient, data):
    # Wrong passwords count towards the login lockout; each example starts with none counted.
    AccessAttempt.objects.all().delete()
    client = login_verified(fresh_client(), patient.user)
    for url in ("/accounts/delete/", "/accounts/2fa/disable/"):
        response = client.post(url, data)
        assert response.status_code == 200, url
        assert has_message(response.content.decode())
    assert User.objects.filter(pk=patient.user.pk).exists()


@pytest.mark.django_db
@FUZZ
@given(page=values)
def test_fuzz_access_log_page_parameter(patient, page):
    response = fresh_client(patient.user).get("/accounts/access-log/", {"page": page})
    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>Who opened your record</h1>", response.content.decode())


# --- The visit import: hostile files ------------------------------------------------------------


def _ics(*events: str) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Fuzz//EN", *events, "END:VCALENDAR", ""])


def _vevent(uid="f-1", start="20270328T090000", *extra) -> str:
    return "\r\n".join(
        ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTART;TZID=Europe/Rome:{start}", *extra, "END:VEVENT"]
    )


HOSTILE_FILES = [
    ("huge.csv", b"uid;date;time\n" + b"x;2027-03-28;09:00\n" * 150_000),
    ("huge.ics", ("X" * (3 * 1024 * 1024)).encode()),
    ("field.csv", ("uid;date;time;note\nx;2027-03-28;09:00;" + "n" * (200 * 1024) + "\n").encode()),
    ("deep.ics", _ics(*(["BEGIN:VALARM"] * 2000), *(["END:VALARM"] * 2000)).encode()),
    ("many.ics", _ics(*(_vevent(f"m-{i}", "20270328T090000") for i in range(3000))).encode()),
    ("latin1.csv", "uid;date;time;first_name\nx;2027-03-28;09:00;Fabrizià\n".encode("latin-1")),
    ("utf16.ics", _ics(_vevent()).encode("utf-16")),
    ("nul.ics", _ics(_vevent("nul\x00id")).encode()),
    ("nul.csv", b"uid;date;time\nnul\x00;2027-03-28;09:00\n"),
    ("far.ics", _ics(_vevent("far-1", "99991231T235959"), _vevent("far-2", "00010101T000000")).encode()),
    ("far.csv", b"uid;date;time;date_of_birth\nf;9999-12-31;23:59;0001-01-01\n"),
    (
        "utc-far.ics",
        _ics(
            "BEGIN:VEVENT\r\nUID:u\r\nDTSTART:99991231T233000Z\r\nDTEND:00010101T000000Z\r\nEND:VEVENT"
        ).encode(),
    ),
    (
        "attendees.ics",
        _ics(
            _vevent(
                "a-1",
                "20270328T090000",
                "ORGANIZER:mailto:doctor@example.com",
                *(f"ATTENDEE;CN=Person {i}:mailto:p{i}@example.com" for i in range(50)),
            )
        ).encode(),
    ),
    ("duration.ics", _ics(_vevent("d", "20270328T090000", "DURATION:P99999999W")).encode()),
    ("quotes.csv", b'uid;date;time\n"unterminated;2027-03-28;09:00\n'),
    ("empty.csv", b""),
    ("bom.csv", "\ufeffuid;date;time\nb;2027-03-28;09:00\n".encode()),
    ("noext", b"uid;date;time\n"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content"), HOSTILE_FILES, ids=[name for name, _c in HOSTILE_FILES])
def test_the_import_upload_answers_every_hostile_file_with_a_report(doctor_with_cases, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from triage.models import Visit

    client = fresh_client(doctor_with_cases)
    before = Visit.objects.count()
    response = client.post("/dashboard/visits/import/", {"file": SimpleUploadedFile(name, content)})

    assert response.status_code in (200, 400), name
    assert 'id="import-report"' in response.content.decode() or response.status_code == 400
    if response.status_code == 400:
        assert Visit.objects.count() == before


@pytest.mark.django_db
@FUZZ
@given(content=st.binary(max_size=2048), suffix=st.sampled_from([".ics", ".csv"]))
def test_fuzz_the_import_upload(doctor_with_cases, content, suffix):
    from django.core.files.uploadedfile import SimpleUploadedFile

    prefix = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" if suffix == ".ics" else b"uid;date;time;email\n"
    response = fresh_client(doctor_with_cases).post(
        "/dashboard/visits/import/", {"file": SimpleUploadedFile("upload" + suffix, prefix + content)}
    )
    assert response.status_code in (200, 400)


MESSAGE_OK = {"text": "We will call you tomorrow at 9.", "key": "fuzz-key"}


def message_echoed(page, data):
    text = data.get("text")
    if isinstance(text, str) and len(text) <= 2000:
        echoed(page, data, ("text",))


@pytest.mark.django_db
@FUZZ
@given(data=form_data(MESSAGE_OK, MESSAGE_OK))
def test_fuzz_case_message(doctor_with_cases, data):
    from triage.models import CaseMessage

    case = Case.objects.order_by("pk").first()
    before = CaseMessage.objects.filter(case=case).count()
    response = fresh_client(doctor_with_cases).post(f"/dashboard/cases/{case.pk}/messages/", data)
    assert response.status_code in (302, 400)
    after = CaseMessage.objects.filter(case=case).count()
    assert after - before in (0, 1)
    if response.status_code == 400:
        assert after == before
        page = response.content.decode()
        assert has_message(page)
        message_echoed(page, data)


@pytest.mark.django_db
@FUZZ
@given(data=form_data(MESSAGE_OK, MESSAGE_OK))
def test_fuzz_her_reply(doctor_with_cases, patient, data):
    from triage.audit.writer import Actor
    from triage.conversation.services import message_post_by_doctor
    from triage.models import CaseMessage

    case = Case.objects.filter(patient=patient).order_by("pk").first()
    if not CaseMessage.objects.filter(case=case, key="first").exists():
        message_post_by_doctor(
            case_id=case.pk, actor=Actor(user=doctor_with_cases), text="Hello", key="first"
        )
    before = CaseMessage.objects.filter(case=case).count()
    response = fresh_client(patient.user).post(f"/questionnaire/{case.pk}/reply/", data)
    assert response.status_code in (302, 400)
    after = CaseMessage.objects.filter(case=case).count()
    assert after - before in (0, 1)
    if response.status_code == 400:
        assert after == before
        page = response.content.decode()
        assert has_message(page)
        message_echoed(page, data)
