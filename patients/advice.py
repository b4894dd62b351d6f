"""What the patient is told after submitting: the RULES.md section 8 advice for her level."""

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from triage import rules
from triage.models import Level

HEADLINES = {
    Level.EMERGENCY: _("Get urgent care now"),
    Level.PRIORITY: _("Please phone the clinic soon"),
    Level.FOLLOW_UP: _("Book a visit in the coming weeks"),
    Level.ROUTINE: _("Nothing needs special attention"),
    Level.REVIEW: _("The doctor will review your answers"),
}

# Shown when the rules could not assess the answers: the doctor sees the case on top of the
# worklist; the patient gets the safety-net part of the advice without any reassurance.
REVIEW_TEXT = _(
    "Your answers have been sent to the clinic and the doctor will review them personally. "
    "If you are worried, phone the clinic. If the bleeding becomes heavy (a pad soaked within an hour), "
    "you get severe pain or a fever with lower-belly pain, or you feel faint, go to the emergency "
    "department or call 112."
)


@dataclass(frozen=True)
class Advice:
    level: int
    headline: str
    text: str

    @property
    def is_emergency(self) -> bool:
        return self.level == Level.EMERGENCY

    @property
    def css(self) -> str:
        return {
            Level.EMERGENCY: "danger",
            Level.PRIORITY: "warning",
            Level.FOLLOW_UP: "info",
            Level.REVIEW: "warning",
        }.get(self.level, "success")


def advice_for(level: int, language: str | None = None) -> Advice:
    """The advice for a level in the given (or active) language; Italian unless English is asked for."""
    language = (language or get_language() or "it").split("-")[0]
    if level == Level.REVIEW:
        text = str(REVIEW_TEXT)
    else:
        texts = rules.ADVICE[rules.Level(level)]
        text = texts.get(language, texts[rules.DEFAULT_ADVICE_LANGUAGE])
    return Advice(level=level, headline=str(HEADLINES[Level(level)]), text=text)
