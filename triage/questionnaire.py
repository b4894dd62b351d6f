"""The questionnaire as people read it (RULES.md 3.1): wording, sections and readable answers.

Field names, kinds, ranges, defaults and branching live in the rule sets
(`triage.rules`); this module says how each question reads, where it sits
on the page and how a stored answer is shown, for the current questionnaire
and for answers given to an earlier one.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import rules

QUESTION_LABELS = {
    "menopause_status": _("Which best describes you?"),
    "pregnancy_status": _("Could you be pregnant?"),
    "period_late": _("Is your period late at the moment?"),
    "pregnancy_weeks": _("How many weeks pregnant are you? (completed weeks)"),
    "shoulder_tip_pain": _("Do you have pain at the tip of a shoulder that started without an injury?"),
    "contraception": _("Which contraception do you use at the moment?"),
    "discharge_after_sex": _("Do you notice fluid or discharge coming out after intercourse?"),
    "discharge_color": _("What colour is that discharge usually?"),
    "bleeding_after_sex": _(
        "Have you had bleeding, or discharge streaked with blood, after intercourse (not your period)?"
    ),
    "bleeding_episodes_3m": _(
        "In the last 3 months, how many times have you bled after intercourse, counting the most recent time?"
    ),
    "bleeding_first_noticed_weeks": _(
        "How many weeks ago did you first notice bleeding after intercourse? (0 = this week)"
    ),
    "bleeding_amount": _("How much did you bleed the last time?"),
    "bleeding_trend": _("Compared with earlier times, the bleeding is:"),
    "clots": _("Did you pass blood clots?"),
    "soaks_pad_hourly": _(
        "Right now, or at any time in the last 24 hours, are/were you soaking through one or more pads "
        "or tampons every hour?"
    ),
    "pain_during_sex": _(
        "How strong is the pain during intercourse, from 0 (none) to 10 (worst imaginable)?"
    ),
    "pelvic_pain_days": _(
        "For how many days have you had pain in the lower belly or pelvis, constant or coming and going? "
        "(0 = no such pain; 1 = it started today or yesterday)"
    ),
    "pelvic_pain_severity": _(
        "How strong is that pain at its worst, from 0 (none) to 10 (worst imaginable)?"
    ),
    "burning": _("Do you have burning in the intimate area?"),
    "itching": _("Do you have itching in the intimate area?"),
    "bad_odor": _("Do you notice an unpleasant or unusual smell from the vagina?"),
    "persistent_discomfort": _("Do you have discomfort in the intimate area that does not go away?"),
    "fever": _("Have you measured a temperature of 38 °C or more, now or in the last 3 days?"),
    "dizziness_fainting": _(
        "Right now, or in the last 24 hours, have you felt faint or very light-headed, or actually fainted?"
    ),
    "intermenstrual_bleeding": _(
        "Have you had vaginal bleeding that was not caused by intercourse and not during your period? "
        "(If your periods have stopped, answer yes for any vaginal bleeding.)"
    ),
    "other_bleeding_amount": _(
        "How much did you bleed the last time (not after intercourse, not your period)?"
    ),
    "other_bleeding_clots": _("With this bleeding, did you pass blood clots?"),
    "intermenstrual_weeks": _(
        "For how many weeks has this bleeding been happening, even if it comes and goes? "
        "(0 = it started this week)"
    ),
    "vaginal_dryness": _("Do you often feel vaginal dryness, for example during intercourse?"),
    "last_cervical_screening": _("When did you last have a cervical screening test (Pap test or HPV test)?"),
    "abnormal_screening_history": _(
        "Have you ever had an abnormal Pap or HPV test result, or treatment of the cervix for abnormal cells?"
    ),
    "anticoagulants": _(
        "Do you take blood-thinning (anticoagulant) medicines, such as warfarin, apixaban, rivaroxaban, "
        "dabigatran, edoxaban or heparin injections?"
    ),
    "tamoxifen": _(
        "Do you take tamoxifen, or have you taken it in the past (a medicine used after breast cancer)?"
    ),
    "hrt": _("Do you take hormone replacement therapy for the menopause (tablets, patches, gel or spray)?"),
    "hrt_type": _("Which kind of hormone replacement therapy do you take?"),
    "hrt_recent_change": _(
        "Did you start this therapy in the last 6 months, or change its type or dose in the last 3 months?"
    ),
    "immunosuppressed": _(
        "Do you have a condition or treatment that weakens the immune system (for example HIV, an organ "
        "transplant, chemotherapy, or long-term steroid or immunosuppressant medicines)?"
    ),
    "recent_procedure_6w": _(
        "In the last 6 weeks, have you given birth, had a miscarriage or a termination of pregnancy, had a "
        "coil (IUD) fitted or removed, or had treatment or a biopsy on the cervix?"
    ),
    "new_partner_3m": _("Have you had a new sexual partner in the last 3 months?"),
    "notes": _("Is there anything else you would like the doctor to know?"),
}

# RULES.md 3.3: the help text under a question.
HELP_TEXTS = {
    "period_late": _(
        "We ask because an early pregnancy can cause pain or bleeding even before you know about it."
    ),
    "pregnancy_weeks": _(
        "Give the completed weeks your doctor or scan told you; if you do not know them, count from the "
        "first day of your last period."
    ),
    "contraception": _(
        "If you use more than one method and one is a coil, choose the coil; otherwise choose the method "
        "that is not condoms."
    ),
    "tamoxifen": _("Answer yes even if you stopped it, however long ago."),
}

# Short names for read-only views, where the full question would be too long.
SHORT_LABELS = {
    "menopause_status": _("Menopause"),
    "pregnancy_status": _("Pregnancy"),
    "period_late": _("Period late"),
    "pregnancy_weeks": _("Weeks of pregnancy"),
    "shoulder_tip_pain": _("Shoulder-tip pain without injury"),
    "contraception": _("Contraception"),
    "discharge_after_sex": _("Discharge after intercourse"),
    "discharge_color": _("Discharge colour"),
    "bleeding_after_sex": _("Bleeding after intercourse"),
    "bleeding_episodes_3m": _("Episodes in the last 3 months"),
    "bleeding_first_noticed_weeks": _("First noticed (weeks ago)"),
    "bleeding_amount": _("Amount last time"),
    "bleeding_trend": _("Trend"),
    "clots": _("Clots"),
    "soaks_pad_hourly": _("Soaking a pad or tampon every hour"),
    "pain_during_sex": _("Pain during intercourse (0–10)"),
    "pelvic_pain_days": _("Days of pelvic pain"),
    "pelvic_pain_severity": _("Pelvic pain at its worst (0–10)"),
    "burning": _("Burning"),
    "itching": _("Itching"),
    "bad_odor": _("Unpleasant smell"),
    "persistent_discomfort": _("Discomfort that does not go away"),
    "fever": _("Fever 38 °C or more"),
    "dizziness_fainting": _("Faint or light-headed"),
    "intermenstrual_bleeding": _("Bleeding outside periods"),
    "other_bleeding_amount": _("Amount of that bleeding last time"),
    "other_bleeding_clots": _("Clots with that bleeding"),
    "intermenstrual_weeks": _("Weeks of that bleeding"),
    "vaginal_dryness": _("Vaginal dryness"),
    "last_cervical_screening": _("Last cervical screening"),
    "abnormal_screening_history": _("Abnormal screening result in the past"),
    "anticoagulants": _("Anticoagulants"),
    "tamoxifen": _("Tamoxifen (now or in the past)"),
    "hrt": _("Hormone replacement therapy"),
    "hrt_type": _("Kind of hormone replacement therapy"),
    "hrt_recent_change": _("Started within 6 months or changed within 3 months"),
    "immunosuppressed": _("Weakened immune system"),
    "recent_procedure_6w": _("Birth, pregnancy loss or procedure in the last 6 weeks"),
    "new_partner_3m": _("New partner in the last 3 months"),
    "notes": _("Notes for the doctor"),
}

# Where a question read differently in the questionnaire she answered (RULES.md 11.1 V3): the rule
# set that reworded it, and its wording and short name before.
WORDING_BEFORE = {
    # Rule sets 1 and 2 asked about current use only.
    "tamoxifen": (
        3,
        _("Do you take tamoxifen (a medicine used after breast cancer)?"),
        _("Tamoxifen (now)"),
    ),
}


def _before(name: str, version: int | None):
    earlier = WORDING_BEFORE.get(name)
    if earlier is not None and version is not None and version < earlier[0]:
        return earlier
    return None


def question_label(name: str, version: int | None = None) -> str:
    """A question as the questionnaire of rule set `version` worded it (the current one if None)."""
    earlier = _before(name, version)
    return str(earlier[1] if earlier else QUESTION_LABELS[name])


def short_label(name: str, version: int | None = None) -> str:
    """A question's short name as in the questionnaire of rule set `version` (the current one if None)."""
    earlier = _before(name, version)
    return str(earlier[2] if earlier else SHORT_LABELS[name])


