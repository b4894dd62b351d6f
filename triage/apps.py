from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def _sync_calendar() -> None:
    from .visits.sync import calendar_sync_scheduled

    calendar_sync_scheduled()


class TriageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "triage"
    verbose_name = _("Triage")

    def ready(self):
        from clinic.scheduler import Job, register

        from .visits.sync import SYNC_JOB

        # The booking calendar: a failure is recorded on the sync's row (import page, /health/),
        # so the job itself succeeds unless the database fails.
        register(Job(SYNC_JOB, timedelta(minutes=settings.CALENDAR_SYNC_MINUTES), function=_sync_calendar))
