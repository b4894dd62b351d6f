"""What the patient is told after submitting: the advice of her level, in the words of its rule set."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from triage.advice import HEADLINES, REVIEW_TEXT, advice_words
from triage.models import CaseLevel

# The words are defined with the rule sets; the patient's pages import them from here too.
__all__ = ["HEADLINES", "REVIEW_TEXT", "Advice", "advice_for", "submission_advice"]


@dataclass(frozen=True)
class NextStep:
    """What happens next, in patient words: when (the timeframe of RULES.md 8) and what she does."""

    when: str
    text: str


# Shown after Send on the confirmation page and her list, next to the advice of the level. The
# timeframes are those of RULES.md section 8; the doctor's own timing is never promised.
NEXT_STEPS = {
    CaseLevel.EMERGENCY: NextStep(
        _("Now"),
        _(
            "Go to the nearest emergency department now, or call 112 or 118. Do not wait to hear from "
            "the clinic. Your answers have also been sent to the doctor."
        ),
    ),
    CaseLevel.URGENT: NextStep(
        _("Today"),
        _(
            "Phone the clinic now to be seen today. If you cannot speak to us today (evenings, weekends, "
            "public holidays), go to an emergency department today. Your answers have also been sent to "
            "the doctor."
        ),
    ),
    CaseLevel.PRIORITY: NextStep(
        _("Today or the next working day"),
        _(
            "Phone the clinic today or on the next working day, so that a visit can be arranged soon. "
            "The doctor will review your answers."
        ),
    ),
    CaseLevel.FOLLOW_UP: NextStep(
        _("In the coming weeks"),
        _("Book a visit in the coming weeks. The doctor will review your answers."),
    ),
    CaseLevel.ROUTINE: NextStep(
        _("At your booked appointment"),
        _(
            "Keep your booked appointment: the doctor will review your answers. Fill in the questionnaire "
            "again or contact the clinic if anything changes."
        ),
    ),
    CaseLevel.REVIEW: NextStep(
        _("The doctor will read your answers"),
        _("The doctor will review your answers personally. If you are worried, phone the clinic."),
    ),
}

# An emergency or urgent advice is a live alarm for this long after it was given; after that it
# is shown collapsed under "Advice given on <date>", as a record, not as a call to act now.
ALARM_LIVE_FOR = timedelta(hours=24)

CSS = {
    CaseLevel.EMERGENCY: "danger",
    CaseLevel.URGENT: "danger",
    CaseLevel.PRIORITY: "warning",
    CaseLevel.FOLLOW_UP: "info",
    CaseLevel.REVIEW: "warning",
}


@dataclass(frozen=True)
class Advice:
    level: int
    headline: str
    text: str
    # When the patient was given it (her Send); None for advice not tied to a questionnaire.
    given_at: datetime | None = None

    @property
    def comes_first(self) -> bool:
        """Emergency and urgent advice is shown before anything else, with the call actions (RULES.md 7)."""
        return self.level in (CaseLevel.EMERGENCY, CaseLevel.URGENT)

    @property
    def is_emergency(self) -> bool:
        return self.level == CaseLevel.EMERGENCY

    @property
    def css(self) -> str:
        return CSS.get(self.level, "success")

    @property
    def next_step(self) -> NextStep:
        return NEXT_STEPS[CaseLevel(self.level)]

    @property
    def is_live_alarm(self) -> bool:
        """Emergency or urgent advice given no more than `ALARM_LIVE_FOR` ago: shown first, as an alert."""
        if not self.comes_first:
            return False
        return self.given_at is None or timezone.now() - self.given_at <= ALARM_LIVE_FOR

    @property
    def is_past_alarm(self) -> bool:
        """Emergency or urgent advice older than `ALARM_LIVE_FOR`: shown collapsed, as a record."""
        return self.comes_first and not self.is_live_alarm


def advice_for(
    level: int, language: str | None = None, version: int | None = None, given_at: datetime | None = None
) -> Advice:
    """The advice for a level in the given (or active) language, as rule set `version` words it."""
    headline, text = advice_words(level, language or get_language(), version)
    return Advice(level=level, headline=headline, text=text, given_at=given_at)


def submission_advice(submission) -> Advice | None:
    """The advice for a submitted questionnaire's current level, as its rule set words it."""
    case = getattr(submission, "case", None)
    if case is None:
        return None
    return advice_for(case.level, version=case.rules_version, given_at=submission.submitted_at)
