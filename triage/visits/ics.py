"""iCalendar files the portal writes: the doctor's feed and a patient's own visit."""

from datetime import timedelta

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Visit

PRODID = "-//Gynaecology clinic portal//Visits//EN"


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(visit: Visit, summary: str, *, location: str = "") -> icalendar.Event:
    event = icalendar.Event()
    host = settings.PORTAL_BASE_URL.split("//", 1)[-1]
    event.add("uid", f"visit-{visit.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", visit.starts_at)
    event.add("dtend", visit.starts_at + timedelta(minutes=visit.duration_minutes))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    return event


def initials(first_name: str, last_name: str) -> str:
    """ "M. R." for Maria Rossi: all the feed says of the patient."""
    return " ".join(f"{part[0].upper()}." for part in (first_name, last_name) if part) or "?"


def feed_calendar(visits) -> bytes:
    """The doctor's feed: each booked visit as the patient's initials and the visit's kind, nothing more."""
    calendar = _calendar(_("Clinic visits"))
    for visit in visits:
        if visit.patient_id:
            user = visit.patient.user
            who = initials(user.first_name, user.last_name)
        else:
            who = initials(visit.invitation.first_name, visit.invitation.last_name)
        calendar.add_component(_event(visit, f"{who} – {visit.get_kind_display()}"))
    return calendar.to_ical()


def visit_calendar(visit: Visit, *, clinic_name: str, address: str) -> bytes:
    """A patient's own visit, to add to her calendar."""
    calendar = _calendar(clinic_name or _("Gynaecology clinic"))
    summary = _("Visit: %(clinic)s") % {"clinic": clinic_name} if clinic_name else _("Visit at the clinic")
    calendar.add_component(_event(visit, summary, location=address.replace("\n", ", ")))
    return calendar.to_ical()
