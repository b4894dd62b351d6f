"""How the patient's own records read to her: the status of a questionnaire in patient words."""

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from clinic.models import clinic_profile
from triage.cases.acted_on import acted_on
from triage.cases.presenters import answers_fragment
from triage.cases.selectors import case_follow_up_on
from triage.models import Case

from .advice import Action, Advice, NextStep, advice_actions, next_step_for, submission_advice

# Her own questionnaire's answers, as her page shows them: a cached fragment.
ANSWERS = answers_fragment("patients/_answers.html")


@dataclass(frozen=True)
class PatientStatus:
    """Where her questionnaire stands: `code` for styling and tests, `label` to show."""

    code: str
    label: str
    follow_up_on: date | None = None


RECEIVED = "received"
READ = "read"
FOLLOW_UP = "follow_up"
CLOSED = "closed"

LABELS = {
    RECEIVED: _("Received"),
    READ: _("Read by the doctor"),
    FOLLOW_UP: _("Follow-up booked for %(date)s"),
    CLOSED: _("Closed"),
}


def submission_status(submission) -> PatientStatus:
    """The patient-facing status of a submitted questionnaire, from its case.

    "Read by the doctor" means a doctor opened the case (`doctor_opened`, annotated by
    `patients.selectors.with_doctor_opened`) or changed its status; the doctor's own workflow
    words ("new", "in review") are never shown to her.
    """
    case = getattr(submission, "case", None)
    if case is None:
        return PatientStatus(RECEIVED, str(LABELS[RECEIVED]))
    if case.status == Case.Status.CLOSED:
        return PatientStatus(CLOSED, str(LABELS[CLOSED]))
    follow_up_on = case_follow_up_on(case)
    if follow_up_on:
        label = str(LABELS[FOLLOW_UP]) % {"date": date_format(follow_up_on, "DATE_FORMAT")}
        return PatientStatus(FOLLOW_UP, label, follow_up_on)
    if case.status != Case.Status.NEW or getattr(submission, "doctor_opened", False):
        return PatientStatus(READ, str(LABELS[READ]))
    return PatientStatus(RECEIVED, str(LABELS[RECEIVED]))


@dataclass(frozen=True)
class SubmissionSummary:
    """One sent questionnaire as the patient's list and confirmation page show it."""

    submission: object
    status: PatientStatus
    advice: Advice | None
    # None once it is no longer ahead of her: the case is closed, or the clinic has acted on an alarm.
    next_step: NextStep | None
    # The call buttons and lines under the advice, for the clinic's hours now (RULES.md S14).
    actions: tuple[Action, ...] = ()


def submission_summary(submission, *, clinic=None, visit=None) -> SubmissionSummary:
    """One sent questionnaire for her pages. `submission` carries the annotations of
    `patients.selectors.with_case_state`; `visit` is her next booked visit, if any."""
    case = getattr(submission, "case", None)
    advice = submission_advice(submission, acted_on(submission, case) if case is not None else None)
    status = submission_status(submission)
    if advice is None:
        return SubmissionSummary(submission, status, None, None)
    current = status.code != CLOSED and not advice.is_past_alarm
    clinic = clinic or clinic_profile()
    actions = tuple(advice_actions(advice, clinic, visit))
    return SubmissionSummary(
        submission, status, advice, next_step_for(advice, clinic, visit) if current else None, actions
    )


def live_alarm_summaries(patient) -> list[SubmissionSummary]:
    """Her questionnaires whose emergency or urgent advice is still a live alarm, newest first."""
    from .selectors import submission_alarm_list_for

    clinic = clinic_profile()
    summaries = (
        submission_summary(submission, clinic=clinic) for submission in submission_alarm_list_for(patient)
    )
    return [summary for summary in summaries if summary.advice and summary.advice.is_live_alarm]
