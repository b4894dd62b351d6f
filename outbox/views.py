"""Health endpoints for the load balancer and monitoring: open without login, free of patient data."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_http_methods

from clinic.cache import cache_state
from clinic.health import app_checks
from clinic.scheduler import scheduler_state

from .selectors import queue_state

logger = logging.getLogger(__name__)


@login_not_required
@require_http_methods(["GET", "HEAD"])
def liveness_view(request):
    """The process answers; nothing else is touched, so a slow database never restarts it."""
    return JsonResponse({"status": "ok"})


@login_not_required
@require_http_methods(["GET", "HEAD"])
def readiness_view(request):
    """The database answers and the task queue keeps up: 200, otherwise 503 naming what is wrong.

    What this server can work without is reported as a warning with a 200 and the status
    "degraded": the shared cache unreachable (`cache_degraded`: pages come from the database),
    a periodic job past its time (`scheduler_late`: the scheduler may have stopped), and what the
    apps' own checks report (`clinic.health`; the booking calendar's sync failing for over an hour:
    `calendar_sync_failing`).
    Only counts, ages and job names are shown, never what a task or an email is about.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        state = queue_state()
        jobs = scheduler_state()
        checks = app_checks()
    except DatabaseError as exc:
        logger.error("Health check: the database is unavailable (%s)", type(exc).__name__)
        return JsonResponse({"status": "unavailable", "problems": ["database_unavailable"]}, status=503)
    problems = state.problems()
    cache = cache_state()
    warnings = []
    if cache == "degraded":
        warnings.append("cache_degraded")
    if any(job.late for job in jobs):
        warnings.append("scheduler_late")
    warnings.extend(check.warning for check in checks.values() if check.warning)
    body = {
        "status": "unavailable" if problems else "degraded" if warnings else "ok",
        "problems": problems,
        "warnings": warnings,
        "database": "ok",
        "cache": cache,
        "scheduler": {
            job.name: {
                "last_success": job.last_success_at.isoformat() if job.last_success_at else None,
                "late": job.late,
            }
            for job in jobs
        },
        **{name: check.details for name, check in checks.items()},
        "tasks": {
            "oldest_pending_seconds": state.oldest_pending_seconds,
            "failed_recently": state.failed_tasks,
        },
        "emails": {
            "failed": state.failed_emails,
            "in_doubt": state.emails_in_doubt,
            "retrying": state.emails_retrying,
        },
        "texts": {
            "failed": state.failed_texts,
            "in_doubt": state.texts_in_doubt,
            "retrying": state.texts_retrying,
        },
    }
    return JsonResponse(body, status=503 if problems else 200)
