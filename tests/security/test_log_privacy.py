"""Logs: no name, email, search term or flag reaches a log line, in any server's output."""

import io
import json
import logging
import runpy
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from gunicorn.config import Config
from gunicorn.glogging import Logger

from clinic.logging import JSON_FIELDS, JsonFormatter
from tests import factories
from triage import rules

SEARCHED = "Rossi"
FLAG = rules.FLAG_CODES[0]


@contextmanager
def captured(logger_names):
    """Everything the configured console handler writes for these loggers while the block runs."""
    stream = io.StringIO()
    handlers = {
        h for name in logger_names for h in logging.getLogger(name).handlers if h.get_name() == "console"
    }
    previous = {handler: handler.setStream(stream) for handler in handlers}
    try:
        yield stream
    finally:
        for handler, old in previous.items():
            handler.setStream(old)


def dev_server_line(response) -> None:
    """Log the request as `manage.py runserver` does, through the configured `django.server` logger."""
    environ = response.request
    query = environ.get("QUERY_STRING", "")
    target = environ["PATH_INFO"] + (f"?{query}" if query else "")
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None
    handler.requestline = f"{environ.get('REQUEST_METHOD', 'GET')} {target} HTTP/1.1"
    handler.log_request(response.status_code, len(response.content))


def gunicorn_line(response) -> str:
    """The production server's access-log line for the request, with the format in gunicorn.conf.py."""
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    config = Config()
    config.set("access_log_format", conf["access_log_format"])
    environ = dict(response.request)
    query = environ.get("QUERY_STRING", "")
    environ.setdefault("REQUEST_METHOD", "GET")
    environ.update(
        {
            "RAW_URI": environ["PATH_INFO"] + (f"?{query}" if query else ""),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_REFERER": f"http://testserver/dashboard/?q={SEARCHED}&flag={FLAG}",
        }
    )
    resp = SimpleNamespace(status=f"{response.status_code} X", sent=len(response.content), headers=[])
    logger = Logger(config)
    atoms = logger.atoms_wrapper_class(logger.atoms(resp, [], environ, timedelta(milliseconds=5)))
    return config.access_log_format % atoms


def test_the_gunicorn_access_log_format_keeps_the_path_and_drops_the_query():
    response = SimpleNamespace(
        request={"PATH_INFO": "/dashboard/cases/7/", "QUERY_STRING": f"q={SEARCHED}"},
        status_code=200,
        content=b"x",
    )
    line = gunicorn_line(response)
    assert '"GET /dashboard/cases/7/ HTTP/1.1" 200' in line
    assert SEARCHED not in line


@pytest.fixture(params=["plain", "json"])
def log_format(request):
    """Run with the console handler in each format production may use (DJANGO_LOG_FORMAT)."""
    handler = next(h for h in logging.getLogger("django").handlers if h.get_name() == "console")
    previous = handler.formatter
    if request.param == "json":
        handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s"))
    yield request.param
    handler.setFormatter(previous)


@pytest.mark.django_db
def test_a_doctor_journey_with_a_searched_name_leaves_no_name_and_no_flag_in_the_logs(settings, log_format):
    settings.OTP_REQUIRED_FOR_STAFF = False
    doctor = factories.make_doctor()
    patient = factories.make_patient(email="maria.rossi@example.com", last_name=SEARCHED)
    case = factories.make_case(patient, level=2, score=5, flags=[FLAG])
    other = factories.make_case(factories.make_patient(email="anna@example.com", last_name="Verdi"))
    filters = {"q": SEARCHED, "flag": FLAG, "all": "1"}
    client = Client()
    lines = []
    with captured(["django", "django.server", "axes", ""]) as output:
        steps = [
            client.post("/accounts/login/", {"username": doctor.email, "password": factories.PASSWORD}),
            client.get("/dashboard/", filters),
            client.get(f"/dashboard/cases/{case.pk}/", filters),
            client.post(
                f"/dashboard/cases/{case.pk}/notes/?q={SEARCHED}&flag={FLAG}", {"text": "Richiamare"}
            ),
            client.get(f"/dashboard/cases/{case.pk}/next/", filters),
            client.get(f"/dashboard/cases/{other.pk}/", filters),
            client.get("/dashboard/export.csv", filters),
            client.get("/dashboard/cases/999999/", filters),  # a 404, logged as a warning
            client.get("/admin/triage/case/", {"q": SEARCHED}),
            client.get("/admin/patients/patient/", {"q": SEARCHED}),
        ]
        for response in steps:
            assert response.status_code < 500
            dev_server_line(response)
            lines.append(gunicorn_line(response))
    if log_format == "json":
        records = [json.loads(line) for line in output.getvalue().splitlines() if line.startswith("{")]
        assert records, "the journey logs something"
        assert all(set(record) <= JSON_FIELDS for record in records)
        assert all(record["time"].endswith("+00:00") for record in records)
        assert all(record["request_id"] != "-" for record in records if record["logger"] == "django.request")
    logged = output.getvalue() + "\n".join(lines)
    assert "/dashboard/" in logged  # the paths are there, for the operator
    for secret in (SEARCHED, SEARCHED.lower(), patient.user.email, *rules.FLAG_CODES):
        assert secret not in logged, secret
