"""Property checks of the rule engine over every valid questionnaire (RULES 3-7)."""

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.rules import (
    BLEEDING_DETAIL_FIELDS,
    FIELDS,
    FIELDS_BY_NAME,
    FLAG_CODES,
    FLAG_RULES_BY_CODE,
    Answers,
    HistoryEntry,
    Level,
    answers_from_mapping,
    assess,
)

# Every rule reads booleans and integers only through "is true" and ">=" (RULES 4),
# so switching a boolean on or raising an integer can only add flags.
BOOL_FIELDS = tuple(field.name for field in FIELDS if field.kind == "bool")
INT_FIELDS = tuple(field for field in FIELDS if field.kind == "int")
# Choice values that, per RULES 2 and 4, raise every flag any other value of
# the same field raises.
RISKIER_CHOICES = {
    "pregnancy_status": ("possible", "confirmed"),
    "menopause_status": ("postmenopausal",),
    "discharge_color": ("yellow_green", "grey"),
    "bleeding_amount": ("moderate", "heavy"),
    "bleeding_trend": ("more",),
    "last_cervical_screening": ("over_5y", "never", "unsure"),
}
INFO_INPUTS = ("anticoagulants", "vaginal_dryness", "new_partner_3m")
INFO_CODES = frozenset(code for code, rule in FLAG_RULES_BY_CODE.items() if rule.level is None)
UNUSED_INPUTS = ("discharge_after_sex", "itching", "notes")


def value_strategy(field):
    if field.kind == "bool":
        return st.booleans()
    if field.kind == "int":
        return st.integers(field.min_value, field.max_value)
    if field.kind == "choice":
        return st.sampled_from(field.choices)
    return st.text(max_size=40)


# Optional keys so that omitted fields and their defaults are covered too.
answers_strategy = st.fixed_dictionaries(
    {}, optional={field.name: value_strategy(field) for field in FIELDS}
).map(answers_from_mapping)
ages = st.integers(10, 120)
histories = st.lists(
    st.builds(HistoryEntry, days_ago=st.integers(0, 200), answers=answers_strategy),
    max_size=3,
)

examples = settings(max_examples=100, deadline=None)


def raised_set(answers, age, history):
    return set(assess(answers, age, history).flags)


@examples
@given(answers_strategy, ages, histories)
def test_assess_always_returns_a_well_formed_result(answers, age, history):
    result = assess(answers, age, history)
    assert isinstance(result.level, Level)
    assert result.rules_version == 1
    assert set(result.flags) <= set(FLAG_CODES)
    assert list(result.flags) == sorted(set(result.flags), key=FLAG_CODES.index)


@examples
@given(answers_strategy, ages, histories)
def test_level_and_score_follow_from_the_raised_flags(answers, age, history):
    """RULES 7: level is the highest non-info flag level, score the sum of weights."""
    result = assess(answers, age, history)
    rules = [FLAG_RULES_BY_CODE[code] for code in result.flags]
    assert result.score == sum(rule.weight for rule in rules)
    assert result.level is max(
        (rule.level for rule in rules if rule.level is not None), default=Level.ROUTINE
    )


@examples
@given(answers_strategy, ages, histories, st.sampled_from(BOOL_FIELDS))
def test_answering_yes_never_lowers_the_level(answers, age, history, name):
    before = assess(answers, age, history)
    after = assess(dataclasses.replace(answers, **{name: True}), age, history)
    assert after.level >= before.level
    assert set(after.flags) >= set(before.flags)
    assert after.score >= before.score


@examples
@given(answers_strategy, ages, histories, st.sampled_from(INT_FIELDS), st.data())
def test_raising_a_number_never_lowers_the_level(answers, age, history, field, data):
    current = getattr(answers, field.name)
    raised = data.draw(st.integers(current, field.max_value), label=field.name)
    before = assess(answers, age, history)
    after = assess(dataclasses.replace(answers, **{field.name: raised}), age, history)
    assert after.level >= before.level
    assert set(after.flags) >= set(before.flags)


@examples
@given(answers_strategy, ages, histories, st.sampled_from(sorted(RISKIER_CHOICES)), st.data())
def test_moving_to_a_riskier_choice_never_lowers_the_level(answers, age, history, name, data):
    value = data.draw(st.sampled_from(RISKIER_CHOICES[name]), label=name)
    before = assess(answers, age, history)
    after = assess(dataclasses.replace(answers, **{name: value}), age, history)
    assert after.level >= before.level
    assert set(after.flags) >= set(before.flags)


@examples
@given(answers_strategy, ages, histories, st.integers(0, 200))
def test_adding_history_never_lowers_the_level(answers, age, history, days_ago):
    extra = HistoryEntry(days_ago, Answers(bleeding_after_sex=True))
    before = assess(answers, age, history)
    after = assess(answers, age, [*history, extra])
    assert after.level >= before.level


@examples
@given(answers_strategy, ages, histories)
def test_info_inputs_never_change_the_level(answers, age, history):
    """RULES 4 #18-20 are informational: without them only info flags disappear."""
    with_info = assess(answers, age, history)
    without_info = assess(dataclasses.replace(answers, **dict.fromkeys(INFO_INPUTS, False)), age, history)
    assert with_info.level is without_info.level
    assert with_info.score == without_info.score
    assert set(with_info.flags) - INFO_CODES == set(without_info.flags)


@examples
@given(answers_strategy, ages, histories, answers_strategy)
def test_unused_inputs_never_change_the_result(answers, age, history, other):
    """RULES 3.2: discharge_after_sex, itching and notes are stored, never read."""
    swapped = dataclasses.replace(answers, **{name: getattr(other, name) for name in UNUSED_INPUTS})
    assert assess(swapped, age, history) == assess(answers, age, history)


@examples
@given(answers_strategy, ages, histories, answers_strategy)
def test_bleeding_details_are_ignored_without_bleeding_after_sex(answers, age, history, other):
    """RULES 3.2 Ignored details."""
    answers = dataclasses.replace(answers, bleeding_after_sex=False)
    swapped = dataclasses.replace(answers, **{name: getattr(other, name) for name in BLEEDING_DETAIL_FIELDS})
    assert assess(swapped, age, history) == assess(answers, age, history)


@examples
@given(answers_strategy, ages, histories)
def test_history_matters_only_with_bleeding_after_sex_now(answers, age, history):
    """RULES 6: history feeds RECURRENT only, which needs bleeding now."""
    answers = dataclasses.replace(answers, bleeding_after_sex=False)
    assert assess(answers, age, history) == assess(answers, age)


@examples
@given(answers_strategy, ages)
def test_answers_round_trip_through_validation(answers, age):
    assert answers_from_mapping(dataclasses.asdict(answers)) == answers
    assert set(dataclasses.asdict(answers)) == set(FIELDS_BY_NAME)
