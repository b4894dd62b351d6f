"""One scheduler runs every periodic job on its schedule, each at most once at a time (clinic/scheduler.py)."""

import json
import threading
from datetime import datetime, time, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from clinic import scheduler
from clinic.models import ScheduledJobRun
from clinic.scheduler import Job, job_lock, job_run_if_due, run_due

PORTAL_JOBS = {
    "heartbeat",
    "send_visit_reminders",
    "sync_calendar",
    "clearsessions",
    "prune_audit",
    "prune_records",
    "axes_reset_logs",
    "prune_db_task_results",
    "send_escalations",
    "send_priority_digest",
}


def local(year, month, day, hour, minute=0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute))


@pytest.fixture
def calls(monkeypatch):
    """Every job runs a recorder instead of its command; the registry is restored afterwards."""
    ran = []
    monkeypatch.setattr(scheduler, "_registry", dict(scheduler._registry))
    monkeypatch.setattr(scheduler, "_retry_at", {})
    monkeypatch.setattr(Job, "run", lambda job: ran.append(job.name))
    return ran


def test_every_periodic_job_of_the_portal_is_registered():
    assert {job.name for job in scheduler.jobs()} >= PORTAL_JOBS


@pytest.mark.django_db
def test_a_fresh_install_runs_every_job_once_then_each_on_its_period(calls):
    start = local(2027, 3, 10, 10, 0)
    with time_machine.travel(start, tick=False):
        outcomes = run_due()
        assert set(outcomes) >= PORTAL_JOBS and set(outcomes.values()) == {"succeeded"}
        calls.clear()
        assert run_due() == {}
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        run_due()
        assert calls == ["heartbeat", "send_escalations"]
    calls.clear()
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        run_due()
        assert sorted(calls) == ["heartbeat", "send_escalations", "send_visit_reminders", "sync_calendar"]
    calls.clear()
    # Daily jobs run on the next day at their hour, not 24 hours after the first run.
    with time_machine.travel(local(2027, 3, 11, 2, 59), tick=False):
        run_due()
        assert "clearsessions" not in calls
    with time_machine.travel(local(2027, 3, 11, 3, 0), tick=False):
        run_due()
        assert "clearsessions" in calls
        assert "prune_audit" not in calls
        assert "send_priority_digest" not in calls
    with time_machine.travel(local(2027, 3, 11, 8, 0), tick=False):
        run_due()
        assert "send_priority_digest" in calls
    calls.clear()
    with time_machine.travel(local(2027, 4, 9, 3, 15), tick=False):
        run_due()
        assert "prune_audit" in calls and "prune_records" not in calls


@pytest.mark.django_db
def test_a_failed_job_is_recorded_retried_later_and_the_others_still_run(monkeypatch, calls):
    def run(job):
        if job.name == "clearsessions":
            raise RuntimeError("boom")
        calls.append(job.name)

    monkeypatch.setattr(Job, "run", run)
    start = local(2027, 3, 10, 10, 0)
    with time_machine.travel(start, tick=False):
        outcomes = run_due()
    assert outcomes["clearsessions"] == "failed"
    assert "prune_audit" in calls
    row = ScheduledJobRun.objects.get(name="clearsessions")
    assert (row.last_success_at, row.last_error) == (None, "RuntimeError")
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert "clearsessions" not in run_due()
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        assert run_due()["clearsessions"] == "failed"


@pytest.mark.django_db
def test_health_and_metrics_show_a_stopped_scheduler_within_one_period(client, calls):
    start = local(2027, 3, 10, 10, 0)
    with time_machine.travel(start, tick=False):
        run_due()
        body = json.loads(client.get("/health/").content)
        assert body["warnings"] == []
        assert body["scheduler"]["clearsessions"]["last_success"].startswith("2027-03-10T09:00:00")
    with time_machine.travel(start + timedelta(minutes=2, seconds=1), tick=False):
        response = client.get("/health/")
        body = json.loads(response.content)
        assert response.status_code == 200  # a late job takes no server out of service
        assert body["status"] == "degraded"
        assert body["warnings"] == ["scheduler_late"]
        assert body["scheduler"]["heartbeat"]["late"] is True
        assert body["scheduler"]["send_visit_reminders"]["late"] is False
        metrics = client.get("/metrics/").content.decode()
        assert 'clinic_scheduled_job_late{job="heartbeat"} 1.0' in metrics


def test_daily_jobs_are_late_a_margin_after_their_hour(settings):
    settings.SCHEDULER_LATE_MARGIN_SECONDS = 600
    job = Job("daily", timedelta(days=1), at=time(3, 0), function=lambda: None)
    last = local(2027, 3, 10, 3, 0)
    assert job.next_due(last) == local(2027, 3, 11, 3, 0)
    assert not job.is_late(last, local(2027, 3, 11, 3, 10))
    assert job.is_late(last, local(2027, 3, 11, 3, 11))
    assert job.is_late(None, local(2027, 3, 11, 3, 11))


@pytest.mark.django_db
def test_the_scheduler_command_once_runs_the_real_jobs(capsys):
    with time_machine.travel(local(2027, 3, 10, 10, 0), tick=False):
        call_command("run_scheduler", "--once")
    assert set(ScheduledJobRun.objects.values_list("name", flat=True)) >= PORTAL_JOBS
    assert not ScheduledJobRun.objects.exclude(last_error="").exists()
    assert "send_visit_reminders: succeeded" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_admin_lists_each_jobs_last_run_for_superusers(admin_client, calls):
    with time_machine.travel(local(2027, 3, 10, 10, 0), tick=False):
        run_due()
    response = admin_client.get("/admin/clinic/scheduledjobrun/")
    assert response.status_code == 200
    assert b"send_visit_reminders" in response.content
    assert admin_client.get("/admin/clinic/scheduledjobrun/add/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_never_run_a_job_at_once_on_postgresql(calls):
    if connection.vendor != "postgresql":
        # SQLite: one machine, no advisory locks; the lock is always held.
        with job_lock("anything") as held:
            assert held
        return
    job = Job("locked_job", timedelta(hours=1), function=lambda: None)
    holding, release = threading.Event(), threading.Event()
    outcome = {}

    def other_scheduler():
        with job_lock(job.name) as held:
            outcome["other_held"] = held
            holding.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=other_scheduler)
    thread.start()
    holding.wait(10)
    try:
        assert outcome["other_held"] is True
        assert job_run_if_due(job) == "locked"
    finally:
        release.set()
        thread.join()
    assert job_run_if_due(job) == "succeeded"
    # The second scheduler, once the first is done, finds the job no longer due.
    with mock.patch.object(Job, "is_due", side_effect=[False]):
        assert job_run_if_due(job) == "not_due"


@pytest.mark.django_db
def test_one_job_can_be_run_on_its_own(calls):
    with time_machine.travel(local(2027, 3, 10, 10, 0), tick=False):
        call_command("run_scheduler", "--once", "--job", "send_visit_reminders")
    assert calls == ["send_visit_reminders"]
