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
class AdviceShown:
    """One advice as she was given it: its level, the rule set that words it, and when.

    `updated`: it replaced an earlier advice after she sent the questionnaire (a move up, or a
    doctor's sign-off of a lower level), so her pages say "Advice updated on …" (RULES.md 11.2, S4).
    """

    level: int
    version: int | None
    given_at: datetime
    updated: bool = False


def advice_shown(case) -> AdviceShown:
    """What she is shown for a case: the advice of the assessment she was given (`Case.advice`),
    dated when she was given it (`Case.advised_at`).

    Her Send gives her the first assessment's advice; a re-assessment that moves the case up gives
    her the new one at once, dated that day; one that would lower it gives her nothing until a
    doctor signs it off, and then it is dated on the sign-off (S4, S5). A re-assessment at the same
    level leaves her advice, its words included, as she was given it. A case stored without the
    link (it is set from the first assessment on) shows its own level as sent. Reads `case.advice`:
    load it with the case (`advice_related`).
    """
    given_at = case.advised_at or case.submitted_at
    updated = case.earlier_advised_at is not None
    if case.advice_id is None:
        return AdviceShown(case.level, case.rules_version, given_at, updated)
    return AdviceShown(case.advice.level, case.advice.rules_version, given_at, updated)


def earlier_advice_shown(case) -> AdviceShown | None:
    """The advice she had before the one she is shown now, kept as a dated record; None if none."""
    if case.earlier_advice_id is None or case.earlier_advised_at is None:
        return None
    earlier = case.earlier_advice
    return AdviceShown(earlier.level, earlier.rules_version, case.earlier_advised_at)


def advice_related(path: str = "") -> tuple[str, ...]:
    """What `advice_shown` and `earlier_advice_shown` read with a case, for `select_related`;
    `path` leads from the rows read to the case ("case__" from her questionnaires)."""
    return (f"{path}advice", f"{path}earlier_advice")


@dataclass(frozen=True)
class AdviceGiven:
    """The advice she is shown for a case, quoted for the doctor in her language, and the one before."""

    level: int
    given_at: datetime
    headline: str
    text: str
    # The language's code (for the `lang` attribute) and its name.
    language_code: str
    language: str
    # A move up or a signed-off lower level gave it after her Send.
    updated: bool = False
    # The advice it replaced, and when that one was given.
    earlier_level: int | None = None
    earlier_at: datetime | None = None


def advice_given(case, language: str) -> AdviceGiven:
    """The advice she is shown for `case` (`advice_shown`), in `language`."""
    shown = advice_shown(case)
    earlier = earlier_advice_shown(case)
    headline, text = advice_words(shown.level, language, shown.version)
    return AdviceGiven(
        level=shown.level,
        given_at=shown.given_at,
        headline=headline,
        text=text,
        language_code=rules.advice_language(language),
        language=dict(settings.LANGUAGES).get(rules.advice_language(language), language),
        updated=shown.updated,
        earlier_level=earlier.level if earlier else None,
        earlier_at=earlier.given_at if earlier else None,
    )
