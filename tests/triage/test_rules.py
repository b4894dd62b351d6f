"""Rule set 2, table-driven against RULES.md sections 2 to 8, no database."""

import dataclasses

import pytest

import triage.rules
from triage.rules import (
    BASE,
    ESCALATION,
    INFO,
    HistoryEntry,
    InvalidAnswers,
    Level,
    Result,
    counts_as_earlier_report,
    v1,
)
from triage.rules.v2 import ADVICE, FIELDS, FLAG_RULES, REVEALS, RULE_SET, VERSION, Answers, terms

FLAG_CODES = RULE_SET.flag_codes
FLAG_RULES_BY_CODE = RULE_SET.flag_rules_by_code
answers_from_mapping = RULE_SET.answers_from_mapping
assess = RULE_SET.assess
visible_fields = RULE_SET.visible_fields

R, F, P, U, E = Level.ROUTINE, Level.FOLLOW_UP, Level.PRIORITY, Level.URGENT, Level.EMERGENCY

# One episode of light post-coital bleeding: raises nothing by itself (RULES 1, 4).
BLEEDING = {"bleeding_after_sex": True, "bleeding_episodes_3m": 1, "bleeding_amount": "spotting"}
RECURRENT_BLEEDING = {**BLEEDING, "bleeding_episodes_3m": 2}
POSSIBLE_PREGNANCY_BLEEDING = {**BLEEDING, "pregnancy_status": "possible"}
FAINT = {"dizziness_fainting": True}


def discharge(color, *, after_sex=True):
    return {"discharge_after_sex": after_sex, "discharge_color": color}


def make_answers(**overrides) -> Answers:
    return answers_from_mapping(overrides)


def earlier(days_ago: int, **overrides) -> HistoryEntry:
    return HistoryEntry(days_ago, make_answers(**overrides))


def case(overrides, level, flags, score, *, age=30, history=(), id):
    return pytest.param(overrides, age, history, level, tuple(flags), score, id=id)


