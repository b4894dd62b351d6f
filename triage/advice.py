"""The words of the advice a patient is given for a level: its headline and its text.

They live next to the rule sets that define the advice, so the patient's
pages (`patients.advice`) and the doctor's case page read the same words.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import CaseLevel

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


def advice_words(level: int, language: str, version: int | None = None) -> tuple[str, str]:
    """The (headline, text) of a level's advice in `language`, as rule set `version` words it."""
    with translation.override(language):
        headline = str(HEADLINES[CaseLevel(level)])
        if level == CaseLevel.REVIEW:
            return headline, str(REVIEW_TEXT)
    return headline, rules.rule_set(version).advice_text(rules.Level(level), language)


def patient_language(user) -> str:
    """The language the patient reads the portal in: her profile's choice if the account records one,
    else the clinic's language, the portal's default."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


@dataclass(frozen=True)
class AdviceGiven:
    """The advice a questionnaire earned: the one shown when she sent it, and any later one."""

    level: int
    given_at: datetime
    headline: str
    text: str
    # The language's code (for the `lang` attribute) and its name.
    language_code: str
    language: str
    # A re-assessment at another level changed the advice her questionnaire list shows since.
    later_level: int | None = None
    later_at: datetime | None = None


def advice_given(assessments, language: str) -> AdviceGiven | None:
    """The advice of the first assessment (oldest first in `assessments`), in `language`."""
    if not assessments:
        return None
    first, latest = assessments[0], assessments[-1]
    headline, text = advice_words(first.level, language, first.rules_version)
    changed = latest.level != first.level
    return AdviceGiven(
        level=first.level,
        given_at=first.created_at,
        headline=headline,
        text=text,
        language_code=rules.advice_language(language),
        language=dict(settings.LANGUAGES).get(rules.advice_language(language), language),
        later_level=latest.level if changed else None,
        later_at=latest.created_at if changed else None,
    )
