"""The task queue's side of the outbox (django-tasks; the database backend by default)."""

from django_tasks import task

from .services import email_deliver


@task()
def email_deliver_task(message_id: int) -> str:
    return email_deliver(message_id)