# One block per row of the RULES.md section 4 table, in its order; each block has a case
# where the flag fires and, where the condition has a boundary or alternatives, the
# cases just inside and just outside.
CASES = [
    # Defaults and fields no rule reads (RULES 3.2).
    case({}, R, [], 0, id="no-answers"),
    case(discharge("clear_white"), R, [], 0, id="normal-discharge"),
    case(
        {"itching": True, "notes": "Sanguinamento abbondante, svenuta"},
        R,
        [],
        0,
        id="itching-and-notes-unused",
    ),
    case({**BLEEDING, "bleeding_amount": "streaks"}, R, [], 0, id="single-streak-routine"),
    case(BLEEDING, R, [], 0, id="single-spotting-routine"),
    # 1 HEAVY_ACUTE: a soaked pad needs nothing else; faintness needs a companion (notes).
    case({"soaks_pad_hourly": True}, E, ["HEAVY_ACUTE"], 10, id="heavy-soaking"),
    case(
        {"soaks_pad_hourly": True, "bleeding_after_sex": False, "pregnancy_status": "not_pregnant"},
        E,
        ["HEAVY_ACUTE"],
        10,
        id="heavy-soaking-without-bleeding-answer",
    ),
    case(
        {"soaks_pad_hourly": True, **FAINT}, E, ["HEAVY_ACUTE", "FAINTNESS"], 15, id="heavy-soaking-and-faint"
    ),
    case(FAINT, U, ["FAINTNESS"], 5, id="faintness-alone"),
    case({**FAINT, **BLEEDING}, E, ["HEAVY_ACUTE", "FAINTNESS"], 15, id="faint-with-bleeding-after-sex"),
    case(
        {**FAINT, "intermenstrual_bleeding": True},
        E,
        ["HEAVY_ACUTE", "FAINTNESS", "INTERMENSTRUAL_BLEEDING"],
        17,
        id="faint-with-intermenstrual-bleeding",
    ),
    case(
        {**FAINT, **discharge("red")},
        E,
        ["HEAVY_ACUTE", "FAINTNESS"],
        15,
        id="faint-with-blood-stained-discharge",
    ),
    case(
        {**FAINT, **discharge("red", after_sex=False)},
        U,
        ["FAINTNESS"],
        5,
        id="faint-with-hidden-discharge-colour",
    ),
    case(
        {**FAINT, "pregnancy_status": "possible"},
        E,
        ["HEAVY_ACUTE", "FAINTNESS"],
        15,
        id="faint-with-possible-pregnancy",
    ),
    case(
        {**FAINT, "pregnancy_status": "confirmed"},
        E,
        ["HEAVY_ACUTE", "FAINTNESS"],
        15,
        id="faint-with-confirmed-pregnancy",
    ),
    case({**FAINT, "pregnancy_status": "not_pregnant"}, U, ["FAINTNESS"], 5, id="faint-not-pregnant"),
    case(
        {**FAINT, "pelvic_pain_days": 1}, E, ["HEAVY_ACUTE", "FAINTNESS"], 15, id="faint-with-pelvic-pain-1"
    ),
    case({**FAINT, "pelvic_pain_days": 0}, U, ["FAINTNESS"], 5, id="faint-with-pelvic-pain-0"),
    case(
        {**FAINT, "pain_during_sex": 7},
        E,
        ["HEAVY_ACUTE", "FAINTNESS", "PAINFUL"],
        17,
        id="faint-with-pain-during-sex-7",
    ),
    case({**FAINT, "pain_during_sex": 6}, U, ["FAINTNESS", "PAINFUL"], 7, id="faint-with-pain-during-sex-6"),
    case({**FAINT, "fever": True}, E, ["HEAVY_ACUTE", "FAINTNESS"], 15, id="faint-with-fever"),
    case(
        {**FAINT, "anticoagulants": True},
        E,
        ["HEAVY_ACUTE", "FAINTNESS", "ANTICOAGULANTS"],
        15,
        id="faint-with-anticoagulants",
    ),
    case({**FAINT, "burning": True}, U, ["FAINTNESS", "INFECTION_SIGNS"], 6, id="faint-with-burning-only"),
    case(
        {**FAINT, "bleeding_after_sex": False, "bleeding_amount": "heavy", "clots": True},
        U,
        ["FAINTNESS"],
        5,
        id="faint-with-hidden-bleeding-details",
    ),
    # 2 PREGNANCY_SHOULDER_PAIN: shoulder_tip_pain is read only in a possible pregnancy.
    case(
        {"pregnancy_status": "possible", "shoulder_tip_pain": True},
        E,
        ["PREGNANCY_SHOULDER_PAIN"],
        10,
        id="shoulder-tip-pain-possible-pregnancy",
    ),
    case(
        {"pregnancy_status": "confirmed", "shoulder_tip_pain": True},
        E,
        ["PREGNANCY_SHOULDER_PAIN"],
        10,
        id="shoulder-tip-pain-confirmed-pregnancy",
    ),
    case(
        {"pregnancy_status": "not_pregnant", "shoulder_tip_pain": True},
        R,
        [],
        0,
        id="shoulder-tip-pain-hidden-when-not-pregnant",
    ),
    case(
        {"pregnancy_status": "possible", "shoulder_tip_pain": False},
        R,
        [],
        0,
        id="possible-pregnancy-no-symptoms",
    ),
    # 3 ESC_PREGNANCY_RED_FLAG: bleeding with pelvic pain, pain_during_sex 6/7, faintness,
    # heavy amount or clots after sex; or pregnancy pain with severity 6/7.
    case(
        {**POSSIBLE_PREGNANCY_BLEEDING, "pelvic_pain_days": 1},
        E,
        ["ESC_PREGNANCY_RED_FLAG", "PREGNANCY_BLEEDING", "PREGNANCY_PAIN"],
        22,
        id="pregnancy-bleeding-pelvic-1",
    ),
    case(
        {**POSSIBLE_PREGNANCY_BLEEDING, "pelvic_pain_days": 0},
        U,
        ["PREGNANCY_BLEEDING"],
        6,
        id="pregnancy-bleeding-pelvic-0",
    ),
    case(
        {**POSSIBLE_PREGNANCY_BLEEDING, "pain_during_sex": 7},
        E,
        ["ESC_PREGNANCY_RED_FLAG", "PREGNANCY_BLEEDING", "PAINFUL"],
        18,
        id="pregnancy-bleeding-pain-7",
    ),
    case(
        {**POSSIBLE_PREGNANCY_BLEEDING, "pain_during_sex": 6},
        U,
        ["PREGNANCY_BLEEDING", "PAINFUL"],
        8,
        id="pregnancy-bleeding-pain-6",
    ),
    case(
        {**POSSIBLE_PREGNANCY_BLEEDING, **FAINT},
        E,
        ["HEAVY_ACUTE", "ESC_PREGNANCY_RED_FLAG", "PREGNANCY_BLEEDING", "FAINTNESS"],
        31,
        id="pregnancy-bleeding-faint",
    ),
    case(
        {**POSSIBLE_PREGNANCY_BLEEDING, "bleeding_amount": "heavy"},
        E,
        ["ESC_PREGNANCY_RED_FLAG", "PREGNANCY_BLEEDING", "HEAVY_EPISODE", "ABUNDANT"],
        22,
        id="pregnancy-bleeding-soaked-pad",
    ),
    case(
        {**POSSIBLE_PREGNANCY_BLEEDING, "clots": True},
        E,
        ["ESC_PREGNANCY_RED_FLAG", "PREGNANCY_BLEEDING", "HEAVY_EPISODE", "ABUNDANT"],
        22,
        id="pregnancy-bleeding-clots",
    ),
    case(
        {**POSSIBLE_PREGNANCY_BLEEDING, "bleeding_amount": "moderate"},
        U,
        ["PREGNANCY_BLEEDING", "ABUNDANT"],
        8,
        id="pregnancy-bleeding-moderate",
    ),
    case(
        {
            "pregnancy_status": "possible",
            "intermenstrual_bleeding": True,
            "bleeding_amount": "heavy",
            "clots": True,
        },
        U,
        ["PREGNANCY_BLEEDING", "INTERMENSTRUAL_BLEEDING"],
        8,
        id="pregnancy-hidden-heavy-details-do-not-escalate",
    ),
    case(
        {"pregnancy_status": "possible", **discharge("brown"), "pelvic_pain_days": 1},
        E,
        ["ESC_PREGNANCY_RED_FLAG", "PREGNANCY_BLEEDING", "PREGNANCY_PAIN"],
        22,
        id="pregnancy-brown-discharge-with-pain",
    ),
    case(
        {"pregnancy_status": "confirmed", "pelvic_pain_days": 1, "pelvic_pain_severity": 7},
        E,
        ["ESC_PREGNANCY_RED_FLAG", "PREGNANCY_PAIN", "SEVERE_PELVIC_PAIN"],
        21,
        id="pregnancy-severe-pelvic-pain-7",
    ),
    case(
        {"pregnancy_status": "confirmed", "pelvic_pain_days": 1, "pelvic_pain_severity": 6},
        U,
        ["PREGNANCY_PAIN"],
        6,
        id="pregnancy-pelvic-pain-6",
    ),
    case(
        {"pregnancy_status": "possible", "pain_during_sex": 7},
        F,
        ["PAINFUL"],
        2,
        id="pregnancy-pain-during-sex-without-bleeding",
    ),
    # 4 ESC_FEVER_PREGNANCY
    case(
        {"pregnancy_status": "possible", "fever": True, "pelvic_pain_days": 1},
        E,
        ["ESC_FEVER_PREGNANCY", "PREGNANCY_PAIN", "FEVER_PELVIC_PAIN"],
        21,
        id="fever-pelvic-pain-possible-pregnancy",
    ),
    case(
        {"pregnancy_status": "confirmed", "fever": True, "pain_during_sex": 4},
        E,
        ["ESC_FEVER_PREGNANCY", "FEVER_PELVIC_PAIN", "PAINFUL"],
        17,
        id="fever-pain-during-sex-confirmed-pregnancy",
    ),
    case(
        {"pregnancy_status": "confirmed", "fever": True, "pain_during_sex": 3},
        R,
        [],
        0,
        id="fever-pregnancy-pain-3",
    ),
    case(
        {"pregnancy_status": "not_pregnant", "fever": True, "pelvic_pain_days": 1},
        U,
        ["FEVER_PELVIC_PAIN"],
        5,
        id="fever-pelvic-pain-not-pregnant",
    ),
    # 5 PREGNANCY_BLEEDING: any bleeding, including blood-stained discharge (notes).
    case(POSSIBLE_PREGNANCY_BLEEDING, U, ["PREGNANCY_BLEEDING"], 6, id="pregnancy-possible-pcb"),
    case(
        {"pregnancy_status": "confirmed", "intermenstrual_bleeding": True},
        U,
        ["PREGNANCY_BLEEDING", "INTERMENSTRUAL_BLEEDING"],
        8,
        id="pregnancy-confirmed-intermenstrual",
    ),
    case(
        {"pregnancy_status": "possible", **discharge("pink")},
        U,
        ["PREGNANCY_BLEEDING"],
        6,
        id="pregnancy-pink",
    ),
    case(
        {"pregnancy_status": "possible", **discharge("red")}, U, ["PREGNANCY_BLEEDING"], 6, id="pregnancy-red"
    ),
    case(
        {"pregnancy_status": "confirmed", **discharge("brown")},
        U,
        ["PREGNANCY_BLEEDING"],
        6,
        id="pregnancy-brown",
    ),
    case(
        {"pregnancy_status": "possible", **discharge("pink", after_sex=False)},
        R,
        [],
        0,
        id="pregnancy-pink-colour-hidden",
    ),
    case(
        {"pregnancy_status": "possible", **discharge("clear_white")}, R, [], 0, id="pregnancy-clear-discharge"
    ),
    case({**BLEEDING, "pregnancy_status": "not_pregnant"}, R, [], 0, id="not-pregnant-pcb"),
    case({"pregnancy_status": "confirmed"}, R, [], 0, id="pregnancy-without-symptoms"),
    # 6 PREGNANCY_PAIN: pelvic_pain_days 0/1, no bleeding needed.
    case(
        {"pregnancy_status": "confirmed", "pelvic_pain_days": 1},
        U,
        ["PREGNANCY_PAIN"],
        6,
        id="pregnancy-pelvic-1",
    ),
    case({"pregnancy_status": "possible", "pelvic_pain_days": 0}, R, [], 0, id="pregnancy-pelvic-0"),
    case(
        {"pregnancy_status": "possible", "pelvic_pain_days": 3},
        U,
        ["PREGNANCY_PAIN", "PAINFUL"],
        8,
        id="pregnancy-pelvic-3",
    ),
    case({"pelvic_pain_days": 1}, R, [], 0, id="not-pregnant-pelvic-1"),
    # 7 FEVER_PELVIC_PAIN: pelvic_pain_days 0/1, pain_during_sex 3/4.
    case({"fever": True}, R, [], 0, id="fever-alone"),
    case({"fever": True, "pelvic_pain_days": 0}, R, [], 0, id="fever-pelvic-0"),
    case({"fever": True, "pelvic_pain_days": 1}, U, ["FEVER_PELVIC_PAIN"], 5, id="fever-pelvic-1"),
    case({"fever": True, "pain_during_sex": 3}, R, [], 0, id="fever-pain-3"),
    case({"fever": True, "pain_during_sex": 4}, U, ["FEVER_PELVIC_PAIN", "PAINFUL"], 7, id="fever-pain-4"),
    # 8 SEVERE_PELVIC_PAIN: severity 6/7, and never read when pelvic_pain_days is 0.
    case(
        {"pelvic_pain_days": 1, "pelvic_pain_severity": 7},
        U,
        ["SEVERE_PELVIC_PAIN"],
        5,
        id="pelvic-severity-7",
    ),
    case({"pelvic_pain_days": 1, "pelvic_pain_severity": 6}, R, [], 0, id="pelvic-severity-6"),
    case(
        {"pelvic_pain_days": 1, "pelvic_pain_severity": 10},
        U,
        ["SEVERE_PELVIC_PAIN"],
        5,
        id="pelvic-severity-10",
    ),
    case({"pelvic_pain_days": 0, "pelvic_pain_severity": 10}, R, [], 0, id="pelvic-severity-hidden"),
    case(
        {"pelvic_pain_days": 3, "pelvic_pain_severity": 7},
        U,
        ["SEVERE_PELVIC_PAIN", "PAINFUL"],
        7,
        id="pelvic-3-days-severity-7",
    ),
    # 9 FAINTNESS: see the HEAVY_ACUTE block.
    # 10 RECENT_PROCEDURE_INFECTION: fever, bad smell, abnormal discharge or pelvic pain.
    case({"recent_procedure_6w": True}, R, [], 0, id="recent-procedure-alone"),
    case(
        {"recent_procedure_6w": True, "fever": True},
        U,
        ["RECENT_PROCEDURE_INFECTION"],
        5,
        id="recent-procedure-fever",
    ),
    case(
        {"recent_procedure_6w": True, "bad_odor": True},
        U,
        ["RECENT_PROCEDURE_INFECTION", "INFECTION_SIGNS"],
        6,
        id="recent-procedure-bad-odor",
    ),
    case(
        {"recent_procedure_6w": True, **discharge("yellow_green")},
        U,
        ["RECENT_PROCEDURE_INFECTION", "INFECTION_SIGNS"],
        6,
        id="recent-procedure-abnormal-discharge",
    ),
    case(
        {"recent_procedure_6w": True, **discharge("grey", after_sex=False)},
        R,
        [],
        0,
        id="recent-procedure-hidden-discharge-colour",
    ),
    case(
        {"recent_procedure_6w": True, "pelvic_pain_days": 1},
        U,
        ["RECENT_PROCEDURE_INFECTION"],
        5,
        id="recent-procedure-pelvic-1",
    ),
    case({"recent_procedure_6w": True, "pelvic_pain_days": 0}, R, [], 0, id="recent-procedure-pelvic-0"),
    case(
        {"recent_procedure_6w": True, "burning": True},
        F,
        ["INFECTION_SIGNS"],
        1,
        id="recent-procedure-burning-is-not-a-trigger",
    ),
    case({"recent_procedure_6w": True, **discharge("pink")}, R, [], 0, id="recent-procedure-pink-discharge"),
    case(
        {"recent_procedure_6w": False, "fever": True, "bad_odor": True},
        F,
        ["INFECTION_SIGNS"],
        1,
        id="no-procedure",
    ),
    # 11 POSTMENOPAUSAL_BLEEDING: unsure 54/55, perimenopausal never.
    case(
        {**BLEEDING, "menopause_status": "postmenopausal"},
        P,
        ["POSTMENOPAUSAL_BLEEDING"],
        6,
        age=50,
        id="postmenopausal-pcb",
    ),
    case(
        {"menopause_status": "postmenopausal", "intermenstrual_bleeding": True},
        P,
        ["POSTMENOPAUSAL_BLEEDING", "INTERMENSTRUAL_BLEEDING"],
        8,
        age=62,
        id="postmenopausal-spontaneous",
    ),
    case(
        {"menopause_status": "postmenopausal", **discharge("pink")},
        P,
        ["POSTMENOPAUSAL_BLEEDING"],
        6,
        age=62,
        id="postmenopausal-pink-discharge",
    ),
    case(
        {"menopause_status": "postmenopausal", **discharge("pink", after_sex=False)},
        R,
        [],
        0,
        age=62,
        id="postmenopausal-pink-colour-hidden",
    ),
    case({"menopause_status": "postmenopausal"}, R, [], 0, age=62, id="postmenopausal-no-bleeding"),
    case(
        {**BLEEDING, "menopause_status": "unsure"},
        P,
        ["MENOPAUSE_UNCERTAIN_BLEEDING"],
        4,
        age=54,
        id="unsure-54",
    ),
    case(
        {**BLEEDING, "menopause_status": "unsure"}, P, ["POSTMENOPAUSAL_BLEEDING"], 6, age=55, id="unsure-55"
    ),
    case(
        {"menopause_status": "unsure", "intermenstrual_bleeding": True},
        P,
        ["POSTMENOPAUSAL_BLEEDING", "INTERMENSTRUAL_BLEEDING"],
        8,
        age=55,
        id="unsure-55-intermenstrual",
    ),
    case({**BLEEDING, "menopause_status": "perimenopausal"}, R, [], 0, age=70, id="perimenopausal-70"),
    case(
        {"menopause_status": "perimenopausal", "intermenstrual_bleeding": True},
        F,
        ["INTERMENSTRUAL_BLEEDING"],
        2,
        age=120,
        id="perimenopausal-120-intermenstrual",
    ),
    case({**BLEEDING, "menopause_status": "premenopausal"}, R, [], 0, age=60, id="premenopausal-60"),
    # 12 TAMOXIFEN_BLEEDING
    case({**BLEEDING, "tamoxifen": True}, P, ["TAMOXIFEN_BLEEDING"], 5, id="tamoxifen-pcb"),
    case(
        {"tamoxifen": True, "intermenstrual_bleeding": True},
        P,
        ["TAMOXIFEN_BLEEDING", "INTERMENSTRUAL_BLEEDING"],
        7,
        id="tamoxifen-intermenstrual",
    ),
    case({"tamoxifen": True, **discharge("red")}, P, ["TAMOXIFEN_BLEEDING"], 5, id="tamoxifen-red-discharge"),
    case(
        {"tamoxifen": True, **discharge("red", after_sex=False)}, R, [], 0, id="tamoxifen-red-colour-hidden"
    ),
    case({"tamoxifen": True}, R, [], 0, id="tamoxifen-no-bleeding"),
    # 13 MENOPAUSE_UNCERTAIN_BLEEDING: unsure at ages 44/45 and 54/55 (notes).
    case({**BLEEDING, "menopause_status": "unsure"}, R, [], 0, age=44, id="unsure-44"),
    case(
        {**BLEEDING, "menopause_status": "unsure"},
        P,
        ["MENOPAUSE_UNCERTAIN_BLEEDING"],
        4,
        age=45,
        id="unsure-45",
    ),
    case(
        {"menopause_status": "unsure", "intermenstrual_bleeding": True},
        P,
        ["MENOPAUSE_UNCERTAIN_BLEEDING", "INTERMENSTRUAL_BLEEDING"],
        6,
        age=45,
        id="unsure-45-intermenstrual",
    ),
    case(
        {"menopause_status": "unsure", **discharge("brown")},
        P,
        ["MENOPAUSE_UNCERTAIN_BLEEDING"],
        4,
        age=50,
        id="unsure-50-brown-discharge",
    ),
    case({"menopause_status": "unsure"}, R, [], 0, age=50, id="unsure-50-no-bleeding"),
    case({**BLEEDING, "menopause_status": "perimenopausal"}, R, [], 0, age=50, id="perimenopausal-50"),
    # 14 HEAVY_EPISODE: heavy amount or clots after sex.
    case(
        {**BLEEDING, "bleeding_amount": "heavy"},
        P,
        ["HEAVY_EPISODE", "ABUNDANT"],
        6,
        id="heavy-episode-amount",
    ),
    case({**BLEEDING, "clots": True}, P, ["HEAVY_EPISODE", "ABUNDANT"], 6, id="heavy-episode-clots"),
    case({**BLEEDING, "bleeding_amount": "moderate"}, F, ["ABUNDANT"], 2, id="moderate-is-not-heavy"),
    case(
        {"bleeding_after_sex": False, "bleeding_amount": "heavy", "clots": True},
        R,
        [],
        0,
        id="heavy-details-hidden",
    ),
    # 15 PELVIC_PAIN_INFECTION
    case(
        {"pelvic_pain_days": 1, "burning": True},
        P,
        ["PELVIC_PAIN_INFECTION", "INFECTION_SIGNS"],
        4,
        id="pelvic-pain-burning",
    ),
    case(
        {"pelvic_pain_days": 1, "bad_odor": True},
        P,
        ["PELVIC_PAIN_INFECTION", "INFECTION_SIGNS"],
        4,
        id="pelvic-pain-bad-odor",
    ),
    case(
        {"pelvic_pain_days": 1, **discharge("grey")},
        P,
        ["PELVIC_PAIN_INFECTION", "INFECTION_SIGNS"],
        4,
        id="pelvic-pain-grey-discharge",
    ),
    case(
        {"pelvic_pain_days": 1, **discharge("grey", after_sex=False)}, R, [], 0, id="pelvic-pain-grey-hidden"
    ),
    case(
        {"pelvic_pain_days": 1, "new_partner_3m": True},
        P,
        ["PELVIC_PAIN_INFECTION"],
        3,
        id="pelvic-pain-new-partner",
    ),
    case(
        {"pelvic_pain_days": 0, "burning": True}, F, ["INFECTION_SIGNS"], 1, id="burning-without-pelvic-pain"
    ),
    case({"pelvic_pain_days": 1, "itching": True}, R, [], 0, id="pelvic-pain-itching-only"),
    # 16 ESC_MULTIPLE_FEATURES: two or more of RECURRENT, ABUNDANT, PAINFUL.
    case(
        {**RECURRENT_BLEEDING, "bleeding_amount": "moderate"},
        P,
        ["ESC_MULTIPLE_FEATURES", "RECURRENT", "ABUNDANT"],
        7,
        id="multiple-recurrent-abundant",
    ),
    case(
        {**RECURRENT_BLEEDING, "pain_during_sex": 4},
        P,
        ["ESC_MULTIPLE_FEATURES", "RECURRENT", "PAINFUL"],
        7,
        id="multiple-recurrent-painful",
    ),
    case(
        {**BLEEDING, "bleeding_amount": "moderate", "pelvic_pain_days": 3},
        P,
        ["ESC_MULTIPLE_FEATURES", "ABUNDANT", "PAINFUL"],
        7,
        id="multiple-abundant-painful",
    ),
    case(
        {**RECURRENT_BLEEDING, "bleeding_trend": "more", "pain_during_sex": 9},
        P,
        ["ESC_MULTIPLE_FEATURES", "RECURRENT", "ABUNDANT", "PAINFUL"],
        9,
        id="multiple-all-three",
    ),
    case(
        {**RECURRENT_BLEEDING, "pain_during_sex": 3}, F, ["RECURRENT"], 2, id="recurrent-pain-3-one-feature"
    ),
    case({"pain_during_sex": 10, "pelvic_pain_days": 365}, F, ["PAINFUL"], 2, id="painful-alone"),
    # 17 ESC_RECURRENT_SCREENING: a screening gap, prior abnormal screening or immunosuppression.
    case(
        {**RECURRENT_BLEEDING, "last_cervical_screening": "never"},
        P,
        ["ESC_RECURRENT_SCREENING", "RECURRENT", "SCREENING_GAP"],
        6,
        id="recurrent-never-screened",
    ),
    case(
        {**RECURRENT_BLEEDING, "abnormal_screening_history": True},
        P,
        ["ESC_RECURRENT_SCREENING", "RECURRENT", "PRIOR_ABNORMAL_SCREENING"],
        6,
        id="recurrent-prior-abnormal",
    ),
    case(
        {**RECURRENT_BLEEDING, "immunosuppressed": True},
        P,
        ["ESC_RECURRENT_SCREENING", "RECURRENT", "IMMUNOSUPPRESSED"],
        5,
        id="recurrent-immunosuppressed",
    ),
    case(
        {**RECURRENT_BLEEDING, "last_cervical_screening": "never"},
        F,
        ["RECURRENT"],
        2,
        age=24,
        id="recurrent-never-screened-age-24",
    ),
    case(
        {**RECURRENT_BLEEDING, "last_cervical_screening": "3_to_5y"},
        F,
        ["RECURRENT"],
        2,
        age=30,
        id="recurrent-3-to-5y-age-30",
    ),
    case(
        {**BLEEDING, "immunosuppressed": True}, R, ["IMMUNOSUPPRESSED"], 0, id="single-bleed-immunosuppressed"
    ),
    case(
        {**BLEEDING, "abnormal_screening_history": True},
        F,
        ["PRIOR_ABNORMAL_SCREENING"],
        1,
        id="single-bleed-prior-abnormal",
    ),
    # 18 ESC_PERSISTENT_AGE: age 34/35, persistence_weeks 3/4 from the answer or the history.
    case(
        {**RECURRENT_BLEEDING, "bleeding_first_noticed_weeks": 4},
        P,
        ["ESC_PERSISTENT_AGE", "RECURRENT"],
        5,
        age=35,
        id="persistent-35-weeks-4",
    ),
    case(
        {**RECURRENT_BLEEDING, "bleeding_first_noticed_weeks": 4},
        F,
        ["RECURRENT"],
        2,
        age=34,
        id="persistent-34-weeks-4",
    ),
    case(
        {**RECURRENT_BLEEDING, "bleeding_first_noticed_weeks": 3},
        F,
        ["RECURRENT"],
        2,
        age=35,
        id="persistent-35-weeks-3",
    ),
    case(
        {**BLEEDING, "bleeding_first_noticed_weeks": 12},
        R,
        [],
        0,
        age=80,
        id="persistent-without-recurrence",
    ),
    case(
        BLEEDING,
        P,
        ["ESC_PERSISTENT_AGE", "RECURRENT"],
        5,
        age=35,
        history=(earlier(28, bleeding_after_sex=True),),
        id="persistent-by-history-28-days",
    ),
    case(
        BLEEDING,
        F,
        ["RECURRENT"],
        2,
        age=35,
        history=(earlier(27, bleeding_after_sex=True),),
        id="persistent-by-history-27-days",
    ),
    case(
        {**BLEEDING, "bleeding_first_noticed_weeks": 2},
        P,
        ["ESC_PERSISTENT_AGE", "RECURRENT"],
        5,
        age=40,
        history=(earlier(20, bleeding_after_sex=True), earlier(45, bleeding_after_sex=True)),
        id="persistent-worked-example-section-6",
    ),
    case(
        BLEEDING,
        F,
        ["RECURRENT"],
        2,
        age=40,
        history=(earlier(200, bleeding_after_sex=True), earlier(10, bleeding_after_sex=True)),
        id="persistence-ignores-entries-that-do-not-count",
    ),
    case(
        RECURRENT_BLEEDING,
        F,
        ["RECURRENT"],
        2,
        age=40,
        history=(earlier(60, intermenstrual_bleeding=True), earlier(80, discharge_after_sex=True)),
        id="persistence-ignores-entries-without-bleeding-after-sex",
    ),
    case(
        RECURRENT_BLEEDING,
        F,
        ["RECURRENT"],
        2,
        age=40,
        history=(earlier(0, bleeding_after_sex=True, bleeding_first_noticed_weeks=30),),
        id="persistence-ignores-same-day-and-earlier-answers",
    ),
    # 19 ESC_ANTICOAG_BLEEDING
    case(
        {**BLEEDING, "bleeding_amount": "moderate", "anticoagulants": True},
        P,
        ["ESC_ANTICOAG_BLEEDING", "ABUNDANT", "ANTICOAGULANTS"],
        5,
        id="anticoagulants-moderate",
    ),
    case(
        {**BLEEDING, "bleeding_trend": "more", "anticoagulants": True},
        P,
        ["ESC_MULTIPLE_FEATURES", "ESC_ANTICOAG_BLEEDING", "RECURRENT", "ABUNDANT", "ANTICOAGULANTS"],
        10,
        id="anticoagulants-increasing",
    ),
    case(
        {**BLEEDING, "bleeding_amount": "light", "anticoagulants": True},
        R,
        ["ANTICOAGULANTS"],
        0,
        id="anticoagulants-light",
    ),
    case(
        {"intermenstrual_bleeding": True, "anticoagulants": True},
        F,
        ["INTERMENSTRUAL_BLEEDING", "ANTICOAGULANTS"],
        2,
        id="anticoagulants-intermenstrual",
    ),
    # 20 RECURRENT: the four alternatives, each just inside and just outside.
    case({**BLEEDING, "bleeding_episodes_3m": 1}, R, [], 0, id="episodes-1"),
    case({**BLEEDING, "bleeding_episodes_3m": 2}, F, ["RECURRENT"], 2, id="episodes-2"),
    case({**BLEEDING, "bleeding_episodes_3m": 99}, F, ["RECURRENT"], 2, id="episodes-99"),
    case(BLEEDING, F, ["RECURRENT"], 2, history=(earlier(30, bleeding_after_sex=True),), id="earlier-report"),
    case(BLEEDING, R, [], 0, history=(earlier(91, bleeding_after_sex=True),), id="earlier-report-too-old"),
    case({**BLEEDING, "bleeding_trend": "first_time"}, R, [], 0, id="trend-first-time"),
    case({**BLEEDING, "bleeding_trend": "less"}, F, ["RECURRENT"], 2, id="trend-less"),
    case({**BLEEDING, "bleeding_trend": "same"}, F, ["RECURRENT"], 2, id="trend-same"),
    case(
        {**BLEEDING, "bleeding_trend": "more"},
        P,
        ["ESC_MULTIPLE_FEATURES", "RECURRENT", "ABUNDANT"],
        7,
        id="trend-more",
    ),
    case(
        {**BLEEDING, "bleeding_first_noticed_weeks": 13}, F, ["RECURRENT"], 2, id="first-noticed-13-episode-1"
    ),
    case({**BLEEDING, "bleeding_first_noticed_weeks": 12}, R, [], 0, id="first-noticed-12-episode-1"),
    case(
        {**BLEEDING, "bleeding_first_noticed_weeks": 13, "bleeding_episodes_3m": 0},
        R,
        ["EPISODE_COUNT_CHECK"],
        0,
        id="first-noticed-13-episode-0",
    ),
    case(
        {**BLEEDING, "bleeding_first_noticed_weeks": 520},
        P,
        ["ESC_PERSISTENT_AGE", "RECURRENT"],
        5,
        age=80,
        id="first-noticed-520-age-80",
    ),
    case(
        {
            "bleeding_after_sex": False,
            "bleeding_episodes_3m": 99,
            "bleeding_first_noticed_weeks": 520,
            "bleeding_amount": "heavy",
            "bleeding_trend": "more",
            "clots": True,
        },
        R,
        [],
        0,
        age=60,
        history=(earlier(10, bleeding_after_sex=True),),
        id="details-ignored-without-bleeding",
    ),
    # 21 ABUNDANT
    case({**BLEEDING, "bleeding_amount": "none"}, R, [], 0, id="amount-none"),
    case({**BLEEDING, "bleeding_amount": "light"}, R, [], 0, id="amount-light"),
    case({**BLEEDING, "bleeding_amount": "moderate"}, F, ["ABUNDANT"], 2, id="amount-moderate"),
    # 22 PAINFUL: pain_during_sex 3/4, pelvic_pain_days 2/3.
    case({"pain_during_sex": 3}, R, [], 0, id="pain-3"),
    case({"pain_during_sex": 4}, F, ["PAINFUL"], 2, id="pain-4"),
    case({"pelvic_pain_days": 2}, R, [], 0, id="pelvic-2"),
    case({"pelvic_pain_days": 3}, F, ["PAINFUL"], 2, id="pelvic-3"),
    # 23 INTERMENSTRUAL_BLEEDING
    case({"intermenstrual_bleeding": True}, F, ["INTERMENSTRUAL_BLEEDING"], 2, id="intermenstrual"),
    # 24 HRT_BLEEDING
    case({**BLEEDING, "hrt": True}, F, ["HRT_BLEEDING"], 2, id="hrt-pcb"),
    case({"hrt": True, **discharge("brown")}, F, ["HRT_BLEEDING"], 2, id="hrt-brown-discharge"),
    case({"hrt": True, **discharge("brown", after_sex=False)}, R, [], 0, id="hrt-brown-colour-hidden"),
    case({"hrt": True}, R, [], 0, id="hrt-no-bleeding"),
    case(
        {**BLEEDING, "hrt": True, "menopause_status": "postmenopausal"},
        P,
        ["POSTMENOPAUSAL_BLEEDING", "HRT_BLEEDING"],
        8,
        age=60,
        id="hrt-postmenopausal-pcb",
    ),
    # 25 POSTMENOPAUSAL_DISCHARGE: ages 54/55; bad smell or abnormal discharge only.
    case(
        {"menopause_status": "postmenopausal", "bad_odor": True},
        F,
        ["POSTMENOPAUSAL_DISCHARGE", "INFECTION_SIGNS"],
        3,
        age=55,
        id="postmenopausal-odor-55",
    ),
    case(
        {"menopause_status": "postmenopausal", "bad_odor": True},
        F,
        ["INFECTION_SIGNS"],
        1,
        age=54,
        id="postmenopausal-odor-54",
    ),
    case(
        {"menopause_status": "unsure", "bad_odor": True},
        F,
        ["POSTMENOPAUSAL_DISCHARGE", "INFECTION_SIGNS"],
        3,
        age=55,
        id="unsure-odor-55",
    ),
    case(
        {"menopause_status": "unsure", "bad_odor": True},
        F,
        ["INFECTION_SIGNS"],
        1,
        age=54,
        id="unsure-odor-54",
    ),
    case(
        {"menopause_status": "perimenopausal", "bad_odor": True},
        F,
        ["INFECTION_SIGNS"],
        1,
        age=60,
        id="perimenopausal-odor-60",
    ),
    case(
        {"menopause_status": "postmenopausal", **discharge("yellow_green")},
        F,
        ["POSTMENOPAUSAL_DISCHARGE", "INFECTION_SIGNS"],
        3,
        age=60,
        id="postmenopausal-yellow-green",
    ),
    case(
        {"menopause_status": "postmenopausal", **discharge("yellow_green", after_sex=False)},
        R,
        [],
        0,
        age=60,
        id="postmenopausal-yellow-green-hidden",
    ),
    case(
        {"menopause_status": "postmenopausal", "burning": True},
        F,
        ["INFECTION_SIGNS"],
        1,
        age=60,
        id="postmenopausal-burning-is-not-a-trigger",
    ),
    # 26 INFECTION_SIGNS: discharge_color counts only when discharge_after_sex is true.
    case({"burning": True}, F, ["INFECTION_SIGNS"], 1, id="burning"),
    case({"bad_odor": True}, F, ["INFECTION_SIGNS"], 1, id="bad-odor"),
    case(discharge("yellow_green"), F, ["INFECTION_SIGNS"], 1, id="yellow-green"),
    case(discharge("grey"), F, ["INFECTION_SIGNS"], 1, id="grey"),
    case(discharge("grey", after_sex=False), R, [], 0, id="grey-colour-hidden"),
    case({"discharge_color": "yellow_green"}, R, [], 0, id="yellow-green-without-discharge-answer"),
    # Blood-stained discharge is any_bleeding but raises nothing for a premenopausal,
    # non-pregnant woman (notes).
    case(discharge("pink"), R, [], 0, id="pink-discharge-alone"),
    case(discharge("red"), R, [], 0, id="red-discharge-alone"),
    case(discharge("brown"), R, [], 0, id="brown-discharge-alone"),
    case(
        {**discharge("pink"), "last_cervical_screening": "never", "abnormal_screening_history": True},
        R,
        [],
        0,
        age=40,
        id="pink-discharge-is-not-bleeding-after-sex",
    ),
    # 27 PERSISTENT_DISCOMFORT
    case({"persistent_discomfort": True}, F, ["PERSISTENT_DISCOMFORT"], 1, id="persistent-discomfort"),
    # 28 SCREENING_GAP: age 24/25, no upper limit; 3_to_5y only at 25-29.
    case({**BLEEDING, "last_cervical_screening": "over_5y"}, R, [], 0, age=24, id="gap-over-5y-24"),
    case(
        {**BLEEDING, "last_cervical_screening": "over_5y"},
        F,
        ["SCREENING_GAP"],
        1,
        age=25,
        id="gap-over-5y-25",
    ),
    case(
        {**BLEEDING, "last_cervical_screening": "over_5y"},
        F,
        ["SCREENING_GAP"],
        1,
        age=65,
        id="gap-over-5y-65",
    ),
    case({**BLEEDING, "last_cervical_screening": "never"}, R, [], 0, age=24, id="gap-never-24"),
    case(
        {**BLEEDING, "last_cervical_screening": "never"}, F, ["SCREENING_GAP"], 1, age=25, id="gap-never-25"
    ),
    case(
        {**BLEEDING, "last_cervical_screening": "unsure"},
        F,
        ["SCREENING_GAP"],
        1,
        age=120,
        id="gap-unsure-120",
    ),
    case({**BLEEDING, "last_cervical_screening": "3_to_5y"}, R, [], 0, age=24, id="gap-3-to-5y-24"),
    case(
        {**BLEEDING, "last_cervical_screening": "3_to_5y"},
        F,
        ["SCREENING_GAP"],
        1,
        age=25,
        id="gap-3-to-5y-25",
    ),
    case(
        {**BLEEDING, "last_cervical_screening": "3_to_5y"},
        F,
        ["SCREENING_GAP"],
        1,
        age=29,
        id="gap-3-to-5y-29",
    ),
    case({**BLEEDING, "last_cervical_screening": "3_to_5y"}, R, [], 0, age=30, id="gap-3-to-5y-30"),
    case({**BLEEDING, "last_cervical_screening": "within_3y"}, R, [], 0, age=40, id="gap-within-3y"),
    case({"last_cervical_screening": "never"}, R, [], 0, age=40, id="gap-needs-bleeding"),
    case(
        {"intermenstrual_bleeding": True, "last_cervical_screening": "never"},
        F,
        ["INTERMENSTRUAL_BLEEDING"],
        2,
        age=40,
        id="gap-needs-bleeding-after-sex",
    ),
    # 29 PRIOR_ABNORMAL_SCREENING needs bleeding after sex.
    case({"abnormal_screening_history": True}, R, [], 0, id="prior-abnormal-without-bleeding"),
    # 30-35 informational flags never change the level (RULES 4 notes, 7).
    case({"anticoagulants": True}, R, ["ANTICOAGULANTS"], 0, id="info-anticoagulants"),
    case({"vaginal_dryness": True}, R, ["DRYNESS"], 0, id="info-dryness"),
    case({"new_partner_3m": True}, R, [], 0, id="new-partner-alone"),
    case({**BLEEDING, "new_partner_3m": True}, R, ["STI_RISK"], 0, id="sti-risk-bleeding"),
    case(
        {"burning": True, "new_partner_3m": True},
        F,
        ["INFECTION_SIGNS", "STI_RISK"],
        1,
        id="sti-risk-burning",
    ),
    case(
        {**discharge("yellow_green"), "new_partner_3m": True},
        F,
        ["INFECTION_SIGNS", "STI_RISK"],
        1,
        id="sti-risk-discharge",
    ),
    case(
        {**discharge("yellow_green", after_sex=False), "new_partner_3m": True},
        R,
        [],
        0,
        id="sti-risk-hidden-discharge-colour",
    ),
    case({"immunosuppressed": True}, R, ["IMMUNOSUPPRESSED"], 0, id="info-immunosuppressed"),
    case({**BLEEDING, "bleeding_episodes_3m": 0}, R, ["EPISODE_COUNT_CHECK"], 0, id="episode-count-check"),
    case(
        {"bleeding_after_sex": False, "bleeding_episodes_3m": 0},
        R,
        [],
        0,
        id="episode-count-without-bleeding",
    ),
    case({}, R, ["UNDER_16"], 0, age=15, id="under-16-age-15"),
    case({}, R, ["UNDER_16"], 0, age=10, id="under-16-age-10"),
    case({}, R, [], 0, age=16, id="under-16-age-16"),
    case(
        {
            **BLEEDING,
            "bleeding_episodes_3m": 0,
            "anticoagulants": True,
            "vaginal_dryness": True,
            "new_partner_3m": True,
            "immunosuppressed": True,
            "last_cervical_screening": "never",
        },
        R,
        ["ANTICOAGULANTS", "DRYNESS", "STI_RISK", "IMMUNOSUPPRESSED", "EPISODE_COUNT_CHECK", "UNDER_16"],
        0,
        age=15,
        id="all-info-flags-stay-routine",
    ),
    # RULES 5: flags do not add up to a higher level.
    case(
        {
            "intermenstrual_bleeding": True,
            "burning": True,
            "persistent_discomfort": True,
            "pain_during_sex": 5,
        },
        F,
        ["PAINFUL", "INTERMENSTRUAL_BLEEDING", "INFECTION_SIGNS", "PERSISTENT_DISCOMFORT"],
        6,
        id="many-follow-up-flags-stay-follow-up",
    ),
    case(
        {"menopause_status": "postmenopausal", "intermenstrual_bleeding": True, "tamoxifen": True},
        P,
        ["POSTMENOPAUSAL_BLEEDING", "TAMOXIFEN_BLEEDING", "INTERMENSTRUAL_BLEEDING"],
        13,
        age=70,
        id="many-priority-flags-stay-priority",
    ),
    case(
        {"fever": True, "pelvic_pain_days": 1, "pelvic_pain_severity": 8, "recent_procedure_6w": True},
        U,
        ["FEVER_PELVIC_PAIN", "SEVERE_PELVIC_PAIN", "RECENT_PROCEDURE_INFECTION"],
        15,
        id="many-urgent-flags-stay-urgent",
    ),
    # Every escalation at once: the score is the plain sum of weights (RULES 7).
    case(
        {
            **RECURRENT_BLEEDING,
            "pregnancy_status": "confirmed",
            "bleeding_amount": "heavy",
            "bleeding_first_noticed_weeks": 8,
            "pain_during_sex": 8,
            "fever": True,
            "last_cervical_screening": "never",
            "anticoagulants": True,
        },
        E,
        [
            "ESC_PREGNANCY_RED_FLAG",
            "ESC_FEVER_PREGNANCY",
            "PREGNANCY_BLEEDING",
            "FEVER_PELVIC_PAIN",
            "HEAVY_EPISODE",
            "ESC_MULTIPLE_FEATURES",
            "ESC_RECURRENT_SCREENING",
            "ESC_PERSISTENT_AGE",
            "ESC_ANTICOAG_BLEEDING",
            "RECURRENT",
            "ABUNDANT",
            "PAINFUL",
            "SCREENING_GAP",
            "ANTICOAGULANTS",
        ],
        10 + 10 + 6 + 5 + 4 + 3 + 3 + 3 + 3 + 2 + 2 + 2 + 1 + 0,
        age=40,
        id="every-escalation",
    ),
]


