"""The patient's emails about a visit: the invitation to fill in the questionnaire, the reminders.

Built when the worker sends them, in her language, from identifiers only;
they carry the date and time of the visit and the clinic's phone, never any
health data. A visit cancelled, past, or whose questionnaire has arrived
meanwhile builds to nothing.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from clinic.models import clinic_profile
from outbox.services import Message, outbox_email

from ..models import Visit


def _visit(visit_id: int) -> Visit | None:
    from .selectors import with_questionnaire

    visit = (
        with_questionnaire(Visit.objects.filter(pk=visit_id))
        .select_related("patient__user", "invitation")
        .first()
    )
    if visit is None or visit.state != Visit.State.BOOKED or visit.starts_at <= timezone.now():
        return None
    return visit


def _recipient(visit: Visit) -> tuple[str, str] | None:
    """(email, language) of the person to write to, or None if there is nobody to write to.

    Emails carry no name (and no health data): they may be read by someone else on a shared inbox.
    """
    if visit.match_reason:
        return None
    if visit.patient_id:
        user = visit.patient.user
        if not user.is_active or visit.patient.closed_at or not user.email_verified:
            return None
        return user.email, user.language
    invitation = visit.invitation
    if invitation is None or invitation.used_at:
        return None
    return invitation.email, invitation.language


def _message(visit: Visit, template: str, *, link: str, **extra) -> Message | None:
    recipient = _recipient(visit)
    if recipient is None:
        return None
    email, language = recipient
    clinic = clinic_profile()
    with translation.override(language):
        context = {
            "starts_at": timezone.localtime(visit.starts_at),
            "link": link,
            "clinic": clinic,
            "hours": clinic.opening_hours(language),
            **extra,
        }
        subject = "".join(render_to_string(f"triage/visits/{template}_subject.txt", context).splitlines())
        body = render_to_string(f"triage/visits/{template}.txt", context)
    return Message(to=[email], subject=subject, body=body)


def _link(visit: Visit) -> str:
    """The questionnaire for a patient with an account; the sign-up, with a new token, for an invited one."""
    if visit.patient_id:
        return f"{settings.PORTAL_BASE_URL}{reverse('patients:submission_edit')}"
    from .services import invitation_new_token
    from .tokens import invitation_token

    token = invitation_token(invitation_new_token(visit.invitation))
    return f"{settings.PORTAL_BASE_URL}{reverse('signup_invited', args=[token])}"


@outbox_email
def visit_invitation_email(*, visit_id: int) -> Message | None:
    """A visit was booked: please fill in the questionnaire (or create an account first)."""
    visit = _visit(visit_id)
    if visit is None or visit.submission_id:
        return None
    return _message(visit, "invitation_email", link=_link(visit), needs_account=not visit.patient_id)


@outbox_email
def visit_reminder_email(*, visit_id: int, days: int) -> Message | None:
    """The visit is in `days` days and the questionnaire has not arrived (or she has not signed up)."""
    visit = _visit(visit_id)
    if visit is None or visit.submission_id or (visit.patient_id and not visit.patient.visit_reminders):
        return None
    return _message(visit, "reminder_email", link=_link(visit), days=days, needs_account=not visit.patient_id)
