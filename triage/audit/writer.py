"""The staff audit trail: who read or changed which patient's record, from where, and when.

Events carry identifiers only, never answers, flags or notes, so the trail
can be kept and shown without widening who sees health data. This module is
the only writer of `AuditEvent` rows.

Who acted and from where travel as an `Actor`, built once from the request by the view: a service
that changes a record writes its event itself, in the same transaction as the change; a view
writes one only for a pure read (a page shown), where showing the page is the action.
"""

import ipaddress
import itertools
from dataclasses import dataclass

from django.utils.crypto import salted_hmac

from clinic.auth import client_ip as forwarded_client_ip

from ..models import AuditEvent

PSEUDONYM_SALT = "triage.audit.patient_ref"
# Per-case events written by one INSERT: an export or a bulk change of up to this many cases
# costs one query (SQLite lowers it to what its parameter limit allows).
AUDIT_BATCH = 5000
PSEUDONYM_LENGTH = 20


def patient_pseudonym(patient_id) -> str:
    """A stable pseudonym for a patient, keyed with SECRET_KEY.

    It lets the trail of one patient be followed after her account is
    erased, without storing who she was.
    """
    return salted_hmac(PSEUDONYM_SALT, str(patient_id)).hexdigest()[:PSEUDONYM_LENGTH]


def client_ip(request) -> str | None:
    """The address the request came from, or None when it is not a valid IP."""
    address = forwarded_client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


@dataclass(frozen=True)
class Actor:
    """Who acts (a staff user, or None for an anonymous or automatic one) and from which address."""

    user: object = None
    ip: str | None = None

    @classmethod
    def from_request(cls, request, *, user=None) -> "Actor":
        """The request's user (or `user`, acting through a secret link) and address."""
        if user is None and request.user.is_authenticated:
            user = request.user
        return cls(user=user, ip=client_ip(request))


def audit_record(
    actor: Actor, action, obj=None, patient=None, *, object_type=None, object_id=None
) -> AuditEvent:
    """Append one event for `actor`.

    `obj` names the record acted on; `object_type`/`object_id` describe it
    when there is no single record (an export of a list).
    """
    return AuditEvent.objects.create(**_event_fields(actor, action, obj, patient, object_type, object_id))


def _event_fields(actor: Actor, action, obj, patient, object_type, object_id) -> dict:
    user = actor.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    patient_id = getattr(patient, "pk", patient)
    return {
        "actor": user,
        "actor_label": user.email if user else "",
        "action": action,
        "object_type": object_type or "",
        "object_id": str(object_id or "")[:64],
        "patient_id": patient_id,
        "patient_ref": patient_pseudonym(patient_id) if patient_id else "",
        "ip_address": actor.ip,
    }


def audit_export(
    actor: Actor, action, exported: list[tuple[int, int]], *, object_type: str, item_type: str = "triage.case"
) -> None:
    """Record a list shown or exported: one event for the list, one per line and its patient.

    `exported` holds the (id, patient id) of each line (cases, or `item_type`). The per-line events
    put the list in each patient's own trail ("who opened my record"), as a
    case opened on screen is.
    """
    listing = AuditEvent(**_event_fields(actor, action, None, None, object_type, str(len(exported))))
    _write_together(actor, action, exported, item_type, first=[listing])


def audit_cases(
    actor: Actor, action, items: list[tuple[int, int]], *, item_type: str = "triage.case"
) -> None:
    """One event per (id, patient id) of `item_type` (cases by default), written together: a change
    made to many cases at once, or the lines of an export."""
    _write_together(actor, action, items, item_type)


def _write_together(actor: Actor, action, items, item_type, *, first=()) -> None:
    """`first`, then one event per (id, patient id) in `items`, in one INSERT per AUDIT_BATCH.

    Who, from where and what are worked out once; only the record and the patient vary.
    """
    common = _event_fields(actor, action, None, None, item_type, None)
    events = (
        AuditEvent(
            **{
                **common,
                "object_id": str(item_id)[:64],
                "patient_id": patient_id,
                "patient_ref": patient_pseudonym(patient_id) if patient_id else "",
            }
        )
        for item_id, patient_id in items
    )
    AuditEvent.objects.bulk_create(itertools.chain(first, events), batch_size=AUDIT_BATCH)


def audit_patient_self(actor: Actor, action, patient) -> AuditEvent:
    """Record the patient's own data-rights action under her pseudonym only.

    No email and no address are stored, so nothing identifying is left once
    her account is erased (the event rows outlive it: they are append-only).
    """
    return AuditEvent.objects.create(
        actor=actor.user,
        actor_label="",
        action=action,
        object_type="patients.patient",
        object_id="",
        patient=patient,
        patient_ref=patient_pseudonym(patient.pk),
        ip_address=None,
    )


def audit_calendar_feed(actor: Actor, visits: int) -> AuditEvent:
    """A calendar app read a doctor's feed: recorded under the doctor whose secret address it used
    (`actor.user`)."""
    return audit_record(actor, AuditEvent.Action.CALENDAR_FEED, object_type="triage.visit", object_id=visits)
