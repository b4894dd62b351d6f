"""What the patient is told after submitting: the advice of her level, in the words of its rule set."""

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from triage import rules
from triage.models import CaseLevel

HEADLINES = {
    CaseLevel.EMERGENCY: _("Get urgent care now"),
    CaseLevel.URGENT: _("Get checked today"),
    CaseLevel.PRIORITY: _("Please phone the clinic soon"),
    CaseLevel.FOLLOW_UP: _("Book a visit in the coming weeks"),
    CaseLevel.ROUTINE: _("No warning signs found"),
    CaseLevel.REVIEW: _("The doctor will review your answers"),
}

# Shown when the rules could not assess the answers: the doctor sees the case on top of the
# worklist; the patient gets the safety-net part of the advice without any reassurance.
REVIEW_TEXT = _(
    "Your answers have been sent to the clinic and the doctor will review them personally. "
    "If you are worried, phone the clinic. If the bleeding becomes heavy (a pad soaked within an hour), "
    "you get severe pain or a fever with lower-belly pain, or you feel faint, go to the emergency "
    "department or call 112 or 118."
)

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


def advice_for(level: int, language: str | None = None, version: int | None = None) -> Advice:
    """The advice for a level in the given (or active) language, as rule set `version` words it."""
    if level == CaseLevel.REVIEW:
        text = str(REVIEW_TEXT)
    else:
        text = rules.rule_set(version).advice_text(rules.Level(level), language or get_language())
    return Advice(level=level, headline=str(HEADLINES[CaseLevel(level)]), text=text)


def submission_advice(submission) -> Advice | None:
    """The advice for a submitted questionnaire's current level, as its rule set words it."""
    case = getattr(submission, "case", None)
    if case is None:
        return None
    return advice_for(case.level, version=case.rules_version)
