from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outbox"
    verbose_name = _("Outgoing email")

    def ready(self):
        from clinic.metrics import register_collector

        from . import checks  # noqa: F401  (registers the text-message settings' checks)
        from .metrics import QueueCollector

        register_collector(QueueCollector())
