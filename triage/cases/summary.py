"""The case's clinical summary: her positive answers in one line, and her answers sorted for the
case page and its print (the positive ones marked, the ones that say no folded away).

Pure functions of a questionnaire's stored answers and the rule set she answered (1 to 3), worded
in the active language: the case page and its print show them with no query of their own. The
notes are never read here (RULES.md 11.2, S12): the summary only says that she wrote some.
"""

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy, ngettext

from .. import rules
from ..questionnaire import CHOICE_LABELS, given_answers, notes_written, readable_answers, short_label

# Doctor-facing names for the RULES.md 3.1 scales, shorter than the patient's wording.
AMOUNT_LABELS = {
    "none": gettext_lazy("none"),
    "streaks": gettext_lazy("streaks"),
    "spotting": gettext_lazy("spotting"),
    "light": gettext_lazy("light"),
    "moderate": gettext_lazy("moderate (needed a pad)"),
    "heavy": gettext_lazy("heavy (soaked a pad)"),
}
TREND_LABELS = {
    "first_time": gettext_lazy("first time"),
    "less": gettext_lazy("less than before"),
    "same": gettext_lazy("same as before"),
    "more": gettext_lazy("more than before"),
}

# Where the questionnaire's choices speak in her own words ("I am not sure"), the doctor's.
MENOPAUSE_LABELS = {
    "perimenopausal": gettext_lazy("Perimenopausal"),
    "postmenopausal": gettext_lazy("Postmenopausal"),
    "unsure": gettext_lazy("Not sure whether she is in the menopause"),
}
PERIOD_LATE_LABELS = {
    "late_no_test": gettext_lazy("Period late, no pregnancy test yet"),
    "late_test_positive": gettext_lazy("Period late, pregnancy test positive"),
    "late_test_negative": gettext_lazy("Period late, pregnancy test negative"),
    "cannot_tell": gettext_lazy("Cannot tell whether her period is late (irregular or absent periods)"),
}
HRT_TYPE_LABELS = {
    "sequential": gettext_lazy("sequential"),
    "continuous_combined": gettext_lazy("continuous combined"),
    "oestrogen_only": gettext_lazy("oestrogen only"),
    "unsure": gettext_lazy("kind not known"),
}
NOT_KNOWN = gettext_lazy("not known")
CHOICE_WORDS = {
    "last_cervical_screening": {"unsure": NOT_KNOWN},
    "contraception": {"other": gettext_lazy("other, or not stated")},
}

# The parts of the line are read one after the other.
SEPARATOR = " · "

POSITIVE = "positive"
CONTEXT = "context"
NEGATIVE = "negative"

# The answers that say "no" to a question that is not a yes/no one (a yes/no answer says it with False).
NO_ANSWERS = {
    "pregnancy_status": ("not_pregnant",),
    "period_late": ("no",),
    "contraception": ("none",),
    "discharge_color": ("none",),
    "bleeding_amount": ("none",),
    "other_bleeding_amount": ("none",),
    "pain_during_sex": (0,),
    "pelvic_pain_days": (0,),
    "notes": ("",),
}
# Answers that say who she is rather than what she reports: shown as they are, never marked.
CONTEXT_QUESTIONS = frozenset({"menopause_status", "contraception", "last_cervical_screening", "notes"})
CONTEXT_ANSWERS = {"period_late": ("late_test_negative", "cannot_tell")}


def _one_of(value, values) -> bool:
    # Compared with their types, so that 0 never stands for False.
    return any(type(value) is type(item) and value == item for item in values)


def answer_kind(name: str, value, version: int | None = None) -> str:
    """Whether an answer is positive (a symptom, a sign, a risk, a medicine, or a detail of one),
    context (who she is: menopause, contraception, screening, her notes) or negative (it says no).

    A value the questionnaire of rule set `version` does not know is context: shown, never folded.
    """
    field = rules.rule_set(version).fields_by_name.get(name)
    if field is None or field.error_for(value) is not None:
        return CONTEXT
    if value is False or _one_of(value, NO_ANSWERS.get(name, ())):
        return NEGATIVE
    if name in CONTEXT_QUESTIONS or _one_of(value, CONTEXT_ANSWERS.get(name, ())):
        return CONTEXT
    return POSITIVE


# --- The one line -----------------------------------------------------------------------------


def _lower_first(text) -> str:
    """A label, or a choice she picked, as it reads inside a sentence."""
    text = str(text)
    return text[:1].lower() + text[1:]


def _choice(name: str, value: str) -> str:
    words = CHOICE_WORDS.get(name, {}).get(value)
    return str(words) if words is not None else _lower_first(CHOICE_LABELS[name][value])


def _labelled(name: str, value: str, version: int | None) -> str:
    """The context at the end of the line, as "Label: her choice"."""
    return f"{short_label(name, version)}: {_choice(name, value)}"


