from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "patients"
    verbose_name = _("Patients")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .questionnaire_views import pending_step_restore

        user_logged_in.connect(pending_step_restore, dispatch_uid="patients.pending_step_restore")
