"""Table-driven checks of the rule engine against RULES.md, no database."""

import dataclasses

import pytest

from tests.factories import make_answers
from triage.rules import (
    ADVICE,
    BLEEDING_DETAIL_FIELDS,
    DISCHARGE_DETAIL_FIELDS,
    ESCALATION,
    FIELDS,
    FLAG_CODES,
    FLAG_RULES,
    FLAG_RULES_BY_CODE,
    INFO,
    RULES_VERSION,
    Answers,
    HistoryEntry,
    InvalidAnswers,
    Level,
    Result,
    answers_from_mapping,
    assess,
    visible_fields,
)

R, F, P, E = Level.ROUTINE, Level.FOLLOW_UP, Level.PRIORITY, Level.EMERGENCY

BLEEDING = {"bleeding_after_sex": True, "bleeding_episodes_3m": 1, "bleeding_amount": "spotting"}
RECURRENT_BLEEDING = {**BLEEDING, "bleeding_episodes_3m": 2}
POSSIBLE_PREGNANCY_BLEEDING = {**BLEEDING, "pregnancy_status": "possible"}


def earlier(days_ago: int, **overrides) -> HistoryEntry:
    return HistoryEntry(days_ago, make_answers(**overrides))


def case(overrides, level, flags, score, *, age=30, history=(), id):
    return pytest.param(overrides, age, history, level, tuple(flags), score, id=id)


