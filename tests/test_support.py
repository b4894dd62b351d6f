"""Stand-ins used by several tests."""

import threading

from django.core.mail.backends.base import BaseEmailBackend


class BrokenEmailBackend(BaseEmailBackend):
    """An email server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


def run_tasks() -> None:
    """Run every due background task with the real database worker, as `manage.py db_worker --batch`.

    The worker's own connection recycling is turned off: inside a test's
    transaction it would throw the test's data away.
    """
    from unittest import mock

    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        worker.run()


class SendThenDieBackend(BaseEmailBackend):
    """Hands the message to the server, then the worker process is killed before it can record that."""

    def send_messages(self, email_messages):
        from django.core import mail

        mail.outbox.extend(email_messages)
        raise SystemExit("worker killed")


class SlowBrokenEmailBackend(BaseEmailBackend):
    """An email server that would hang for its whole timeout before failing: it counts each
    connection (`connections`) and fails at once, so a test checks who would have waited."""

    connections: list = []

    def send_messages(self, email_messages):
        self.connections.append(len(email_messages))
        raise TimeoutError("SMTP server timed out")


class LocmemSmsBackend:
    """Text messages kept in `LocmemSmsBackend.outbox` as (to, text, sender), as Django's locmem
    email backend keeps emails in `mail.outbox`."""

    outbox: list[tuple[str, str, str]] = []

    def send(self, to, text, sender):
        type(self).outbox.append((to, text, sender))
        return f"SM{len(type(self).outbox):032d}"

    def inbound(self, url, params, headers):
        from outbox.sms import InvalidSignature

        raise InvalidSignature("no inbound messages here")


def serving_thread(server) -> threading.Thread:
    """A daemon thread running a test's HTTP server. Its shutdown() returns within 50 ms rather than
    the standard library's half-second poll, which each test starting a server would wait at its end."""
    return threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