_BLEEDING_AMOUNT_LABELS = {
    "none": pgettext_lazy("bleeding amount", "None"),
    "streaks": _("Pink tinge or streaks of blood in the discharge"),
    "spotting": _("A few drops, a panty liner was enough"),
    "light": _("I had to change a panty liner"),
    "moderate": _("I needed a pad"),
    "heavy": _("A pad was soaked, or I passed clots"),
}

CHOICE_LABELS = {
    "menopause_status": {
        "premenopausal": _("I still have periods"),
        "perimenopausal": _("My periods have become irregular around the menopause"),
        "postmenopausal": _("My periods stopped 12 months ago or more"),
        "unsure": _("I am not sure"),
    },
    "pregnancy_status": {
        "not_pregnant": pgettext_lazy("pregnancy", "No"),
        "possible": _("Possibly (for example a late period, no test yet)"),
        "confirmed": _("Yes, pregnancy confirmed"),
    },
    "period_late": {
        "no": pgettext_lazy("period late", "No"),
        "late_no_test": _("Yes, and I have not done a pregnancy test yet"),
        "late_test_positive": _("Yes, and the pregnancy test is positive"),
        "late_test_negative": _("Yes, but a pregnancy test done after my period was due is negative"),
        "cannot_tell": _(
            "I can't tell: my periods are irregular or absent (for example because of the pill, a coil, "
            "breastfeeding or the approaching menopause)"
        ),
    },
    "contraception": {
        "none": pgettext_lazy("contraception", "None"),
        "condom_or_natural": _("Condoms only, or natural methods"),
        "combined_hormonal": _("Pill, patch or ring containing oestrogen"),
        "progestogen_only": _("Progestogen-only pill, implant under the skin, or injection"),
        "copper_iud": _("Copper coil (IUD)"),
        "hormonal_iud": _("Hormonal coil (IUS, for example Mirena, Kyleena, Jaydess)"),
        "other": _("Other, or I prefer not to say"),
    },
    "discharge_color": {
        "none": pgettext_lazy("discharge colour", "None"),
        "clear_white": _("Clear or white"),
        "pink": _("Pink"),
        "red": _("Red"),
        "brown": _("Brown"),
        "yellow_green": _("Yellow or green"),
        "grey": _("Grey"),
    },
    "bleeding_amount": _BLEEDING_AMOUNT_LABELS,
    # Same scale (RULES.md 3.3).
    "other_bleeding_amount": _BLEEDING_AMOUNT_LABELS,
    "bleeding_trend": {
        "first_time": _("This is the first time"),
        "less": _("Less"),
        "same": _("About the same"),
        "more": _("More"),
    },
    "last_cervical_screening": {
        "within_3y": _("Less than 3 years ago"),
        "3_to_5y": _("3 to 5 years ago"),
        "over_5y": _("More than 5 years ago"),
        "never": _("Never"),
        "unsure": _("I don't know"),
    },
    "hrt_type": {
        "sequential": _(
            "With a period-like bleed every month or every 3 months (sequential or cyclical therapy)"
        ),
        "continuous_combined": _(
            "Continuous, meant to give no bleeding (oestrogen and progestogen every day, or tibolone)"
        ),
        "oestrogen_only": _("Oestrogen only (usually after removal of the womb)"),
        "unsure": pgettext_lazy("hrt type", "I don't know"),
    },
}

