"""Rule set 3 (RULES.md): the current rules for new submissions, declared as what changed from rule set 2.

Read it side by side with RULES.md. Rule set 2's declarations (`v2.py`) stay
as released; this module takes from them every field, term and flag that
RULES.md keeps (section 12 lists the changes), and declares the rest:

- the fields of section 3.1, in its order: rule set 2's fields with the new
  ones inserted where the form asks them, and the new default of
  `last_cervical_screening`;
- the branching of section 3.2, whose hidden questions the engine reads as
  their defaults before any rule runs (the effective answers);
- the derived terms of section 2, under rule set 2's names, so that a kept
  flag (its condition reads these names) widens exactly as RULES.md says;
- the flag table of section 4: rows 1-35 in rule set 2's order (kept rows are
  rule set 2's own entries), rows 36-44 appended;
- the advice of section 8.
"""

from dataclasses import replace
from typing import NamedTuple

from . import v2
from .engine import (
    ANY,
    BASE,
    ESCALATION,
    INFO,
    Clause,
    Field,
    FlagRule,
    HistoryEntry,
    Level,
    Reveal,
    RuleSet,
    answers_class,
    bool_field,
    choice_field,
    counts_as_earlier_report,
    gettext_noop,
    int_field,
)

VERSION = 3
NOTES_MAX_LENGTH = v2.NOTES_MAX_LENGTH
BLEEDING_AMOUNTS = v2.BLEEDING_AMOUNTS

PERIOD_LATE = ("no", "late_no_test", "late_test_positive", "late_test_negative", "cannot_tell")
CONTRACEPTION = (
    "none",
    "condom_or_natural",
    "combined_hormonal",
    "progestogen_only",
    "copper_iud",
    "hormonal_iud",
    "other",
)
HRT_TYPES = ("sequential", "continuous_combined", "oestrogen_only", "unsure")

# The answers of the new choice fields that the rules distinguish (RULES.md 3.2, "Not used").
LATE_PERIOD_POSSIBLE_PREGNANCY = ("late_no_test", "late_test_positive")
COILS = ("copper_iud", "hormonal_iud")
HRT_TYPES_WITH_WINDOW = ("sequential", "continuous_combined")
# RULES.md section 2, `later_pregnancy`: bleeding from 17 weeks is an obstetric emergency (R3-11).
LATER_PREGNANCY_WEEKS = 17

_kept = {f.name: f for f in v2.FIELDS}

# RULES.md 3.1, in its order (the form's order, and the order in which the effective answers are built).
FIELDS: tuple[Field, ...] = (
    _kept["menopause_status"],
    _kept["pregnancy_status"],
    choice_field("period_late", PERIOD_LATE, "no"),
    int_field("pregnancy_weeks", 45),
    _kept["shoulder_tip_pain"],
    choice_field("contraception", CONTRACEPTION, "none"),
    _kept["discharge_after_sex"],
    _kept["discharge_color"],
    _kept["bleeding_after_sex"],
    _kept["bleeding_episodes_3m"],
    _kept["bleeding_first_noticed_weeks"],
    _kept["bleeding_amount"],
    _kept["bleeding_trend"],
    _kept["clots"],
    _kept["soaks_pad_hourly"],
    _kept["pain_during_sex"],
    _kept["pelvic_pain_days"],
    _kept["pelvic_pain_severity"],
    _kept["burning"],
    _kept["itching"],
    _kept["bad_odor"],
    _kept["persistent_discomfort"],
    _kept["fever"],
    _kept["dizziness_fainting"],
    _kept["intermenstrual_bleeding"],
    choice_field("other_bleeding_amount", BLEEDING_AMOUNTS, "none"),
    bool_field("other_bleeding_clots"),
    int_field("intermenstrual_weeks", 520),
    _kept["vaginal_dryness"],
    # R3-15: an absent screening date is unknown (rule set 2: within_3y).
    replace(_kept["last_cervical_screening"], default="unsure"),
    _kept["abnormal_screening_history"],
    _kept["anticoagulants"],
    # Same field; its question now asks about past use too (R3-13).
    _kept["tamoxifen"],
    _kept["hrt"],
    choice_field("hrt_type", HRT_TYPES, "unsure"),
    bool_field("hrt_recent_change"),
    _kept["immunosuppressed"],
    _kept["recent_procedure_6w"],
    _kept["new_partner_3m"],
    _kept["notes"],
)

