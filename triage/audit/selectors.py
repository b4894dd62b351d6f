"""The audit trail as people read it: repeated actions grouped into one line."""

from dataclasses import dataclass
from datetime import timedelta

from ..models import AuditEvent

# Repeated actions by the same person on the same record within this span read as one line.
AUDIT_GROUP_WINDOW = timedelta(minutes=10)


@dataclass
class AuditGroup:
    """Consecutive audit events of one person, one action and one patient within the window.

    `events` are newest first, as the trail is read; `first` and `last` are
    the earliest and the latest.
    """

    events: list[AuditEvent]

    @property
    def last(self) -> AuditEvent:
        return self.events[0]

    @property
    def first(self) -> AuditEvent:
        return self.events[-1]

    @property
    def count(self) -> int:
        return len(self.events)

    @property
    def object_ids(self) -> list[str]:
        """The records acted on, each once, in the order they were first touched."""
        return list(dict.fromkeys(event.object_id for event in reversed(self.events) if event.object_id))


def _audit_group_key(event: AuditEvent) -> tuple:
    who = ("user", event.actor_id) if event.actor_id is not None else ("label", event.actor_label)
    return who, event.action, event.patient_ref, event.object_type


def audit_event_groups(events, *, window: timedelta = AUDIT_GROUP_WINDOW) -> list[AuditGroup]:
    """Group audit events read newest first, so repeated views read as one line.

    An event joins the line above it when it is by the same person, the
    same action on the same patient, and no more than `window` before that
    line's latest event: a line spans at most `window`, however long the
    person keeps coming back. Another event in between starts a new line,
    so the lines keep the trail's order.
    """
    groups: list[AuditGroup] = []
    key = None
    for event in events:
        this_key = _audit_group_key(event)
        if groups and this_key == key and groups[-1].last.created_at - event.created_at <= window:
            groups[-1].events.append(event)
        else:
            groups.append(AuditGroup(events=[event]))
            key = this_key
    return groups
