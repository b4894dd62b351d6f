"""The task queue's side of the outbox (django-tasks; the database backend by default)."""

from django_tasks import task

from .services import email_deliver
from .texts import text_deliver


@task()
def email_deliver_task(message_id: int) -> str:
    return email_deliver(message_id)


@task()
def text_deliver_task(message_id: int) -> str:
    return text_deliver(message_id)
