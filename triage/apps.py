from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def _sync_calendar() -> None:
    from .visits.sync import calendar_sync_scheduled

    calendar_sync_scheduled()


def _send_escalations() -> None:
    from .cases.escalation import escalations_send_due

    escalations_send_due()


def _send_priority_digest() -> None:
    from .cases.escalation import priority_digest_send

    priority_digest_send()


class TriageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "triage"
    verbose_name = _("Triage")

    def ready(self):
        # The markup version of each cached fragment is a digest of its templates, computed once
        # when the portal starts, with every presenter that declares fragments loaded.
        from django.db.models.signals import post_delete, post_save

        from clinic import health
        from clinic.fragments import fragments_digest
        from clinic.models import ClinicProfile, Closure, OpeningInterval
        from clinic.scheduler import Job, register

        from .cases import presenters as case_presenters  # noqa: F401
        from .cases.deadlines import schedule_changed
        from .cases.escalation import DIGEST_AT, DIGEST_JOB, SEND_JOB, escalation_health
        from .visits import presenters as visit_presenters  # noqa: F401
        from .visits.selectors import calendar_sync_health
        from .visits.sync import SYNC_JOB
        from .worklist import presenters as worklist_presenters  # noqa: F401

        # Deadlines follow the clinic's times to act, hours and closures (`deadlines.schedule_changed`).
        for model in (ClinicProfile, OpeningInterval, Closure):
            for signal in (post_save, post_delete):
                signal.connect(
                    schedule_changed, sender=model, dispatch_uid=f"triage.deadlines.{model.__name__}"
                )

        fragments_digest()
        # The booking calendar: a failure is recorded on the sync's row (import page, /health/),
        # so the job itself succeeds unless the database fails.
        register(Job(SYNC_JOB, timedelta(minutes=settings.CALENDAR_SYNC_MINUTES), function=_sync_calendar))
        health.register("calendar_sync", calendar_sync_health)
        # RULES.md 11.2 S8: due escalation steps go within the minute; a step left unsent (the
        # scheduler or the worker stopped) shows on /health/. The priority digest goes daily.
        register(Job(SEND_JOB, timedelta(minutes=1), function=_send_escalations))
        register(Job(DIGEST_JOB, timedelta(days=1), at=DIGEST_AT, function=_send_priority_digest))
        health.register("escalation", escalation_health)
