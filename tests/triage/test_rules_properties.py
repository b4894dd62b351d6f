"""Property checks of both rule sets over every valid questionnaire (RULES.md and RULES-v1.md, sections 3-7)."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.rules import HistoryEntry, Level, v1, v2

examples = settings(max_examples=50, deadline=None)
ages = st.integers(10, 120)


def value_strategy(field):
    if field.kind == "bool":
        return st.booleans()
    if field.kind == "int":
        # The thresholds of RULES 4 (2, 3, 4, 7, 13 ...) are small: draw small numbers often.
        small = st.integers(field.min_value, min(field.max_value, 14))
        return st.one_of(small, st.integers(field.min_value, field.max_value))
    if field.kind == "choice":
        return st.sampled_from(field.choices)
    return st.sampled_from(("", "Sanguinamento abbondante, svenuta", "x" * field.max_length))


def answers_strategy(rule_set):
    """Valid answers of `rule_set`, with optional keys so that omitted fields and their defaults are covered too."""
    return st.fixed_dictionaries(
        {}, optional={field.name: value_strategy(field) for field in rule_set.fields}
    ).map(rule_set.answers_from_mapping)


# RULES 6 boundaries (0/1 and 90/91 days, 27/28 days for persistence) are drawn often.
days_ago = st.one_of(st.sampled_from((0, 1, 6, 7, 27, 28, 90, 91)), st.integers(0, 200))


def histories_strategy(answers):
    return st.lists(st.builds(HistoryEntry, days_ago=days_ago, answers=answers), max_size=3)


def earlier_answers(answers_type):
    """Earlier submissions: the recurrence answers and a few others that must never leak into the current one."""
    return st.builds(
        answers_type,
        bleeding_after_sex=st.booleans(),
        bleeding_first_noticed_weeks=st.integers(0, 520),
        bleeding_episodes_3m=st.integers(0, 99),
        soaks_pad_hourly=st.booleans(),
        pregnancy_status=st.sampled_from(("not_pregnant", "confirmed")),
        fever=st.booleans(),
    )


# --- Rule set 1 (RULES-v1.md): released, so its behaviour must never change ----------------

V1 = v1.RULE_SET
v1_answers = answers_strategy(V1)
v1_histories = histories_strategy(earlier_answers(v1.Answers))

# Every rule reads booleans and integers only through "is true" and ">=" (RULES-v1 4),
# so switching a boolean on or raising an integer can only add flags.
V1_BOOL_FIELDS = tuple(field.name for field in V1.fields if field.kind == "bool")
V1_INT_FIELDS = tuple(field for field in V1.fields if field.kind == "int")
# Choice values that, per RULES-v1 2 and 4, raise every flag any other value of
# the same field raises.
V1_RISKIER_CHOICES = {
    "pregnancy_status": ("possible", "confirmed"),
    "menopause_status": ("postmenopausal",),
    "discharge_color": ("yellow_green", "grey"),
    "bleeding_amount": ("moderate", "heavy"),
    "bleeding_trend": ("more",),
    "last_cervical_screening": ("over_5y", "never", "unsure"),
}
V1_INFO_INPUTS = ("anticoagulants", "vaginal_dryness", "new_partner_3m")
V1_INFO_CODES = frozenset(code for code, rule in V1.flag_rules_by_code.items() if rule.level is None)
V1_UNUSED_INPUTS = ("discharge_after_sex", "itching", "notes")
V1_BLEEDING_DETAIL_FIELDS = (
    "bleeding_episodes_3m",
    "bleeding_first_noticed_weeks",
    "bleeding_amount",
    "bleeding_trend",
    "clots",
)

# RULES-v1.md section 4 as released: code, level, weight, in canonical order.
V1_TABLE = (
    ("HEAVY_ACUTE", Level.EMERGENCY, 10),
    ("ESC_PREGNANCY_RED_FLAG", Level.EMERGENCY, 10),
    ("PREGNANCY_BLEEDING", Level.PRIORITY, 6),
    ("POSTMENOPAUSAL_BLEEDING", Level.PRIORITY, 6),
    ("PREGNANCY_PAIN", Level.PRIORITY, 5),
    ("FEVER_PELVIC_PAIN", Level.PRIORITY, 5),
    ("ESC_MULTIPLE_FEATURES", Level.PRIORITY, 3),
    ("ESC_RECURRENT_SCREENING", Level.PRIORITY, 3),
    ("ESC_PERSISTENT_AGE", Level.PRIORITY, 3),
    ("RECURRENT", Level.FOLLOW_UP, 2),
    ("ABUNDANT", Level.FOLLOW_UP, 2),
    ("PAINFUL", Level.FOLLOW_UP, 2),
    ("INTERMENSTRUAL_BLEEDING", Level.FOLLOW_UP, 2),
    ("INFECTION_SIGNS", Level.FOLLOW_UP, 1),
    ("PERSISTENT_DISCOMFORT", Level.FOLLOW_UP, 1),
    ("SCREENING_GAP", Level.FOLLOW_UP, 1),
    ("PRIOR_ABNORMAL_SCREENING", Level.FOLLOW_UP, 1),
    ("ANTICOAGULANTS", None, 0),
    ("DRYNESS", None, 0),
    ("STI_RISK", None, 0),
)


def v1_expected(a, age, history):
    """RULES-v1.md sections 2, 4-7 read directly, independently of the engine: (level, score, flags)."""
    pregnant = a.pregnancy_status in ("possible", "confirmed")
    any_bleeding = a.bleeding_after_sex or a.intermenstrual_bleeding
    postmenopausal = a.menopause_status == "postmenopausal" or (a.menopause_status == "unsure" and age >= 55)
    # RULES-v1 reads discharge_color whatever discharge_after_sex says.
    infection = a.burning or a.bad_odor or a.discharge_color in ("yellow_green", "grey")
    earlier = sum(1 for h in history if 1 <= h.days_ago <= 90 and h.answers.bleeding_after_sex)
    raised = {
        "HEAVY_ACUTE": a.soaks_pad_hourly or a.dizziness_fainting,
        "PREGNANCY_BLEEDING": pregnant and any_bleeding,
        "POSTMENOPAUSAL_BLEEDING": postmenopausal and any_bleeding,
        "PREGNANCY_PAIN": pregnant and a.pelvic_pain_days >= 1,
        "FEVER_PELVIC_PAIN": a.fever and (a.pelvic_pain_days >= 1 or a.pain_during_sex >= 4),
        "RECURRENT": a.bleeding_after_sex and (a.bleeding_episodes_3m >= 2 or earlier >= 1),
        "ABUNDANT": a.bleeding_after_sex
        and (a.bleeding_amount in ("moderate", "heavy") or a.clots or a.bleeding_trend == "more"),
        "PAINFUL": a.pain_during_sex >= 4 or a.pelvic_pain_days >= 3,
        "INTERMENSTRUAL_BLEEDING": a.intermenstrual_bleeding,
        "INFECTION_SIGNS": infection,
        "PERSISTENT_DISCOMFORT": a.persistent_discomfort,
        "SCREENING_GAP": a.bleeding_after_sex
        and age >= 25
        and (
            a.last_cervical_screening in ("over_5y", "never", "unsure")
            or (a.last_cervical_screening == "3_to_5y" and age <= 29)
        ),
        "PRIOR_ABNORMAL_SCREENING": a.bleeding_after_sex and a.abnormal_screening_history,
        "ANTICOAGULANTS": a.anticoagulants,
        "DRYNESS": a.vaginal_dryness,
        "STI_RISK": a.new_partner_3m and (a.bleeding_after_sex or infection),
    }
    step1 = {code for code, fired in raised.items() if fired}
    raised["ESC_PREGNANCY_RED_FLAG"] = "PREGNANCY_BLEEDING" in step1 and (
        a.pelvic_pain_days >= 1 or a.pain_during_sex >= 7 or a.dizziness_fainting
    )
    raised["ESC_MULTIPLE_FEATURES"] = len(step1 & {"RECURRENT", "ABUNDANT", "PAINFUL"}) >= 2
    raised["ESC_RECURRENT_SCREENING"] = "RECURRENT" in step1 and bool(
        step1 & {"SCREENING_GAP", "PRIOR_ABNORMAL_SCREENING"}
    )
    raised["ESC_PERSISTENT_AGE"] = "RECURRENT" in step1 and a.bleeding_first_noticed_weeks >= 4 and age >= 35
    rows = [row for row in V1_TABLE if raised[row[0]]]
    level = max((lvl for _, lvl, _ in rows if lvl is not None), default=Level.ROUTINE)
    return level, sum(weight for _, _, weight in rows), tuple(code for code, _, _ in rows)


@settings(max_examples=75, deadline=None)
@given(v1_answers, ages, v1_histories)
def test_rule_set_1_assessment_is_unchanged(answers, age, history):
    """Adding rule set 2 changes nothing in rule set 1: it still computes RULES-v1.md as released."""
    result = V1.assess(answers, age, history)
    assert (result.level, result.score, result.flags) == v1_expected(answers, age, history)
    counting = [h for h in history if 1 <= h.days_ago <= 90 and h.answers.bleeding_after_sex]
    assert V1.terms(answers, age, history).earlier_bleeding_reports == len(counting)
    assert result.rules_version == 1
    assert result.level is not Level.URGENT
    assert set(result.flags) <= {code for code, _, _ in V1_TABLE}


def test_rule_set_1_flag_table_is_unchanged():
    assert tuple((r.code, r.level, r.weight) for r in V1.flag_rules) == V1_TABLE
    assert V1.version == 1
    assert Level.URGENT not in V1.levels


@examples
@given(v1_answers, ages, v1_histories)
def test_rule_set_1_level_and_score_follow_from_the_raised_flags(answers, age, history):
    """RULES-v1 7: level is the highest non-info flag level, score the sum of weights."""
    result = V1.assess(answers, age, history)
    rules = [V1.flag_rules_by_code[code] for code in result.flags]
    assert result.score == sum(rule.weight for rule in rules)
    assert result.level is max(
        (rule.level for rule in rules if rule.level is not None), default=Level.ROUTINE
    )
    assert list(result.flags) == sorted(set(result.flags), key=V1.flag_codes.index)


@examples
@given(v1_answers, ages, v1_histories, st.sampled_from(V1_BOOL_FIELDS))
def test_rule_set_1_answering_yes_never_lowers_the_level(answers, age, history, name):
    before = V1.assess(answers, age, history)
    after = V1.assess(dataclasses.replace(answers, **{name: True}), age, history)
    assert after.level >= before.level
    assert set(after.flags) >= set(before.flags)
    assert after.score >= before.score


@examples
@given(v1_answers, ages, v1_histories, st.sampled_from(V1_INT_FIELDS), st.data())
def test_rule_set_1_raising_a_number_never_lowers_the_level(answers, age, history, field, data):
    current = getattr(answers, field.name)
    raised = data.draw(st.integers(current, field.max_value), label=field.name)
    before = V1.assess(answers, age, history)
    after = V1.assess(dataclasses.replace(answers, **{field.name: raised}), age, history)
    assert after.level >= before.level
    assert set(after.flags) >= set(before.flags)


@examples
@given(v1_answers, ages, v1_histories, st.sampled_from(sorted(V1_RISKIER_CHOICES)), st.data())
def test_rule_set_1_moving_to_a_riskier_choice_never_lowers_the_level(answers, age, history, name, data):
    value = data.draw(st.sampled_from(V1_RISKIER_CHOICES[name]), label=name)
    before = V1.assess(answers, age, history)
    after = V1.assess(dataclasses.replace(answers, **{name: value}), age, history)
    assert after.level >= before.level
    assert set(after.flags) >= set(before.flags)


@examples
@given(v1_answers, ages, v1_histories, st.integers(0, 200))
def test_rule_set_1_adding_history_never_lowers_the_level(answers, age, history, days_ago):
    extra = HistoryEntry(days_ago, v1.Answers(bleeding_after_sex=True))
    before = V1.assess(answers, age, history)
    after = V1.assess(answers, age, [*history, extra])
    assert after.level >= before.level


@examples
@given(v1_answers, ages, v1_histories)
def test_rule_set_1_info_inputs_never_change_the_level(answers, age, history):
    """RULES-v1 4 #18-20 are informational: without them only info flags disappear."""
    with_info = V1.assess(answers, age, history)
    without_info = V1.assess(
        dataclasses.replace(answers, **dict.fromkeys(V1_INFO_INPUTS, False)), age, history
    )
    assert with_info.level is without_info.level
    assert with_info.score == without_info.score
    assert set(with_info.flags) - V1_INFO_CODES == set(without_info.flags)


