"""The patient's text messages about a visit: the invitation to fill in the questionnaire, the reminders.

Sent only to a patient with an account who opted in to texts (someone invited
by email has given no number and no consent). Like the emails they are
written when the worker sends them; unlike them they carry no date: the
clinic, what it is about in general words, a link and the clinic's phone. A
visit cancelled, past, or whose questionnaire has arrived builds to nothing.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from outbox.texts import compose, outbox_text

from .emails import _visit


def _waiting(patient, visit_id: int):
    visit = _visit(visit_id)
    if visit is None or visit.patient_id != patient.pk or visit.submission_id:
        return None
    return visit


@outbox_text
def visit_invitation_text(*, patient, visit_id: int) -> str | None:
    """A visit was booked: please fill in the questionnaire."""
    if _waiting(patient, visit_id) is None:
        return None
    return compose(_("Please fill in the questionnaire before your visit:"), reverse("patients:start"))


@outbox_text
def visit_reminder_text(*, patient, visit_id: int, days: int) -> str | None:
    """The visit is near and the questionnaire has not arrived; only if she keeps reminders on."""
    if _waiting(patient, visit_id) is None or not patient.visit_reminders:
        return None
    return compose(
        _("Reminder: please fill in the questionnaire before your visit:"), reverse("patients:start")
    )
