"""What the patient is told after submitting: the advice of her level, in the words of its rule set."""

from dataclasses import dataclass

from django.utils.translation import get_language

from triage.advice import HEADLINES, REVIEW_TEXT, advice_words
from triage.models import CaseLevel

# The words are defined with the rule sets; the patient's pages import them from here too.
__all__ = ["HEADLINES", "REVIEW_TEXT", "Advice", "advice_for", "submission_advice"]

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
    headline, text = advice_words(level, language or get_language(), version)
    return Advice(level=level, headline=headline, text=text)


def submission_advice(submission) -> Advice | None:
    """The advice for a submitted questionnaire's current level, as its rule set words it."""
    case = getattr(submission, "case", None)
    if case is None:
        return None
    return advice_for(case.level, version=case.rules_version)
