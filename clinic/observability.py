"""Error reports to Sentry (sentry-sdk), with nothing personal in them.

Off unless `SENTRY_DSN` is set. What leaves the server is the exception's
type, message and stack (file, line, function; never the values of local
variables), the view, the request id and the request's method and path. Never
its body, cookies, query string or headers beyond a few harmless ones, nor
who the user is beyond an internal id, nor the SQL of a breadcrumb.
"""

from urllib.parse import urlsplit, urlunsplit

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration

# Request headers a report may keep: none of them identifies a person or carries a secret.
KEPT_HEADERS = frozenset({"Accept", "Accept-Language", "Content-Type", "Host", "X-Request-Id"})


def sentry_init(dsn: str, *, environment: str, release: str | None, transport=None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        transport=transport,
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(KEPT_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
            "frame_context_lines": 0,
        },
        include_local_variables=False,
        include_source_context=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        integrations=[
            DjangoIntegration(transaction_style="url"),
            # Error log lines become reports; lower levels are not kept as breadcrumbs either.
            LoggingIntegration(level=None, event_level="ERROR"),
        ],
        before_send=scrub_event,
        before_breadcrumb=lambda crumb, hint: None,
    )


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Remove from a report whatever may name or describe a patient (see the module docstring)."""
    request = event.get("request")
    if isinstance(request, dict):
        for field in ("data", "cookies", "query_string", "env"):
            request.pop(field, None)
        if "url" in request:
            parts = urlsplit(request["url"])
            request["url"] = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        headers = request.get("headers") or {}
        request["headers"] = {name: value for name, value in headers.items() if name.title() in KEPT_HEADERS}
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    event.pop("breadcrumbs", None)
    for exception in (event.get("exception") or {}).get("values", []):
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            for field in ("vars", "pre_context", "context_line", "post_context"):
                frame.pop(field, None)
    event.get("extra", {}).pop("sys.argv", None)
    return event
