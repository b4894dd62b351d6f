"""The questionnaire's wording and sections (RULES.md 3.1), in the user's language.

Field names, kinds, ranges and defaults live in `triage.rules.FIELDS`; this
module only says how each question reads and where it sits on the page.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from triage import rules

QUESTION_LABELS = {
    "menopause_status": _("Which best describes you?"),
    "pregnancy_status": _("Could you be pregnant?"),
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
        "For how many days have you had ongoing pain in the lower belly or pelvis? (0 = no such pain)"
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
    "vaginal_dryness": _("Do you often feel vaginal dryness, for example during intercourse?"),
    "last_cervical_screening": _("When did you last have a cervical screening test (Pap test or HPV test)?"),
    "abnormal_screening_history": _(
        "Have you ever had an abnormal Pap or HPV test result, or treatment of the cervix for abnormal cells?"
    ),
    "anticoagulants": _(
        "Do you take blood-thinning (anticoagulant) medicines, such as warfarin, apixaban, rivaroxaban, "
        "dabigatran, edoxaban or heparin injections?"
    ),
    "new_partner_3m": _("Have you had a new sexual partner in the last 3 months?"),
    "notes": _("Is there anything else you would like the doctor to know?"),
}

# Short names for read-only views, where the full question would be too long.
SHORT_LABELS = {
    "menopause_status": _("Menopause"),
    "pregnancy_status": _("Pregnancy"),
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
    "burning": _("Burning"),
    "itching": _("Itching"),
    "bad_odor": _("Unpleasant smell"),
    "persistent_discomfort": _("Discomfort that does not go away"),
    "fever": _("Fever 38 °C or more"),
    "dizziness_fainting": _("Faint or light-headed"),
    "intermenstrual_bleeding": _("Bleeding outside periods"),
    "vaginal_dryness": _("Vaginal dryness"),
    "last_cervical_screening": _("Last cervical screening"),
    "abnormal_screening_history": _("Abnormal screening result in the past"),
    "anticoagulants": _("Anticoagulants"),
    "new_partner_3m": _("New partner in the last 3 months"),
    "notes": _("Notes for the doctor"),
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
    "discharge_color": {
        "none": pgettext_lazy("discharge colour", "None"),
        "clear_white": _("Clear or white"),
        "pink": _("Pink"),
        "red": _("Red"),
        "brown": _("Brown"),
        "yellow_green": _("Yellow or green"),
        "grey": _("Grey"),
    },
    "bleeding_amount": {
        "none": pgettext_lazy("bleeding amount", "None"),
        "streaks": _("Pink tinge or streaks of blood in the discharge"),
        "spotting": _("A few drops, a panty liner was enough"),
        "light": _("I had to change a panty liner"),
        "moderate": _("I needed a pad"),
        "heavy": _("A pad was soaked, or I passed clots"),
    },
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
}

YES = "yes"
NO = "no"
YES_NO_LABELS = {True: _("Yes"), False: _("No")}

# The page's sections (issue order: cycle and pregnancy; discharge; bleeding after intercourse;
# other symptoms; screening and history; notes).
SECTIONS = [
    (_("Cycle and pregnancy"), ["menopause_status", "pregnancy_status"]),
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
            "burning",
            "itching",
            "bad_odor",
            "persistent_discomfort",
            "fever",
            "dizziness_fainting",
            "intermenstrual_bleeding",
            "vaginal_dryness",
        ],
    ),
    (
        _("Screening and history"),
        ["last_cervical_screening", "abnormal_screening_history", "anticoagulants", "new_partner_3m"],
    ),
    (_("Notes"), ["notes"]),
]

# RULES.md 3.2 branching: which yes/no question reveals which details.
SHOWN_WHEN_YES = dict.fromkeys(rules.BLEEDING_DETAIL_FIELDS, "bleeding_after_sex") | dict.fromkeys(
    rules.DISCHARGE_DETAIL_FIELDS, "discharge_after_sex"
)


def display_answer(name: str, value) -> str:
    """An answer as a person reads it, in the active language."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(YES_NO_LABELS[value])
    if name in CHOICE_LABELS:
        return str(CHOICE_LABELS[name].get(value, value))
    return str(value)


def readable_answers(answers: dict) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Answers grouped by section as (title, [(name, short label, shown value)]), hidden questions left out.

    Omitted answers show their RULES.md default, which is what the engine used.
    """
    full = {field.name: answers.get(field.name, field.default) for field in rules.FIELDS}
    visible = rules.visible_fields(full)
    return [
        (
            str(title),
            [
                (name, str(SHORT_LABELS[name]), display_answer(name, full[name]))
                for name in names
                if name in visible
            ],
        )
        for title, names in SECTIONS
    ]
