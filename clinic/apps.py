from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """Project-wide wiring that needs the app registry: login signal handlers, the `id` path converter,
    the task id in the worker's log lines."""

    name = "clinic"
    verbose_name = "Clinic portal"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.urls import register_converter
        from django_tasks.signals import task_finished, task_started

        from .auth import session_start
        from .converters import IdConverter
        from .logging import task_context_enter, task_context_leave
        from .metrics import register_collector
        from .scheduler import SchedulerCollector

        register_converter(IdConverter, "id")
        user_logged_in.connect(session_start, dispatch_uid="clinic.auth.session_start")
        register_collector(SchedulerCollector())
        task_started.connect(task_context_enter, dispatch_uid="clinic.logging.task_context_enter")
        task_finished.connect(task_context_leave, dispatch_uid="clinic.logging.task_context_leave")