@examples
@given(v1_answers, ages, v1_histories, v1_answers)
def test_rule_set_1_unused_inputs_never_change_the_result(answers, age, history, other):
    """RULES-v1 3.2: discharge_after_sex, itching and notes are stored, never read."""
    swapped = dataclasses.replace(answers, **{name: getattr(other, name) for name in V1_UNUSED_INPUTS})
    assert V1.assess(swapped, age, history) == V1.assess(answers, age, history)


@examples
@given(v1_answers, ages, v1_histories, v1_answers)
def test_rule_set_1_bleeding_details_are_ignored_without_bleeding_after_sex(answers, age, history, other):
    """RULES-v1 3.2 Ignored details."""
    answers = dataclasses.replace(answers, bleeding_after_sex=False)
    swapped = dataclasses.replace(
        answers, **{name: getattr(other, name) for name in V1_BLEEDING_DETAIL_FIELDS}
    )
    assert V1.assess(swapped, age, history) == V1.assess(answers, age, history)


@examples
@given(v1_answers, ages, v1_histories)
def test_rule_set_1_history_matters_only_with_bleeding_after_sex_now(answers, age, history):
    """RULES-v1 6: history feeds RECURRENT only, which needs bleeding now."""
    answers = dataclasses.replace(answers, bleeding_after_sex=False)
    assert V1.assess(answers, age, history) == V1.assess(answers, age)


