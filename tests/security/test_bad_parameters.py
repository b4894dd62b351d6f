"""The bad parameters the outside test found: each gives 400 or 404, never 500, on both databases."""

import pytest
from django.test import Client

from tests import factories

from .conftest import login_verified


@pytest.fixture
def staff(db):
    doctor = factories.make_doctor()
    doctor.is_superuser = True
    doctor.save()
    case = factories.make_case(factories.make_patient(), level=2)
    return login_verified(Client(raise_request_exception=False), doctor), case


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/cases/9223372036854775808/",
        "/dashboard/cases/9223372036854775808/next/",
        "/dashboard/cases/9223372036854775808/print/",
        "/dashboard/cases/9223372036854775808/fhir.json",
        "/questionnaire/9223372036854775808/",
    ],
)
def test_an_id_past_the_largest_primary_key_is_not_found(staff, url):
    client, _case = staff
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_admin_answers_an_id_past_the_largest_primary_key_without_a_server_error(staff):
    client, _case = staff
    response = client.get("/admin/triage/case/9223372036854775808/change/")
    # 400 where the database cannot hold the number (SQLite); elsewhere the admin's own "no such
    # object" redirect to its index.
    assert (response.status_code, response.get("Location")) in {(400, None), (302, "/admin/")}


@pytest.mark.django_db
@pytest.mark.parametrize("parameter", ["after", "before"])
def test_a_page_cursor_past_the_largest_primary_key_is_ignored(staff, parameter):
    client, case = staff
    response = client.get("/dashboard/", {parameter: "9223372036854775808", "all": "1"})
    assert response.status_code == 200
    assert f"/dashboard/cases/{case.pk}/" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_a_date_filter_out_of_range_is_ignored_on_every_worklist_view(staff, value):
    client, case = staff
    for parameter in ("submitted_from", "submitted_to"):
        query = {parameter: value, "all": "1"}
        page = client.get("/dashboard/", query)
        assert page.status_code == 200
        assert f"/dashboard/cases/{case.pk}/" in page.content.decode()
        assert client.get("/dashboard/export.csv", query).status_code == 200
        assert client.get(f"/dashboard/cases/{case.pk}/next/", query).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"submitted_at__year": "99999999999999999999"},
        {"submitted_at__year": "2026", "submitted_at__month": "99999999999999999999"},
        {"status__exact": "new\x00"},
        {"q": "Rossi\x00"},
    ],
)
def test_the_admins_list_filters_refuse_bad_values_with_a_bad_request(staff, query):
    client, _case = staff
    assert client.get("/admin/triage/case/", query).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["home", "a\x00b", "triage:dashboard"])
def test_a_next_that_is_not_a_path_leads_home_after_the_second_factor(staff, next_url):
    client, _case = staff
    response = client.get("/accounts/2fa/verify/", {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/start/"  # where every login lands, which sends each role on


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["-1", "0", "10000", "99999999999999999999"])
def test_no_admin_list_fails_on_a_year_out_of_range(otp_required, year):
    """Every admin list, every date drill-down it could offer: a bad request or the list, never a 500."""
    from django.contrib import admin

    admin_user = factories.make_doctor(email="admin@example.com")
    admin_user.is_superuser = True
    admin_user.save()
    client = login_verified(Client(raise_request_exception=False), admin_user)
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for field in ("created_at", "submitted_at", "given_at", "date_joined", "starts_at", "requested_at"):
            response = client.get(url, {f"{field}__year": year})
            assert response.status_code in (200, 302, 400), (url, field, response.status_code)
