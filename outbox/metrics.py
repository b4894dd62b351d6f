"""The queue's and the outbox's state for Prometheus, read from the database at each scrape."""

from prometheus_client.core import GaugeMetricFamily

from .selectors import queue_state


class QueueCollector:
    """Oldest due task, failed and in-doubt emails: the same counts as /health/, shared by every server."""

    def collect(self):
        state = queue_state()
        oldest = GaugeMetricFamily(
            "clinic_task_queue_oldest_seconds", "How long the longest-waiting due task has waited (0: none)"
        )
        oldest.add_metric([], state.oldest_pending_seconds or 0)
        yield oldest
        emails = GaugeMetricFamily("clinic_emails", "Emails that need staff, by state", labels=["state"])
        emails.add_metric(["failed"], state.failed_emails)
        emails.add_metric(["in_doubt"], state.emails_in_doubt)
        emails.add_metric(["retrying"], state.emails_retrying)
        yield emails
        failed = GaugeMetricFamily("clinic_tasks_failed_recent", "Tasks failed in the health check's window")
        failed.add_metric([], state.failed_tasks)
        yield failed

    def describe(self):
        return []
