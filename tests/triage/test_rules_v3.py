"""Rule set 3 (RULES.md): effective answers, the flag table against a direct reading, and what stays of rule set 2."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.triage.test_rules_properties import (
    answers_strategy,
    earlier_answers,
    histories_strategy,
)
from triage.rules import ALL_FLAG_CODES, CURRENT, RULE_SETS, HistoryEntry, Level, v1, v2, v3

V2, V3 = v2.RULE_SET, v3.RULE_SET
examples = settings(max_examples=300, deadline=None)
ages = st.integers(10, 120)
v3_answers = answers_strategy(V3)
v3_histories = histories_strategy(earlier_answers(v3.Answers))
NEW_FIELDS = ("period_late", "pregnancy_weeks", "contraception", "other_bleeding_amount")
NEW_FIELDS += ("other_bleeding_clots", "intermenstrual_weeks", "hrt_type", "hrt_recent_change")
NEW_CODES = (
    "LATER_PREGNANCY_BLEEDING",
    "ESC_ANTICOAG_HEAVY",
    "RECENT_PROCEDURE_BLEEDING",
    "ESC_PAIN_BLEEDING_IUD",
    "PAIN_WITH_BLEEDING",
    "FEVER_INFECTION_SIGNS",
    "PERSISTENT_IMB_45",
    "IUD_PELVIC_PAIN",
    "PMB_HRT_WINDOW",
)


def test_rule_set_3_is_current_and_every_rule_set_stays_evaluable():
    assert CURRENT is V3
    assert sorted(RULE_SETS) == [1, 2, 3]
    assert RULE_SETS[1] is v1.RULE_SET and RULE_SETS[2] is V2


def test_flag_bits_never_move_and_the_new_codes_take_the_next_ones():
    """RULES.md 11.1 V4: rule set 1's codes, rule set 2's new ones, then rows 36-44 in order."""
    assert ALL_FLAG_CODES[: len(V2.flag_codes)] == tuple(
        dict.fromkeys((*v1.RULE_SET.flag_codes, *V2.flag_codes))
    )
    assert ALL_FLAG_CODES[35:] == NEW_CODES
    assert len(ALL_FLAG_CODES) == 44


def test_the_flag_table_keeps_rows_1_to_35_in_order_and_appends_rows_36_to_44():
    assert V3.flag_codes[:35] == V2.flag_codes
    assert V3.flag_codes[35:] == NEW_CODES
    assert [rule.number for rule in V3.flag_rules] == list(range(1, 45))


@pytest.mark.parametrize(
    "code",
    [
        "HEAVY_ACUTE",
        "PREGNANCY_SHOULDER_PAIN",
        "ESC_FEVER_PREGNANCY",
        "PREGNANCY_PAIN",
        "SEVERE_PELVIC_PAIN",
        "RECURRENT",
        "SCREENING_GAP",
        "UNDER_16",
    ],
)
def test_a_rule_that_rules_md_keeps_is_rule_set_2s_own_entry(code):
    assert V3.flag_rules_by_code[code] is V2.flag_rules_by_code[code]


def test_sti_risk_is_a_follow_up_flag_with_weight_1():
    rule = V3.flag_rules_by_code["STI_RISK"]
    assert (rule.kind, rule.level, rule.weight) == ("base", Level.FOLLOW_UP, 1)
    assert V2.flag_rules_by_code["STI_RISK"].level is None


def test_absent_answers_take_the_rule_set_3_defaults():
    a = V3.answers_from_mapping({})
    assert a.last_cervical_screening == "unsure"
    assert (a.period_late, a.contraception, a.hrt_type) == ("no", "none", "unsure")
    assert (a.pregnancy_weeks, a.intermenstrual_weeks, a.other_bleeding_amount) == (0, 0, "none")


# --- Effective answers (RULES.md 3.2) -----------------------------------------------------


def assess(age=30, **answers):
    return V3.assess(V3.answers_from_mapping(answers), age)


@pytest.mark.parametrize(
    ("answers", "hidden"),
    [
        # period_late is not asked in a confirmed pregnancy nor after the menopause.
        (
            {"pregnancy_status": "confirmed", "period_late": "late_no_test", "pelvic_pain_days": 2},
            "period_late",
        ),
        (
            {"menopause_status": "postmenopausal", "period_late": "late_no_test", "dizziness_fainting": True},
            "period_late",
        ),
        # Weeks are asked only in a confirmed pregnancy.
        ({"pregnancy_status": "possible", "pregnancy_weeks": 30}, "pregnancy_weeks"),
        # Shoulder-tip pain only with a possible pregnancy.
        ({"period_late": "late_test_negative", "shoulder_tip_pain": True}, "shoulder_tip_pain"),
        # The coil question is not asked after the menopause nor in a confirmed pregnancy.
        (
            {"menopause_status": "postmenopausal", "contraception": "copper_iud", "pelvic_pain_days": 2},
            "contraception",
        ),
        (
            {"pregnancy_status": "confirmed", "contraception": "hormonal_iud", "pelvic_pain_days": 2},
            "contraception",
        ),
        # Bleeding details only with bleeding between periods.
        (
            {"other_bleeding_amount": "heavy", "other_bleeding_clots": True, "anticoagulants": True},
            "other_bleeding_amount",
        ),
        ({"intermenstrual_weeks": 20}, "intermenstrual_weeks"),
        # HRT details only with HRT.
        (
            {"hrt_type": "sequential", "hrt_recent_change": True, "menopause_status": "postmenopausal"},
            "hrt_type",
        ),
    ],
)
def test_a_hidden_answer_is_read_as_its_default(answers, hidden):
    """RULES.md 3.2: a value in a hidden field is validated, then replaced by its default."""
    shown = {name: value for name, value in answers.items() if name != hidden}
    assert hidden not in V3.visible_fields({field.name: field.default for field in V3.fields} | answers)
    assert assess(**answers) == assess(**shown)


def test_a_hidden_late_period_hides_the_shoulder_question_it_would_reveal():
    """The chain of 3.2: conditions read the effective answers above them."""
    answers = {"menopause_status": "postmenopausal", "period_late": "late_no_test", "shoulder_tip_pain": True}
    assert assess(age=60, **answers).flags == ()
    assert "shoulder_tip_pain" not in V3.visible_fields(answers)
    shown = {"period_late": "late_no_test", "shoulder_tip_pain": True, "pregnancy_status": "not_pregnant"}
    assert "shoulder_tip_pain" in V3.visible_fields({**shown, "menopause_status": "premenopausal"})
    assert assess(**shown).flags == ("PREGNANCY_SHOULDER_PAIN",)


def test_a_hidden_answer_that_is_invalid_is_still_rejected():
    with pytest.raises(ValueError, match="pregnancy_weeks"):
        V3.answers_from_mapping({"pregnancy_weeks": 46})


def test_effective_answers_return_the_same_object_when_nothing_hidden_holds_a_value():
    answers = V3.answers_from_mapping({"bleeding_after_sex": True, "clots": True})
    assert V3.effective_answers(answers) is answers


@examples
@given(v3_answers, ages, v3_histories)
def test_the_live_form_and_the_engine_hide_the_same_questions(answers, age, history):
    """The form drops what `visible_fields` hides; the engine gives the same result either way."""
    mapping = {field.name: getattr(answers, field.name) for field in V3.fields}
    visible = V3.visible_fields(mapping)
    shown_only = V3.answers_from_mapping({name: value for name, value in mapping.items() if name in visible})
    assert V3.assess(answers, age, history) == V3.assess(shown_only, age, history)


# --- A direct reading of RULES.md sections 2, 3.2 and 4 -------------------------------------------

DEFAULTS = {field.name: field.default for field in V3.fields}


def effective(raw: dict) -> dict:
    """RULES.md 3.2, step by step: defaults, then each detail whose condition is false reset."""
    e = {**DEFAULTS, **raw}
    shown_when = {
        "period_late": lambda: (
            e["pregnancy_status"] == "not_pregnant" and e["menopause_status"] != "postmenopausal"
        ),
        "pregnancy_weeks": lambda: e["pregnancy_status"] == "confirmed",
        "shoulder_tip_pain": lambda: (
            e["pregnancy_status"] in ("possible", "confirmed")
            or e["period_late"] in ("late_no_test", "late_test_positive")
        ),
        "contraception": lambda: (
            e["menopause_status"] != "postmenopausal" and e["pregnancy_status"] != "confirmed"
        ),
        "discharge_color": lambda: e["discharge_after_sex"],
        "pelvic_pain_severity": lambda: e["pelvic_pain_days"] >= 1,
        "hrt_type": lambda: e["hrt"],
        "hrt_recent_change": lambda: e["hrt"],
    }
    for name in (
        "bleeding_episodes_3m",
        "bleeding_first_noticed_weeks",
        "bleeding_amount",
        "bleeding_trend",
        "clots",
    ):
        shown_when[name] = lambda: e["bleeding_after_sex"]
    for name in ("other_bleeding_amount", "other_bleeding_clots", "intermenstrual_weeks"):
        shown_when[name] = lambda: e["intermenstrual_bleeding"]
    for field in V3.fields:
        if field.name in shown_when and not shown_when[field.name]():
            e[field.name] = field.default
    return e


def direct_reading(raw: dict, age: int, history) -> tuple[str, int, set[str]]:
    e = effective(raw)
    counting = [h.days_ago for h in history if h.answers.bleeding_after_sex and 1 <= h.days_ago <= 90]
    pregnant_or_possible = e["pregnancy_status"] in ("possible", "confirmed") or e["period_late"] in (
        "late_no_test",
        "late_test_positive",
    )
    later_pregnancy = e["pregnancy_status"] == "confirmed" and e["pregnancy_weeks"] >= 17
    iud = e["contraception"] in ("copper_iud", "hormonal_iud")
    abnormal_discharge = e["discharge_after_sex"] and e["discharge_color"] in ("yellow_green", "grey")
    blood_stained = e["discharge_after_sex"] and e["discharge_color"] in ("pink", "red", "brown")
    any_bleeding = e["bleeding_after_sex"] or e["intermenstrual_bleeding"] or blood_stained
    heavy_after_sex = e["bleeding_after_sex"] and (e["bleeding_amount"] == "heavy" or e["clots"])
    heavy_other = e["intermenstrual_bleeding"] and (
        e["other_bleeding_amount"] == "heavy" or e["other_bleeding_clots"]
    )
    heavy_any = heavy_after_sex or heavy_other
    m = e["menopause_status"]
    post = m == "postmenopausal" or (m == "unsure" and age >= 55) or (m == "perimenopausal" and age >= 55)
    hrt_window = (
        e["hrt"]
        and e["hrt_recent_change"]
        and e["hrt_type"] in ("sequential", "continuous_combined")
        and not heavy_any
        and not e["tamoxifen"]
        and not e["anticoagulants"]
    )
    infection = e["burning"] or e["bad_odor"] or abnormal_discharge
    pelvic = e["pelvic_pain_days"] >= 1
    moderate = pelvic and e["pelvic_pain_severity"] >= 4
    severe = pelvic and e["pelvic_pain_severity"] >= 7
    earlier = len(counting)
    persistence = (
        max([e["bleeding_first_noticed_weeks"], *(d // 7 for d in counting)])
        if e["bleeding_after_sex"]
        else 0
    )
    bas = e["bleeding_after_sex"]
    f = set()

    def flag(code, condition):
        if condition:
            f.add(code)

    flag(
        "HEAVY_ACUTE",
        e["soaks_pad_hourly"]
        or (
            e["dizziness_fainting"]
            and (
                any_bleeding
                or pregnant_or_possible
                or pelvic
                or e["pain_during_sex"] >= 7
                or e["fever"]
                or e["anticoagulants"]
            )
        ),
    )
    flag("PREGNANCY_SHOULDER_PAIN", pregnant_or_possible and e["shoulder_tip_pain"])
    flag("PREGNANCY_BLEEDING", pregnant_or_possible and any_bleeding)
    flag("PREGNANCY_PAIN", pregnant_or_possible and pelvic)
    flag("FEVER_PELVIC_PAIN", e["fever"] and (pelvic or e["pain_during_sex"] >= 4))
    flag("SEVERE_PELVIC_PAIN", severe)
    flag("FAINTNESS", e["dizziness_fainting"])
    flag(
        "RECENT_PROCEDURE_INFECTION",
        e["recent_procedure_6w"] and (e["fever"] or e["bad_odor"] or abnormal_discharge or pelvic),
    )
    flag("POSTMENOPAUSAL_BLEEDING", post and any_bleeding and not hrt_window)
    flag("TAMOXIFEN_BLEEDING", e["tamoxifen"] and any_bleeding)
    flag("MENOPAUSE_UNCERTAIN_BLEEDING", m == "unsure" and 45 <= age <= 54 and any_bleeding)
    flag("HEAVY_EPISODE", heavy_any)
    flag("PELVIC_PAIN_INFECTION", pelvic and (infection or e["new_partner_3m"]))
    flag(
        "RECURRENT",
        bas
        and (
            e["bleeding_episodes_3m"] >= 2
            or earlier >= 1
            or e["bleeding_trend"] in ("less", "same", "more")
            or (e["bleeding_first_noticed_weeks"] >= 13 and e["bleeding_episodes_3m"] >= 1)
        ),
    )
    flag(
        "ABUNDANT",
        bas
        and (e["bleeding_amount"] in ("moderate", "heavy") or e["clots"] or e["bleeding_trend"] == "more"),
    )
    flag("PAINFUL", e["pain_during_sex"] >= 4 or e["pelvic_pain_days"] >= 3 or moderate)
    flag("INTERMENSTRUAL_BLEEDING", e["intermenstrual_bleeding"])
    flag("HRT_BLEEDING", e["hrt"] and any_bleeding)
    flag("POSTMENOPAUSAL_DISCHARGE", post and age >= 55 and (e["bad_odor"] or abnormal_discharge))
    flag("INFECTION_SIGNS", infection)
    flag("PERSISTENT_DISCOMFORT", e["persistent_discomfort"])
    screening = e["last_cervical_screening"]
    flag(
        "SCREENING_GAP",
        bas
        and age >= 25
        and (screening in ("over_5y", "never", "unsure") or (screening == "3_to_5y" and age <= 29)),
    )
    flag("PRIOR_ABNORMAL_SCREENING", bas and e["abnormal_screening_history"])
    flag("ANTICOAGULANTS", e["anticoagulants"])
    flag("DRYNESS", e["vaginal_dryness"])
    flag("STI_RISK", e["new_partner_3m"] and (bas or infection))
    flag("IMMUNOSUPPRESSED", e["immunosuppressed"])
    flag("EPISODE_COUNT_CHECK", bas and e["bleeding_episodes_3m"] == 0)
    flag("UNDER_16", age <= 15)
    flag("LATER_PREGNANCY_BLEEDING", later_pregnancy and any_bleeding)
    flag(
        "RECENT_PROCEDURE_BLEEDING",
        e["recent_procedure_6w"] and (heavy_any or (bas and e["bleeding_trend"] == "more")),
    )
    flag("PAIN_WITH_BLEEDING", pelvic and any_bleeding and not post and not pregnant_or_possible)
    flag(
        "FEVER_INFECTION_SIGNS",
        e["fever"] and (infection or e["new_partner_3m"]) and not pelvic and e["pain_during_sex"] <= 3,
    )
    flag(
        "PERSISTENT_IMB_45",
        e["intermenstrual_bleeding"] and e["intermenstrual_weeks"] >= 12 and age >= 45 and not post,
    )
    flag("IUD_PELVIC_PAIN", iud and pelvic)
    flag("PMB_HRT_WINDOW", post and any_bleeding and hrt_window)
    step1 = set(f)
    flag(
        "ESC_PREGNANCY_RED_FLAG",
        (
            "PREGNANCY_BLEEDING" in step1
            and (pelvic or e["pain_during_sex"] >= 7 or e["dizziness_fainting"] or heavy_any)
        )
        or ("PREGNANCY_PAIN" in step1 and severe),
    )
    flag("ESC_FEVER_PREGNANCY", "FEVER_PELVIC_PAIN" in step1 and pregnant_or_possible)
    flag("ESC_MULTIPLE_FEATURES", len(step1 & {"RECURRENT", "ABUNDANT", "PAINFUL"}) >= 2)
    flag(
        "ESC_RECURRENT_SCREENING",
        "RECURRENT" in step1
        and ("SCREENING_GAP" in step1 or "PRIOR_ABNORMAL_SCREENING" in step1 or e["immunosuppressed"]),
    )
    flag("ESC_PERSISTENT_AGE", "RECURRENT" in step1 and persistence >= 4 and age >= 35)
    flag(
        "ESC_ANTICOAG_BLEEDING",
        "ANTICOAGULANTS" in step1
        and bool(step1 & {"ABUNDANT", "INTERMENSTRUAL_BLEEDING", "POSTMENOPAUSAL_BLEEDING"}),
    )
    flag("ESC_ANTICOAG_HEAVY", "ANTICOAGULANTS" in step1 and heavy_any)
    flag("ESC_PAIN_BLEEDING_IUD", "PAIN_WITH_BLEEDING" in step1 and iud)
    table = {
        # code: (level, weight); RULES.md section 4.
        "HEAVY_ACUTE": ("emergency", 10),
        "PREGNANCY_SHOULDER_PAIN": ("emergency", 10),
        "ESC_PREGNANCY_RED_FLAG": ("emergency", 10),
        "ESC_FEVER_PREGNANCY": ("emergency", 10),
        "PREGNANCY_BLEEDING": ("urgent", 6),
        "PREGNANCY_PAIN": ("urgent", 6),
        "FEVER_PELVIC_PAIN": ("urgent", 5),
        "SEVERE_PELVIC_PAIN": ("urgent", 5),
        "FAINTNESS": ("urgent", 5),
        "RECENT_PROCEDURE_INFECTION": ("urgent", 5),
        "POSTMENOPAUSAL_BLEEDING": ("priority", 6),
        "TAMOXIFEN_BLEEDING": ("priority", 5),
        "MENOPAUSE_UNCERTAIN_BLEEDING": ("priority", 4),
        "HEAVY_EPISODE": ("priority", 4),
        "PELVIC_PAIN_INFECTION": ("priority", 3),
        "ESC_MULTIPLE_FEATURES": ("priority", 3),
        "ESC_RECURRENT_SCREENING": ("priority", 3),
        "ESC_PERSISTENT_AGE": ("priority", 3),
        "ESC_ANTICOAG_BLEEDING": ("priority", 3),
        "RECURRENT": ("follow_up", 2),
        "ABUNDANT": ("follow_up", 2),
        "PAINFUL": ("follow_up", 2),
        "INTERMENSTRUAL_BLEEDING": ("follow_up", 2),
        "HRT_BLEEDING": ("follow_up", 2),
        "POSTMENOPAUSAL_DISCHARGE": ("follow_up", 2),
        "INFECTION_SIGNS": ("follow_up", 1),
        "PERSISTENT_DISCOMFORT": ("follow_up", 1),
        "SCREENING_GAP": ("follow_up", 1),
        "PRIOR_ABNORMAL_SCREENING": ("follow_up", 1),
        "STI_RISK": ("follow_up", 1),
        "LATER_PREGNANCY_BLEEDING": ("emergency", 10),
        "ESC_ANTICOAG_HEAVY": ("urgent", 5),
        "RECENT_PROCEDURE_BLEEDING": ("urgent", 5),
        "ESC_PAIN_BLEEDING_IUD": ("urgent", 5),
        "PAIN_WITH_BLEEDING": ("priority", 4),
        "FEVER_INFECTION_SIGNS": ("priority", 3),
        "PERSISTENT_IMB_45": ("priority", 3),
        "IUD_PELVIC_PAIN": ("priority", 3),
    }
    order = ["routine", "follow_up", "priority", "urgent", "emergency"]
    level = max((table[code][0] for code in f if code in table), key=order.index, default="routine")
    return level, sum(table[code][1] for code in f if code in table), f


@examples
@given(v3_answers, ages, v3_histories)
def test_flags_level_and_score_follow_a_direct_reading_of_rules_md(answers, age, history):
    raw = {field.name: getattr(answers, field.name) for field in V3.fields}
    level, score, flags = direct_reading(raw, age, history)
    result = V3.assess(answers, age, history)
    assert (result.level.code, result.score, set(result.flags)) == (level, score, flags)
    assert list(result.flags) == [code for code in V3.flag_codes if code in flags]


def random_mapping(rng: random.Random, fields, rate: float) -> dict:
    mapping = {}
    for field in fields:
        if rng.random() > rate:
            continue
        if field.kind == "bool":
            mapping[field.name] = rng.random() < 0.6
        elif field.kind == "int":
            mapping[field.name] = rng.choice(
                (
                    rng.randint(field.min_value, min(field.max_value, 20)),
                    rng.randint(field.min_value, field.max_value),
                )
            )
        elif field.kind == "choice":
            mapping[field.name] = rng.choice(field.choices)
    return mapping


def test_direct_reading_agrees_on_20000_seeded_random_submissions():
    rng = random.Random(20261204)
    for _ in range(20_000):
        raw = random_mapping(rng, V3.fields, 0.35)
        history = tuple(
            HistoryEntry(rng.randint(0, 120), V3.answers_from_mapping(random_mapping(rng, V3.fields, 0.2)))
            for _ in range(rng.choice((0, 0, 1, 2)))
        )
        age = rng.randint(10, 120)
        level, score, flags = direct_reading(raw, age, history)
        result = V3.assess(V3.answers_from_mapping(raw), age, history)
        assert (result.level.code, result.score, set(result.flags)) == (level, score, flags), raw


# --- What stays of rule set 2 ---------------------------------------------------------------------


def test_no_submission_rule_set_2_could_express_moves_down_or_loses_a_flag():
    """RULES.md 4: every kept code widens; the one narrowing needs answers new in rule set 3."""
    rng = random.Random(20261205)
    for _ in range(20_000):
        raw = random_mapping(rng, V2.fields, 0.35)
        # Rule set 2's defaults: an absent screening date was read as within 3 years.
        raw.setdefault("last_cervical_screening", "within_3y")
        age = rng.randint(10, 120)
        before = V2.assess(V2.answers_from_mapping(raw), age)
        after = V3.assess(V3.answers_from_mapping(raw), age)
        assert after.level >= before.level, raw
        assert set(before.flags) <= set(after.flags), raw


def test_rule_set_2_gives_the_same_results_under_the_effective_answers():
    """RULES.md 12, item 15: rule set 2's gated terms are the effective answers, on 100,000 random submissions."""
    rng = random.Random(20261206)
    for _ in range(100_000):
        raw = random_mapping(rng, V2.fields, 0.4)
        answers = V2.answers_from_mapping(raw)
        age = rng.randint(10, 120)
        assert V2.evaluate(answers, age) == V2.evaluate(V2.effective_answers(answers), age), raw