# Answers a question has but does not offer: "none" stands only for a hidden or absent answer (RULES.md 3.3).
NOT_OFFERED = {"other_bleeding_amount": frozenset({"none"})}

YES = "yes"
NO = "no"
YES_NO_LABELS = {True: _("Yes"), False: _("No")}

# The page's sections, in RULES.md 3.1 order.
SECTIONS = [
    (
        _("Cycle and pregnancy"),
        [
            "menopause_status",
            "pregnancy_status",
            "period_late",
            "pregnancy_weeks",
            "shoulder_tip_pain",
            "contraception",
        ],
    ),
    (_("Discharge"), ["discharge_after_sex", "discharge_color"]),
    (
        _("Bleeding after intercourse"),
        [
            "bleeding_after_sex",
            "bleeding_episodes_3m",
            "bleeding_first_noticed_weeks",
            "bleeding_amount",
            "bleeding_trend",
            "clots",
            "soaks_pad_hourly",
        ],
    ),
    (
        _("Other symptoms"),
        [
            "pain_during_sex",
            "pelvic_pain_days",
            "pelvic_pain_severity",
            "burning",
            "itching",
            "bad_odor",
            "persistent_discomfort",
            "fever",
            "dizziness_fainting",
            "intermenstrual_bleeding",
            "other_bleeding_amount",
            "other_bleeding_clots",
            "intermenstrual_weeks",
            "vaginal_dryness",
        ],
    ),
    (
        _("Screening, medicines and history"),
        [
            "last_cervical_screening",
            "abnormal_screening_history",
            "anticoagulants",
            "tamoxifen",
            "hrt",
            "hrt_type",
            "hrt_recent_change",
            "immunosuppressed",
            "recent_procedure_6w",
            "new_partner_3m",
        ],
    ),
    (_("Notes"), ["notes"]),
]

