"""The portal's Prometheus measures, and the endpoint that serves them (docs/operations.md, "Metrics").

Counters and histograms are kept per process; with several gunicorn workers
and task workers on one server, `PROMETHEUS_MULTIPROC_DIR` names a directory
they share (emptied when the server starts: deploy/systemd/), and the endpoint
adds them up. Facts that live in the database (the queue, failed emails, the
scheduler) are read when the endpoint is scraped, by collectors the apps
register (`register_collector`).

No label ever holds a name, an address or anything typed by a user: view
names, levels, email kinds and job names only.
"""

import hmac
import ipaddress
import os
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # The web server's unit makes it; a process started on its own must not fail on the first measure.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

REQUESTS = Counter(
    "clinic_http_requests_total", "Requests answered, by view and status class", ["view", "method", "status"]
)
REQUEST_SECONDS = Histogram(
    "clinic_http_request_duration_seconds",
    "Time to answer a request, by view (the worklist is view=triage:dashboard)",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10),
)
QUESTIONNAIRES = Counter(
    "clinic_questionnaires_submitted_total", "Questionnaires sent by patients, by level", ["level"]
)
EMAILS_SENT = Counter(
    "clinic_emails_sent_total",
    "Emails handed to the mail server, by kind (visit reminders: kind=visit_reminder_email)",
    ["kind"],
)
EMAIL_DELAY = Histogram(
    "clinic_email_delay_seconds",
    "From queuing (in the transaction that caused it) to the mail server accepting it, by kind; "
    "kind=urgent_case_email is the time from a submission to its doctors' alert",
    ["kind"],
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
CACHE_ERRORS = Counter(
    "clinic_cache_errors_total",
    "Shared cache calls answered as misses after an error",
    ["cache", "operation"],
)
SCHEDULED_RUNS = Counter(
    "clinic_scheduled_job_runs_total", "Scheduled job runs, by job and outcome", ["job", "outcome"]
)

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_collectors = []


def register_collector(collector) -> None:
    """Add a collector read at every scrape (an object with `collect()` yielding metric families)."""
    _collectors.append(collector)


def exposition() -> bytes:
    """Every measure in Prometheus' text format: this server's processes, then the database's facts."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    facts = CollectorRegistry(auto_describe=True)
    for collector in _collectors:
        facts.register(collector)
    return generate_latest(processes) + generate_latest(facts)


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    # REMOTE_ADDR is the hop that connected: nginx's address, unless the scraper reaches gunicorn itself.
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if request.headers.get("X-Forwarded-For"):
        # Through the proxy: the address that counts is the client's, which only a token vouches for.
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


@login_not_required
@require_GET
def metrics_view(request):
    """The Prometheus text format, for the allowed addresses or a bearer token only."""
    if not _allowed(request):
        return HttpResponseForbidden("Forbidden\n", content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


class RequestMetricsMiddleware:
    """Count every request and time it by view name (never its path: paths hold record numbers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unmatched"
        method = request.method if request.method in KNOWN_METHODS else "other"
        if view != "metrics":
            REQUEST_SECONDS.labels(view=view).observe(time.perf_counter() - started)
            REQUESTS.labels(view=view, method=method, status=f"{response.status_code // 100}xx").inc()
        return response
