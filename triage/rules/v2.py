"""Rule set 2 (RULES.md): the current rules for new submissions.

Read it side by side with RULES.md: the fields follow section 3.1, the
derived terms section 2, and `FLAG_RULES` has one entry per row of the
section 4 table, in the table's order, each citing its row number.
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
    counts_as_earlier_report,
    gettext_noop,
    int_field,
    text_field,
)

VERSION = 2
NOTES_MAX_LENGTH = 2000

MENOPAUSE_STATUSES = ("premenopausal", "perimenopausal", "postmenopausal", "unsure")
PREGNANCY_STATUSES = ("not_pregnant", "possible", "confirmed")
DISCHARGE_COLORS = ("none", "clear_white", "pink", "red", "brown", "yellow_green", "grey")
BLEEDING_AMOUNTS = ("none", "streaks", "spotting", "light", "moderate", "heavy")
BLEEDING_TRENDS = ("first_time", "less", "same", "more")
SCREENING_INTERVALS = ("within_3y", "3_to_5y", "over_5y", "never", "unsure")

# RULES.md 3.1, in its order; `age` comes from the profile and is an argument of assess().
FIELDS: tuple[Field, ...] = (
    choice_field("menopause_status", MENOPAUSE_STATUSES, "premenopausal"),
    choice_field("pregnancy_status", PREGNANCY_STATUSES, "not_pregnant"),
    bool_field("shoulder_tip_pain"),
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
    int_field("pelvic_pain_severity", 10),
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
    bool_field("tamoxifen"),
    bool_field("hrt"),
    bool_field("immunosuppressed"),
    bool_field("recent_procedure_6w"),
    bool_field("new_partner_3m"),
    text_field("notes", NOTES_MAX_LENGTH),
)


@dataclass(frozen=True, slots=True)
class Answers:
    """One submission's answers, with the RULES.md 3.2 defaults.

    A submission stored under rule set 1 lacks the fields new in 2 and reads
    as their defaults. Built unchecked for speed; use
    `RULE_SET.answers_from_mapping()` for any input that did not come from
    this module.
    """

    menopause_status: str = "premenopausal"
    pregnancy_status: str = "not_pregnant"
    shoulder_tip_pain: bool = False
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
    pelvic_pain_severity: int = 0
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
    tamoxifen: bool = False
    hrt: bool = False
    immunosuppressed: bool = False
    recent_procedure_6w: bool = False
    new_partner_3m: bool = False
    notes: str = ""


# RULES.md 3.2 Branching: four questions reveal details; every other question is always shown.
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
    Reveal("pelvic_pain_days", ("pelvic_pain_severity",), min_value=1),
    Reveal("pregnancy_status", ("shoulder_tip_pain",), values=("possible", "confirmed")),
)


class Terms(NamedTuple):
    """The derived terms of RULES.md section 2, computed once per submission.

    Each term that reads a branching detail also requires the question that
    reveals it, so a rule never reads the answer to a hidden question.
    """

    age: int
    pregnant_or_possible: bool
    abnormal_discharge: bool
    blood_stained_discharge: bool
    any_bleeding: bool
    treated_as_postmenopausal: bool
    infection_signs: bool
    pelvic_pain: bool
    severe_pelvic_pain: bool
    earlier_bleeding_reports: int
    persistence_weeks: int


def terms(a: Answers, age: int, history: tuple[HistoryEntry, ...]) -> Terms:
    abnormal_discharge = a.discharge_after_sex and a.discharge_color in ("yellow_green", "grey")
    blood_stained_discharge = a.discharge_after_sex and a.discharge_color in ("pink", "red", "brown")
    pelvic_pain = a.pelvic_pain_days >= 1
    # Section 6: the history is read only through these two terms.
    counting = [
        e.days_ago for e in history if counts_as_earlier_report(e.days_ago, e.answers.bleeding_after_sex)
    ]
    persistence_weeks = 0
    if a.bleeding_after_sex:
        persistence_weeks = max([a.bleeding_first_noticed_weeks, *(days // 7 for days in counting)])
    return Terms(
        age=age,
        pregnant_or_possible=a.pregnancy_status in ("possible", "confirmed"),
        abnormal_discharge=abnormal_discharge,
        blood_stained_discharge=blood_stained_discharge,
        any_bleeding=a.bleeding_after_sex or a.intermenstrual_bleeding or blood_stained_discharge,
        treated_as_postmenopausal=(
            a.menopause_status == "postmenopausal" or (a.menopause_status == "unsure" and age >= 55)
        ),
        infection_signs=a.burning or a.bad_odor or abnormal_discharge,
        pelvic_pain=pelvic_pain,
        severe_pelvic_pain=pelvic_pain and a.pelvic_pain_severity >= 7,
        earlier_bleeding_reports=len(counting),
        persistence_weeks=persistence_weeks,
    )


def _heavy_after_sex(a: Answers) -> bool:
    """A soaked pad or clots after sex (used by #3 and #14)."""
    return a.bleeding_after_sex and (a.bleeding_amount == "heavy" or a.clots)


FLAG_RULES: tuple[FlagRule, ...] = (
    # 1: a pad soaked every hour needs no bleeding answer; faintness needs a companion (notes).
    FlagRule(
        1,
        "HEAVY_ACUTE",
        BASE,
        Level.EMERGENCY,
        10,
        gettext_noop(
            "Soaking at least one pad or tampon an hour within the last 24 h, or faintness together with bleeding, a possible pregnancy, pain, fever or anticoagulants: possible major blood loss or circulatory compromise (in a possible pregnancy think of a ruptured ectopic)."
        ),
        gettext_noop("Heavy / faint"),
        lambda a, t, flags: (
            a.soaks_pad_hourly
            or (
                a.dizziness_fainting
                and (
                    t.any_bleeding
                    or t.pregnant_or_possible
                    or t.pelvic_pain
                    or a.pain_during_sex >= 7
                    or a.fever
                    or a.anticoagulants
                )
            )
        ),
    ),
    # 2
    FlagRule(
        2,
        "PREGNANCY_SHOULDER_PAIN",
        BASE,
        Level.EMERGENCY,
        10,
        gettext_noop(
            "Shoulder-tip pain without injury in a possible or confirmed pregnancy: referred pain from blood in the abdomen; exclude a ruptured ectopic pregnancy now."
        ),
        gettext_noop("Pregnancy, shoulder-tip pain"),
        lambda a, t, flags: t.pregnant_or_possible and a.shoulder_tip_pain,
    ),
    # 3
    FlagRule(
        3,
        "ESC_PREGNANCY_RED_FLAG",
        ESCALATION,
        Level.EMERGENCY,
        10,
        gettext_noop(
            "In a possible or confirmed pregnancy: bleeding with pain, faintness, a soaked pad or clots, or severe pelvic pain: ectopic pregnancy or miscarriage must be excluded now."
        ),
        gettext_noop("Pregnancy red flag"),
        lambda a, t, flags: (
            (
                "PREGNANCY_BLEEDING" in flags
                and (t.pelvic_pain or a.pain_during_sex >= 7 or a.dizziness_fainting or _heavy_after_sex(a))
            )
            or ("PREGNANCY_PAIN" in flags and t.severe_pelvic_pain)
        ),
    ),
    # 4
    FlagRule(
        4,
        "ESC_FEVER_PREGNANCY",
        ESCALATION,
        Level.EMERGENCY,
        10,
        gettext_noop(
            "Fever with pelvic pain in a possible or confirmed pregnancy: pelvic infection in pregnancy needs immediate assessment and admission."
        ),
        gettext_noop("Fever in pregnancy"),
        lambda a, t, flags: "FEVER_PELVIC_PAIN" in flags and t.pregnant_or_possible,
    ),
    # 5: any bleeding, including blood-stained discharge (notes).
    FlagRule(
        5,
        "PREGNANCY_BLEEDING",
        BASE,
        Level.URGENT,
        6,
        gettext_noop(
            "Vaginal bleeding or blood-stained discharge with a possible or confirmed pregnancy of unknown location and gestation: pregnancy test and early-pregnancy assessment today."
        ),
        gettext_noop("Pregnancy bleeding"),
        lambda a, t, flags: t.pregnant_or_possible and t.any_bleeding,
    ),
    # 6
    FlagRule(
        6,
        "PREGNANCY_PAIN",
        BASE,
        Level.URGENT,
        6,
        gettext_noop(
            "Pelvic or lower-abdominal pain with a possible or confirmed pregnancy: an ectopic pregnancy can cause pain without visible bleeding; assess today."
        ),
        gettext_noop("Pregnancy pain"),
        lambda a, t, flags: t.pregnant_or_possible and t.pelvic_pain,
    ),
    # 7
    FlagRule(
        7,
        "FEVER_PELVIC_PAIN",
        BASE,
        Level.URGENT,
        5,
        gettext_noop(
            "Fever of 38 °C or more with pelvic pain or at least moderate pain on intercourse: possible pelvic inflammatory disease; delay in treatment raises the risk of lasting damage; assess today."
        ),
        gettext_noop("Fever, pelvic pain"),
        lambda a, t, flags: a.fever and (t.pelvic_pain or a.pain_during_sex >= 4),
    ),
    # 8
    FlagRule(
        8,
        "SEVERE_PELVIC_PAIN",
        BASE,
        Level.URGENT,
        5,
        gettext_noop(
            "Pelvic pain rated 7/10 or more at its worst: exclude torsion, ectopic pregnancy, pelvic infection or another acute cause today."
        ),
        gettext_noop("Severe pelvic pain"),
        lambda a, t, flags: t.severe_pelvic_pain,
    ),
    # 9: faintness alone is urgent; with a companion HEAVY_ACUTE is raised too (notes).
    FlagRule(
        9,
        "FAINTNESS",
        BASE,
        Level.URGENT,
        5,
        gettext_noop(
            "Felt faint, very light-headed or fainted in the last 24 h: check for blood loss, anaemia and pregnancy today."
        ),
        gettext_noop("Faintness"),
        lambda a, t, flags: a.dizziness_fainting,
    ),
    # 10
    FlagRule(
        10,
        "RECENT_PROCEDURE_INFECTION",
        BASE,
        Level.URGENT,
        5,
        gettext_noop(
            "Fever, pain, bad smell or abnormal discharge within 6 weeks of a birth, pregnancy loss or termination, coil fitting or cervical treatment: possible infection or retained tissue; assess today."
        ),
        gettext_noop("Infection after procedure"),
        lambda a, t, flags: (
            a.recent_procedure_6w and (a.fever or a.bad_odor or t.abnormal_discharge or t.pelvic_pain)
        ),
    ),
    # 11: never for perimenopausal; unsure only from 55 (notes).
    FlagRule(
        11,
        "POSTMENOPAUSAL_BLEEDING",
        BASE,
        Level.PRIORITY,
        6,
        gettext_noop(
            "Bleeding or blood-stained discharge after the menopause (after sex or spontaneous), or at age 55+ with uncertain menopausal status: manage as postmenopausal bleeding, which meets suspected-cancer referral criteria; a previous normal screening test must not delay it."
        ),
        gettext_noop("Postmenopausal bleeding"),
        lambda a, t, flags: t.treated_as_postmenopausal and t.any_bleeding,
    ),
    # 12
    FlagRule(
        12,
        "TAMOXIFEN_BLEEDING",
        BASE,
        Level.PRIORITY,
        5,
        gettext_noop(
            "Unscheduled vaginal bleeding while taking tamoxifen: endometrial assessment on the suspected-cancer pathway."
        ),
        gettext_noop("Bleeding on tamoxifen"),
        lambda a, t, flags: a.tamoxifen and t.any_bleeding,
    ),
    # 13: unsure at 45-54; from 55 POSTMENOPAUSAL_BLEEDING applies instead (notes).
    FlagRule(
        13,
        "MENOPAUSE_UNCERTAIN_BLEEDING",
        BASE,
        Level.PRIORITY,
        4,
        gettext_noop(
            "Bleeding at 45–54 with uncertain menopausal status: confirm the date of the last period; if it was 12 months or more ago, handle as postmenopausal bleeding."
        ),
        gettext_noop("Bleeding, menopause unsure"),
        lambda a, t, flags: a.menopause_status == "unsure" and 45 <= t.age <= 54 and t.any_bleeding,
    ),
    # 14
    FlagRule(
        14,
        "HEAVY_EPISODE",
        BASE,
        Level.PRIORITY,
        4,
        gettext_noop(
            "Heavy bleeding after sex (a soaked pad or clots): exclude coital injury or a cervical lesion and check haemoglobin."
        ),
        gettext_noop("Heavy episode"),
        lambda a, t, flags: _heavy_after_sex(a),
    ),
    # 15
    FlagRule(
        15,
        "PELVIC_PAIN_INFECTION",
        BASE,
        Level.PRIORITY,
        3,
        gettext_noop(
            "Pelvic pain with burning, bad smell, abnormal discharge or a new partner: consider pelvic inflammatory disease; treat promptly."
        ),
        gettext_noop("Pelvic pain, infection risk"),
        lambda a, t, flags: t.pelvic_pain and (t.infection_signs or a.new_partner_3m),
    ),
    # 16
    FlagRule(
        16,
        "ESC_MULTIPLE_FEATURES",
        ESCALATION,
        Level.PRIORITY,
        3,
        gettext_noop("Post-coital bleeding combines two or more of: recurring, heavier/increasing, painful."),
        gettext_noop("Multiple features"),
        lambda a, t, flags: ("RECURRENT" in flags) + ("ABUNDANT" in flags) + ("PAINFUL" in flags) >= 2,
    ),
    # 17
    FlagRule(
        17,
        "ESC_RECURRENT_SCREENING",
        ESCALATION,
        Level.PRIORITY,
        3,
        gettext_noop(
            "Recurring post-coital bleeding in a woman whose cervical screening is overdue/unknown or previously abnormal, or who is immunosuppressed: prioritise examination of the cervix."
        ),
        gettext_noop("Recurrent, screening risk"),
        lambda a, t, flags: (
            "RECURRENT" in flags
            and ("SCREENING_GAP" in flags or "PRIOR_ABNORMAL_SCREENING" in flags or a.immunosuppressed)
        ),
    ),
    # 18: persistence_weeks includes her earlier questionnaires (section 2).
    FlagRule(
        18,
        "ESC_PERSISTENT_AGE",
        ESCALATION,
        Level.PRIORITY,
        3,
        gettext_noop(
            "Recurring post-coital bleeding persisting 4 or more weeks (by her answer or her earlier questionnaires) in a woman aged 35+: persistent bleeding in this age group warrants prompt gynaecological assessment."
        ),
        gettext_noop("Persistent, 35+"),
        lambda a, t, flags: "RECURRENT" in flags and t.persistence_weeks >= 4 and t.age >= 35,
    ),
    # 19
    FlagRule(
        19,
        "ESC_ANTICOAG_BLEEDING",
        ESCALATION,
        Level.PRIORITY,
        3,
        gettext_noop(
            "More than spotting, or increasing, post-coital bleeding in a woman on anticoagulants: check haemoglobin and anticoagulation; do not put the bleeding down to the medicine alone."
        ),
        gettext_noop("Bleeding on anticoagulants"),
        lambda a, t, flags: "ANTICOAGULANTS" in flags and "ABUNDANT" in flags,
    ),
    # 20: with 21 and the history terms, the only rules that read earlier submissions (section 6).
    FlagRule(
        20,
        "RECURRENT",
        BASE,
        Level.FOLLOW_UP,
        2,
        gettext_noop(
            "Post-coital bleeding is recurring (2+ episodes in 3 months, an earlier episode to compare with, an episode in the last 3 months after a first one 13+ weeks ago, or also reported in an earlier questionnaire within 90 days)."
        ),
        gettext_noop("Recurrent"),
        lambda a, t, flags: (
            a.bleeding_after_sex
            and (
                a.bleeding_episodes_3m >= 2
                or t.earlier_bleeding_reports >= 1
                or a.bleeding_trend in ("less", "same", "more")
                or (a.bleeding_first_noticed_weeks >= 13 and a.bleeding_episodes_3m >= 1)
            )
        ),
    ),
    # 21
    FlagRule(
        21,
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
            and (a.bleeding_amount in ("moderate", "heavy") or a.clots or a.bleeding_trend == "more")
        ),
    ),
    # 22: needs no bleeding.
    FlagRule(
        22,
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
    # 23
    FlagRule(
        23,
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
    # 24
    FlagRule(
        24,
        "HRT_BLEEDING",
        BASE,
        Level.FOLLOW_UP,
        2,
        gettext_noop(
            "Bleeding on hormone replacement therapy: check whether it is the expected withdrawal bleed of the regimen; unscheduled bleeding needs assessment."
        ),
        gettext_noop("Bleeding on HRT"),
        lambda a, t, flags: a.hrt and t.any_bleeding,
    ),
    # 25
    FlagRule(
        25,
        "POSTMENOPAUSAL_DISCHARGE",
        BASE,
        Level.FOLLOW_UP,
        2,
        gettext_noop(
            "Unexplained malodorous or abnormal discharge at 55+ after the menopause: consider pelvic ultrasound if no infection explains it."
        ),
        gettext_noop("Postmenopausal discharge"),
        lambda a, t, flags: (
            t.treated_as_postmenopausal and t.age >= 55 and (a.bad_odor or t.abnormal_discharge)
        ),
    ),
    # 26
    FlagRule(
        26,
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
    # 27
    FlagRule(
        27,
        "PERSISTENT_DISCOMFORT",
        BASE,
        Level.FOLLOW_UP,
        1,
        gettext_noop("The patient reports intimate discomfort that does not settle."),
        gettext_noop("Persistent discomfort"),
        lambda a, t, flags: a.persistent_discomfort,
    ),
    # 28: from age 25, no upper limit; 3_to_5y is a gap only at 25-29 (notes).
    FlagRule(
        28,
        "SCREENING_GAP",
        BASE,
        Level.FOLLOW_UP,
        1,
        gettext_noop(
            "Post-coital bleeding while cervical screening is overdue, never done or unknown: check screening status; symptoms need examination of the cervix whatever the screening result (from 65 she is outside the programme)."
        ),
        gettext_noop("Screening gap"),
        lambda a, t, flags: (
            a.bleeding_after_sex
            and t.age >= 25
            and (
                a.last_cervical_screening in ("over_5y", "never", "unsure")
                or (a.last_cervical_screening == "3_to_5y" and t.age <= 29)
            )
        ),
    ),
    # 29
    FlagRule(
        29,
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
    # 30-35: informational, never change the level.
    FlagRule(
        30,
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
    FlagRule(
        31,
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
    FlagRule(
        32,
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
    FlagRule(
        33,
        "IMMUNOSUPPRESSED",
        INFO,
        None,
        0,
        gettext_noop(
            "Immunosuppressed: higher risk of persistent HPV and cervical disease, and of severe infection."
        ),
        gettext_noop("Immunosuppressed"),
        lambda a, t, flags: a.immunosuppressed,
    ),
    FlagRule(
        34,
        "EPISODE_COUNT_CHECK",
        INFO,
        None,
        0,
        gettext_noop(
            "Bleeding after sex reported, but no episode in the last 3 months: the last episode may be older; clarify the timing."
        ),
        gettext_noop("Episode timing unclear"),
        lambda a, t, flags: a.bleeding_after_sex and a.bleeding_episodes_3m == 0,
    ),
    FlagRule(
        35,
        "UNDER_16",
        INFO,
        None,
        0,
        gettext_noop(
            "Patient under 16: confirm the context of sexual activity and the clinic's safeguarding duties."
        ),
        gettext_noop("Under 16"),
        lambda a, t, flags: t.age <= 15,
    ),
)


# --- Patient advice (RULES.md section 8) ---------------------------------------------

ADVICE = {
    Level.EMERGENCY: {
        "it": (
            "Alcune sue risposte sono segnali di allarme che vanno valutati subito. Vada ora al pronto "
            "soccorso più vicino (se è o potrebbe essere incinta, meglio un pronto soccorso "
            "ostetrico-ginecologico) oppure chiami il 112 o il 118. Non aspetti l'appuntamento in studio. "
            "Se si sente debole o sul punto di svenire, non guidi: si faccia accompagnare o chiami il 112 "
            "o il 118."
        ),
        "en": (
            "Some of your answers are warning signs that need to be checked straight away. Go to the "
            "nearest emergency department now (if you are or might be pregnant, an "
            "obstetric-gynaecological emergency service is best) or call 112 or 118. Do not wait for your "
            "clinic appointment. If you feel weak or faint, do not drive: ask someone to take you, or call "
            "112 or 118."
        ),
    },
    Level.URGENT: {
        "it": (
            "Alcune sue risposte vanno valutate oggi stesso. Telefoni subito allo studio; se non riesce a "
            "parlare con noi oggi (sera, fine settimana, giorni festivi), vada oggi in pronto soccorso, "
            "ostetrico-ginecologico se è o potrebbe essere incinta. Non aspetti l'appuntamento previsto. "
            "Se il sanguinamento diventa abbondante (un assorbente inzuppato in un'ora), il dolore diventa "
            "forte o si sente svenire, chiami il 112 o il 118."
        ),
        "en": (
            "Some of your answers need to be checked today. Phone the clinic now; if you cannot speak to us "
            "today (evenings, weekends, public holidays), go to an emergency department today, an "
            "obstetric-gynaecological one if you are or might be pregnant. Do not wait for your booked "
            "appointment. If the bleeding becomes heavy (a pad soaked within an hour), the pain becomes "
            "severe or you feel faint, call 112 or 118."
        ),
    },
    Level.PRIORITY: {
        "it": (
            "Dalle sue risposte è consigliabile una visita ginecologica a breve. Telefoni allo studio oggi "
            "stesso o il primo giorno lavorativo utile, così da fissare rapidamente la visita; il medico "
            "esaminerà le sue risposte. Se nel frattempo il sanguinamento diventa abbondante (un assorbente "
            "inzuppato in un'ora), compare un dolore forte o febbre con dolore al basso ventre, oppure si "
            "sente svenire, vada al pronto soccorso o chiami il 112 o il 118. Se è o potrebbe essere "
            "incinta e compaiono dolore o perdite di sangue, si faccia visitare oggi stesso."
        ),
        "en": (
            "Your answers suggest you should see the gynaecologist soon. Please phone the clinic today or on "
            "the next working day so that a visit can be arranged quickly; the doctor will review your "
            "answers. If in the meantime the bleeding becomes heavy (a pad soaked within an hour), you get "
            "severe pain or a fever with lower-belly pain, or you feel faint, go to the emergency department "
            "or call 112 or 118. If you are or might be pregnant and get pain or bleeding, get seen the same "
            "day."
        ),
    },
    Level.FOLLOW_UP: {
        "it": (
            "Dalle sue risposte emerge qualcosa che è bene controllare con una visita ginecologica, per "
            "esempio un sanguinamento dopo i rapporti che si ripete o aumenta, oppure accompagnato da "
            "dolore, bruciore, cattivo odore o un fastidio che non passa. Spesso la causa è lieve e curabile "
            "(come un'infezione o una piccola alterazione del collo dell'utero), ma va verificata: prenoti "
            "una visita nelle prossime settimane. Se il sanguinamento diventa abbondante, o compaiono dolore "
            "forte, febbre o sensazione di svenimento, vada al pronto soccorso o chiami il 112 o il 118. Se "
            "è o potrebbe essere incinta e compaiono dolore o perdite di sangue, si faccia visitare oggi "
            "stesso."
        ),
        "en": (
            "Your answers show something worth checking at a gynaecological visit, for example bleeding "
            "after sex that keeps coming back or is getting heavier, or that comes with pain, burning, an "
            "unusual smell or discomfort that does not go away. The cause is often minor and treatable (such "
            "as an infection or a small change on the cervix), but it should be looked at: please book a "
            "visit in the coming weeks. If the bleeding becomes heavy, or you get severe pain, a fever or "
            "feel faint, go to the emergency department or call 112 or 118. If you are or might be pregnant "
            "and get pain or bleeding, get seen the same day."
        ),
    },
    Level.ROUTINE: {
        "it": (
            "Da quanto descrive non emergono segnali di allarme che richiedano una visita anticipata: "
            "mantenga l'appuntamento previsto, il medico esaminerà le sue risposte. Le perdite dopo un "
            "rapporto fanno parte del normale funzionamento del corpo, e una traccia occasionale rosata o "
            "striata di sangue può derivare da una piccola irritazione innocua dei tessuti, che sono "
            "delicati e ricchi di vasi (per esempio intorno all'ovulazione, prima del ciclo o se c'è un po' "
            "di secchezza). Conta soprattutto quanto spesso succede, quanto è abbondante e che cosa lo "
            "accompagna. Compili di nuovo il modulo o contatti lo studio se l'episodio si ripete, diventa più "
            "abbondante oppure si accompagna a dolore, bruciore, cattivo odore o un fastidio che non passa. "
            "Continui a fare regolarmente lo screening del collo dell'utero."
        ),
        "en": (
            "From what you describe, there are no warning signs that call for an earlier visit: keep your "
            "booked appointment, and the doctor will review your answers. Some fluid coming out after "
            "intercourse is part of how the body normally works, and an occasional light pink or "
            "blood-streaked trace can come from a tiny, harmless irritation of delicate, well-supplied "
            "tissue (for example around ovulation, before a period, or with some dryness). What matters is "
            "how often it happens, how much there is and what comes with it. Fill in this form again or "
            "contact the clinic if it happens again, gets heavier, or comes with pain, burning, a bad smell "
            "or discomfort that does not go away. Keep up with your regular cervical screening."
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