@examples
@given(v1_answers)
def test_rule_set_1_answers_round_trip_through_validation(answers):
    assert V1.answers_from_mapping(dataclasses.asdict(answers)) == answers
    assert set(dataclasses.asdict(answers)) == set(V1.fields_by_name)


# --- Rule set 2 (RULES.md) ----------------------------------------------------------------

V2 = v2.RULE_SET
v2_answers = answers_strategy(V2)
# An earlier submission may have been stored under rule set 1 (RULES 6).
v2_histories = histories_strategy(st.one_of(earlier_answers(v2.Answers), earlier_answers(v1.Answers)))

# RULES 3.2 Branching: the revealing question, the answers that hide the details, the details.
BRANCHINGS = [
    pytest.param(
        "bleeding_after_sex",
        (False,),
        (
            "bleeding_episodes_3m",
            "bleeding_first_noticed_weeks",
            "bleeding_amount",
            "bleeding_trend",
            "clots",
        ),
        id="bleeding-details",
    ),
    pytest.param("discharge_after_sex", (False,), ("discharge_color",), id="discharge-colour"),
    pytest.param("pelvic_pain_days", (0,), ("pelvic_pain_severity",), id="pelvic-pain-severity"),
    pytest.param("pregnancy_status", ("not_pregnant",), ("shoulder_tip_pain",), id="shoulder-tip-pain"),
]