CASES = [
    # Defaults and fields no rule reads (RULES 3.2).
    case({}, R, [], 0, id="no-answers"),
    case({"discharge_after_sex": True, "discharge_color": "clear_white"}, R, [], 0, id="normal-discharge"),
    case(
        {"itching": True, "notes": "Sanguinamento abbondante, svenuta"},
        R,
        [],
        0,
        id="itching-and-notes-unused",
    ),
    case({**BLEEDING, "bleeding_amount": "streaks"}, R, [], 0, id="single-streak-routine"),
    # 1 HEAVY_ACUTE: no bleeding answer needed.
    case({"soaks_pad_hourly": True}, E, ["HEAVY_ACUTE"], 10, id="heavy-soaking"),
    case({"dizziness_fainting": True}, E, ["HEAVY_ACUTE"], 10, id="heavy-fainting"),
    case({"soaks_pad_hourly": True, "dizziness_fainting": True}, E, ["HEAVY_ACUTE"], 10, id="heavy-both"),
    # 3 PREGNANCY_BLEEDING: any bleeding with a possible/confirmed pregnancy.
    case(POSSIBLE_PREGNANCY_BLEEDING, P, ["PREGNANCY_BLEEDING"], 6, id="pregnancy-possible-pcb"),
    case(
        {"pregnancy_status": "confirmed", "intermenstrual_bleeding": True},
        P,
        ["PREGNANCY_BLEEDING", "INTERMENSTRUAL_BLEEDING"],
        8,
        id="pregnancy-confirmed-intermenstrual",
    ),
    case({**BLEEDING, "pregnancy_status": "not_pregnant"}, R, [], 0, id="not-pregnant-pcb"),
    case({"pregnancy_status": "confirmed"}, R, [], 0, id="pregnancy-without-symptoms"),
    # 2 ESC_PREGNANCY_RED_FLAG: pain_during_sex 6/7, pelvic_pain_days 0/1, faintness.
    case(
        {**POSSIBLE_PREGNANCY_BLEEDING, "pain_during_sex": 6},
        P,
        ["PREGNANCY_BLEEDING", "PAINFUL"],
        8,
        id="pregnancy-bleeding-pain-6",
    ),
    case(
        {**POSSIBLE_PREGNANCY_BLEEDING, "pain_during_sex": 7},
        E,
        ["ESC_PREGNANCY_RED_FLAG", "PREGNANCY_BLEEDING", "PAINFUL"],
        18,
        id="pregnancy-bleeding-pain-7",
    ),
    case(
        {**POSSIBLE_PREGNANCY_BLEEDING, "pelvic_pain_days": 0},
        P,
        ["PREGNANCY_BLEEDING"],
        6,
        id="pregnancy-bleeding-pelvic-0",
    ),
    case(
        {**POSSIBLE_PREGNANCY_BLEEDING, "pelvic_pain_days": 1},
        E,
        ["ESC_PREGNANCY_RED_FLAG", "PREGNANCY_BLEEDING", "PREGNANCY_PAIN"],
        21,
        id="pregnancy-bleeding-pelvic-1",
    ),
    case(
        {**POSSIBLE_PREGNANCY_BLEEDING, "dizziness_fainting": True},
        E,
        ["HEAVY_ACUTE", "ESC_PREGNANCY_RED_FLAG", "PREGNANCY_BLEEDING"],
        26,
        id="pregnancy-bleeding-fainting",
    ),
    case(
        {"pregnancy_status": "possible", "pain_during_sex": 7},
        F,
        ["PAINFUL"],
        2,
        id="pregnancy-severe-pain-no-bleeding",
    ),
    # 5 PREGNANCY_PAIN: pelvic_pain_days 0/1, no bleeding needed.
    case(
        {"pregnancy_status": "confirmed", "pelvic_pain_days": 1},
        P,
        ["PREGNANCY_PAIN"],
        5,
        id="pregnancy-pelvic-1",
    ),
    case({"pregnancy_status": "possible", "pelvic_pain_days": 0}, R, [], 0, id="pregnancy-pelvic-0"),
    case({"pelvic_pain_days": 1}, R, [], 0, id="not-pregnant-pelvic-1"),
    # 4 POSTMENOPAUSAL_BLEEDING: age 54/55 with unsure; perimenopausal never.
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
    case({"menopause_status": "postmenopausal"}, R, [], 0, age=62, id="postmenopausal-no-bleeding"),
    case({**BLEEDING, "menopause_status": "unsure"}, R, [], 0, age=54, id="unsure-54"),
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
    # 6 FEVER_PELVIC_PAIN: pelvic_pain_days 0/1, pain_during_sex 3/4.
    case({"fever": True}, R, [], 0, id="fever-alone"),
    case({"fever": True, "pelvic_pain_days": 0}, R, [], 0, id="fever-pelvic-0"),
    case({"fever": True, "pelvic_pain_days": 1}, P, ["FEVER_PELVIC_PAIN"], 5, id="fever-pelvic-1"),
    case({"fever": True, "pain_during_sex": 3}, R, [], 0, id="fever-pain-3"),
    case({"fever": True, "pain_during_sex": 4}, P, ["FEVER_PELVIC_PAIN", "PAINFUL"], 7, id="fever-pain-4"),
    case({"fever": True, "pelvic_pain_days": 3}, P, ["FEVER_PELVIC_PAIN", "PAINFUL"], 7, id="fever-pelvic-3"),
    # 7 ESC_MULTIPLE_FEATURES: two or more of RECURRENT, ABUNDANT, PAINFUL.
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
        {**BLEEDING, "clots": True, "pelvic_pain_days": 3},
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
    case({**BLEEDING, "bleeding_amount": "heavy"}, F, ["ABUNDANT"], 2, id="abundant-alone"),
    case({"pain_during_sex": 10, "pelvic_pain_days": 365}, F, ["PAINFUL"], 2, id="painful-alone"),
    # 8 ESC_RECURRENT_SCREENING
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
        {**RECURRENT_BLEEDING, "last_cervical_screening": "never"},
        F,
        ["RECURRENT"],
        2,
        age=24,
        id="recurrent-never-screened-age-24",
    ),
    case(
        {**BLEEDING, "abnormal_screening_history": True},
        F,
        ["PRIOR_ABNORMAL_SCREENING"],
        1,
        id="single-bleed-prior-abnormal",
    ),
    # 9 ESC_PERSISTENT_AGE: age 34/35, weeks 3/4.
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
        {**BLEEDING, "bleeding_first_noticed_weeks": 520},
        R,
        [],
        0,
        age=80,
        id="persistent-without-recurrence",
    ),
    case(
        {**BLEEDING, "bleeding_first_noticed_weeks": 4},
        P,
        ["ESC_PERSISTENT_AGE", "RECURRENT"],
        5,
        age=35,
        history=(earlier(30, bleeding_after_sex=True),),
        id="persistent-recurrent-by-history",
    ),
    # 10 RECURRENT: bleeding_episodes_3m 1/2; details ignored without bleeding_after_sex.
    case({**BLEEDING, "bleeding_episodes_3m": 1}, R, [], 0, id="episodes-1"),
    case({**BLEEDING, "bleeding_episodes_3m": 2}, F, ["RECURRENT"], 2, id="episodes-2"),
    case({**BLEEDING, "bleeding_episodes_3m": 99}, F, ["RECURRENT"], 2, id="episodes-99"),
    # 11 ABUNDANT
    case({**BLEEDING, "bleeding_amount": "none"}, R, [], 0, id="amount-none"),
    case({**BLEEDING, "bleeding_amount": "light"}, R, [], 0, id="amount-light"),
    case({**BLEEDING, "bleeding_amount": "moderate"}, F, ["ABUNDANT"], 2, id="amount-moderate"),
    case({**BLEEDING, "clots": True}, F, ["ABUNDANT"], 2, id="clots"),
    case({**BLEEDING, "bleeding_trend": "more"}, F, ["ABUNDANT"], 2, id="trend-more"),
    case({**BLEEDING, "bleeding_trend": "same"}, R, [], 0, id="trend-same"),
    case({**BLEEDING, "bleeding_trend": "less"}, R, [], 0, id="trend-less"),
    # 12 PAINFUL: pain_during_sex 3/4, pelvic_pain_days 2/3.
    case({"pain_during_sex": 3}, R, [], 0, id="pain-3"),
    case({"pain_during_sex": 4}, F, ["PAINFUL"], 2, id="pain-4"),
    case({"pelvic_pain_days": 2}, R, [], 0, id="pelvic-2"),
    case({"pelvic_pain_days": 3}, F, ["PAINFUL"], 2, id="pelvic-3"),
    # 13 INTERMENSTRUAL_BLEEDING
    case({"intermenstrual_bleeding": True}, F, ["INTERMENSTRUAL_BLEEDING"], 2, id="intermenstrual"),
    # 14 INFECTION_SIGNS
    case({"burning": True}, F, ["INFECTION_SIGNS"], 1, id="burning"),
    case({"bad_odor": True}, F, ["INFECTION_SIGNS"], 1, id="bad-odor"),
    case(
        {"discharge_after_sex": True, "discharge_color": "yellow_green"},
        F,
        ["INFECTION_SIGNS"],
        1,
        id="yellow-green",
    ),
    case({"discharge_after_sex": True, "discharge_color": "grey"}, F, ["INFECTION_SIGNS"], 1, id="grey"),
    case({"discharge_after_sex": True, "discharge_color": "brown"}, R, [], 0, id="brown"),
    # RULES 2 reads discharge_color whatever discharge_after_sex says.
    case({"discharge_color": "grey"}, F, ["INFECTION_SIGNS"], 1, id="grey-without-discharge-answer"),
    # 15 PERSISTENT_DISCOMFORT
    case({"persistent_discomfort": True}, F, ["PERSISTENT_DISCOMFORT"], 1, id="persistent-discomfort"),
    # 16 SCREENING_GAP: age 24/25 and, for 3_to_5y, 29/30.
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
    # 17 PRIOR_ABNORMAL_SCREENING needs bleeding after sex.
    case({"abnormal_screening_history": True}, R, [], 0, id="prior-abnormal-without-bleeding"),
    # 18-20 informational flags never change the level (RULES 4 notes, 7).
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
        {"discharge_color": "yellow_green", "new_partner_3m": True},
        F,
        ["INFECTION_SIGNS", "STI_RISK"],
        1,
        id="sti-risk-discharge",
    ),
    case(
        {**BLEEDING, "anticoagulants": True, "vaginal_dryness": True, "new_partner_3m": True},
        R,
        ["ANTICOAGULANTS", "DRYNESS", "STI_RISK"],
        0,
        id="all-info-flags-stay-routine",
    ),
    # RULES 3.2: bleeding details are never read without bleeding_after_sex.
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
        {
            "menopause_status": "postmenopausal",
            "intermenstrual_bleeding": True,
            "fever": True,
            "pelvic_pain_days": 1,
        },
        P,
        ["POSTMENOPAUSAL_BLEEDING", "FEVER_PELVIC_PAIN", "INTERMENSTRUAL_BLEEDING"],
        13,
        age=70,
        id="many-priority-flags-stay-priority",
    ),
    # Every escalation at once: the score is the plain sum of weights (RULES 7).
    case(
        {
            **RECURRENT_BLEEDING,
            "pregnancy_status": "confirmed",
            "bleeding_amount": "heavy",
            "bleeding_first_noticed_weeks": 8,
            "pain_during_sex": 8,
            "last_cervical_screening": "never",
            "anticoagulants": True,
        },
        E,
        [
            "ESC_PREGNANCY_RED_FLAG",
            "PREGNANCY_BLEEDING",
            "ESC_MULTIPLE_FEATURES",
            "ESC_RECURRENT_SCREENING",
            "ESC_PERSISTENT_AGE",
            "RECURRENT",
            "ABUNDANT",
            "PAINFUL",
            "SCREENING_GAP",
            "ANTICOAGULANTS",
        ],
        10 + 6 + 3 + 3 + 3 + 2 + 2 + 2 + 1 + 0,
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
    assert result.rules_version == RULES_VERSION == 1


RECURRENCE_CASES = [
    pytest.param([earlier(0, bleeding_after_sex=True)], False, id="same-day-does-not-count"),
    pytest.param([earlier(1, bleeding_after_sex=True)], True, id="1-day-counts"),
    pytest.param([earlier(90, bleeding_after_sex=True)], True, id="90-days-counts"),
    pytest.param([earlier(91, bleeding_after_sex=True)], False, id="91-days-does-not-count"),
    pytest.param(
        [earlier(30, discharge_after_sex=True, pain_during_sex=6, vaginal_dryness=True)],
        False,
        id="earlier-without-bleeding",
    ),
    pytest.param([earlier(30, intermenstrual_bleeding=True)], False, id="earlier-intermenstrual-only"),
    pytest.param(
        [earlier(0, bleeding_after_sex=True), earlier(91, bleeding_after_sex=True), earlier(45)],
        False,
        id="only-entries-outside-window",
    ),
    pytest.param(
        [earlier(200, bleeding_after_sex=True), earlier(60, bleeding_after_sex=True)],
        True,
        id="one-entry-inside-window",
    ),
]


@pytest.mark.parametrize(("history", "recurrent"), RECURRENCE_CASES)
def test_recurrence_window(history, recurrent):
    """Earlier bleeding reports count only at 1..90 days ago (RULES 6)."""
    result = assess(make_answers(**BLEEDING), 30, history)
    assert ("RECURRENT" in result.flags) is recurrent
    assert result.level is (F if recurrent else R)


@pytest.mark.parametrize("days_ago", [1, 30, 90])
def test_recurrence_needs_bleeding_now(days_ago):
    """Earlier bleeding with no bleeding now is not recurrence (RULES 6)."""
    history = [earlier(days_ago, bleeding_after_sex=True, bleeding_episodes_3m=5)]
    result = assess(make_answers(burning=True), 40, history)
    assert result.flags == ("INFECTION_SIGNS",)


def test_earlier_answers_never_raise_flags_on_current_submission():
    """Only RECURRENT reads the history (RULES 6)."""
    history = [
        earlier(5, soaks_pad_hourly=True, fever=True, pelvic_pain_days=4, pregnancy_status="confirmed")
    ]
    result = assess(make_answers(), 30, history)
    assert result == Result(R, 0, ())


def test_empty_answers_are_routine_with_no_flags():
    result = assess(Answers(), 30)
    assert result == Result(Level.ROUTINE, 0, (), 1)
    assert result.reasons == ()


def test_flags_are_reported_in_canonical_order():
    result = assess(
        make_answers(
            new_partner_3m=True,
            vaginal_dryness=True,
            persistent_discomfort=True,
            burning=True,
            soaks_pad_hourly=True,
            menopause_status="postmenopausal",
            bleeding_after_sex=True,
        ),
        60,
    )
    assert result.flags == (
        "HEAVY_ACUTE",
        "POSTMENOPAUSAL_BLEEDING",
        "INFECTION_SIGNS",
        "PERSISTENT_DISCOMFORT",
        "DRYNESS",
        "STI_RISK",
    )
    assert list(result.flags) == sorted(result.flags, key=FLAG_CODES.index)


def test_score_sums_the_weights_of_raised_flags():
    result = assess(make_answers(fever=True, pelvic_pain_days=5, burning=True, anticoagulants=True), 30)
    assert result.flags == ("FEVER_PELVIC_PAIN", "PAINFUL", "INFECTION_SIGNS", "ANTICOAGULANTS")
    assert result.score == 5 + 2 + 1 + 0 == sum(FLAG_RULES_BY_CODE[c].weight for c in result.flags)


def test_escalation_conditions_ignore_escalation_flags():
    """Escalations read step-1 flags only, so none can feed another (RULES 5)."""
    escalation_codes = {rule.code for rule in FLAG_RULES if rule.kind == ESCALATION}
    step1_codes = set(FLAG_CODES) - escalation_codes
    answers = make_answers(**RECURRENT_BLEEDING, pregnancy_status="possible", pelvic_pain_days=1)
    for rule in FLAG_RULES:
        if rule.kind == ESCALATION:
            with_escalations = rule.condition(answers, 40, 1, step1_codes | escalation_codes)
            assert with_escalations == rule.condition(answers, 40, 1, step1_codes)
            assert not rule.condition(answers, 40, 0, escalation_codes)


def test_flag_table_matches_rules_section_4():
    assert [rule.number for rule in FLAG_RULES] == list(range(1, 21))
    assert FLAG_CODES == (
        "HEAVY_ACUTE",
        "ESC_PREGNANCY_RED_FLAG",
        "PREGNANCY_BLEEDING",
        "POSTMENOPAUSAL_BLEEDING",
        "PREGNANCY_PAIN",
        "FEVER_PELVIC_PAIN",
        "ESC_MULTIPLE_FEATURES",
        "ESC_RECURRENT_SCREENING",
        "ESC_PERSISTENT_AGE",
        "RECURRENT",
        "ABUNDANT",
        "PAINFUL",
        "INTERMENSTRUAL_BLEEDING",
        "INFECTION_SIGNS",
        "PERSISTENT_DISCOMFORT",
        "SCREENING_GAP",
        "PRIOR_ABNORMAL_SCREENING",
        "ANTICOAGULANTS",
        "DRYNESS",
        "STI_RISK",
    )
    for rule in FLAG_RULES:
        assert rule.code.startswith("ESC_") == (rule.kind == ESCALATION)
        assert (rule.level is None) == (rule.kind == INFO)
        assert rule.weight >= 0
        assert (rule.weight == 0) == (rule.kind == INFO)
        assert rule.reason.endswith(".")
        assert 1 <= len(rule.label.split()) <= 3


def test_reasons_pair_each_flag_with_its_clinician_text():
    result = assess(make_answers(dizziness_fainting=True, vaginal_dryness=True), 30)
    assert result.reasons == (
        (
            "HEAVY_ACUTE",
            "Soaking at least one pad or tampon an hour, or feeling faint/fainting, within the last 24 h: "
            "possible major blood loss or circulatory compromise (in a possible pregnancy think of a "
            "ruptured ectopic).",
        ),
        ("DRYNESS", FLAG_RULES_BY_CODE["DRYNESS"].reason),
    )
    assert result.labels == (("HEAVY_ACUTE", "Heavy / faint"), ("DRYNESS", "Dryness"))


# --- Levels -------------------------------------------------------------------


def test_levels_are_ordered_and_have_rules_codes():
    assert R < F < P < E
    assert [level.code for level in Level] == ["routine", "follow_up", "priority", "emergency"]
    assert [int(level) for level in Level] == [0, 1, 2, 3]
    for level in Level:
        assert Level.from_code(level.code) is level


@pytest.mark.parametrize("code", ["urgent", "ROUTINE", "", None])
def test_unknown_level_code_is_rejected(code):
    with pytest.raises(ValueError, match="Unknown level code"):
        Level.from_code(code)


# --- Advice (RULES 8) -------------------------------------------------------------

ADVICE_CASES = [
    pytest.param(E, "it", ["pronto soccorso più vicino", "chiami il 112", "non guidi"], id="emergency-it"),
    pytest.param(
        E, "en", ["nearest emergency department now", "call 112", "do not drive"], id="emergency-en"
    ),
    pytest.param(P, "it", ["oggi stesso", "un assorbente inzuppato in un'ora", "112"], id="priority-it"),
    pytest.param(
        P, "en", ["today or on the next working day", "a pad soaked within an hour", "112"], id="priority-en"
    ),
    pytest.param(
        F, "it", ["prossime settimane", "piccola alterazione del collo dell'utero", "112"], id="follow-up-it"
    ),
    pytest.param(
        F, "en", ["book a visit in the coming weeks", "small change on the cervix", "112"], id="follow-up-en"
    ),
    pytest.param(R, "it", ["non emergono segnali", "screening del collo dell'utero"], id="routine-it"),
    pytest.param(R, "en", ["nothing needs special attention", "regular cervical screening"], id="routine-en"),
]


@pytest.mark.parametrize(("level", "lang", "phrases"), ADVICE_CASES)
def test_advice_text_per_level_and_language(level, lang, phrases):
    advice = Result(level, 0, ()).advice(lang)
    assert advice == ADVICE[level][lang]
    for phrase in phrases:
        assert phrase in advice
    assert "\n" not in advice
    assert "  " not in advice


def test_routine_advice_does_not_send_anyone_to_emergency():
    for lang in ("it", "en"):
        assert "112" not in ADVICE[R][lang]


@pytest.mark.parametrize("lang", ["de", "", "fr-fr", None])
def test_advice_falls_back_to_italian(lang):
    result = Result(E, 10, ("HEAVY_ACUTE",))
    assert result.advice(lang) == ADVICE[E]["it"]
    assert result.advice() == ADVICE[E]["it"]


@pytest.mark.parametrize("lang", ["en", "en-gb", "en_US", "EN"])
def test_advice_accepts_english_language_tags(lang):
    assert Result(R, 0, ()).advice(lang) == ADVICE[R]["en"]


# --- Field schema and branching (RULES 3) -------------------------------------------


def test_fields_follow_rules_order_and_match_answers_defaults():
    names = [field.name for field in FIELDS]
    assert names == [field.name for field in dataclasses.fields(Answers)]
    assert "age" not in names
    assert names[:3] == ["menopause_status", "pregnancy_status", "discharge_after_sex"]
    assert names[-1] == "notes"
    defaults = Answers()
    for field in FIELDS:
        assert getattr(defaults, field.name) == field.default
        if field.kind == "choice":
            assert field.default in field.choices


def test_visible_fields_follow_branching():
    always = {field.name for field in FIELDS} - set(BLEEDING_DETAIL_FIELDS) - set(DISCHARGE_DETAIL_FIELDS)
    assert visible_fields({}) == always
    assert {"soaks_pad_hourly", "dizziness_fainting"} <= visible_fields({})
    assert visible_fields({"bleeding_after_sex": True}) == always | set(BLEEDING_DETAIL_FIELDS)
    assert visible_fields({"discharge_after_sex": True}) == always | {"discharge_color"}
    assert visible_fields({"bleeding_after_sex": False, "discharge_after_sex": "yes"}) == always


# --- Validation (RULES 3.2) -------------------------------------------------------

INVALID_CASES = [
    pytest.param({"bleeding": True}, "bleeding", "Unknown field", id="unknown-field"),
    pytest.param({"age": 30}, "age", "Unknown field", id="age-is-not-an-answer"),
    pytest.param({"fever": "yes"}, "fever", "true or false", id="bool-as-string"),
    pytest.param({"fever": 1}, "fever", "true or false", id="bool-as-int"),
    pytest.param({"fever": None}, "fever", "true or false", id="bool-as-null"),
    pytest.param({"pain_during_sex": True}, "pain_during_sex", "whole number", id="int-as-bool"),
    pytest.param({"pain_during_sex": 4.0}, "pain_during_sex", "whole number", id="int-as-float"),
    pytest.param({"pain_during_sex": "4"}, "pain_during_sex", "whole number", id="int-as-string"),
    pytest.param({"pain_during_sex": -1}, "pain_during_sex", "between 0 and 10", id="pain-below-range"),
    pytest.param({"pain_during_sex": 11}, "pain_during_sex", "between 0 and 10", id="pain-above-range"),
    pytest.param(
        {"bleeding_episodes_3m": 100}, "bleeding_episodes_3m", "between 0 and 99", id="episodes-100"
    ),
    pytest.param(
        {"bleeding_first_noticed_weeks": 521},
        "bleeding_first_noticed_weeks",
        "between 0 and 520",
        id="weeks-521",
    ),
    pytest.param({"pelvic_pain_days": 366}, "pelvic_pain_days", "between 0 and 365", id="pelvic-366"),
    pytest.param({"bleeding_amount": "Heavy"}, "bleeding_amount", "one of: none, streaks", id="choice-case"),
    pytest.param({"discharge_color": "green"}, "discharge_color", "yellow_green", id="choice-unknown"),
    pytest.param({"pregnancy_status": None}, "pregnancy_status", "not_pregnant", id="choice-null"),
    pytest.param({"notes": "x" * 2001}, "notes", "at most 2000 characters", id="notes-too-long"),
    pytest.param({"notes": None}, "notes", "text", id="notes-not-text"),
]


@pytest.mark.parametrize(("mapping", "field", "message"), INVALID_CASES)
def test_invalid_answers_are_rejected(mapping, field, message):
    with pytest.raises(InvalidAnswers) as excinfo:
        answers_from_mapping(mapping)
    assert list(excinfo.value.errors) == [field]
    assert message in excinfo.value.errors[field]
    assert isinstance(excinfo.value, ValueError)


def test_every_invalid_field_is_reported_at_once():
    with pytest.raises(InvalidAnswers) as excinfo:
        answers_from_mapping({"fever": "no", "pelvic_pain_days": -3, "colour": "red"})
    assert set(excinfo.value.errors) == {"fever", "pelvic_pain_days", "colour"}


def test_answers_must_be_a_mapping():
    with pytest.raises(InvalidAnswers):
        answers_from_mapping([("fever", True)])


def test_boundary_values_are_accepted():
    answers = answers_from_mapping(
        {
            "pain_during_sex": 10,
            "bleeding_episodes_3m": 99,
            "bleeding_first_noticed_weeks": 520,
            "pelvic_pain_days": 365,
            "notes": "x" * 2000,
        }
    )
    assert answers.notes == "x" * 2000
    assert answers_from_mapping({"pain_during_sex": 0}).pain_during_sex == 0


def test_bleeding_details_are_accepted_without_bleeding_after_sex():
    """RULES 3.2: the engine must not reject hidden but filled details."""
    answers = answers_from_mapping({"bleeding_after_sex": False, "bleeding_amount": "heavy", "clots": True})
    assert answers.bleeding_amount == "heavy"


@pytest.mark.parametrize("age", [9, 121, -1, True, 30.0, "30", None])
def test_invalid_age_is_rejected(age):
    with pytest.raises(InvalidAnswers) as excinfo:
        assess(Answers(), age)
    assert list(excinfo.value.errors) == ["age"]


@pytest.mark.parametrize("age", [10, 120])
def test_age_limits_are_accepted(age):
    assert assess(Answers(), age).level is R


@pytest.mark.parametrize("days_ago", [-1, True, 1.5, "3", None])
def test_invalid_history_days_ago_is_rejected(days_ago):
    with pytest.raises(InvalidAnswers) as excinfo:
        assess(make_answers(**BLEEDING), 30, [earlier(10), HistoryEntry(days_ago, Answers())])
    assert list(excinfo.value.errors) == ["history[1].days_ago"]
