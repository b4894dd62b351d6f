"""The one way to reach a patient's own records from a request, as a 404 for anyone else's."""

from django.shortcuts import get_object_or_404

from triage.advice import advice_related

from .models import Submission


def submission_for_patient(user, pk) -> Submission:
    """The user's own submitted questionnaire `pk`, with its patient and worklist case (and the
    advice she is shown, `triage.advice.advice_shown`).

    Someone else's questionnaire, or a draft, is a 404 like a missing one, so
    that an id reveals nothing about whose it is.
    """
    return get_object_or_404(
        Submission.objects.select_related("patient__user", *advice_related("case__")),
        pk=pk,
        patient__user=user,
        status=Submission.Status.SUBMITTED,
    )
