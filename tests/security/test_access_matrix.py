"""Who may open what: every URL pattern of the project, for every role, from one table.

A URL pattern missing from MATRIX fails the test: decide who may use a new page
and add its row here.
"""

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from triage.models import AuditEvent, Case

from .conftest import login_verified
from .html_checks import csp_violations
from .urls import project_routes

ROLES = ("anonymous", "patient_a", "patient_b", "doctor")


@dataclass(frozen=True)
class Outcome:
    status: int
    location: str | None = None  # for redirects: the path redirected to

    def __str__(self):
        return f"{self.status} -> {self.location}" if self.location else str(self.status)


OK = Outcome(200)
LOGIN = Outcome(302, "/accounts/login/")
FORBIDDEN = Outcome(403)
NOT_FOUND = Outcome(404)
NOT_ALLOWED = Outcome(405)
INVALID = Outcome(400)


def to(path: str) -> Outcome:
    return Outcome(302, path)


def roles(anonymous, patient, doctor, patient_b=None) -> dict:
    """Expected outcomes; patient B gets what patient A gets unless the object is A's."""
    return {"anonymous": anonymous, "patient_a": patient, "patient_b": patient_b or patient, "doctor": doctor}


@dataclass(frozen=True)
class Row:
    get: dict
    post: dict | None = None  # an empty POST, for views that accept one
    kwargs: str | None = None  # which object of patient A the URL names
    audited: str | None = None  # the audit action a doctor's successful GET records
    extra: dict = field(default_factory=dict)


PUBLIC = roles(OK, OK, OK)
PATIENT_PAGE = roles(LOGIN, OK, FORBIDDEN)
DOCTOR_PAGE = roles(LOGIN, FORBIDDEN, OK)
DOCTOR_POST_ONLY = roles(LOGIN, FORBIDDEN, NOT_ALLOWED)
HOME = to("/")
# Where a login lands (patients:start), which sends each role on.
START = to("/start/")
STEP_1 = to("/questionnaire/new/step/1/")

