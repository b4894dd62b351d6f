from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "triage"
    verbose_name = _("Triage")

    def ready(self):
        # The markup version of each cached fragment is a digest of its templates, computed once
        # when the portal starts, with every presenter that declares fragments loaded.
        from clinic.fragments import fragments_digest

        from .cases import presenters as case_presenters  # noqa: F401
        from .visits import presenters as visit_presenters  # noqa: F401
        from .worklist import presenters as worklist_presenters  # noqa: F401

        fragments_digest()