@pytest.mark.parametrize(("overrides", "age", "history", "level", "flags", "score"), CASES)
def test_assess(overrides, age, history, level, flags, score):
    result = assess(make_answers(**overrides), age, history)
    assert result.level is level
    assert result.flags == flags
    assert result.score == score
    assert result.rules_version == VERSION == 2


def test_every_flag_has_a_case_where_it_fires():
    raised = {code for param in CASES for code in param.values[4]}
    assert raised == set(FLAG_CODES)


# --- History (RULES 6) ------------------------------------------------------------

RECURRENCE_CASES = [
    pytest.param([earlier(0, bleeding_after_sex=True)], 0, id="same-day-does-not-count"),
    pytest.param([earlier(1, bleeding_after_sex=True)], 1, id="1-day-counts"),
    pytest.param([earlier(90, bleeding_after_sex=True)], 1, id="90-days-counts"),
    pytest.param([earlier(91, bleeding_after_sex=True)], 0, id="91-days-does-not-count"),
    pytest.param(
        [earlier(30, discharge_after_sex=True, pain_during_sex=6, vaginal_dryness=True)],
        0,
        id="earlier-without-bleeding",
    ),
    pytest.param([earlier(30, intermenstrual_bleeding=True)], 0, id="earlier-intermenstrual-only"),
    pytest.param([earlier(30, **discharge("red"))], 0, id="earlier-blood-stained-discharge-only"),
    pytest.param(
        [earlier(0, bleeding_after_sex=True), earlier(91, bleeding_after_sex=True), earlier(45)],
        0,
        id="only-entries-outside-window",
    ),
    pytest.param(
        [earlier(200, bleeding_after_sex=True), earlier(60, bleeding_after_sex=True)],
        1,
        id="one-entry-inside-window",
    ),
    pytest.param(
        [earlier(1, bleeding_after_sex=True), earlier(90, bleeding_after_sex=True)],
        2,
        id="both-ends-of-window",
    ),
    pytest.param(
        [HistoryEntry(30, v1.Answers(bleeding_after_sex=True))],
        1,
        id="entry-stored-under-rule-set-1",
    ),
]


