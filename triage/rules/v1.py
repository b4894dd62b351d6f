"""Rule set 1 (RULES-v1.md): superseded, kept so that its assessments stay reproducible and explainable.

A released rule set is never edited. Every row below is the RULES-v1.md
text as it was released; rule set 2 lives in `v2.py`.
"""

from dataclasses import dataclass
from typing import NamedTuple

from .engine import (
    BASE,
    ESCALATION,
    INFO,
    Field,
    FlagRule,
    HistoryEntry,
    Level,
    Reveal,
    RuleSet,
    bool_field,
    choice_field,
    earlier_bleeding_reports,
    gettext_noop,
    int_field,
    text_field,
)

VERSION = 1
NOTES_MAX_LENGTH = 2000

MENOPAUSE_STATUSES = ("premenopausal", "perimenopausal", "postmenopausal", "unsure")
PREGNANCY_STATUSES = ("not_pregnant", "possible", "confirmed")
DISCHARGE_COLORS = ("none", "clear_white", "pink", "red", "brown", "yellow_green", "grey")
BLEEDING_AMOUNTS = ("none", "streaks", "spotting", "light", "moderate", "heavy")
BLEEDING_TRENDS = ("first_time", "less", "same", "more")
SCREENING_INTERVALS = ("within_3y", "3_to_5y", "over_5y", "never", "unsure")

# RULES-v1 3.1 order; `age` comes from the profile and is an argument of assess().
FIELDS: tuple[Field, ...] = (
    choice_field("menopause_status", MENOPAUSE_STATUSES, "premenopausal"),
    choice_field("pregnancy_status", PREGNANCY_STATUSES, "not_pregnant"),
    bool_field("discharge_after_sex"),
    choice_field("discharge_color", DISCHARGE_COLORS, "none"),
    bool_field("bleeding_after_sex"),
    int_field("bleeding_episodes_3m", 99),
    int_field("bleeding_first_noticed_weeks", 520),
    choice_field("bleeding_amount", BLEEDING_AMOUNTS, "none"),
    choice_field("bleeding_trend", BLEEDING_TRENDS, "first_time"),
    bool_field("clots"),
    bool_field("soaks_pad_hourly"),
    int_field("pain_during_sex", 10),
    int_field("pelvic_pain_days", 365),
    bool_field("burning"),
    bool_field("itching"),
    bool_field("bad_odor"),
    bool_field("persistent_discomfort"),
    bool_field("fever"),
    bool_field("dizziness_fainting"),
    bool_field("intermenstrual_bleeding"),
    bool_field("vaginal_dryness"),
    choice_field("last_cervical_screening", SCREENING_INTERVALS, "within_3y"),
    bool_field("abnormal_screening_history"),
    bool_field("anticoagulants"),
    bool_field("new_partner_3m"),
    text_field("notes", NOTES_MAX_LENGTH),
)


@dataclass(frozen=True, slots=True)
class Answers:
    """One submission's answers, with the RULES-v1 3.2 defaults.

    Built unchecked for speed; use `RULE_SET.answers_from_mapping()` for any
    input that did not come from this module.
    """

    menopause_status: str = "premenopausal"
    pregnancy_status: str = "not_pregnant"
    discharge_after_sex: bool = False
    discharge_color: str = "none"
    bleeding_after_sex: bool = False
    bleeding_episodes_3m: int = 0
    bleeding_first_noticed_weeks: int = 0
    bleeding_amount: str = "none"
    bleeding_trend: str = "first_time"
    clots: bool = False
    soaks_pad_hourly: bool = False
    pain_during_sex: int = 0
    pelvic_pain_days: int = 0
    burning: bool = False
    itching: bool = False
    bad_odor: bool = False
    persistent_discomfort: bool = False
    fever: bool = False
    dizziness_fainting: bool = False
    intermenstrual_bleeding: bool = False
    vaginal_dryness: bool = False
    last_cervical_screening: str = "within_3y"
    abnormal_screening_history: bool = False
    anticoagulants: bool = False
    new_partner_3m: bool = False
    notes: str = ""


