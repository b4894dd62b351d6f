from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """Project-wide wiring that needs the app registry: login signal handlers."""

    name = "clinic"
    verbose_name = "Clinic portal"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .auth import session_start

        user_logged_in.connect(session_start, dispatch_uid="clinic.auth.session_start")
