from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """Project-wide wiring that needs the app registry: login signal handlers, the `id` path converter."""

    name = "clinic"
    verbose_name = "Clinic portal"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.urls import register_converter

        from .auth import session_start
        from .converters import IdConverter

        register_converter(IdConverter, "id")
        user_logged_in.connect(session_start, dispatch_uid="clinic.auth.session_start")