MATRIX: dict[str, Row] = {
    # Public: the short allowlist of pages that need no login.
    "privacy": Row(get=PUBLIC),
    "signup": Row(get=roles(OK, HOME, HOME), post=roles(OK, HOME, HOME)),
    "login": Row(get=roles(OK, START, START), post=roles(OK, START, START)),
    "password_reset": Row(get=PUBLIC, post=PUBLIC),
    "password_reset_done": Row(get=PUBLIC),
    "password_reset_confirm": Row(get=PUBLIC, kwargs="reset_link"),
    "password_reset_complete": Row(get=PUBLIC),
    "set_language": Row(get=roles(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED), post=roles(HOME, HOME, HOME)),
    "triage:fhir_questionnaire": Row(get=PUBLIC),
    "health": Row(get=PUBLIC, post=roles(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "health_live": Row(get=PUBLIC, post=roles(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    # The text-message provider's webhook: POST only, and refused unless the provider signed it.
    "patients:text_inbound": Row(
        get=roles(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED), post=roles(FORBIDDEN, FORBIDDEN, FORBIDDEN)
    ),
    # By address (the test client's 127.0.0.1 is allowed) or token, whoever is logged in.
    "metrics": Row(get=PUBLIC, post=roles(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "admin:login": Row(get=roles(OK, OK, to("/admin/"))),
    # Any logged-in user.
    "home": Row(get=roles(LOGIN, OK, to("/dashboard/"))),
    # Patient A has no questionnaire in progress: home.
    "patients:start": Row(get=roles(LOGIN, HOME, to("/dashboard/"))),
    "logout": Row(
        get=roles(LOGIN, NOT_ALLOWED, NOT_ALLOWED),
        post=roles(LOGIN, to("/accounts/login/"), to("/accounts/login/")),
    ),
    "password_change": Row(get=roles(LOGIN, OK, OK), post=roles(LOGIN, OK, OK)),
    "password_change_done": Row(get=roles(LOGIN, OK, OK)),
    "two_factor_manage": Row(get=roles(LOGIN, OK, OK)),
    "two_factor_setup": Row(
        get=roles(LOGIN, OK, to("/accounts/2fa/")), post=roles(LOGIN, OK, to("/accounts/2fa/"))
    ),
    "two_factor_verify": Row(get=roles(LOGIN, START, START), post=roles(LOGIN, START, START)),
    "two_factor_recovery_codes": Row(
        get=roles(LOGIN, NOT_ALLOWED, NOT_ALLOWED), post=roles(LOGIN, to("/accounts/2fa/"), OK)
    ),
    # The doctor's two factors are required here, so she may not turn them off.
    "two_factor_disable": Row(
        get=roles(LOGIN, to("/accounts/2fa/"), to("/accounts/2fa/")),
        post=roles(LOGIN, to("/accounts/2fa/"), to("/accounts/2fa/")),
    ),
    "admin:index": Row(get=roles(to("/admin/login/"), to("/admin/login/"), OK)),
    # The patient's own pages.
    "patients:profile": Row(get=PATIENT_PAGE, post=PATIENT_PAGE),
    "patients:data_export": Row(get=PATIENT_PAGE, post=PATIENT_PAGE),
    "patients:account_delete": Row(get=PATIENT_PAGE, post=PATIENT_PAGE),
    "patients:access_log": Row(get=PATIENT_PAGE),
    "patients:submission_list": Row(get=PATIENT_PAGE),
    "patients:submission_edit": Row(get=roles(LOGIN, STEP_1, FORBIDDEN), post=PATIENT_PAGE),
    # An anonymous post is kept for her next login (patients.questionnaire_views), then sent to log in.
    "patients:submission_step": Row(get=PATIENT_PAGE, post=PATIENT_PAGE, kwargs="step"),
    "patients:submission_review": Row(
        get=roles(LOGIN, STEP_1, FORBIDDEN), post=roles(LOGIN, to("/questionnaire/new/review/"), FORBIDDEN)
    ),
    "patients:submission_detail": Row(
        get=roles(LOGIN, OK, FORBIDDEN, patient_b=NOT_FOUND), kwargs="submission"
    ),
    # Her reply on her own questionnaire's conversation: another patient's is a 404.
    "patients:submission_reply": Row(
        get=roles(LOGIN, NOT_ALLOWED, FORBIDDEN),
        post=roles(LOGIN, INVALID, FORBIDDEN, patient_b=NOT_FOUND),
        kwargs="submission",
    ),
    "patients:submission_print": Row(
        get=roles(LOGIN, OK, FORBIDDEN, patient_b=NOT_FOUND), kwargs="submission"
    ),
    "patients:submission_fhir": Row(
        get=roles(LOGIN, OK, FORBIDDEN, patient_b=NOT_FOUND), kwargs="submission"
    ),
    # The doctor's pages.
    "triage:dashboard": Row(get=DOCTOR_PAGE),
    "triage:export_csv": Row(get=DOCTOR_PAGE, audited=AuditEvent.Action.EXPORT_CSV),
    "triage:case_detail": Row(get=DOCTOR_PAGE, kwargs="case", audited=AuditEvent.Action.CASE_VIEW),
    "triage:case_status": Row(get=DOCTOR_POST_ONLY, post=roles(LOGIN, FORBIDDEN, INVALID), kwargs="case"),
    "triage:case_note": Row(get=DOCTOR_POST_ONLY, post=roles(LOGIN, FORBIDDEN, INVALID), kwargs="case"),
    "triage:case_message": Row(get=DOCTOR_POST_ONLY, post=roles(LOGIN, FORBIDDEN, INVALID), kwargs="case"),
    "triage:case_next": Row(get=roles(LOGIN, FORBIDDEN, to("/dashboard/")), kwargs="case"),
    "triage:case_contact": Row(get=DOCTOR_POST_ONLY, post=roles(LOGIN, FORBIDDEN, INVALID), kwargs="case"),
    "triage:case_assign": Row(get=DOCTOR_POST_ONLY, post=roles(LOGIN, FORBIDDEN, INVALID), kwargs="case"),
    "triage:case_sign_off": Row(get=DOCTOR_POST_ONLY, post=roles(LOGIN, FORBIDDEN, INVALID), kwargs="case"),
    "triage:case_contact_task": Row(
        get=DOCTOR_POST_ONLY, post=roles(LOGIN, FORBIDDEN, INVALID), kwargs="case"
    ),
    "triage:bulk_close": Row(get=DOCTOR_POST_ONLY, post=roles(LOGIN, FORBIDDEN, INVALID)),
    "triage:case_fhir": Row(get=DOCTOR_PAGE, kwargs="case", audited=AuditEvent.Action.EXPORT_FHIR),
    "triage:case_print": Row(get=DOCTOR_PAGE, kwargs="case", audited=AuditEvent.Action.CASE_PRINT),
    # Visits: the doctor's pages, the patient's own calendar file, the invitation and the feed.
    "triage:visit_day": Row(get=DOCTOR_PAGE, audited=AuditEvent.Action.DAY_LIST),
    "triage:visit_day_print": Row(get=DOCTOR_PAGE, audited=AuditEvent.Action.DAY_PRINT),
    "triage:patient_detail": Row(get=DOCTOR_PAGE, kwargs="patient", audited=AuditEvent.Action.PATIENT_VIEW),
    "triage:visit_book": Row(get=DOCTOR_POST_ONLY, post=roles(LOGIN, FORBIDDEN, INVALID), kwargs="patient"),
    "triage:visit_detail": Row(
        get=DOCTOR_PAGE,
        post=roles(LOGIN, FORBIDDEN, INVALID),
        kwargs="visit",
        audited=AuditEvent.Action.PATIENT_VIEW,
    ),
    "triage:visit_mark": Row(get=DOCTOR_POST_ONLY, post=roles(LOGIN, FORBIDDEN, INVALID), kwargs="visit"),
    "triage:visit_import": Row(get=DOCTOR_PAGE, post=roles(LOGIN, FORBIDDEN, INVALID)),
    "triage:calendar_settings": Row(get=DOCTOR_PAGE, post=roles(LOGIN, FORBIDDEN, OK)),
    "triage:calendar_feed": Row(get=roles(NOT_FOUND, NOT_FOUND, NOT_FOUND), kwargs="feed"),
    "patients:visit_calendar": Row(get=roles(LOGIN, OK, FORBIDDEN, patient_b=NOT_FOUND), kwargs="visit"),
    # Her own verification link works only in her own session; any other (and a bad token) is a 400.
    "email_verify": Row(
        get=roles(LOGIN, INVALID, INVALID), post=roles(LOGIN, INVALID, INVALID), kwargs="verify_link"
    ),
    "email_verification_send": Row(get=roles(LOGIN, NOT_ALLOWED, NOT_ALLOWED), post=roles(LOGIN, HOME, HOME)),
    # Her change of email: POST only, hers only; the link works only in her own session.
    "patients:email_change": Row(get=roles(LOGIN, NOT_ALLOWED, FORBIDDEN), post=roles(LOGIN, OK, FORBIDDEN)),
    "patients:email_change_cancel": Row(
        get=roles(LOGIN, NOT_ALLOWED, FORBIDDEN), post=roles(LOGIN, to("/accounts/profile/"), FORBIDDEN)
    ),
    "patients:email_change_send": Row(
        get=roles(LOGIN, NOT_ALLOWED, FORBIDDEN), post=roles(LOGIN, to("/accounts/profile/"), FORBIDDEN)
    ),
    "patients:email_change_confirm": Row(
        get=roles(LOGIN, INVALID, INVALID), post=roles(LOGIN, INVALID, INVALID), kwargs="verify_link"
    ),
    "triage:visit_match": Row(
        get=DOCTOR_POST_ONLY, post=roles(LOGIN, FORBIDDEN, to("/dashboard/visits/import/")), kwargs="visit"
    ),
    "signup_invited": Row(
        get=roles(to("/accounts/signup/"), HOME, HOME),
        post=roles(to("/accounts/signup/"), HOME, HOME),
        kwargs="invitation",
    ),
}


@pytest.fixture
def world(db, otp_required):
    """Patient A with a submitted questionnaire, patient B with her own, a doctor with two factors."""
    patient_a = factories.make_patient()
    patient_b = factories.make_patient(email="other@example.com", first_name="Anna", last_name="Verdi")
    case_a = factories.make_case(patient_a, level=3, answers={"notes": "A's private words"})
    factories.make_case(patient_b, level=0)  # routine: not on the default worklist, so A is last
    doctor = factories.make_doctor()
    visit_a = factories.make_visit(patient_a)
    return {
        "patient_a": patient_a.user,
        "patient_b": patient_b.user,
        "doctor": doctor,
        "kwargs": {
            "submission": {"pk": case_a.pk},
            "case": {"pk": case_a.pk},
            "reset_link": {"uidb64": "MQ", "token": "not-a-valid-token"},
            "verify_link": {"uidb64": "MA", "token": "not-a-valid-token"},
            "patient": {"pk": patient_a.pk},
            "visit": {"pk": visit_a.pk},
            "invitation": {"token": "not-a-valid-token"},
            "feed": {"token": "not-a-valid-token"},
            "step": {"step": 1},
        },
    }


def client_for(world, role) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role == "doctor":
        login_verified(client, world["doctor"])
    elif role != "anonymous":
        client.force_login(world[role])
    return client


def matches(response, url: str, expected: Outcome) -> bool:
    if response.status_code != expected.status:
        return False
    if expected.location is None:
        return True
    location = urlsplit(response["Location"])
    if expected is LOGIN:
        return location.path == LOGIN.location and parse_qs(location.query).get("next") == [url]
    return location.path == expected.location


def test_every_url_pattern_is_in_the_matrix():
    names = {route.name for route in project_routes()}
    missing = sorted(names - set(MATRIX))
    assert not missing, (
        f"URL patterns without a row in tests/security/test_access_matrix.py MATRIX: {missing}. "
        "Decide who may open each one and add it."
    )
    stale = sorted(set(MATRIX) - names)
    assert not stale, f"MATRIX rows for URL names that no longer exist: {stale}"
    assert all(route.name for route in project_routes()), "every URL pattern needs a name"


def test_access_matrix(world):
    failures = []
    checked = 0
    for route in project_routes():
        row = MATRIX.get(route.name)
        if row is None:
            failures.append(f"{route.route} ({route.name or 'unnamed'}) has no row in MATRIX: add one")
            continue
        url = reverse(route.name, kwargs=world["kwargs"].get(row.kwargs, {}))
        for method, expectations in (("GET", row.get), ("POST", row.post)):
            if expectations is None:
                continue
            for role in ROLES:
                client = client_for(world, role)
                audit_before = AuditEvent.objects.count()
                response = client.get(url) if method == "GET" else client.post(url, {})
                checked += 1
                expected = expectations[role]
                if not matches(response, url, expected):
                    where = response.get("Location", "")
                    failures.append(
                        f"{method} {url} ({route.name}) as {role}: expected {expected}, "
                        f"got {response.status_code} {where}"
                    )
                    continue
                if response.status_code == 200:
                    assert "no-store" in response["Cache-Control"], url
                    if response["Content-Type"].startswith("text/html"):
                        assert csp_violations(response.content.decode()) == [], url
                if method == "GET" and row.audited and role == "doctor":
                    events = AuditEvent.objects.order_by("-pk")[: AuditEvent.objects.count() - audit_before]
                    if row.audited not in {event.action for event in events}:
                        failures.append(f"GET {url} as doctor left no {row.audited} audit event")
    assert not failures, "\n".join(failures)
    assert checked >= 4 * len(MATRIX)


@pytest.mark.django_db
def test_a_patient_cannot_touch_another_patients_data_whatever_id_she_sends(client, patient, other_patient):
    from patients.models import Submission
    from patients.services import submission_draft

    theirs = factories.make_case(other_patient, level=3, answers={"notes": "Anna's words"})
    their_draft = submission_draft(other_patient)
    client.force_login(patient.user)
    for url in (
        f"/questionnaire/{theirs.pk}/",
        f"/questionnaire/{theirs.pk}/fhir.json",
        f"/questionnaire/{their_draft.pk}/",
        "/questionnaire/999999/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Anna" not in response.content
    # Her draft's form key in the questionnaire form: refused, and nothing of hers changes.
    for action in ("save", "submit"):
        response = client.post(
            "/questionnaire/new/", {"key": str(their_draft.key), "action": action, "notes": "overwritten"}
        )
        assert response.status_code in (200, 404), action
    their_draft.refresh_from_db()
    assert their_draft.answers == {}
    assert their_draft.status == Submission.Status.DRAFT
    # Her own pages list only her own records; the export holds only hers.
    assert b"Anna" not in client.get("/questionnaire/").content
    export = client.post("/accounts/data/export/").content.decode()
    assert "Anna" not in export and "other@example.com" not in export
    assert Case.objects.get(pk=theirs.pk).status == "new"
