"""gunicorn.conf.py: what an operator sets per server comes from the environment."""

import os
import runpy
from pathlib import Path

import pytest
from django.conf import settings


def load(monkeypatch, **env) -> dict:
    for name in [n for n in os.environ if n.startswith("GUNICORN_")] + ["DJANGO_LOG_FORMAT"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))


def test_defaults_are_one_worker_per_core_on_the_local_address(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    conf = load(monkeypatch)
    assert conf["bind"] == "127.0.0.1:8000"
    assert conf["workers"] == 6
    assert conf["graceful_timeout"] > 0
    assert conf["max_requests"] > 0
    assert 0 < conf["max_requests_jitter"] < conf["max_requests"]


def test_bind_workers_and_recycling_come_from_the_environment(monkeypatch):
    conf = load(
        monkeypatch,
        GUNICORN_BIND="0.0.0.0:8401",
        GUNICORN_WORKERS="3",
        GUNICORN_GRACEFUL_TIMEOUT="12",
        GUNICORN_MAX_REQUESTS="500",
        GUNICORN_MAX_REQUESTS_JITTER="50",
    )
    assert (conf["bind"], conf["workers"], conf["graceful_timeout"]) == ("0.0.0.0:8401", 3, 12)
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (500, 50)


@pytest.mark.parametrize("log_format", ["", "json"])
def test_the_access_log_format_never_holds_the_query_or_the_referrer(monkeypatch, log_format):
    conf = load(monkeypatch, DJANGO_LOG_FORMAT=log_format)
    assert "%(U)s" in conf["access_log_format"]
    assert "%(r)s" not in conf["access_log_format"]
    assert "%(q)s" not in conf["access_log_format"]
    assert "%(f)s" not in conf["access_log_format"]