@examples
@given(v2_answers, ages, v2_histories)
def test_assess_always_returns_a_well_formed_result(answers, age, history):
    result = V2.assess(answers, age, history)
    assert isinstance(result.level, Level)
    assert result.rules_version == 2
    assert set(result.flags) <= set(V2.flag_codes)
    assert list(result.flags) == sorted(set(result.flags), key=V2.flag_codes.index)


@examples
@given(v2_answers, ages, v2_histories)
def test_level_is_the_highest_level_of_the_raised_non_info_flags(answers, age, history):
    """RULES 7: informational flags have no level; with none other raised the level is routine."""
    result = V2.assess(answers, age, history)
    levels = [V2.flag_rules_by_code[code].level for code in result.flags]
    assert result.level is max((level for level in levels if level is not None), default=Level.ROUTINE)


@examples
@given(v2_answers, ages, v2_histories)
def test_score_is_the_sum_of_the_raised_flags_weights(answers, age, history):
    """RULES 7: informational flags add 0."""
    result = V2.assess(answers, age, history)
    assert result.score == sum(V2.flag_rules_by_code[code].weight for code in result.flags)
    assert result.score >= 0


@pytest.mark.parametrize(("question", "hiding", "details"), BRANCHINGS)
@examples
@given(answers=v2_answers, age=ages, history=v2_histories, data=st.data())
def test_hidden_answer_never_changes_the_result(question, hiding, details, answers, age, history, data):
    """RULES 2 and 3.2: a rule never reads the answer to a hidden question."""
    answers = dataclasses.replace(answers, **{question: data.draw(st.sampled_from(hiding), label=question)})
    other = data.draw(
        st.fixed_dictionaries({name: value_strategy(V2.fields_by_name[name]) for name in details}),
        label="hidden details",
    )
    assert question not in V2.shown_when
    assert not set(details) & V2.visible_fields(dataclasses.asdict(answers))
    assert V2.assess(dataclasses.replace(answers, **other), age, history) == V2.assess(answers, age, history)