@pytest.mark.parametrize(("history", "count"), RECURRENCE_CASES)
def test_recurrence_window(history, count):
    """Earlier bleeding reports count only at 1..90 days ago (RULES 6)."""
    answers = make_answers(**BLEEDING)
    assert terms(answers, 30, history).earlier_bleeding_reports == count
    result = assess(answers, 30, history)
    assert ("RECURRENT" in result.flags) is (count >= 1)
    assert result.level is (F if count else R)


@pytest.mark.parametrize(
    ("days_ago", "bleeding", "counts"),
    [(0, True, False), (1, True, True), (90, True, True), (91, True, False), (30, False, False)],
)
def test_earlier_report_counts_only_1_to_90_days_back_with_bleeding_after_sex(days_ago, bleeding, counts):
    assert counts_as_earlier_report(days_ago, bleeding) is counts


@pytest.mark.parametrize("days_ago", [1, 30, 90])
def test_recurrence_needs_bleeding_now(days_ago):
    """Earlier bleeding with no bleeding now is not recurrence (RULES 6)."""
    history = [
        earlier(days_ago, bleeding_after_sex=True, bleeding_episodes_3m=5, bleeding_first_noticed_weeks=40)
    ]
    answers = make_answers(burning=True)
    result = assess(answers, 40, history)
    assert result.flags == ("INFECTION_SIGNS",)
    assert terms(answers, 40, history).persistence_weeks == 0


