"""Visits: booked appointments, the questionnaire that prepares each one, the day's list, imports
from the booking system, invitations and reminders, and the doctor's calendar feed.

Models live in `triage.models`; here `services` writes, `selectors` reads, `imports` parses
booking-system files, `ics` writes iCalendar, `emails` builds the patient's emails.
"""