Answers = answers_class(
    "Answers",
    FIELDS,
    """One rule set 3 submission's answers, with the RULES.md 3.2 defaults.

    A submission stored under rule set 1 or 2 lacks the fields new in 3 and
    reads as their defaults. Built unchecked for speed; use
    `RULE_SET.answers_from_mapping()` for any input that did not come from
    this module.
    """,
    __name__,
)

_by_question = {reveal.question: reveal for reveal in v2.REVEALS}

# RULES.md 3.2 Branching, one entry per row of its table, in the order of the fields they show.
REVEALS = (
    # New: not asked when pregnant or postmenopausal.
    Reveal(
        "pregnancy_status",
        ("period_late",),
        values=("not_pregnant",),
        also=(Clause("menopause_status", ("postmenopausal",), negate=True),),
    ),
    Reveal("pregnancy_status", ("pregnancy_weeks",), values=("confirmed",)),
    # Widened (R3-16): also shown when a late period makes a pregnancy possible.
    Reveal(
        "pregnancy_status",
        ("shoulder_tip_pain",),
        values=("possible", "confirmed"),
        also=(Clause("period_late", LATE_PERIOD_POSSIBLE_PREGNANCY),),
        join=ANY,
    ),
    Reveal(
        "menopause_status",
        ("contraception",),
        values=("postmenopausal",),
        negate=True,
        also=(Clause("pregnancy_status", ("confirmed",), negate=True),),
    ),
    _by_question["discharge_after_sex"],
    _by_question["bleeding_after_sex"],
    _by_question["pelvic_pain_days"],
    Reveal(
        "intermenstrual_bleeding",
        ("other_bleeding_amount", "other_bleeding_clots", "intermenstrual_weeks"),
        values=(True,),
    ),
    Reveal("hrt", ("hrt_type", "hrt_recent_change"), values=(True,)),
)


