"""Request ids in every log line, and error reports that never repeat what was posted."""

import contextvars
import logging

from django.views.debug import SafeExceptionReporterFilter

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Add `request_id` to every record: the current request's, or `-` outside a request.

    Django logs some responses after the middleware has finished; those records
    carry the request itself, whose id is used instead.
    """

    def filter(self, record):
        request_id = request_id_var.get()
        if request_id == "-":
            request = getattr(record, "request", None)
            request_id = getattr(request, "request_id", "-")
        record.request_id = request_id
        return True


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