# Without JavaScript every question shows; a hint above each group of details, keyed by its first
# question, says when to answer it (RULES.md 3.2 and 3.3).
REVEAL_HINTS = {
    "period_late": _(
        "Answer the next question only if you answered No about pregnancy and your periods have not stopped."
    ),
    "pregnancy_weeks": _("Answer the next question only if your pregnancy is confirmed."),
    "shoulder_tip_pain": _(
        "Answer the next question only if you are or might be pregnant, or if your period is late and you "
        "have not done a test or the test is positive."
    ),
    "contraception": _(
        "Answer the next question unless your periods stopped 12 months ago or more or your pregnancy is "
        "confirmed."
    ),
    "discharge_color": _("Answer the next question only if you answered yes above."),
    "bleeding_episodes_3m": _("Answer the next questions only if you answered yes above."),
    "pelvic_pain_severity": _("Answer the next question only if you have this pain (1 day or more)."),
    "other_bleeding_amount": _("Answer the next questions only if you answered yes above."),
    "hrt_type": _("Answer the next questions only if you answered yes above."),
}


def display_answer(name: str, value) -> str:
    """An answer as a person reads it, in the active language."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(YES_NO_LABELS[value])
    if name in CHOICE_LABELS:
        return str(CHOICE_LABELS[name].get(value, value))
    return str(value)


def given_answers(answers: dict, version: int | None = None) -> dict:
    """The answers she gave, by name, to the questions the questionnaire of rule set `version` showed her.

    An unanswered question, one its branching hid and a value its field would
    reject are left out: nothing is said for her that she did not say (the
    FHIR export and the case's clinical summary read the answers this way).
    """
    rule_set = rules.rule_set(version)
    visible = rule_set.visible_fields(answers)
    given = {}
    for field in rule_set.fields:
        value = answers.get(field.name)
        if field.name in visible and value not in (None, "") and field.error_for(value) is None:
            given[field.name] = value
    return given


def notes_written(answers: dict) -> bool:
    """Whether she wrote anything in the notes (RULES.md 11.2, S12); the worklist asks the same of
    the database (`triage.worklist.selectors.has_notes`)."""
    return answers.get("notes") not in (None, "")


def readable_answers(
    answers: dict, version: int | None = None
) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Answers grouped by section as (title, [(name, short label, shown value)]).

    Only the questions of the questionnaire she answered (`version`) that
    were shown to her are listed; omitted answers show their RULES.md
    default, which is what the engine used.
    """
    rule_set = rules.rule_set(version)
    full = {field.name: answers.get(field.name, field.default) for field in rule_set.fields}
    visible = rule_set.visible_fields(full)
    return [
        (
            str(title),
            [
                (name, short_label(name, rule_set.version), display_answer(name, full[name]))
                for name in names
                if name in visible
            ],
        )
        for title, names in SECTIONS
    ]


def review_answers(answers: dict) -> list[tuple[str, list[tuple[str, str, str | None]]]]:
    """A draft's answers by section for her to check before sending: (title, [(name, question, shown)]).

    Every question the current questionnaire shows for these answers is
    listed; `shown` is None for one not answered yet (no default is filled in,
    unlike `readable_answers`, since nothing has been assessed).
    """
    visible = rules.visible_fields(answers)
    return [
        (
            str(title),
            [
                (
                    name,
                    str(QUESTION_LABELS[name]),
                    None if answers.get(name) in (None, "") else display_answer(name, answers[name]),
                )
                for name in names
                if name in visible
            ],
        )
        for title, names in SECTIONS
    ]
