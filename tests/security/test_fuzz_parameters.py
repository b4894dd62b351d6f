"""No 500 on bad parameters: every URL pattern, every path id and query parameter, as each role.

Each route is requested with hostile values in its path ids (with real ids too,
so that the view goes on to read its query parameters) and in every query
parameter the project's views and the admin's lists read. Any answer is fine
except a server error.
"""

import contextlib

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests import factories
from triage.worklist.forms import WorklistFilterForm

from .conftest import login_verified

# Put in every query parameter at once (each parameter is read on its own, so one cannot hide another).
HOSTILE = [
    "9999-12-31",
    "0001-01-01",
    "9223372036854775808",
    "99999999999999999999",
    "a\x00b",
    "'\"<>%;--",
    "x" * 3000,
]
# Put in the path's ids.
HOSTILE_IDS = ["9223372036854775808", "99999999999999999999", "a\x00b"]
# The values that broke the admin's list filters, tried one parameter at a time there.
PER_PARAMETER = ["99999999999999999999", "9999-12-31", "a\x00b"]


def _list_parameters(model_admin) -> set[str]:
    """What one admin change list reads besides search, order and page: its filters and date drill-down."""
    names = set()
    for spec in model_admin.list_filter:
        if isinstance(spec, str | tuple):
            field = spec if isinstance(spec, str) else spec[0]
            names |= {f"{field}__exact", field}
        else:
            names.add(spec.parameter_name)
    if model_admin.date_hierarchy:
        names |= {f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")}
    return names


ADMIN_LIST = {"q", "o", "p", "e", "all", "_changelist_filters", "_to_field", "_popup"}
CHANGE_LISTS = {
    f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist": _list_parameters(model_admin)
    for model, model_admin in admin.site._registry.items()
}
# The project's views read these (the worklist's filters, `next`, `page`, the questionnaire's `key`).
PARAMETERS = sorted(
    {*WorklistFilterForm.base_fields, "next", "page", "key", "language", *ADMIN_LIST}.union(
        *CHANGE_LISTS.values()
    )
)


def _routes(patterns=None, namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, tuple(pattern.pattern.regex.groupindex)


ROUTES = sorted(set(_routes()))
ROLES = ("anonymous", "patient", "doctor", "superuser")
# Without staff rights the admin answers every page with its login form: its index stands for it.
STAFF_ROLES = ("doctor", "superuser")


@pytest.fixture
def world(db):
    doctor = factories.make_doctor()
    patient = factories.make_patient()
    case = factories.make_case(patient, level=2, flags=["HEAVY_ACUTE"])
    superuser = factories.make_doctor(email="admin@example.com")
    superuser.is_superuser = True
    superuser.save()
    return {"doctor": doctor, "patient": patient.user, "superuser": superuser, "case": case}


def _client(role, world) -> Client:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        login_verified(client, world[role])
    return client


def _real_kwargs(name, groups, world) -> dict:
    """Ids of existing objects, so that the view gets as far as reading its query parameters."""
    values = {"pk": world["case"].pk, "object_id": world["case"].pk}
    if name.startswith("admin:") and name.endswith(("_change", "_delete", "_history")):
        values["object_id"] = world["case"].pk if "_case_" in name else world["patient"].pk
    if "app_label" in groups:
        values["app_label"] = "triage"
    return {group: str(values.get(group, "1")) for group in groups}


def _requests(name, groups, world):
    """(url, query) pairs: hostile ids; real ids with every parameter hostile; each list filter alone."""
    real = reverse(name, kwargs=_real_kwargs(name, groups, world))
    for value in HOSTILE_IDS if groups else ():
        with contextlib.suppress(NoReverseMatch):  # a converter may refuse the value outright
            yield reverse(name, kwargs=dict.fromkeys(groups, value)), {}
    for value in HOSTILE:
        yield real, dict.fromkeys(PARAMETERS, value)
    for parameter in CHANGE_LISTS.get(name, ()):
        for value in PER_PARAMETER:
            yield real, {parameter: value}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_hostile_ids_and_parameters_never_give_a_server_error(world, role):
    client = _client(role, world)
    failures = []
    for name, groups in ROUTES:
        if (
            name.startswith("admin:")
            and role not in STAFF_ROLES
            and name not in {"admin:index", "admin:login"}
        ):
            continue
        for url, data in _requests(name, groups, world):
            response = client.get(url, data)
            if response.status_code >= 500:
                failures.append(
                    (url[:60], {key: value[:24] for key, value in data.items()}, response.status_code)
                )
    assert not failures