class Terms(NamedTuple):
    """The derived terms of RULES.md section 2, computed once per submission from effective answers.

    Rule set 2's names keep their place (its kept flags read them); the terms
    marked new or changed in section 2 carry rule set 3's meaning.
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
    later_pregnancy: bool
    iud_in_situ: bool
    heavy_after_sex: bool
    heavy_other: bool
    heavy_any: bool
    hrt_expected_bleeding: bool
    moderate_pelvic_pain: bool


def terms(a, age: int, history: tuple[HistoryEntry, ...]) -> Terms:
    abnormal_discharge = a.discharge_after_sex and a.discharge_color in ("yellow_green", "grey")
    blood_stained_discharge = a.discharge_after_sex and a.discharge_color in ("pink", "red", "brown")
    pelvic_pain = a.pelvic_pain_days >= 1
    heavy_after_sex = a.bleeding_after_sex and (a.bleeding_amount == "heavy" or a.clots)
    heavy_other = a.intermenstrual_bleeding and (a.other_bleeding_amount == "heavy" or a.other_bleeding_clots)
    heavy_any = heavy_after_sex or heavy_other
    menopause_status = a.menopause_status
    # Section 6: the history is read only through these two terms.
    counting = [
        e.days_ago for e in history if counts_as_earlier_report(e.days_ago, e.answers.bleeding_after_sex)
    ]
    persistence_weeks = 0
    if a.bleeding_after_sex:
        persistence_weeks = max([a.bleeding_first_noticed_weeks, *(days // 7 for days in counting)])
    return Terms(
        age=age,
        # Changed: a late period without a test, or with a positive one, is a possible pregnancy (R3-14).
        pregnant_or_possible=(
            a.pregnancy_status in ("possible", "confirmed") or a.period_late in LATE_PERIOD_POSSIBLE_PREGNANCY
        ),
        abnormal_discharge=abnormal_discharge,
        blood_stained_discharge=blood_stained_discharge,
        any_bleeding=a.bleeding_after_sex or a.intermenstrual_bleeding or blood_stained_discharge,
        # Changed: "perimenopausal" at 55+ counts too (R3-04).
        treated_as_postmenopausal=(
            menopause_status == "postmenopausal"
            or (menopause_status in ("unsure", "perimenopausal") and age >= 55)
        ),
        infection_signs=a.burning or a.bad_odor or abnormal_discharge,
        pelvic_pain=pelvic_pain,
        severe_pelvic_pain=pelvic_pain and a.pelvic_pain_severity >= 7,
        earlier_bleeding_reports=len(counting),
        persistence_weeks=persistence_weeks,
        later_pregnancy=a.pregnancy_status == "confirmed" and a.pregnancy_weeks >= LATER_PREGNANCY_WEEKS,
        iud_in_situ=a.contraception in COILS,
        heavy_after_sex=heavy_after_sex,
        heavy_other=heavy_other,
        heavy_any=heavy_any,
        # The HRT window of section 4's notes (R3-12).
        hrt_expected_bleeding=(
            a.hrt
            and a.hrt_recent_change
            and a.hrt_type in HRT_TYPES_WITH_WINDOW
            and not heavy_any
            and not a.tamoxifen
            and not a.anticoagulants
        ),
        moderate_pelvic_pain=pelvic_pain and a.pelvic_pain_severity >= 4,
    )


_v2_rule = v2.RULE_SET.flag_rules_by_code

# RULES.md section 4. Rows marked "kept" are rule set 2's entries: same condition (over the terms
# above), level, weight and reason; those that RULES.md widens do so through the terms.
FLAG_RULES: tuple[FlagRule, ...] = (
    # 1, kept (widened through pregnant_or_possible; a late period is a companion of faintness).
    _v2_rule["HEAVY_ACUTE"],
    # 2, kept (widened through pregnant_or_possible).
    _v2_rule["PREGNANCY_SHOULDER_PAIN"],
    # 3: heavy_any replaces "a soaked pad or clots after sex" (R3-06d).
    replace(
        _v2_rule["ESC_PREGNANCY_RED_FLAG"],
        reason=gettext_noop(
            "In a possible or confirmed pregnancy: bleeding with pain, faintness, a soaked pad or clots (after sex or not), or severe pelvic pain: ectopic pregnancy or miscarriage must be excluded now."
        ),
        condition=lambda a, t, flags: (
            (
                "PREGNANCY_BLEEDING" in flags
                and (t.pelvic_pain or a.pain_during_sex >= 7 or a.dizziness_fainting or t.heavy_any)
            )
            or ("PREGNANCY_PAIN" in flags and t.severe_pelvic_pain)
        ),
    ),
    # 4, kept.
    _v2_rule["ESC_FEVER_PREGNANCY"],
    # 5: same condition (widened through pregnant_or_possible), reason reworded (R3-11).
    replace(
        _v2_rule["PREGNANCY_BLEEDING"],
        reason=gettext_noop(
            "Vaginal bleeding or blood-stained discharge in a possible or confirmed pregnancy (including a late period without a test): assess today; pregnancy test if not yet confirmed; before 17 weeks exclude ectopic pregnancy and miscarriage (early-pregnancy assessment); from 17 weeks see LATER_PREGNANCY_BLEEDING."
        ),
    ),
    # 6-10, kept.
    _v2_rule["PREGNANCY_PAIN"],
    _v2_rule["FEVER_PELVIC_PAIN"],
    _v2_rule["SEVERE_PELVIC_PAIN"],
    _v2_rule["FAINTNESS"],
    _v2_rule["RECENT_PROCEDURE_INFECTION"],
    # 11: widened (perimenopausal at 55+, through the term); the HRT window is left out (R3-12).
    replace(
        _v2_rule["POSTMENOPAUSAL_BLEEDING"],
        reason=gettext_noop(
            'Bleeding or blood-stained discharge after the menopause (after sex or spontaneous), or at age 55+ with uncertain or "perimenopausal" status: manage as postmenopausal bleeding, which meets suspected-cancer referral criteria; a previous normal screening test must not delay it.'
        ),
        condition=lambda a, t, flags: (
            t.treated_as_postmenopausal and t.any_bleeding and not t.hrt_expected_bleeding
        ),
    ),
    # 12: same condition; `tamoxifen` now means now or in the past (R3-13).
    replace(
        _v2_rule["TAMOXIFEN_BLEEDING"],
        reason=gettext_noop(
            "Vaginal bleeding, staining or blood-stained discharge in a woman taking tamoxifen now or in the past: endometrial assessment on the suspected-cancer pathway."
        ),
    ),
    # 13, kept.
    _v2_rule["MENOPAUSE_UNCERTAIN_BLEEDING"],
    # 14: heavy bleeding after sex or not (R3-06a).
    replace(
        _v2_rule["HEAVY_EPISODE"],
        reason=gettext_noop(
            "Heavy bleeding (a soaked pad or clots) after sex or outside the period: exclude coital injury or a cervical or uterine lesion and check haemoglobin."
        ),
        condition=lambda a, t, flags: t.heavy_any,
    ),
    # 15-18, kept (16 widens through PAINFUL).
    _v2_rule["PELVIC_PAIN_INFECTION"],
    _v2_rule["ESC_MULTIPLE_FEATURES"],
    _v2_rule["ESC_RECURRENT_SCREENING"],
    _v2_rule["ESC_PERSISTENT_AGE"],
    # 19: also bleeding between periods and postmenopausal bleeding (R3-06b).
    replace(
        _v2_rule["ESC_ANTICOAG_BLEEDING"],
        reason=gettext_noop(
            "Bleeding outside the period or after the menopause, or post-coital bleeding that is more than spotting or increasing, in a woman on anticoagulants: find the cause, check haemoglobin and anticoagulation; do not put the bleeding down to the medicine alone."
        ),
        condition=lambda a, t, flags: (
            "ANTICOAGULANTS" in flags
            and (
                "ABUNDANT" in flags
                or "INTERMENSTRUAL_BLEEDING" in flags
                or "POSTMENOPAUSAL_BLEEDING" in flags
            )
        ),
    ),
    # 20, 21, kept.
    _v2_rule["RECURRENT"],
    _v2_rule["ABUNDANT"],
    # 22: also new pelvic pain of 4/10 or more, any duration (R3-05).
    replace(
        _v2_rule["PAINFUL"],
        reason=gettext_noop(
            "At least moderate pain on intercourse (4/10 or more), or pelvic pain lasting 3 days or more or rated 4/10 or more at its worst: examine; offer a pregnancy test if she could be pregnant."
        ),
        condition=lambda a, t, flags: (
            a.pain_during_sex >= 4 or a.pelvic_pain_days >= 3 or t.moderate_pelvic_pain
        ),
    ),
    # 23, kept.
    _v2_rule["INTERMENSTRUAL_BLEEDING"],
    # 24: same condition, reason reworded (the BMS windows).
    replace(
        _v2_rule["HRT_BLEEDING"],
        reason=gettext_noop(
            "Bleeding on hormone replacement therapy: check whether it is the expected bleed of the regimen; unscheduled bleeding that persists beyond the first 6 months (3 months after a change), is heavy, or comes with risk factors needs assessment."
        ),
    ),
    # 25-31, kept (25 widens through treated_as_postmenopausal; 28 through the new default).
    _v2_rule["POSTMENOPAUSAL_DISCHARGE"],
    _v2_rule["INFECTION_SIGNS"],
    _v2_rule["PERSISTENT_DISCOMFORT"],
    _v2_rule["SCREENING_GAP"],
    _v2_rule["PRIOR_ABNORMAL_SCREENING"],
    _v2_rule["ANTICOAGULANTS"],
    _v2_rule["DRYNESS"],
    # 32: same condition, now a follow_up flag with weight 1 (R3-08).
    replace(
        _v2_rule["STI_RISK"],
        kind=BASE,
        level=Level.FOLLOW_UP,
        weight=1,
        reason=gettext_noop(
            "New sexual partner within 3 months together with post-coital bleeding or infection signs: test for chlamydia, gonorrhoea and wider STIs (every woman with post-coital bleeding should be screened for chlamydia)."
        ),
    ),
    # 33-35, kept.
    _v2_rule["IMMUNOSUPPRESSED"],
    _v2_rule["EPISODE_COUNT_CHECK"],
    _v2_rule["UNDER_16"],
    # 36-44: new in rule set 3, appended in RULES.md's order (their stored bits follow, V4).
    FlagRule(
        36,
        "LATER_PREGNANCY_BLEEDING",
        BASE,
        Level.EMERGENCY,
        10,
        gettext_noop(
            "Bleeding or blood-stained discharge at 17 weeks of pregnancy or later: obstetric assessment now (placenta praevia, abruption, late miscarriage, preterm labour); no digital vaginal examination before the placenta site is known."
        ),
        gettext_noop("Bleeding from 17 weeks"),
        lambda a, t, flags: t.later_pregnancy and t.any_bleeding,
    ),
    FlagRule(
        37,
        "ESC_ANTICOAG_HEAVY",
        ESCALATION,
        Level.URGENT,
        5,
        gettext_noop(
            "Heavy bleeding (a soaked pad or clots), after sex or not, in a woman on anticoagulants: same-day haemoglobin (and INR on warfarin); bleeding may progress; decide on the anticoagulant with the prescriber."
        ),
        gettext_noop("Heavy bleeding on anticoagulants"),
        lambda a, t, flags: "ANTICOAGULANTS" in flags and t.heavy_any,
    ),
    FlagRule(
        38,
        "RECENT_PROCEDURE_BLEEDING",
        BASE,
        Level.URGENT,
        5,
        gettext_noop(
            "Heavy bleeding or clots, or post-coital bleeding getting heavier, within 6 weeks of a birth, pregnancy loss or termination, coil fitting or removal, or cervical treatment: possible secondary postpartum haemorrhage, retained tissue or post-treatment haemorrhage; assess today."
        ),
        gettext_noop("Bleeding after procedure"),
        lambda a, t, flags: (
            a.recent_procedure_6w and (t.heavy_any or (a.bleeding_after_sex and a.bleeding_trend == "more"))
        ),
    ),
    # 39: reads step-1 flag 40, which comes after it in the table (section 5: two steps).
    FlagRule(
        39,
        "ESC_PAIN_BLEEDING_IUD",
        ESCALATION,
        Level.URGENT,
        5,
        gettext_noop(
            "Pelvic pain with abnormal bleeding in a woman with a coil in place: exclude ectopic pregnancy (a pregnancy with a coil in place is often ectopic), pelvic infection and coil displacement or perforation today."
        ),
        gettext_noop("Pain, bleeding, coil"),
        lambda a, t, flags: "PAIN_WITH_BLEEDING" in flags and t.iud_in_situ,
    ),
    FlagRule(
        40,
        "PAIN_WITH_BLEEDING",
        BASE,
        Level.PRIORITY,
        4,
        gettext_noop(
            "Pelvic pain with abnormal bleeding in a woman who may menstruate and says she is not pregnant: exclude pregnancy (hCG today; ectopic pregnancy presents atypically) and pelvic infection; if the test is positive, assess the same day."
        ),
        gettext_noop("Pain with bleeding"),
        lambda a, t, flags: (
            t.pelvic_pain
            and t.any_bleeding
            and not t.treated_as_postmenopausal
            and not t.pregnant_or_possible
        ),
    ),
    # 41: never together with FEVER_PELVIC_PAIN (its last two conditions negate that flag's pain part).
    FlagRule(
        41,
        "FEVER_INFECTION_SIGNS",
        BASE,
        Level.PRIORITY,
        3,
        gettext_noop(
            "Fever of 38 °C or more with burning, bad smell, abnormal discharge or a new partner, without reported pelvic pain: consider pelvic inflammatory disease reported without pain, primary genital herpes or an upper urinary infection; assess promptly."
        ),
        gettext_noop("Fever, infection signs"),
        lambda a, t, flags: (
            a.fever
            and (t.infection_signs or a.new_partner_3m)
            and not t.pelvic_pain
            and a.pain_during_sex <= 3
        ),
    ),
    FlagRule(
        42,
        "PERSISTENT_IMB_45",
        BASE,
        Level.PRIORITY,
        3,
        gettext_noop(
            "Bleeding between periods for 12 weeks or more at age 45+: exclude endometrial pathology (transvaginal ultrasound, endometrial assessment) promptly."
        ),
        gettext_noop("Bleeding between periods 12+ weeks, 45+"),
        lambda a, t, flags: (
            a.intermenstrual_bleeding
            and a.intermenstrual_weeks >= 12
            and t.age >= 45
            and not t.treated_as_postmenopausal
        ),
    ),
    FlagRule(
        43,
        "IUD_PELVIC_PAIN",
        BASE,
        Level.PRIORITY,
        3,
        gettext_noop(
            "Pelvic pain with a coil in place: exclude pelvic infection, coil displacement or perforation, and pregnancy (ectopic)."
        ),
        gettext_noop("Pelvic pain, coil"),
        lambda a, t, flags: t.iud_in_situ and t.pelvic_pain,
    ),
    FlagRule(
        44,
        "PMB_HRT_WINDOW",
        INFO,
        None,
        0,
        gettext_noop(
            "Bleeding on sequential or continuous combined HRT started within 6 months or changed within 3 months, not heavy, no tamoxifen, no anticoagulants: handled as unscheduled HRT bleeding (follow-up), not as postmenopausal bleeding; refer as postmenopausal bleeding if it persists beyond these windows, becomes heavy, or there are endometrial cancer risk factors."
        ),
        gettext_noop("HRT window"),
        lambda a, t, flags: t.treated_as_postmenopausal and t.any_bleeding and t.hrt_expected_bleeding,
    ),
)


# --- Patient advice (RULES.md section 8): every level but emergency ends with the safety net. -------

_SAFETY_NET_PREGNANCY = {
    "it": (
        "Se è o potrebbe essere incinta (per esempio se il ciclo è in ritardo) e ha, ora o più avanti, "
        "dolore al basso ventre o perdite di sangue, si faccia visitare il giorno stesso; se non sa ancora "
        "se è incinta, faccia subito un test di gravidanza."
    ),
    "en": (
        "If you are or might be pregnant (for example, your period is late) and you have lower-belly pain "
        "or bleeding, now or later on, get seen the same day; if you do not yet know whether you are "
        "pregnant, do a pregnancy test straight away."
    ),
}

ADVICE = {
    Level.EMERGENCY: {
        "it": (
            "Alcune sue risposte sono segnali di allarme che vanno valutati subito. Se sanguina molto, ha "
            "un dolore forte o si sente svenire, chiami subito il 112 o il 118 e non si metta alla guida. "
            "Altrimenti vada ora al pronto soccorso più vicino, se possibile accompagnata (se è o potrebbe "
            "essere incinta, a un pronto soccorso ostetrico-ginecologico, se è vicino). Non aspetti "
            "l'appuntamento in studio."
        ),
        "en": (
            "Some of your answers are warning signs that need to be checked straight away. If you are "
            "bleeding heavily, have severe pain or feel faint, call 112 or 118 now and do not drive. "
            "Otherwise go to the nearest emergency department now, with someone if possible (if you are or "
            "might be pregnant, to an obstetric-gynaecological emergency department if one is close by). Do "
            "not wait for your clinic appointment."
        ),
    },
    Level.URGENT: {
        "it": (
            "Alcune sue risposte vanno valutate oggi stesso. Telefoni subito allo studio; se non riesce a "
            "parlare con noi o se non possiamo visitarla oggi stesso (sera, fine settimana, giorni "
            "festivi), vada oggi in pronto soccorso, ostetrico-ginecologico se è o potrebbe essere incinta. "
            "Non aspetti l'appuntamento previsto. Se il ciclo è in ritardo e non ha ancora fatto un test di "
            "gravidanza, lo faccia oggi, senza però rimandare la telefonata o la visita. Se il sanguinamento "
            "diventa abbondante (un assorbente inzuppato in un'ora), il dolore diventa forte o si sente "
            "svenire, chiami il 112 o il 118."
        ),
        "en": (
            "Some of your answers need to be checked today. Phone the clinic now; if you cannot speak to us "
            "or we cannot see you today (evenings, weekends, public holidays), go to an emergency department "
            "today, an obstetric-gynaecological one if you are or might be pregnant. Do not wait for your "
            "booked appointment. If your period is late and you have not done a pregnancy test yet, do one "
            "today, but do not put off the call or the visit. If the bleeding becomes heavy (a pad soaked "
            "within an hour), the pain becomes severe or you feel faint, call 112 or 118."
        ),
    },
    Level.PRIORITY: {
        "it": (
            "Dalle sue risposte è consigliabile una visita ginecologica a breve. Telefoni allo studio oggi "
            "stesso o il primo giorno lavorativo utile, così da fissare rapidamente la visita; il medico "
            "esaminerà le sue risposte. Se nel frattempo il sanguinamento diventa abbondante (un assorbente "
            "inzuppato in un'ora), compare un dolore forte o febbre con dolore al basso ventre, oppure si "
            "sente svenire, vada al pronto soccorso o chiami il 112 o il 118. " + _SAFETY_NET_PREGNANCY["it"]
        ),
        "en": (
            "Your answers suggest you should see the gynaecologist soon. Please phone the clinic today or on "
            "the next working day so that a visit can be arranged quickly; the doctor will review your "
            "answers. If in the meantime the bleeding becomes heavy (a pad soaked within an hour), you get "
            "severe pain or a fever with lower-belly pain, or you feel faint, go to the emergency department "
            "or call 112 or 118. " + _SAFETY_NET_PREGNANCY["en"]
        ),
    },
    Level.FOLLOW_UP: {
        "it": (
            "Dalle sue risposte emerge qualcosa che è bene controllare con una visita ginecologica, per "
            "esempio un sanguinamento dopo i rapporti che si ripete o aumenta, oppure accompagnato da "
            "dolore, bruciore, cattivo odore o un fastidio che non passa. Spesso la causa è lieve e curabile "
            "(come un'infezione o una piccola alterazione del collo dell'utero), ma va verificata: prenoti "
            "una visita nelle prossime settimane. Se il sanguinamento diventa abbondante (un assorbente "
            "inzuppato in un'ora), o compaiono un dolore forte, febbre con dolore al basso ventre o la "
            "sensazione di svenire, vada al pronto soccorso o chiami il 112 o il 118. "
            + _SAFETY_NET_PREGNANCY["it"]
        ),
        "en": (
            "Your answers show something worth checking at a gynaecological visit, for example bleeding "
            "after sex that keeps coming back or is getting heavier, or that comes with pain, burning, an "
            "unusual smell or discomfort that does not go away. The cause is often minor and treatable (such "
            "as an infection or a small change on the cervix), but it should be looked at: please book a "
            "visit in the coming weeks. If the bleeding becomes heavy (a pad soaked within an hour), or you "
            "get severe pain, a fever with lower-belly pain or feel faint, go to the emergency department or "
            "call 112 or 118. " + _SAFETY_NET_PREGNANCY["en"]
        ),
    },
    Level.ROUTINE: {
        "it": (
            "Da quanto descrive non emergono segnali di allarme che richiedano una visita anticipata: "
            "mantenga l'appuntamento previsto (se non ne ha uno, lo prenoti); il medico esaminerà le sue "
            "risposte. Le perdite dopo un rapporto fanno parte del normale funzionamento del corpo, e una "
            "traccia occasionale rosata o striata di sangue può derivare da una piccola irritazione innocua "
            "dei tessuti, che sono delicati e ricchi di vasi (per esempio intorno all'ovulazione, prima del "
            "ciclo o se c'è un po' di secchezza). Conta soprattutto quanto spesso succede, quanto è "
            "abbondante e che cosa lo accompagna. Compili di nuovo il modulo o contatti lo studio se "
            "l'episodio si ripete, diventa più abbondante oppure si accompagna a dolore, bruciore, cattivo "
            "odore o un fastidio che non passa. Continui a fare regolarmente lo screening del collo "
            "dell'utero. Se il sanguinamento diventa abbondante (un assorbente inzuppato in un'ora), compare "
            "un dolore forte oppure si sente svenire, vada al pronto soccorso o chiami il 112 o il 118. "
            + _SAFETY_NET_PREGNANCY["it"]
        ),
        "en": (
            "From what you describe, there are no warning signs that call for an earlier visit: keep your "
            "booked appointment (if you have none, book one); the doctor will review your answers. Some "
            "fluid coming out after intercourse is part of how the body normally works, and an occasional "
            "light pink or blood-streaked trace can come from a tiny, harmless irritation of delicate, "
            "well-supplied tissue (for example around ovulation, before a period, or with some dryness). "
            "What matters is how often it happens, how much there is and what comes with it. Fill in this "
            "form again or contact the clinic if it happens again, gets heavier, or comes with pain, "
            "burning, a bad smell or discomfort that does not go away. Keep up with your regular cervical "
            "screening. If the bleeding becomes heavy (a pad soaked within an hour), you get severe pain or "
            "you feel faint, go to the emergency department or call 112 or 118. "
            + _SAFETY_NET_PREGNANCY["en"]
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
    hidden_answers_read_as_defaults=True,
)