def test_every_new_question_is_a_branched_detail_with_the_default_of_rules_md():
    """RULES.md 3.3: each new question is branched and has a default."""
    assert {name: V3.fields_by_name[name].default for name in NEW_FIELDS} == {
        "period_late": "no",
        "pregnancy_weeks": 0,
        "contraception": "none",
        "other_bleeding_amount": "none",
        "other_bleeding_clots": False,
        "intermenstrual_weeks": 0,
        "hrt_type": "unsure",
        "hrt_recent_change": False,
    }
    assert set(NEW_FIELDS) <= set(V3.shown_when)


# --- Advice (RULES.md section 8) ------------------------------------------------------------------


@pytest.mark.parametrize("level", [Level.URGENT, Level.PRIORITY, Level.FOLLOW_UP, Level.ROUTINE])
def test_every_advice_but_emergency_ends_with_the_safety_net(level):
    assert "chiami il 112 o il 118" in V3.advice_text(level, "it")
    assert "call 112 or 118" in V3.advice_text(level, "en")
    if level is not Level.URGENT:
        assert V3.advice_text(level, "en").endswith("do a pregnancy test straight away.")
        assert V3.advice_text(level, "it").endswith("faccia subito un test di gravidanza.")


def test_emergency_advice_leads_with_the_call_and_earlier_rule_sets_keep_theirs():
    assert "call 112 or 118 now and do not drive" in V3.advice_text(Level.EMERGENCY, "en")
    assert V2.advice_text(Level.ROUTINE, "en").endswith("Keep up with your regular cervical screening.")
    assert "(if you have none, book one)" in V3.advice_text(Level.ROUTINE, "en")
