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
        # The markup version of each cached fragment is a digest of its templates, computed once
        # when the portal starts, with every presenter that declares fragments loaded.
        from clinic import health
        from clinic.fragments import fragments_digest
        from clinic.scheduler import Job, register

        from .cases import presenters as case_presenters  # noqa: F401
        from .visits import presenters as visit_presenters  # noqa: F401
        from .visits.selectors import calendar_sync_health
        from .visits.sync import SYNC_JOB
        from .worklist import presenters as worklist_presenters  # noqa: F401

        fragments_digest()
        # The booking calendar: a failure is recorded on the sync's row (import page, /health/),
        # so the job itself succeeds unless the database fails.
        register(Job(SYNC_JOB, timedelta(minutes=settings.CALENDAR_SYNC_MINUTES), function=_sync_calendar))
        health.register("calendar_sync", calendar_sync_health)
