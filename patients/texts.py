"""Text messages to patients about their questionnaire, each one kind of outbox text (`outbox.texts`).

Like the emails, they are written when the worker sends them and say nothing
of her health: the clinic, the news in general words, a link and its phone.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from outbox.texts import compose, outbox_text

from .models import Submission


@outbox_text
def submission_received_text(*, patient, submission_id: int) -> str | None:
    """Her questionnaire arrived (nothing about what it says)."""
    if not Submission.objects.filter(
        pk=submission_id, patient=patient, status=Submission.Status.SUBMITTED
    ).exists():
        return None
    return compose(_("We have received your questionnaire, thank you."), reverse("home"))
