"""The shared cache (DJANGO_CACHE_URL): Redis for every server, and Redis down is not an outage."""

import json
import logging
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.urls import reverse

from clinic import cache as shared_cache
from clinic import metrics
from tests.redis_server import RedisServer


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.resume() if server.process else None
    server.stop()


@pytest.fixture
def shared(settings, redis_server, monkeypatch):
    """The settings DJANGO_CACHE_URL gives, on the test's own Redis; no wait before retrying it."""
    options = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25, "retry_on_timeout": False}
    backend = "clinic.cache.ResilientRedisCache"
    settings.CACHES = {
        "default": {
            "BACKEND": backend,
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "default",
            "OPTIONS": options,
        },
        "fragments": {
            "BACKEND": backend,
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "fragments",
            "OPTIONS": options,
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    monkeypatch.setattr(shared_cache, "RETRY_SECONDS", 0)
    shared_cache._outages.clear()
    caches["default"].clear()
    yield redis_server
    shared_cache._outages.clear()


def errors() -> float:
    return sum(
        sample.value
        for family in metrics.CACHE_ERRORS.collect()
        for sample in family.samples
        if sample.name.endswith("_total")
    )


def health(client):
    response = client.get("/health/")
    return response.status_code, json.loads(response.content)


def configured(monkeypatch, **env) -> dict:
    """The settings module as it reads the environment, run afresh."""
    for name, value in env.items():
        monkeypatch.setenv(name, value) if value is not None else monkeypatch.delenv(name, raising=False)
    return runpy.run_path(str(Path(settings.BASE_DIR) / "clinic" / "settings.py"))


def test_the_environment_switches_both_caches_and_the_sessions_to_redis(monkeypatch):
    shared = configured(monkeypatch, DJANGO_CACHE_URL="redis://127.0.0.1:6379/5")
    assert shared["CACHES"]["default"]["BACKEND"] == "clinic.cache.ResilientRedisCache"
    assert shared["CACHES"]["fragments"]["LOCATION"] == "redis://127.0.0.1:6379/5"
    assert shared["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"

    local = configured(monkeypatch, DJANGO_CACHE_URL=None)
    assert local["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert local["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_the_connection_pool_turns_persistent_connections_off(monkeypatch):
    pooled = configured(
        monkeypatch,
        DATABASE_URL="postgres://clinic@127.0.0.1:5432/clinic",
        DJANGO_DB_POOL="1",
        DJANGO_DB_POOL_MAX_SIZE="8",
        DJANGO_DB_DISABLE_SERVER_SIDE_CURSORS="1",
    )["DATABASES"]["default"]
    assert pooled["CONN_MAX_AGE"] == 0
    assert pooled["OPTIONS"]["pool"]["max_size"] == 8
    assert pooled["DISABLE_SERVER_SIDE_CURSORS"] is True

    persistent = configured(monkeypatch, DJANGO_DB_POOL=None, DJANGO_DB_DISABLE_SERVER_SIDE_CURSORS=None)[
        "DATABASES"
    ]["default"]
    assert persistent["CONN_MAX_AGE"] == 60
    assert "pool" not in persistent.get("OPTIONS", {})


@pytest.mark.django_db
def test_pages_sessions_and_health_survive_redis_stopping_mid_run(shared, client, patient, caplog):
    client.force_login(patient.user)
    home = reverse("patients:submission_list")
    assert client.get(home).status_code == 200
    assert health(client)[1]["cache"] == "ok"
    caches["default"].set("probe", "shared")
    assert caches["default"].get("probe") == "shared"

    before = errors()
    shared.stop()
    with caplog.at_level(logging.ERROR, logger="clinic.cache"):
        # Her session is read from the database, the pages render without their cached fragments.
        assert client.get(home).status_code == 200
        assert caches["default"].get("probe", "missed") == "missed"
        assert caches["default"].set("probe", "lost") is None
        status, body = health(client)
    assert status == 200
    assert body["cache"] == "degraded"
    assert "cache_degraded" in body["warnings"]
    assert body["problems"] == []
    assert errors() > before
    assert any("Shared cache" in record.getMessage() for record in caplog.records)

    shared.start()
    assert client.get(home).status_code == 200
    status, body = health(client)
    assert (status, body["cache"]) == (200, "ok")


@pytest.mark.django_db
def test_a_session_ended_while_redis_hung_is_not_revived_when_it_answers_again(shared, client, patient):
    client.force_login(patient.user)
    home = reverse("patients:submission_list")
    assert client.get(home).status_code == 200
    cookie = client.cookies["sessionid"].value

    shared.pause()
    client.post(reverse("logout"))  # the database row goes; the copy in Redis cannot be deleted
    shared.resume()

    client.cookies["sessionid"] = cookie
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
