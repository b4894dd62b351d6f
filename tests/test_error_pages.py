"""The pages off the happy path: 403, 404 and 500 styled and translated, and the favicon."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

PAGES = {
    "en": {
        404: "Page not found",
        403: "Access denied",
        500: "Something went wrong",
        "home": "Go to the home page",
        "login": "Log in",
    },
    "it": {
        404: "Pagina non trovata",
        403: "Accesso negato",
        500: "Si è verificato un problema",
        "home": "Vada alla pagina iniziale",
        "login": "Acceda",
    },
}


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def assert_styled(html: str, language: str) -> None:
    """The page is built on the portal's base template, in the page's language."""
    assert f'<html lang="{language}">' in html
    assert "navbar-clinic" in html
    assert 'href="/favicon.ico"' in html
    assert "Traceback" not in html
    assert "Using the URLconf" not in html  # Django's debug 404


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "it"])
def test_a_missing_page_is_the_styled_404_with_a_way_home_and_to_log_in(client, language):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    html = response.content.decode()
    assert_styled(html, language)
    assert PAGES[language][404] in html
    assert 'href="/"' in html and PAGES[language]["home"] in html
    assert 'href="/accounts/login/"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "it"])
def test_a_forbidden_page_is_the_styled_403_with_a_way_home(patient_client, language):
    response = patient_client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 403
    html = response.content.decode()
    assert_styled(html, language)
    assert PAGES[language][403] in html
    assert PAGES[language]["home"] in html
    # She is logged in: no login button on the way back, the logout form instead.
    assert 'class="btn btn-outline-primary" href="/accounts/login/"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "it"])
def test_a_refused_form_is_the_styled_403_saying_what_to_do(language):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "a@example.com"}, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 403
    html = response.content.decode()
    assert_styled(html, language)
    assert {"en": "reload the page", "it": "ricarichi la pagina"}[language] in html
    assert "CSRF" not in html
    assert 'id="csrf-failure"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "it"])
def test_a_failure_is_the_styled_500_with_a_way_home(settings, language):
    settings.ROOT_URLCONF = "tests.error_urls"
    client = Client(raise_request_exception=False)

    response = client.get("/fails/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 500
    html = response.content.decode()
    assert_styled(html, language)
    assert PAGES[language][500] in html
    assert PAGES[language]["home"] in html
    assert "112" in html
    assert "a failure for the error page test" not in html


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_500_page_needs_no_database_and_no_request_context(language):
    """No database mark: any query would fail the test."""
    request = RequestFactory().get("/")
    with translation.override(language):
        response = server_error(request)

    assert response.status_code == 500
    assert PAGES[language][500] in response.content.decode()


@pytest.mark.django_db
def test_the_favicon_is_answered_at_the_root_and_linked_from_every_page(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    html = client.get("/accounts/login/").content.decode()
    assert 'rel="icon" href="/favicon.ico"' in html
    assert 'href="/static/img/favicon.svg"' in html


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_500_page_names_the_emergency_numbers_without_the_profile(language):
    """No database mark: the profile is not in the cache and the page must not look for it."""
    from clinic.views import server_error as clinic_server_error

    with translation.override(language):
        html = clinic_server_error(RequestFactory().get("/")).content.decode()
    assert {"en": "In an emergency call 112 or 118.", "it": "In caso di emergenza chiami il 112 o il 118."}[
        language
    ] in html


@pytest.mark.django_db
def test_the_500_page_names_the_clinics_phone_from_the_cached_profile(django_assert_num_queries):
    from clinic.models import ClinicProfile, clinic_profile
    from clinic.views import server_error as clinic_server_error

    ClinicProfile.objects.update(phone="+39 02 7654 3210")
    clinic_profile()  # a page served before the failure cached it
    with translation.override("en"), django_assert_num_queries(0):
        html = clinic_server_error(RequestFactory().get("/")).content.decode()
    assert "phone the clinic on +39 02 7654 3210. In an emergency call 112 or 118." in html
    assert 'href="tel:+390276543210"' in html
