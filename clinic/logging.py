"""Request ids in every log line, and error reports that never repeat what was posted."""

import contextvars
import logging

from django.views.debug import SafeExceptionReporterFilter
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# The task the worker is running (django-tasks' result id), set by `task_context_enter`.
task_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="-")


class RequestIdFilter(logging.Filter):
    """Add `request_id` and `task_id` to every record: the current request's and task's, or `-`.

    Django logs some responses after the middleware has finished; those records
    carry the request itself, whose id is used instead. In the task worker,
    outside any request, `request_id` shows the task's id (`task-<id>`), so
    that the plain format's one bracket names what the line is about.
    """

    def filter(self, record):
        request_id = request_id_var.get()
        task_id = task_id_var.get()
        if request_id == "-":
            request = getattr(record, "request", None)
            request_id = getattr(request, "request_id", "-")
        if request_id == "-" and task_id != "-":
            request_id = f"task-{task_id}"
        record.request_id = request_id
        record.task_id = task_id
        return True


def task_context_enter(sender, task_result, **kwargs):
    """django-tasks' `task_started`: the worker's lines from here on carry the task's id."""
    task_id_var.set(str(task_result.id))


def task_context_leave(sender, task_result, **kwargs):
    """django-tasks' `task_finished`."""
    task_id_var.set("-")


class JsonFormatter(_JsonFormatter):
    """One JSON object a line (python-json-logger), for a log pipeline; same fields as the plain format.

    Only the message, its level, logger, time and ids are written, never a record's
    extra attributes (Django attaches the request object to some records).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        # ISO 8601 in UTC, with milliseconds: lines from several servers sort as they happened.
        kwargs.setdefault("timestamp", "time")
        super().__init__(*args, **kwargs)

    def add_fields(self, log_record, record, message_dict):
        super().add_fields(log_record, record, message_dict)
        for name in list(log_record):
            if name not in JSON_FIELDS:
                del log_record[name]


JSON_FIELDS = frozenset(
    {"time", "level", "logger", "message", "request_id", "task_id", "exc_info", "stack_info"}
)


class NoPostDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports leave out every posted value: answers and notes are health data."""

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)


def without_query(request_line: str) -> str:
    """`GET /path?q=Rossi HTTP/1.1` as `GET /path HTTP/1.1`: search terms and filters are health data."""
    method, space, rest = request_line.partition(" ")
    target, space2, version = rest.rpartition(" ") if " " in rest else (rest, "", "")
    return f"{method}{space}{target.partition('?')[0]}{space2}{version}"


class NoQueryStringFilter(logging.Filter):
    """Drop the query string from the development server's request lines (the `django.server` logger).

    Worklist searches and filters travel in query strings (a name, a flag); a log
    line keeps the path only. The production server's access log is configured
    the same way in gunicorn.conf.py.
    """

    def filter(self, record):
        if record.args and isinstance(record.args, tuple) and isinstance(record.args[0], str):
            record.args = (without_query(record.args[0]), *record.args[1:])
        return True