# RULES-v1 3.2 Branching: details shown only when the matching yes/no answer is yes.
REVEALS = (
    Reveal(
        "bleeding_after_sex",
        (
            "bleeding_episodes_3m",
            "bleeding_first_noticed_weeks",
            "bleeding_amount",
            "bleeding_trend",
            "clots",
        ),
        values=(True,),
    ),
    Reveal("discharge_after_sex", ("discharge_color",), values=(True,)),
)


class Terms(NamedTuple):
    """The derived terms of RULES-v1 section 2, computed once per submission."""

    age: int
    pregnant_or_possible: bool
    any_bleeding: bool
    treated_as_postmenopausal: bool
    infection_signs: bool
    earlier_bleeding_reports: int


def terms(a: Answers, age: int, history: tuple[HistoryEntry, ...]) -> Terms:
    return Terms(
        age=age,
        pregnant_or_possible=a.pregnancy_status in ("possible", "confirmed"),
        any_bleeding=a.bleeding_after_sex or a.intermenstrual_bleeding,
        treated_as_postmenopausal=(
            a.menopause_status == "postmenopausal" or (a.menopause_status == "unsure" and age >= 55)
        ),
        # RULES-v1 reads discharge_color whatever discharge_after_sex says.
        infection_signs=a.burning or a.bad_odor or a.discharge_color in ("yellow_green", "grey"),
        earlier_bleeding_reports=earlier_bleeding_reports(history) if history else 0,
    )


