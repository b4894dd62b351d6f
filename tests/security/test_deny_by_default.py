"""Deny by default: only a short allowlist opens without login, and every POST needs a CSRF token."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

from .conftest import login_verified
from .urls import project_routes

# The pages anyone may open. Keep it short: each one is reachable by the whole internet.
PUBLIC_ALLOWLIST = {
    "privacy",
    "signup",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "triage:fhir_questionnaire",
    "admin:login",
    # For the load balancer and monitoring: counts and ages only, never about a patient.
    "health",
    "health_live",
    # Prometheus: only the allowed addresses (the connecting hop) or a bearer token, else 403.
    "metrics",
    # The sign-up from a visit invitation: the same page as "signup", opened by a signed single-use token.
    "signup_invited",
    # The doctors' calendar feed: a 404 without the secret token, initials and kinds of visit only with it.
    "triage:calendar_feed",
    # The text-message provider's webhook (a STOP reply): refused unless the provider signed it.
    "patients:text_inbound",
}

# POSTs from another server, authenticated by its signature instead of a CSRF token
# (tests/patients/test_texts.py checks an unsigned one is refused).
SIGNED_WEBHOOKS = {"patients:text_inbound"}


def url_of(route) -> str:
    return reverse(route.name, kwargs=route.sample_kwargs())


def requires_login(response, url) -> bool:
    """Sent to the login page (ours, or the admin's for the admin)."""
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location == f"/accounts/login/?next={url}" or location.startswith("/admin/login/?next=")
    )


@pytest.mark.django_db
def test_anonymous_visitors_reach_only_the_public_allowlist():
    client = Client()
    open_to_all = set()
    for route in project_routes():
        url = url_of(route)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if not requires_login(response, url):
                open_to_all.add(route.name)
    assert open_to_all == PUBLIC_ALLOWLIST


def test_the_public_allowlist_is_short():
    assert len(PUBLIC_ALLOWLIST) <= 16


def csrf_rejected(response) -> bool:
    # The refusal is the portal's own 403 page (clinic.views.csrf_failure), not a form error.
    return response.status_code == 403 and b'id="csrf-failure"' in response.content


@pytest.fixture
def csrf_clients(db, otp_required):
    patient = factories.make_patient()
    doctor = factories.make_doctor()
    anonymous = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    as_patient = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    as_patient.force_login(patient.user)
    as_doctor = login_verified(Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en"), doctor)
    return {"anonymous": anonymous, "patient": as_patient, "doctor": as_doctor, "patient_obj": patient}


def test_every_post_without_a_csrf_token_is_refused(csrf_clients):
    accepted = []
    for route in project_routes():
        if route.name in SIGNED_WEBHOOKS:
            continue
        url = url_of(route)
        for role in ("anonymous", "patient", "doctor"):
            response = csrf_clients[role].post(url, {"any": "thing"})
            if not csrf_rejected(response):
                accepted.append(f"{role} POST {url}: {response.status_code}")
    assert not accepted, "\n".join(accepted)


@pytest.mark.django_db
def test_a_post_with_the_token_goes_through(csrf_clients):
    """The sweep above is not refusing everything: a form's own token is accepted."""
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    patient = csrf_clients["patient_obj"]
    response = client.post(
        "/accounts/login/",
        {"username": patient.user.email, "password": factories.PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