def test_earlier_bleeding_reports_counts_without_bleeding_now():
    """Section 2 counts the reports whatever the current answers; RECURRENT itself needs bleeding now."""
    history = [earlier(20, bleeding_after_sex=True), earlier(45, bleeding_after_sex=True)]
    assert terms(make_answers(), 40, history).earlier_bleeding_reports == 2


def test_worked_example_of_section_6():
    """Reports at 20 and 45 days with first_noticed 2 give 2 reports and persistence 6."""
    history = [earlier(20, bleeding_after_sex=True), earlier(45, bleeding_after_sex=True)]
    derived = terms(make_answers(**BLEEDING, bleeding_first_noticed_weeks=2), 40, history)
    assert derived.earlier_bleeding_reports == 2
    assert derived.persistence_weeks == max(2, 20 // 7, 45 // 7) == 6


@pytest.mark.parametrize(
    ("first_noticed", "days_ago", "weeks"),
    [(3, 27, 3), (3, 28, 4), (0, 90, 12), (0, 91, 0), (0, 0, 0), (10, 28, 10), (0, 6, 0), (0, 7, 1)],
)
def test_persistence_weeks_is_the_longest_of_answer_and_counting_reports(first_noticed, days_ago, weeks):
    """The largest of the answer and floor(days_ago / 7) over counting reports (RULES 2)."""
    answers = make_answers(**BLEEDING, bleeding_first_noticed_weeks=first_noticed)
    history = [earlier(days_ago, bleeding_after_sex=True)]
    assert terms(answers, 40, history).persistence_weeks == weeks


def test_earlier_answers_never_raise_flags_on_current_submission():
    """Only earlier_bleeding_reports and persistence_weeks read the history (RULES 6)."""
    history = [
        earlier(
            5,
            soaks_pad_hourly=True,
            fever=True,
            pelvic_pain_days=4,
            pelvic_pain_severity=9,
            pregnancy_status="confirmed",
            shoulder_tip_pain=True,
            tamoxifen=True,
            immunosuppressed=True,
            bleeding_after_sex=True,
        )
    ]
    result = assess(make_answers(), 30, history)
    assert result == Result(R, 0, (), 2)


# --- Escalations (RULES 5) ------------------------------------------------------------

ESCALATION_CODES = frozenset(rule.code for rule in FLAG_RULES if rule.kind == ESCALATION)
STEP1_CODES = frozenset(FLAG_CODES) - ESCALATION_CODES
EVERYTHING = {
    **RECURRENT_BLEEDING,
    "pregnancy_status": "confirmed",
    "bleeding_amount": "heavy",
    "bleeding_first_noticed_weeks": 10,
    "clots": True,
    "pain_during_sex": 9,
    "pelvic_pain_days": 5,
    "pelvic_pain_severity": 9,
    "fever": True,
    "dizziness_fainting": True,
    "last_cervical_screening": "never",
    "abnormal_screening_history": True,
    "anticoagulants": True,
    "immunosuppressed": True,
}


def test_escalation_codes_follow_rules_section_5():
    assert set(ESCALATION_CODES) == {
        "ESC_PREGNANCY_RED_FLAG",
        "ESC_FEVER_PREGNANCY",
        "ESC_MULTIPLE_FEATURES",
        "ESC_RECURRENT_SCREENING",
        "ESC_PERSISTENT_AGE",
        "ESC_ANTICOAG_BLEEDING",
    }


@pytest.mark.parametrize("code", sorted(ESCALATION_CODES))
def test_escalation_never_reads_escalation_flags(code):
    """Escalations read step-1 flags only, so none can feed another (RULES 5)."""
    rule = FLAG_RULES_BY_CODE[code]
    answers = make_answers(**EVERYTHING)
    derived = terms(answers, 40, (earlier(35, bleeding_after_sex=True),))
    assert rule.condition(answers, derived, STEP1_CODES)
    assert rule.condition(answers, derived, STEP1_CODES | ESCALATION_CODES)
    # Escalation flags alone never satisfy an escalation, whatever the answers say.
    assert not rule.condition(answers, derived, ESCALATION_CODES)
    assert not rule.condition(answers, derived, frozenset())
    for other in ESCALATION_CODES:
        for step1 in (frozenset(), STEP1_CODES):
            assert rule.condition(answers, derived, step1 | {other}) == rule.condition(
                answers, derived, step1
            )


@pytest.mark.parametrize(
    ("code", "needed"),
    [
        ("ESC_PREGNANCY_RED_FLAG", [{"PREGNANCY_BLEEDING"}, {"PREGNANCY_PAIN"}]),
        ("ESC_FEVER_PREGNANCY", [{"FEVER_PELVIC_PAIN"}]),
        (
            "ESC_MULTIPLE_FEATURES",
            [{"RECURRENT", "ABUNDANT"}, {"RECURRENT", "PAINFUL"}, {"ABUNDANT", "PAINFUL"}],
        ),
        ("ESC_RECURRENT_SCREENING", [{"RECURRENT"}]),
        ("ESC_PERSISTENT_AGE", [{"RECURRENT"}]),
        ("ESC_ANTICOAG_BLEEDING", [{"ANTICOAGULANTS", "ABUNDANT"}]),
    ],
)
def test_escalation_fires_from_its_step1_flags(code, needed):
    """Given the answers, each escalation is decided by the step-1 flags of RULES 4."""
    rule = FLAG_RULES_BY_CODE[code]
    answers = make_answers(**EVERYTHING)
    derived = terms(answers, 40, (earlier(35, bleeding_after_sex=True),))
    for flags in needed:
        assert rule.condition(answers, derived, frozenset(flags))
        for missing in flags:
            assert not rule.condition(answers, derived, frozenset(flags - {missing}))


def test_escalation_with_its_flags_still_needs_its_answers():
    answers = make_answers()
    derived = terms(answers, 30, ())
    assert not FLAG_RULES_BY_CODE["ESC_PREGNANCY_RED_FLAG"].condition(answers, derived, STEP1_CODES)
    assert not FLAG_RULES_BY_CODE["ESC_FEVER_PREGNANCY"].condition(answers, derived, STEP1_CODES)
    assert not FLAG_RULES_BY_CODE["ESC_PERSISTENT_AGE"].condition(answers, derived, STEP1_CODES)
    assert FLAG_RULES_BY_CODE["ESC_MULTIPLE_FEATURES"].condition(answers, derived, STEP1_CODES)
    assert FLAG_RULES_BY_CODE["ESC_RECURRENT_SCREENING"].condition(
        answers, derived, {"RECURRENT", "SCREENING_GAP"}
    )
    assert not FLAG_RULES_BY_CODE["ESC_RECURRENT_SCREENING"].condition(answers, derived, {"RECURRENT"})


# --- Level and score (RULES 7) ---------------------------------------------------------


def test_empty_answers_are_routine_with_no_flags():
    result = assess(Answers(), 30)
    assert result == Result(Level.ROUTINE, 0, (), 2)
    assert RULE_SET.reasons(result.flags) == ()


def test_only_info_flags_give_routine():
    result = assess(make_answers(anticoagulants=True, vaginal_dryness=True, immunosuppressed=True), 12)
    assert result.flags == ("ANTICOAGULANTS", "DRYNESS", "IMMUNOSUPPRESSED", "UNDER_16")
    assert result.level is R
    assert result.score == 0


def test_level_is_the_highest_non_info_level():
    result = assess(
        make_answers(
            fever=True,
            pelvic_pain_days=4,
            burning=True,
            tamoxifen=True,
            intermenstrual_bleeding=True,
            anticoagulants=True,
        ),
        30,
    )
    assert result.flags == (
        "FEVER_PELVIC_PAIN",
        "TAMOXIFEN_BLEEDING",
        "PELVIC_PAIN_INFECTION",
        "PAINFUL",
        "INTERMENSTRUAL_BLEEDING",
        "INFECTION_SIGNS",
        "ANTICOAGULANTS",
    )
    assert result.level is U == max(FLAG_RULES_BY_CODE[c].level or R for c in result.flags)
    assert (
        result.score == 5 + 5 + 3 + 2 + 2 + 1 + 0 == sum(FLAG_RULES_BY_CODE[c].weight for c in result.flags)
    )


def test_flags_are_reported_in_canonical_order():
    result = assess(
        make_answers(
            new_partner_3m=True,
            vaginal_dryness=True,
            persistent_discomfort=True,
            burning=True,
            soaks_pad_hourly=True,
            hrt=True,
            menopause_status="postmenopausal",
            bleeding_after_sex=True,
        ),
        60,
    )
    assert result.flags == (
        "HEAVY_ACUTE",
        "POSTMENOPAUSAL_BLEEDING",
        "HRT_BLEEDING",
        "INFECTION_SIGNS",
        "PERSISTENT_DISCOMFORT",
        "DRYNESS",
        "STI_RISK",
        "EPISODE_COUNT_CHECK",
    )
    assert list(result.flags) == sorted(result.flags, key=FLAG_CODES.index)


# --- The flag table (RULES 4) ----------------------------------------------------------

FLAG_TABLE = [
    (1, "HEAVY_ACUTE", BASE, E, 10),
    (2, "PREGNANCY_SHOULDER_PAIN", BASE, E, 10),
    (3, "ESC_PREGNANCY_RED_FLAG", ESCALATION, E, 10),
    (4, "ESC_FEVER_PREGNANCY", ESCALATION, E, 10),
    (5, "PREGNANCY_BLEEDING", BASE, U, 6),
    (6, "PREGNANCY_PAIN", BASE, U, 6),
    (7, "FEVER_PELVIC_PAIN", BASE, U, 5),
    (8, "SEVERE_PELVIC_PAIN", BASE, U, 5),
    (9, "FAINTNESS", BASE, U, 5),
    (10, "RECENT_PROCEDURE_INFECTION", BASE, U, 5),
    (11, "POSTMENOPAUSAL_BLEEDING", BASE, P, 6),
    (12, "TAMOXIFEN_BLEEDING", BASE, P, 5),
    (13, "MENOPAUSE_UNCERTAIN_BLEEDING", BASE, P, 4),
    (14, "HEAVY_EPISODE", BASE, P, 4),
    (15, "PELVIC_PAIN_INFECTION", BASE, P, 3),
    (16, "ESC_MULTIPLE_FEATURES", ESCALATION, P, 3),
    (17, "ESC_RECURRENT_SCREENING", ESCALATION, P, 3),
    (18, "ESC_PERSISTENT_AGE", ESCALATION, P, 3),
    (19, "ESC_ANTICOAG_BLEEDING", ESCALATION, P, 3),
    (20, "RECURRENT", BASE, F, 2),
    (21, "ABUNDANT", BASE, F, 2),
    (22, "PAINFUL", BASE, F, 2),
    (23, "INTERMENSTRUAL_BLEEDING", BASE, F, 2),
    (24, "HRT_BLEEDING", BASE, F, 2),
    (25, "POSTMENOPAUSAL_DISCHARGE", BASE, F, 2),
    (26, "INFECTION_SIGNS", BASE, F, 1),
    (27, "PERSISTENT_DISCOMFORT", BASE, F, 1),
    (28, "SCREENING_GAP", BASE, F, 1),
    (29, "PRIOR_ABNORMAL_SCREENING", BASE, F, 1),
    (30, "ANTICOAGULANTS", INFO, None, 0),
    (31, "DRYNESS", INFO, None, 0),
    (32, "STI_RISK", INFO, None, 0),
    (33, "IMMUNOSUPPRESSED", INFO, None, 0),
    (34, "EPISODE_COUNT_CHECK", INFO, None, 0),
    (35, "UNDER_16", INFO, None, 0),
]

REASONS = {
    "HEAVY_ACUTE": "Soaking at least one pad or tampon an hour within the last 24 h, or faintness together with bleeding, a possible pregnancy, pain, fever or anticoagulants: possible major blood loss or circulatory compromise (in a possible pregnancy think of a ruptured ectopic).",
    "PREGNANCY_SHOULDER_PAIN": "Shoulder-tip pain without injury in a possible or confirmed pregnancy: referred pain from blood in the abdomen; exclude a ruptured ectopic pregnancy now.",
    "ESC_PREGNANCY_RED_FLAG": "In a possible or confirmed pregnancy: bleeding with pain, faintness, a soaked pad or clots, or severe pelvic pain: ectopic pregnancy or miscarriage must be excluded now.",
    "ESC_FEVER_PREGNANCY": "Fever with pelvic pain in a possible or confirmed pregnancy: pelvic infection in pregnancy needs immediate assessment and admission.",
    "PREGNANCY_BLEEDING": "Vaginal bleeding or blood-stained discharge with a possible or confirmed pregnancy of unknown location and gestation: pregnancy test and early-pregnancy assessment today.",
    "PREGNANCY_PAIN": "Pelvic or lower-abdominal pain with a possible or confirmed pregnancy: an ectopic pregnancy can cause pain without visible bleeding; assess today.",
    "FEVER_PELVIC_PAIN": "Fever of 38 °C or more with pelvic pain or at least moderate pain on intercourse: possible pelvic inflammatory disease; delay in treatment raises the risk of lasting damage; assess today.",
    "SEVERE_PELVIC_PAIN": "Pelvic pain rated 7/10 or more at its worst: exclude torsion, ectopic pregnancy, pelvic infection or another acute cause today.",
    "FAINTNESS": "Felt faint, very light-headed or fainted in the last 24 h: check for blood loss, anaemia and pregnancy today.",
    "RECENT_PROCEDURE_INFECTION": "Fever, pain, bad smell or abnormal discharge within 6 weeks of a birth, pregnancy loss or termination, coil fitting or cervical treatment: possible infection or retained tissue; assess today.",
    "POSTMENOPAUSAL_BLEEDING": "Bleeding or blood-stained discharge after the menopause (after sex or spontaneous), or at age 55+ with uncertain menopausal status: manage as postmenopausal bleeding, which meets suspected-cancer referral criteria; a previous normal screening test must not delay it.",
    "TAMOXIFEN_BLEEDING": "Unscheduled vaginal bleeding while taking tamoxifen: endometrial assessment on the suspected-cancer pathway.",
    "MENOPAUSE_UNCERTAIN_BLEEDING": "Bleeding at 45–54 with uncertain menopausal status: confirm the date of the last period; if it was 12 months or more ago, handle as postmenopausal bleeding.",
    "HEAVY_EPISODE": "Heavy bleeding after sex (a soaked pad or clots): exclude coital injury or a cervical lesion and check haemoglobin.",
    "PELVIC_PAIN_INFECTION": "Pelvic pain with burning, bad smell, abnormal discharge or a new partner: consider pelvic inflammatory disease; treat promptly.",
    "ESC_MULTIPLE_FEATURES": "Post-coital bleeding combines two or more of: recurring, heavier/increasing, painful.",
    "ESC_RECURRENT_SCREENING": "Recurring post-coital bleeding in a woman whose cervical screening is overdue/unknown or previously abnormal, or who is immunosuppressed: prioritise examination of the cervix.",
    "ESC_PERSISTENT_AGE": "Recurring post-coital bleeding persisting 4 or more weeks (by her answer or her earlier questionnaires) in a woman aged 35+: persistent bleeding in this age group warrants prompt gynaecological assessment.",
    "ESC_ANTICOAG_BLEEDING": "More than spotting, or increasing, post-coital bleeding in a woman on anticoagulants: check haemoglobin and anticoagulation; do not put the bleeding down to the medicine alone.",
    "RECURRENT": "Post-coital bleeding is recurring (2+ episodes in 3 months, an earlier episode to compare with, an episode in the last 3 months after a first one 13+ weeks ago, or also reported in an earlier questionnaire within 90 days).",
    "ABUNDANT": "Post-coital bleeding is more than spotting (needed a pad, soaked a pad or clots) or is getting heavier.",
    "PAINFUL": "At least moderate pain on intercourse (4/10 or more) or pelvic pain lasting 3 days or more.",
    "INTERMENSTRUAL_BLEEDING": "Bleeding unrelated to intercourse outside the period: abnormal uterine bleeding to be evaluated (PALM-COEIN causes).",
    "HRT_BLEEDING": "Bleeding on hormone replacement therapy: check whether it is the expected withdrawal bleed of the regimen; unscheduled bleeding needs assessment.",
    "POSTMENOPAUSAL_DISCHARGE": "Unexplained malodorous or abnormal discharge at 55+ after the menopause: consider pelvic ultrasound if no infection explains it.",
    "INFECTION_SIGNS": "Burning, bad smell or yellow-green/grey discharge: possible vaginitis, cervicitis or sexually transmitted infection.",
    "PERSISTENT_DISCOMFORT": "The patient reports intimate discomfort that does not settle.",
    "SCREENING_GAP": "Post-coital bleeding while cervical screening is overdue, never done or unknown: check screening status; symptoms need examination of the cervix whatever the screening result (from 65 she is outside the programme).",
    "PRIOR_ABNORMAL_SCREENING": "Post-coital bleeding in a woman with a past abnormal screening result or cervical treatment.",
    "ANTICOAGULANTS": "Takes anticoagulants: may increase the amount of bleeding; consider when judging cause and severity.",
    "DRYNESS": "Reports vaginal dryness: a possible benign contributor (friction, low oestrogen); lubricant or local treatment advice may help. It never explains away other flags.",
    "STI_RISK": "New sexual partner within 3 months together with post-coital bleeding or infection signs: offer chlamydia, gonorrhoea and wider STI testing.",
    "IMMUNOSUPPRESSED": "Immunosuppressed: higher risk of persistent HPV and cervical disease, and of severe infection.",
    "EPISODE_COUNT_CHECK": "Bleeding after sex reported, but no episode in the last 3 months: the last episode may be older; clarify the timing.",
    "UNDER_16": "Patient under 16: confirm the context of sexual activity and the clinic's safeguarding duties.",
}


def test_flag_table_matches_rules_section_4():
    assert [(r.number, r.code, r.kind, r.level, r.weight) for r in FLAG_RULES] == FLAG_TABLE
    assert [rule.number for rule in FLAG_RULES] == list(range(1, 36))
    assert tuple(row[1] for row in FLAG_TABLE) == FLAG_CODES
    for rule in FLAG_RULES:
        assert rule.code.startswith("ESC_") == (rule.kind == ESCALATION)
        assert (rule.level is None) == (rule.kind == INFO) == (rule.weight == 0)
        assert 1 <= len(rule.label.split()) <= 4


@pytest.mark.parametrize("code", list(REASONS))
def test_clinician_reason_is_the_rules_text(code):
    assert FLAG_RULES_BY_CODE[code].reason == REASONS[code]


def test_reasons_pair_each_flag_with_its_clinician_text():
    result = assess(make_answers(dizziness_fainting=True, vaginal_dryness=True), 30)
    assert RULE_SET.reasons(result.flags) == (
        ("FAINTNESS", REASONS["FAINTNESS"]),
        ("DRYNESS", REASONS["DRYNESS"]),
    )
    assert RULE_SET.reasons(("UNKNOWN", "DRYNESS")) == (("DRYNESS", REASONS["DRYNESS"]),)


def test_rule_set_2_keeps_every_rule_set_1_flag_code():
    assert set(v1.RULE_SET.flag_codes) < set(FLAG_CODES)
    assert triage.rules.ALL_FLAG_CODES[: len(v1.RULE_SET.flag_codes)] == v1.RULE_SET.flag_codes
    # Rule set 3's new codes follow rule set 2's (RULES.md 11.1 V4).
    assert set(triage.rules.ALL_FLAG_CODES[: len(FLAG_CODES)]) == set(FLAG_CODES)


# --- Levels and rule sets (RULES 2, 11) -------------------------------------------------


def test_levels_are_ordered_with_urgent_between_priority_and_emergency():
    assert R < F < P < U < E
    assert [level.code for level in RULE_SET.levels] == [
        "routine",
        "follow_up",
        "priority",
        "urgent",
        "emergency",
    ]
    for level in RULE_SET.levels:
        assert RULE_SET.level_from_code(level.code) is level


@pytest.mark.parametrize("code", ["URGENT", "review", "", None, 3])
def test_unknown_level_code_is_rejected(code):
    with pytest.raises(ValueError, match="Unknown level code"):
        RULE_SET.level_from_code(code)


def test_rule_set_1_has_no_urgent_level():
    with pytest.raises(ValueError, match="Unknown level code"):
        v1.RULE_SET.level_from_code("urgent")


def test_rule_set_2_stays_evaluable_beside_the_current_rule_set_3():
    current = triage.rules.v3.RULE_SET
    assert triage.rules.CURRENT is current
    assert triage.rules.RULES_VERSION == 3
    assert {1: v1.RULE_SET, 2: RULE_SET, 3: current} == triage.rules.RULE_SETS
    assert triage.rules.rule_set(2) is RULE_SET
    assert triage.rules.rule_set(1) is v1.RULE_SET
    assert triage.rules.rule_set(None) is current
    assert triage.rules.rule_set(99) is current


def test_public_assess_uses_the_current_rule_set():
    answers = triage.rules.answers_from_mapping({"dizziness_fainting": True})
    result = triage.rules.assess(answers, 30)
    assert result == Result(U, 5, ("FAINTNESS",), 3)
    assert RULE_SET.assess(make_answers(dizziness_fainting=True), 30).rules_version == 2


# --- Advice (RULES 8) --------------------------------------------------------------------

ADVICE_CASES = [
    pytest.param(
        E, "it", ["pronto soccorso più vicino", "chiami il 112 o il 118", "non guidi"], id="emergency-it"
    ),
    pytest.param(
        E,
        "en",
        ["nearest emergency department now", "call 112 or 118", "do not drive", "obstetric-gynaecological"],
        id="emergency-en",
    ),
    pytest.param(
        U,
        "it",
        [
            "oggi stesso",
            "Telefoni subito allo studio",
            "vada oggi in pronto soccorso",
            "un assorbente inzuppato in un'ora",
        ],
        id="urgent-it",
    ),
    pytest.param(
        U,
        "en",
        [
            "checked today",
            "Phone the clinic now",
            "go to an emergency department today",
            "Do not wait for your booked appointment",
        ],
        id="urgent-en",
    ),
    pytest.param(
        P,
        "it",
        [
            "oggi stesso o il primo giorno lavorativo utile",
            "un assorbente inzuppato in un'ora",
            "si faccia visitare oggi stesso",
        ],
        id="priority-it",
    ),
    pytest.param(
        P,
        "en",
        ["today or on the next working day", "a pad soaked within an hour", "get seen the same day"],
        id="priority-en",
    ),
    pytest.param(
        F,
        "it",
        ["prossime settimane", "piccola alterazione del collo dell'utero", "si faccia visitare oggi stesso"],
        id="follow-up-it",
    ),
    pytest.param(
        F,
        "en",
        ["book a visit in the coming weeks", "small change on the cervix", "get seen the same day"],
        id="follow-up-en",
    ),
    pytest.param(
        R,
        "it",
        ["non emergono segnali", "mantenga l'appuntamento previsto", "screening del collo dell'utero"],
        id="routine-it",
    ),
    pytest.param(
        R,
        "en",
        ["no warning signs", "keep your booked appointment", "regular cervical screening"],
        id="routine-en",
    ),
]


@pytest.mark.parametrize(("level", "lang", "phrases"), ADVICE_CASES)
def test_advice_text_per_level_and_language(level, lang, phrases):
    advice = RULE_SET.advice_text(level, lang)
    assert advice == ADVICE[level][lang]
    for phrase in phrases:
        assert phrase in advice
    assert "\n" not in advice
    assert "  " not in advice


def test_every_level_has_advice_in_both_languages():
    assert set(ADVICE) == set(Level)
    for texts in ADVICE.values():
        assert set(texts) == {"it", "en"}
        assert texts["it"] != texts["en"]


@pytest.mark.parametrize("level", [E, U, P, F])
@pytest.mark.parametrize("lang", ["it", "en"])
def test_advice_names_118_next_to_112(level, lang):
    """RULES 8 and 12.10: wherever 112 is named, 118 is named with it."""
    advice = ADVICE[level][lang]
    joiner = " o il " if lang == "it" else " or "
    assert "112" in advice
    assert "118" in advice
    assert advice.count("112") == advice.count(f"112{joiner}118")


def test_routine_advice_keeps_the_appointment_without_emergency_numbers():
    """The section 8 routine text sends nobody to emergency and no longer says nothing needs attention."""
    for lang in ("it", "en"):
        assert "112" not in ADVICE[R][lang]
        assert "118" not in ADVICE[R][lang]
    assert "nothing needs special attention" not in ADVICE[R]["en"]


@pytest.mark.parametrize("lang", ["it", "en"])
def test_routine_advice_is_the_section_8_text_without_emergency_numbers(lang):
    """Section 8 is the binding text: its routine advice names no emergency number.

    Section 12 item 10 says every advice names 118 next to 112 and that the routine advice
    tells a possibly pregnant patient to be seen the same day; section 8's routine text does
    neither, and the engine follows section 8 word for word.
    """
    advice = ADVICE[R][lang]
    assert "112" not in advice
    assert "118" not in advice
    assert ("mantenga l'appuntamento previsto" if lang == "it" else "keep your booked appointment") in advice


@pytest.mark.parametrize("lang", ["de", "", "fr-fr", "itx", None])
def test_advice_falls_back_to_italian(lang):
    for level in Level:
        assert RULE_SET.advice_text(level, lang) == ADVICE[level]["it"]
        assert RULE_SET.advice_text(level) == ADVICE[level]["it"]


@pytest.mark.parametrize("lang", ["en", "en-gb", "en_US", "EN", "en-GB"])
def test_advice_accepts_english_language_tags(lang):
    for level in Level:
        assert RULE_SET.advice_text(level, lang) == ADVICE[level]["en"]


@pytest.mark.parametrize("lang", ["it", "it-it", "it_CH"])
def test_advice_accepts_italian_language_tags(lang):
    assert RULE_SET.advice_text(U, lang) == ADVICE[U]["it"]


# --- Field schema and branching (RULES 3) ---------------------------------------------

NEW_IN_2 = (
    "shoulder_tip_pain",
    "pelvic_pain_severity",
    "tamoxifen",
    "hrt",
    "immunosuppressed",
    "recent_procedure_6w",
)
BLEEDING_DETAILS = {
    "bleeding_episodes_3m",
    "bleeding_first_noticed_weeks",
    "bleeding_amount",
    "bleeding_trend",
    "clots",
}
DETAILS = BLEEDING_DETAILS | {"discharge_color", "pelvic_pain_severity", "shoulder_tip_pain"}
ALWAYS = {field.name for field in FIELDS} - DETAILS

# name, kind, default, choices or (min, max) from the RULES 3.1 table.
FIELD_TABLE = [
    (
        "menopause_status",
        "choice",
        "premenopausal",
        ("premenopausal", "perimenopausal", "postmenopausal", "unsure"),
    ),
    ("pregnancy_status", "choice", "not_pregnant", ("not_pregnant", "possible", "confirmed")),
    ("shoulder_tip_pain", "bool", False, ()),
    ("discharge_after_sex", "bool", False, ()),
    (
        "discharge_color",
        "choice",
        "none",
        ("none", "clear_white", "pink", "red", "brown", "yellow_green", "grey"),
    ),
    ("bleeding_after_sex", "bool", False, ()),
    ("bleeding_episodes_3m", "int", 0, (0, 99)),
    ("bleeding_first_noticed_weeks", "int", 0, (0, 520)),
    ("bleeding_amount", "choice", "none", ("none", "streaks", "spotting", "light", "moderate", "heavy")),
    ("bleeding_trend", "choice", "first_time", ("first_time", "less", "same", "more")),
    ("clots", "bool", False, ()),
    ("soaks_pad_hourly", "bool", False, ()),
    ("pain_during_sex", "int", 0, (0, 10)),
    ("pelvic_pain_days", "int", 0, (0, 365)),
    ("pelvic_pain_severity", "int", 0, (0, 10)),
    ("burning", "bool", False, ()),
    ("itching", "bool", False, ()),
    ("bad_odor", "bool", False, ()),
    ("persistent_discomfort", "bool", False, ()),
    ("fever", "bool", False, ()),
    ("dizziness_fainting", "bool", False, ()),
    ("intermenstrual_bleeding", "bool", False, ()),
    ("vaginal_dryness", "bool", False, ()),
    (
        "last_cervical_screening",
        "choice",
        "within_3y",
        ("within_3y", "3_to_5y", "over_5y", "never", "unsure"),
    ),
    ("abnormal_screening_history", "bool", False, ()),
    ("anticoagulants", "bool", False, ()),
    ("tamoxifen", "bool", False, ()),
    ("hrt", "bool", False, ()),
    ("immunosuppressed", "bool", False, ()),
    ("recent_procedure_6w", "bool", False, ()),
    ("new_partner_3m", "bool", False, ()),
    ("notes", "text", "", (0, 2000)),
]


def field_row(field):
    if field.kind == "choice":
        extra = field.choices
    elif field.kind == "int":
        extra = (field.min_value, field.max_value)
    elif field.kind == "text":
        extra = (0, field.max_length)
    else:
        extra = ()
    return (field.name, field.kind, field.default, extra)


def test_fields_follow_rules_section_3():
    assert [field_row(field) for field in FIELDS] == FIELD_TABLE
    assert [field.name for field in FIELDS] == [field.name for field in dataclasses.fields(Answers)]
    defaults = Answers()
    for field in FIELDS:
        assert getattr(defaults, field.name) == field.default


def test_new_fields_are_the_ones_rule_set_1_lacks():
    v1_names = {field.name for field in v1.FIELDS}
    assert {field.name for field in FIELDS} - v1_names == set(NEW_IN_2)
    assert v1_names <= {field.name for field in FIELDS}


def test_reveals_follow_rules_branching_table():
    assert {reveal.question: set(reveal.details) for reveal in REVEALS} == {
        "bleeding_after_sex": BLEEDING_DETAILS,
        "discharge_after_sex": {"discharge_color"},
        "pelvic_pain_days": {"pelvic_pain_severity"},
        "pregnancy_status": {"shoulder_tip_pain"},
    }


VISIBILITY_CASES = [
    pytest.param({}, set(), id="defaults"),
    pytest.param({"bleeding_after_sex": True}, BLEEDING_DETAILS, id="bleeding-after-sex"),
    pytest.param({"bleeding_after_sex": False}, set(), id="no-bleeding-after-sex"),
    pytest.param({"bleeding_after_sex": 1}, set(), id="bleeding-as-int-reveals-nothing"),
    pytest.param({"discharge_after_sex": True}, {"discharge_color"}, id="discharge-after-sex"),
    pytest.param({"discharge_after_sex": "yes"}, set(), id="discharge-as-string-reveals-nothing"),
    pytest.param({"pelvic_pain_days": 0}, set(), id="pelvic-pain-0"),
    pytest.param({"pelvic_pain_days": 1}, {"pelvic_pain_severity"}, id="pelvic-pain-1"),
    pytest.param({"pelvic_pain_days": 365}, {"pelvic_pain_severity"}, id="pelvic-pain-365"),
    pytest.param({"pelvic_pain_days": True}, set(), id="pelvic-pain-as-bool-reveals-nothing"),
    pytest.param({"pelvic_pain_days": "3"}, set(), id="pelvic-pain-as-string-reveals-nothing"),
    pytest.param({"pregnancy_status": "not_pregnant"}, set(), id="not-pregnant"),
    pytest.param({"pregnancy_status": "possible"}, {"shoulder_tip_pain"}, id="possibly-pregnant"),
    pytest.param({"pregnancy_status": "confirmed"}, {"shoulder_tip_pain"}, id="pregnant"),
    pytest.param(
        {
            "bleeding_after_sex": True,
            "discharge_after_sex": True,
            "pelvic_pain_days": 2,
            "pregnancy_status": "confirmed",
        },
        DETAILS,
        id="all-four-reveal",
    ),
]


@pytest.mark.parametrize(("raw", "revealed"), VISIBILITY_CASES)
def test_visible_fields_follow_branching(raw, revealed):
    visible = visible_fields(raw)
    assert visible == ALWAYS | revealed
    assert {"soaks_pad_hourly", "dizziness_fainting", "pelvic_pain_days", "pregnancy_status"} <= visible


# --- Validation (RULES 3.2) -------------------------------------------------------------

INVALID_CASES = [
    pytest.param({"bleeding": True}, "bleeding", "Unknown field", id="unknown-field"),
    pytest.param({"age": 30}, "age", "Unknown field", id="age-is-not-an-answer"),
    pytest.param({"pelvic_pain_severity": 11}, "pelvic_pain_severity", "between 0 and 10", id="severity-11"),
    pytest.param(
        {"pelvic_pain_severity": -1}, "pelvic_pain_severity", "between 0 and 10", id="severity-minus-1"
    ),
    pytest.param(
        {"pelvic_pain_severity": True}, "pelvic_pain_severity", "whole number", id="severity-as-bool"
    ),
    pytest.param(
        {"pelvic_pain_severity": 7.0}, "pelvic_pain_severity", "whole number", id="severity-as-float"
    ),
    pytest.param({"fever": 1}, "fever", "true or false", id="bool-as-int"),
    pytest.param({"shoulder_tip_pain": 1}, "shoulder_tip_pain", "true or false", id="shoulder-as-int"),
    pytest.param({"tamoxifen": 0}, "tamoxifen", "true or false", id="tamoxifen-as-int"),
    pytest.param({"hrt": "yes"}, "hrt", "true or false", id="hrt-as-string"),
    pytest.param({"immunosuppressed": None}, "immunosuppressed", "true or false", id="immunosuppressed-null"),
    pytest.param(
        {"recent_procedure_6w": "true"}, "recent_procedure_6w", "true or false", id="procedure-as-string"
    ),
    pytest.param({"pain_during_sex": 11}, "pain_during_sex", "between 0 and 10", id="pain-above-range"),
    pytest.param({"pelvic_pain_days": 366}, "pelvic_pain_days", "between 0 and 365", id="pelvic-366"),
    pytest.param(
        {"bleeding_episodes_3m": 100}, "bleeding_episodes_3m", "between 0 and 99", id="episodes-100"
    ),
    pytest.param(
        {"bleeding_first_noticed_weeks": 521},
        "bleeding_first_noticed_weeks",
        "between 0 and 520",
        id="weeks-521",
    ),
    pytest.param({"bleeding_amount": "Heavy"}, "bleeding_amount", "one of: none, streaks", id="choice-case"),
    pytest.param({"discharge_color": "green"}, "discharge_color", "yellow_green", id="choice-unknown"),
    pytest.param(
        {"pregnancy_status": "unsure"}, "pregnancy_status", "not_pregnant", id="choice-of-other-field"
    ),
    pytest.param({"menopause_status": None}, "menopause_status", "premenopausal", id="choice-null"),
    pytest.param({"notes": "x" * 2001}, "notes", "at most 2000 characters", id="notes-too-long"),
]


@pytest.mark.parametrize(("mapping", "field", "message"), INVALID_CASES)
def test_invalid_answers_are_rejected(mapping, field, message):
    with pytest.raises(InvalidAnswers) as excinfo:
        answers_from_mapping(mapping)
    assert list(excinfo.value.errors) == [field]
    assert message in excinfo.value.errors[field]


def test_every_invalid_field_is_reported_at_once():
    with pytest.raises(InvalidAnswers) as excinfo:
        answers_from_mapping({"fever": "no", "pelvic_pain_severity": 11, "colour": "red", "hrt": 1})
    assert set(excinfo.value.errors) == {"fever", "pelvic_pain_severity", "colour", "hrt"}


def test_new_fields_are_accepted():
    answers = answers_from_mapping(
        {
            "shoulder_tip_pain": True,
            "pelvic_pain_severity": 10,
            "tamoxifen": True,
            "hrt": True,
            "immunosuppressed": True,
            "recent_procedure_6w": True,
        }
    )
    assert all(getattr(answers, name) for name in NEW_IN_2)
    assert answers_from_mapping({"pelvic_pain_severity": 0}).pelvic_pain_severity == 0


def test_new_fields_are_unknown_to_rule_set_1():
    for name in NEW_IN_2:
        with pytest.raises(InvalidAnswers) as excinfo:
            v1.RULE_SET.answers_from_mapping({name: True if name != "pelvic_pain_severity" else 3})
        assert excinfo.value.errors == {name: "Unknown field."}


def test_hidden_details_are_accepted():
    """RULES 3.2: a submission that still carries a value in a hidden field is not rejected."""
    answers = answers_from_mapping(
        {
            "bleeding_after_sex": False,
            "bleeding_amount": "heavy",
            "clots": True,
            "discharge_after_sex": False,
            "discharge_color": "red",
            "pelvic_pain_days": 0,
            "pelvic_pain_severity": 9,
            "pregnancy_status": "not_pregnant",
            "shoulder_tip_pain": True,
        }
    )
    assert answers.pelvic_pain_severity == 9
    assert answers.shoulder_tip_pain is True
    assert assess(answers, 30) == Result(R, 0, (), 2)


def test_omitted_fields_take_rules_defaults():
    assert answers_from_mapping({}) == Answers()


@pytest.mark.parametrize("age", [9, 121, -1, True, 30.0, "30", None])
def test_invalid_age_is_rejected(age):
    with pytest.raises(InvalidAnswers) as excinfo:
        assess(Answers(), age)
    assert list(excinfo.value.errors) == ["age"]


@pytest.mark.parametrize("days_ago", [-1, True, 1.5, "3", None])
def test_invalid_history_days_ago_is_rejected(days_ago):
    with pytest.raises(InvalidAnswers) as excinfo:
        assess(make_answers(**BLEEDING), 30, [earlier(10), HistoryEntry(days_ago, Answers())])
    assert list(excinfo.value.errors) == ["history[1].days_ago"]