FLAG_RULES: tuple[FlagRule, ...] = (
    # RULES-v1 4 #1: needs no bleeding answer at all (RULES-v1 4 notes).
    FlagRule(
        1,
        "HEAVY_ACUTE",
        BASE,
        Level.EMERGENCY,
        10,
        gettext_noop(
            "Soaking at least one pad or tampon an hour, or feeling faint/fainting, within the last 24 h: possible major blood loss or circulatory compromise (in a possible pregnancy think of a ruptured ectopic)."
        ),
        gettext_noop("Heavy / faint"),
        lambda a, t, flags: a.soaks_pad_hourly or a.dizziness_fainting,
    ),
    # RULES-v1 4 #2
    FlagRule(
        2,
        "ESC_PREGNANCY_RED_FLAG",
        ESCALATION,
        Level.EMERGENCY,
        10,
        gettext_noop(
            "Bleeding in a possible or confirmed pregnancy together with pelvic pain, severe pain on intercourse or faintness: ectopic pregnancy or miscarriage must be excluded the same day."
        ),
        gettext_noop("Pregnancy red flag"),
        lambda a, t, flags: (
            "PREGNANCY_BLEEDING" in flags
            and (a.pelvic_pain_days >= 1 or a.pain_during_sex >= 7 or a.dizziness_fainting)
        ),
    ),
    # RULES-v1 4 #3: any bleeding, not only after sex (RULES-v1 4 notes).
    FlagRule(
        3,
        "PREGNANCY_BLEEDING",
        BASE,
        Level.PRIORITY,
        6,
        gettext_noop(
            "Vaginal bleeding with a possible or confirmed pregnancy: needs a pregnancy test and early-pregnancy assessment."
        ),
        gettext_noop("Pregnancy bleeding"),
        lambda a, t, flags: t.pregnant_or_possible and t.any_bleeding,
    ),
    # RULES-v1 4 #4: never for perimenopausal; unsure only from 55 (RULES-v1 2).
    FlagRule(
        4,
        "POSTMENOPAUSAL_BLEEDING",
        BASE,
        Level.PRIORITY,
        6,
        gettext_noop(
            "Bleeding after the menopause (after sex or spontaneous), or at age 55+ with uncertain menopausal status: manage as postmenopausal bleeding, which meets suspected-cancer referral criteria."
        ),
        gettext_noop("Postmenopausal bleeding"),
        lambda a, t, flags: t.treated_as_postmenopausal and t.any_bleeding,
    ),
    # RULES-v1 4 #5: an ectopic pregnancy can hurt without visible bleeding.
    FlagRule(
        5,
        "PREGNANCY_PAIN",
        BASE,
        Level.PRIORITY,
        5,
        gettext_noop(
            "Ongoing pelvic or lower-abdominal pain with a possible or confirmed pregnancy: an ectopic pregnancy can cause pain without visible bleeding."
        ),
        gettext_noop("Pregnancy pain"),
        lambda a, t, flags: t.pregnant_or_possible and a.pelvic_pain_days >= 1,
    ),
    # RULES-v1 4 #6
    FlagRule(
        6,
        "FEVER_PELVIC_PAIN",
        BASE,
        Level.PRIORITY,
        5,
        gettext_noop(
            "Fever of 38 °C or more with pelvic pain or at least moderate pain on intercourse: consider pelvic inflammatory disease or another pelvic infection."
        ),
        gettext_noop("Fever, pelvic pain"),
        lambda a, t, flags: a.fever and (a.pelvic_pain_days >= 1 or a.pain_during_sex >= 4),
    ),
    # RULES-v1 4 #7
    FlagRule(
        7,
        "ESC_MULTIPLE_FEATURES",
        ESCALATION,
        Level.PRIORITY,
        3,
        gettext_noop("Post-coital bleeding combines two or more of: recurring, heavier/increasing, painful."),
        gettext_noop("Multiple features"),
        lambda a, t, flags: ("RECURRENT" in flags) + ("ABUNDANT" in flags) + ("PAINFUL" in flags) >= 2,
    ),
    # RULES-v1 4 #8
    FlagRule(
        8,
        "ESC_RECURRENT_SCREENING",
        ESCALATION,
        Level.PRIORITY,
        3,
        gettext_noop(
            "Recurring post-coital bleeding in a woman whose cervical screening is overdue/unknown or previously abnormal: prioritise examination of the cervix."
        ),
        gettext_noop("Recurrent, screening risk"),
        lambda a, t, flags: (
            "RECURRENT" in flags and ("SCREENING_GAP" in flags or "PRIOR_ABNORMAL_SCREENING" in flags)
        ),
    ),
    # RULES-v1 4 #9
    FlagRule(
        9,
        "ESC_PERSISTENT_AGE",
        ESCALATION,
        Level.PRIORITY,
        3,
        gettext_noop(
            "Recurring post-coital bleeding first noticed 4 or more weeks ago in a woman aged 35+: persistent bleeding in this age group warrants prompt gynaecological assessment."
        ),
        gettext_noop("Persistent, 35+"),
        lambda a, t, flags: "RECURRENT" in flags and a.bleeding_first_noticed_weeks >= 4 and t.age >= 35,
    ),
    # RULES-v1 4 #10: the only rule that reads the history (RULES-v1 6).
    FlagRule(
        10,
        "RECURRENT",
        BASE,
        Level.FOLLOW_UP,
        2,
        gettext_noop(
            "Post-coital bleeding is recurring (2+ episodes in 3 months, or also reported in an earlier submission within 90 days)."
        ),
        gettext_noop("Recurrent"),
        lambda a, t, flags: (
            a.bleeding_after_sex and (a.bleeding_episodes_3m >= 2 or t.earlier_bleeding_reports >= 1)
        ),
    ),
    # RULES-v1 4 #11
    FlagRule(
        11,
        "ABUNDANT",
        BASE,
        Level.FOLLOW_UP,
        2,
        gettext_noop(
            "Post-coital bleeding is more than spotting (needed a pad, soaked a pad or clots) or is getting heavier."
        ),
        gettext_noop("Abundant"),
        lambda a, t, flags: (
            a.bleeding_after_sex
            and (
                a.bleeding_amount == "moderate"
                or a.bleeding_amount == "heavy"
                or a.clots
                or a.bleeding_trend == "more"
            )
        ),
    ),
    # RULES-v1 4 #12: does not need bleeding.
    FlagRule(
        12,
        "PAINFUL",
        BASE,
        Level.FOLLOW_UP,
        2,
        gettext_noop(
            "At least moderate pain on intercourse (4/10 or more) or pelvic pain lasting 3 days or more."
        ),
        gettext_noop("Painful"),
        lambda a, t, flags: a.pain_during_sex >= 4 or a.pelvic_pain_days >= 3,
    ),
    # RULES-v1 4 #13
    FlagRule(
        13,
        "INTERMENSTRUAL_BLEEDING",
        BASE,
        Level.FOLLOW_UP,
        2,
        gettext_noop(
            "Bleeding unrelated to intercourse outside the period: abnormal uterine bleeding to be evaluated (PALM-COEIN causes)."
        ),
        gettext_noop("Intermenstrual bleeding"),
        lambda a, t, flags: a.intermenstrual_bleeding,
    ),
    # RULES-v1 4 #14: discharge_color is read whatever discharge_after_sex says (RULES-v1 2, 3.2).
    FlagRule(
        14,
        "INFECTION_SIGNS",
        BASE,
        Level.FOLLOW_UP,
        1,
        gettext_noop(
            "Burning, bad smell or yellow-green/grey discharge: possible vaginitis, cervicitis or sexually transmitted infection."
        ),
        gettext_noop("Infection signs"),
        lambda a, t, flags: t.infection_signs,
    ),
    # RULES-v1 4 #15
    FlagRule(
        15,
        "PERSISTENT_DISCOMFORT",
        BASE,
        Level.FOLLOW_UP,
        1,
        gettext_noop("The patient reports intimate discomfort that does not settle."),
        gettext_noop("Persistent discomfort"),
        lambda a, t, flags: a.persistent_discomfort,
    ),
    # RULES-v1 4 #16: from age 25 only; 3_to_5y is a gap only at 25-29 (RULES-v1 4 notes).
    FlagRule(
        16,
        "SCREENING_GAP",
        BASE,
        Level.FOLLOW_UP,
        1,
        gettext_noop(
            "Post-coital bleeding while cervical screening is overdue, never done or unknown: check screening status and take the test if due."
        ),
        gettext_noop("Screening gap"),
        lambda a, t, flags: (
            a.bleeding_after_sex
            and t.age >= 25
            and (
                a.last_cervical_screening == "over_5y"
                or a.last_cervical_screening == "never"
                or a.last_cervical_screening == "unsure"
                or (a.last_cervical_screening == "3_to_5y" and t.age <= 29)
            )
        ),
    ),
    # RULES-v1 4 #17
    FlagRule(
        17,
        "PRIOR_ABNORMAL_SCREENING",
        BASE,
        Level.FOLLOW_UP,
        1,
        gettext_noop(
            "Post-coital bleeding in a woman with a past abnormal screening result or cervical treatment."
        ),
        gettext_noop("Prior abnormal screening"),
        lambda a, t, flags: a.bleeding_after_sex and a.abnormal_screening_history,
    ),
    # RULES-v1 4 #18: informational, never changes the level.
    FlagRule(
        18,
        "ANTICOAGULANTS",
        INFO,
        None,
        0,
        gettext_noop(
            "Takes anticoagulants: may increase the amount of bleeding; consider when judging cause and severity."
        ),
        gettext_noop("Anticoagulants"),
        lambda a, t, flags: a.anticoagulants,
    ),
    # RULES-v1 4 #19: informational, never changes the level.
    FlagRule(
        19,
        "DRYNESS",
        INFO,
        None,
        0,
        gettext_noop(
            "Reports vaginal dryness: a possible benign contributor (friction, low oestrogen); lubricant or local treatment advice may help. It never explains away other flags."
        ),
        gettext_noop("Dryness"),
        lambda a, t, flags: a.vaginal_dryness,
    ),
    # RULES-v1 4 #20: informational, never changes the level.
    FlagRule(
        20,
        "STI_RISK",
        INFO,
        None,
        0,
        gettext_noop(
            "New sexual partner within 3 months together with post-coital bleeding or infection signs: offer chlamydia, gonorrhoea and wider STI testing."
        ),
        gettext_noop("STI risk"),
        lambda a, t, flags: a.new_partner_3m and (a.bleeding_after_sex or t.infection_signs),
    ),
)

