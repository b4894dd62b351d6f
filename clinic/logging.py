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