@examples
@given(v2_answers, ages, v2_histories, st.booleans(), value_strategy(V2.fields_by_name["notes"]))
def test_unused_inputs_never_change_the_result(answers, age, history, itching, notes):
    """RULES 3.2: itching and notes are stored and shown, never read."""
    swapped = dataclasses.replace(answers, itching=itching, notes=notes)
    assert V2.assess(swapped, age, history) == V2.assess(answers, age, history)


@examples
@given(v2_answers, ages, v2_histories)
def test_history_matters_only_with_bleeding_after_sex_now(answers, age, history):
    """RULES 6: the history feeds RECURRENT and ESC_PERSISTENT_AGE only, which need bleeding now."""
    answers = dataclasses.replace(answers, bleeding_after_sex=False)
    assert V2.assess(answers, age, history) == V2.assess(answers, age)


@examples
@given(v2_answers, ages, v2_histories)
def test_history_is_read_only_through_the_counting_reports(answers, age, history):
    """RULES 6: entries that do not count (same day, over 90 days, no bleeding after sex) change nothing."""
    counting = [h for h in history if 1 <= h.days_ago <= 90 and h.answers.bleeding_after_sex]
    assert V2.assess(answers, age, history) == V2.assess(answers, age, counting)


@examples
@given(v2_answers, ages, v2_histories)
def test_history_terms_follow_rules_section_6(answers, age, history):
    """earlier_bleeding_reports counts entries 1..90 days back with bleeding after sex; persistence_weeks
    is the largest of the answer and floor(days_ago / 7) over them, and 0 without bleeding now."""
    answers = dataclasses.replace(answers, bleeding_after_sex=True)
    counting = [h for h in history if 1 <= h.days_ago <= 90 and h.answers.bleeding_after_sex]
    terms = V2.terms(answers, age, history)
    assert terms.earlier_bleeding_reports == len(counting)
    assert terms.persistence_weeks == max(
        [answers.bleeding_first_noticed_weeks] + [h.days_ago // 7 for h in counting]
    )
    no_bleeding = V2.terms(dataclasses.replace(answers, bleeding_after_sex=False), age, history)
    assert no_bleeding.persistence_weeks == 0


@examples
@given(v2_answers, ages, v2_histories)
def test_info_flags_never_change_the_level(answers, age, history):
    """RULES 4 #30-35: vaginal_dryness feeds only DRYNESS, so without it only that flag disappears."""
    with_info = V2.assess(dataclasses.replace(answers, vaginal_dryness=True), age, history)
    without_info = V2.assess(dataclasses.replace(answers, vaginal_dryness=False), age, history)
    assert with_info.level is without_info.level
    assert with_info.score == without_info.score
    assert set(with_info.flags) - {"DRYNESS"} == set(without_info.flags)


def v2_expected_flags(a, age, history):
    """RULES.md sections 2, 4 and 5 read directly, independently of the engine."""
    pregnant = a.pregnancy_status in ("possible", "confirmed")
    abnormal_discharge = a.discharge_after_sex and a.discharge_color in ("yellow_green", "grey")
    blood_stained = a.discharge_after_sex and a.discharge_color in ("pink", "red", "brown")
    any_bleeding = a.bleeding_after_sex or a.intermenstrual_bleeding or blood_stained
    postmenopausal = a.menopause_status == "postmenopausal" or (a.menopause_status == "unsure" and age >= 55)
    infection = a.burning or a.bad_odor or abnormal_discharge
    pelvic_pain = a.pelvic_pain_days >= 1
    severe_pelvic_pain = pelvic_pain and a.pelvic_pain_severity >= 7
    counting = [h for h in history if 1 <= h.days_ago <= 90 and h.answers.bleeding_after_sex]
    persistence = (
        max([a.bleeding_first_noticed_weeks] + [h.days_ago // 7 for h in counting])
        if a.bleeding_after_sex
        else 0
    )
    heavy_after_sex = a.bleeding_after_sex and (a.bleeding_amount == "heavy" or a.clots)
    step1 = {
        "HEAVY_ACUTE": a.soaks_pad_hourly
        or (
            a.dizziness_fainting
            and (
                any_bleeding
                or pregnant
                or pelvic_pain
                or a.pain_during_sex >= 7
                or a.fever
                or a.anticoagulants
            )
        ),
        "PREGNANCY_SHOULDER_PAIN": pregnant and a.shoulder_tip_pain,
        "PREGNANCY_BLEEDING": pregnant and any_bleeding,
        "PREGNANCY_PAIN": pregnant and pelvic_pain,
        "FEVER_PELVIC_PAIN": a.fever and (pelvic_pain or a.pain_during_sex >= 4),
        "SEVERE_PELVIC_PAIN": severe_pelvic_pain,
        "FAINTNESS": a.dizziness_fainting,
        "RECENT_PROCEDURE_INFECTION": a.recent_procedure_6w
        and (a.fever or a.bad_odor or abnormal_discharge or pelvic_pain),
        "POSTMENOPAUSAL_BLEEDING": postmenopausal and any_bleeding,
        "TAMOXIFEN_BLEEDING": a.tamoxifen and any_bleeding,
        "MENOPAUSE_UNCERTAIN_BLEEDING": a.menopause_status == "unsure" and 45 <= age <= 54 and any_bleeding,
        "HEAVY_EPISODE": heavy_after_sex,
        "PELVIC_PAIN_INFECTION": pelvic_pain and (infection or a.new_partner_3m),
        "RECURRENT": a.bleeding_after_sex
        and (
            a.bleeding_episodes_3m >= 2
            or len(counting) >= 1
            or a.bleeding_trend in ("less", "same", "more")
            or (a.bleeding_first_noticed_weeks >= 13 and a.bleeding_episodes_3m >= 1)
        ),
        "ABUNDANT": a.bleeding_after_sex
        and (a.bleeding_amount in ("moderate", "heavy") or a.clots or a.bleeding_trend == "more"),
        "PAINFUL": a.pain_during_sex >= 4 or a.pelvic_pain_days >= 3,
        "INTERMENSTRUAL_BLEEDING": a.intermenstrual_bleeding,
        "HRT_BLEEDING": a.hrt and any_bleeding,
        "POSTMENOPAUSAL_DISCHARGE": postmenopausal and age >= 55 and (a.bad_odor or abnormal_discharge),
        "INFECTION_SIGNS": infection,
        "PERSISTENT_DISCOMFORT": a.persistent_discomfort,
        "SCREENING_GAP": a.bleeding_after_sex
        and age >= 25
        and (
            a.last_cervical_screening in ("over_5y", "never", "unsure")
            or (a.last_cervical_screening == "3_to_5y" and age <= 29)
        ),
        "PRIOR_ABNORMAL_SCREENING": a.bleeding_after_sex and a.abnormal_screening_history,
        "ANTICOAGULANTS": a.anticoagulants,
        "DRYNESS": a.vaginal_dryness,
        "STI_RISK": a.new_partner_3m and (a.bleeding_after_sex or infection),
        "IMMUNOSUPPRESSED": a.immunosuppressed,
        "EPISODE_COUNT_CHECK": a.bleeding_after_sex and a.bleeding_episodes_3m == 0,
        "UNDER_16": age <= 15,
    }
    raised = {code for code, fired in step1.items() if fired}
    escalations = {
        "ESC_PREGNANCY_RED_FLAG": (
            "PREGNANCY_BLEEDING" in raised
            and (pelvic_pain or a.pain_during_sex >= 7 or a.dizziness_fainting or heavy_after_sex)
        )
        or ("PREGNANCY_PAIN" in raised and severe_pelvic_pain),
        "ESC_FEVER_PREGNANCY": "FEVER_PELVIC_PAIN" in raised and pregnant,
        "ESC_MULTIPLE_FEATURES": len(raised & {"RECURRENT", "ABUNDANT", "PAINFUL"}) >= 2,
        "ESC_RECURRENT_SCREENING": "RECURRENT" in raised
        and ("SCREENING_GAP" in raised or "PRIOR_ABNORMAL_SCREENING" in raised or a.immunosuppressed),
        "ESC_PERSISTENT_AGE": "RECURRENT" in raised and persistence >= 4 and age >= 35,
        "ESC_ANTICOAG_BLEEDING": "ANTICOAGULANTS" in raised and "ABUNDANT" in raised,
    }
    return raised | {code for code, fired in escalations.items() if fired}


@settings(max_examples=75, deadline=None)
@given(v2_answers, ages, v2_histories)
def test_flags_follow_a_direct_reading_of_rules_section_4(answers, age, history):
    assert set(V2.assess(answers, age, history).flags) == v2_expected_flags(answers, age, history)


@examples
@given(v2_answers)
def test_answers_round_trip_through_validation(answers):
    assert V2.answers_from_mapping(dataclasses.asdict(answers)) == answers
    assert set(dataclasses.asdict(answers)) == set(V2.fields_by_name)


@examples
@given(v1_answers, ages)
def test_rule_set_1_submission_reads_with_rule_set_2_defaults(answers, age):
    """RULES 3.1: a submission stored under rule set 1 lacks the new fields, which take their defaults."""
    as_v2 = V2.answers_from_mapping(dataclasses.asdict(answers))
    for name in set(V2.fields_by_name) - set(V1.fields_by_name):
        assert getattr(as_v2, name) == V2.fields_by_name[name].default
    assert V2.assess(as_v2, age).rules_version == 2


# --- Level order (RULES 2): urgent sits between priority and emergency ------------------------


@examples
@given(st.lists(st.sampled_from(list(Level)), max_size=20))
def test_urgent_sorts_between_priority_and_emergency(levels):
    ordered = sorted([*levels, Level.URGENT])
    first = ordered.index(Level.URGENT)
    last = len(ordered) - 1 - ordered[::-1].index(Level.URGENT)
    assert all(level <= Level.PRIORITY for level in ordered[:first])
    assert all(level is Level.EMERGENCY for level in ordered[last + 1 :])
    assert max([*levels, Level.PRIORITY, Level.URGENT]) in (Level.URGENT, Level.EMERGENCY)
    assert Level.ROUTINE < Level.FOLLOW_UP < Level.PRIORITY < Level.URGENT < Level.EMERGENCY


@examples
@given(st.lists(st.sampled_from(list(Level)), max_size=20))
def test_case_level_sorts_urgent_between_priority_and_emergency(levels):
    """The stored level sorts like the engine's, so the dashboard's "-level" order holds (RULES 7)."""
    from triage.models import CaseLevel

    for level in Level:
        assert CaseLevel(int(level)).name == level.name
    assert CaseLevel.PRIORITY < CaseLevel.URGENT < CaseLevel.EMERGENCY < CaseLevel.REVIEW
    stored = sorted(CaseLevel(int(level)) for level in levels)
    assert [int(level) for level in stored] == [int(level) for level in sorted(levels)]
    dashboard = sorted([*stored, CaseLevel.URGENT], reverse=True)
    position = dashboard.index(CaseLevel.URGENT)
    assert all(level == CaseLevel.EMERGENCY for level in dashboard[:position])
    assert all(level <= CaseLevel.URGENT for level in dashboard[position:])