# --- Patient advice (RULES-v1 section 8) ---

ADVICE = {
    Level.EMERGENCY: {
        "it": (
            "Alcune sue risposte sono segnali di allarme che vanno valutati subito. "
            "Vada ora al pronto soccorso più vicino (se è o potrebbe essere incinta, "
            "meglio un pronto soccorso ostetrico-ginecologico) oppure chiami il 112. "
            "Non aspetti l'appuntamento in studio. Se si sente debole o sul punto di "
            "svenire, non guidi: si faccia accompagnare o chiami il 112."
        ),
        "en": (
            "Some of your answers are warning signs that need to be checked straight "
            "away. Go to the nearest emergency department now (if you are or might be "
            "pregnant, an obstetric-gynaecological emergency service is best) or call "
            "112. Do not wait for your clinic appointment. If you feel weak or faint, "
            "do not drive: ask someone to take you, or call 112."
        ),
    },
    Level.PRIORITY: {
        "it": (
            "Dalle sue risposte è consigliabile una visita ginecologica a breve. "
            "Telefoni allo studio oggi stesso o il primo giorno lavorativo utile, così "
            "da fissare rapidamente la visita; il medico esaminerà le sue risposte. Se "
            "nel frattempo il sanguinamento diventa abbondante (un assorbente inzuppato "
            "in un'ora), compare un dolore forte o febbre con dolore al basso ventre, "
            "oppure si sente svenire, vada al pronto soccorso o chiami il 112."
        ),
        "en": (
            "Your answers suggest you should see the gynaecologist soon. Please phone "
            "the clinic today or on the next working day so that a visit can be "
            "arranged quickly; the doctor will review your answers. If in the meantime "
            "the bleeding becomes heavy (a pad soaked within an hour), you get severe "
            "pain or a fever with lower-belly pain, or you feel faint, go to the "
            "emergency department or call 112."
        ),
    },
    Level.FOLLOW_UP: {
        "it": (
            "Dalle sue risposte emerge qualcosa che è bene controllare con una visita "
            "ginecologica, per esempio un sanguinamento dopo i rapporti che si ripete o "
            "aumenta, oppure accompagnato da dolore, bruciore, cattivo odore o un "
            "fastidio che non passa. Spesso la causa è lieve e curabile (come "
            "un'infezione o una piccola alterazione del collo dell'utero), ma va "
            "verificata: prenoti una visita nelle prossime settimane. Se il "
            "sanguinamento diventa abbondante, o compaiono dolore forte, febbre o "
            "sensazione di svenimento, vada al pronto soccorso o chiami il 112."
        ),
        "en": (
            "Your answers show something worth checking at a gynaecological visit, for "
            "example bleeding after sex that keeps coming back or is getting heavier, or "
            "that comes with pain, burning, an unusual smell or discomfort that does not "
            "go away. The cause is often minor and treatable (such as an infection or a "
            "small change on the cervix), but it should be looked at: please book a "
            "visit in the coming weeks. If the bleeding becomes heavy, or you get severe "
            "pain, a fever or feel faint, go to the emergency department or call 112."
        ),
    },
    Level.ROUTINE: {
        "it": (
            "Da quanto descrive non emergono segnali che richiedano un'attenzione "
            "particolare. Le perdite dopo un rapporto fanno parte del normale "
            "funzionamento del corpo, e una traccia occasionale rosata o striata di "
            "sangue può derivare da una piccola irritazione innocua dei tessuti, che "
            "sono delicati e ricchi di vasi (per esempio intorno all'ovulazione, prima "
            "del ciclo o se c'è un po' di secchezza). Conta soprattutto quanto spesso "
            "succede, quanto è abbondante e che cosa lo accompagna. Compili di nuovo il "
            "modulo o contatti lo studio se l'episodio si ripete, diventa più abbondante "
            "oppure si accompagna a dolore, bruciore, cattivo odore o un fastidio che "
            "non passa. Continui a fare regolarmente lo screening del collo dell'utero."
        ),
        "en": (
            "From what you describe, nothing needs special attention at the moment. "
            "Some fluid coming out after intercourse is part of how the body normally "
            "works, and an occasional light pink or blood-streaked trace can come from a "
            "tiny, harmless irritation of delicate, well-supplied tissue (for example "
            "around ovulation, before a period, or with some dryness). What matters is "
            "how often it happens, how much there is and what comes with it. Fill in "
            "this form again or contact the clinic if it happens again, gets heavier, or "
            "comes with pain, burning, a bad smell or discomfort that does not go away. "
            "Keep up with your regular cervical screening."
        ),
    },
}

RULE_SET = RuleSet(
    version=VERSION,
    fields=FIELDS,
    answers_type=Answers,
    reveals=REVEALS,
    terms=terms,
    flag_rules=FLAG_RULES,
    advice=ADVICE,
)