def _weeks_ago(weeks: int) -> str:
    if weeks == 0:
        return gettext("first noticed this week")
    return ngettext("first noticed %(weeks)s week ago", "first noticed %(weeks)s weeks ago", weeks) % {
        "weeks": weeks
    }


def _for_weeks(weeks: int) -> str:
    if weeks == 0:
        return gettext("started this week")
    return ngettext("for %(weeks)s week", "for %(weeks)s weeks", weeks) % {"weeks": weeks}


def _menopause(given, version):
    label = MENOPAUSE_LABELS.get(given.get("menopause_status"))
    return str(label) if label else None


def _pregnancy(given, version):
    status = given.get("pregnancy_status")
    if status == "possible":
        return gettext("Possibly pregnant")
    if status == "confirmed":
        weeks = given.get("pregnancy_weeks")
        if weeks is None:
            return gettext("Pregnant")
        return ngettext("Pregnant, %(weeks)s week", "Pregnant, %(weeks)s weeks", weeks) % {"weeks": weeks}
    label = PERIOD_LATE_LABELS.get(given.get("period_late"))
    return str(label) if label else None


def _discharge(given, version):
    if given.get("discharge_after_sex") is not True:
        return None
    label = short_label("discharge_after_sex", version)
    colour = given.get("discharge_color", "none")
    return label if colour == "none" else f"{label}: {_choice('discharge_color', colour)}"


def _bleeding_after_sex(given, version):
    """Bleeding after intercourse with its count, amount, trend, clots and since when."""
    if given.get("bleeding_after_sex") is not True:
        return None
    details = []
    if "bleeding_episodes_3m" in given:
        episodes = given["bleeding_episodes_3m"]
        details.append(
            ngettext("%(episodes)s episode in 3 months", "%(episodes)s episodes in 3 months", episodes)
            % {"episodes": episodes}
        )
    if given.get("bleeding_amount", "none") != "none":
        details.append(str(AMOUNT_LABELS[given["bleeding_amount"]]))
    if "bleeding_trend" in given:
        details.append(str(TREND_LABELS[given["bleeding_trend"]]))
    if given.get("clots") is True:
        details.append(gettext("clots"))
    if "bleeding_first_noticed_weeks" in given:
        details.append(_weeks_ago(given["bleeding_first_noticed_weeks"]))
    return _with_details(short_label("bleeding_after_sex", version), details)


def _other_bleeding(given, version):
    """Bleeding outside periods with its amount, clots and for how long."""
    if given.get("intermenstrual_bleeding") is not True:
        return None
    details = []
    if given.get("other_bleeding_amount", "none") != "none":
        details.append(str(AMOUNT_LABELS[given["other_bleeding_amount"]]))
    if given.get("other_bleeding_clots") is True:
        details.append(gettext("clots"))
    if "intermenstrual_weeks" in given:
        details.append(_for_weeks(given["intermenstrual_weeks"]))
    return _with_details(short_label("intermenstrual_bleeding", version), details)


def _with_details(label: str, details: list[str]) -> str:
    return f"{label}: {', '.join(details)}" if details else label


def _pain_during_sex(given, version):
    score = given.get("pain_during_sex", 0)
    return gettext("Pain during intercourse %(score)s/10") % {"score": score} if score else None


def _pelvic_pain(given, version):
    days = given.get("pelvic_pain_days", 0)
    if not days:
        return None
    text = ngettext("Pelvic pain for %(days)s day", "Pelvic pain for %(days)s days", days) % {"days": days}
    score = given.get("pelvic_pain_severity", 0)
    return ", ".join([text, gettext("%(score)s/10 at worst") % {"score": score}]) if score else text


def _together(*names):
    """Several yes/no symptoms in one part: "Burning, itching, unpleasant smell"."""

    def part(given, version):
        labels = [short_label(name, version) for name in names if given.get(name) is True]
        if not labels:
            return None
        return ", ".join([labels[0], *map(_lower_first, labels[1:])])

    return part


def _yes(name):
    """A yes/no question said by its short name when the answer is yes."""

    def part(given, version):
        return short_label(name, version) if given.get(name) is True else None

    return part


def _hrt(given, version):
    """Hormone replacement therapy with its kind and a recent start or change."""
    if given.get("hrt") is not True:
        return None
    details = []
    if "hrt_type" in given:
        details.append(str(HRT_TYPE_LABELS[given["hrt_type"]]))
    if given.get("hrt_recent_change") is True:
        details.append(_lower_first(short_label("hrt_recent_change", version)))
    return _with_details(short_label("hrt", version), details)


def _contraception(given, version):
    method = given.get("contraception", "none")
    return None if method == "none" else _labelled("contraception", method, version)


def _screening(given, version):
    when = given.get("last_cervical_screening")
    return None if when is None else _labelled("last_cervical_screening", when, version)


