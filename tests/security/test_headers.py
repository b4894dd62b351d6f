"""Response headers: CSP, framing, referrer, sniffing, caching; and Django's deployment check."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from patients.services import submission_draft
from tests import factories

from .html_checks import csp_violations

ROOT = Path(__file__).resolve().parents[2]

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def parse_csp(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


@pytest.fixture
def pages(client_as, patient):
    """Representative pages of each kind, fetched as the role that can see them."""
    case = factories.make_case(patient, level=3, answers={"notes": "private words"})
    client = client_as(None)
    anonymous = {"login": client.get("/accounts/login/"), "privacy": client.get("/privacy/")}
    client = client_as("patient")
    submission_draft(patient)  # so that the review page shows
    as_patient = {
        "home": client.get("/"),
        "questionnaire": client.get("/questionnaire/new/step/1/"),
        "review": client.get("/questionnaire/new/review/"),
        "submission": client.get(f"/questionnaire/{case.pk}/"),
        "export": client.post("/accounts/data/export/"),
        "two_factor_setup": client.get("/accounts/2fa/setup/"),
    }
    client = client_as("doctor")
    as_doctor = {"dashboard": client.get("/dashboard/"), "case": client.get(f"/dashboard/cases/{case.pk}/")}
    return {**anonymous, **as_patient, **as_doctor}


@pytest.mark.django_db
def test_every_page_sends_the_security_headers(pages):
    for name, response in pages.items():
        assert response.status_code == 200, name
        csp = parse_csp(response["Content-Security-Policy"])
        for directive, value in EXPECTED_CSP.items():
            assert csp.get(directive) == value, (name, directive, csp.get(directive))
        assert "unsafe-inline" not in response["Content-Security-Policy"], name
        assert "unsafe-eval" not in response["Content-Security-Policy"], name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert "no-store" in response["Cache-Control"], name
        assert "private" in response["Cache-Control"], name
        assert response["X-Request-ID"], name


@pytest.mark.django_db
def test_pages_need_no_inline_script_or_style(pages):
    for name, response in pages.items():
        if response["Content-Type"].startswith("text/html"):
            assert csp_violations(response.content.decode()) == [], name


@pytest.mark.django_db
def test_scripts_and_styles_are_our_own_static_files(pages):
    html = pages["questionnaire"].content.decode() + pages["dashboard"].content.decode()
    assets = set(re.findall(r'(?:src|href)="/static/([^"]+)"', html))
    assert {"bootstrap/js/bootstrap.bundle.min.js", "js/questionnaire.js"} <= assets
    for asset in assets:
        assert finders.find(asset), asset


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3y-" + "p" * 30 + "Q9#z&x!m2@w^v7%r5*t8(y)u_i=o+l-e",
    "DJANGO_ALLOWED_HOSTS": "example.org",
}


def test_check_deploy_passes_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_hsts_is_on():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT, s.OTP_REQUIRED_FOR_STAFF)"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(PRODUCTION, DJANGO_SETTINGS_MODULE="clinic.settings")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True"] * 6