# The line's parts in the order a doctor reads them, each with the questions it says: who she is,
# what she reports (as the questionnaire asks it), her risks and medicines, then her contraception
# and her last screening.
STATUS_PARTS = (
    (("menopause_status",), _menopause),
    (("pregnancy_status", "pregnancy_weeks", "period_late"), _pregnancy),
)
FINDING_PARTS = (
    (("shoulder_tip_pain",), _yes("shoulder_tip_pain")),
    (("discharge_after_sex", "discharge_color"), _discharge),
    (
        (
            "bleeding_after_sex",
            "bleeding_episodes_3m",
            "bleeding_first_noticed_weeks",
            "bleeding_amount",
            "bleeding_trend",
            "clots",
        ),
        _bleeding_after_sex,
    ),
    (("soaks_pad_hourly",), _yes("soaks_pad_hourly")),
    (("pain_during_sex",), _pain_during_sex),
    (("pelvic_pain_days", "pelvic_pain_severity"), _pelvic_pain),
    (
        ("burning", "itching", "bad_odor", "persistent_discomfort"),
        _together("burning", "itching", "bad_odor", "persistent_discomfort"),
    ),
    (("fever",), _yes("fever")),
    (("dizziness_fainting",), _yes("dizziness_fainting")),
    (
        ("intermenstrual_bleeding", "other_bleeding_amount", "other_bleeding_clots", "intermenstrual_weeks"),
        _other_bleeding,
    ),
    (("vaginal_dryness",), _yes("vaginal_dryness")),
    (("abnormal_screening_history",), _yes("abnormal_screening_history")),
    (("anticoagulants",), _yes("anticoagulants")),
    (("tamoxifen",), _yes("tamoxifen")),
    (("hrt", "hrt_type", "hrt_recent_change"), _hrt),
    (("immunosuppressed",), _yes("immunosuppressed")),
    (("recent_procedure_6w",), _yes("recent_procedure_6w")),
    (("new_partner_3m",), _yes("new_partner_3m")),
)
CONTEXT_PARTS = (
    (("contraception",), _contraception),
    (("last_cervical_screening",), _screening),
)
# What the line never reads: her notes are marked, not summarised (RULES.md 11.2, S12).
UNSAID = frozenset({"notes"})


@dataclass(frozen=True)
class ClinicalSummary:
    """The line's parts, whether any answer was positive, and whether she wrote notes."""

    parts: tuple[str, ...]
    positive: bool
    has_notes: bool

    def __str__(self) -> str:
        return SEPARATOR.join(self.parts)


def clinical_summary(answers, version: int | None, age: int | None = None) -> ClinicalSummary:
    """Her positive answers in one line, in the active language, with her age, pregnancy or
    menopause, contraception and last screening around them.

    Only the answers she gave to questions her questionnaire showed her are read (`given_answers`):
    a skipped or unknown answer is left out, never filled in; "not sure" is said as such.
    """
    answers = answers if isinstance(answers, dict) else {}
    given = given_answers(answers, version)

    def said(parts) -> list[str]:
        return [text for _names, build in parts if (text := build(given, version))]

    positive = any(answer_kind(name, value, version) == POSITIVE for name, value in given.items())
    line = []
    if age is not None:
        line.append(ngettext("%(years)s year", "%(years)s years", age) % {"years": age})
    line += said(STATUS_PARTS)
    line += said(FINDING_PARTS) if positive else [gettext("No positive answers")]
    line += said(CONTEXT_PARTS)
    return ClinicalSummary(parts=tuple(line), positive=positive, has_notes=notes_written(answers))


def case_summary(submission) -> ClinicalSummary:
    """The clinical summary of a sent questionnaire, from the answers already loaded with it."""
    return clinical_summary(submission.answers, submission.questionnaire_version, submission.age)


# --- The answers list, sorted -----------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    name: str
    label: str
    shown: str
    positive: bool


@dataclass(frozen=True)
class SortedAnswers:
    """Her answers by section: the positive and context ones to read, the negative ones to fold."""

    sections: tuple[tuple[str, tuple[AnswerRow, ...]], ...]
    folded: tuple[tuple[str, tuple[AnswerRow, ...]], ...]
    positive_count: int
    folded_count: int


def sorted_answers(answers, version: int | None) -> SortedAnswers:
    """The questions she was shown (`readable_answers`), each marked positive or folded as negative."""
    answers = answers if isinstance(answers, dict) else {}
    defaults = {field.name: field.default for field in rules.rule_set(version).fields}
    shown, folded = [], []
    for title, rows in readable_answers(answers, version):
        kept, away = [], []
        for name, label, text in rows:
            kind = answer_kind(name, answers.get(name, defaults[name]), version)
            (away if kind == NEGATIVE else kept).append(AnswerRow(name, label, text, kind == POSITIVE))
        if kept:
            shown.append((title, tuple(kept)))
        if away:
            folded.append((title, tuple(away)))
    return SortedAnswers(
        sections=tuple(shown),
        folded=tuple(folded),
        positive_count=sum(row.positive for _title, rows in shown for row in rows),
        folded_count=sum(len(rows) for _title, rows in folded),
    )
