"""Acceptance vignettes (RULES.md 9): the three published files, validation per case and `triage_check`."""

import copy
import json
import subprocess
import sys
from io import StringIO
from operator import attrgetter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.triage.test_rules_properties import value_strategy
from triage.rules import LEVEL_CODES, RULE_SETS
from triage.rules.vignettes import (
    InvalidVignette,
    VignetteError,
    _fast_specs,
    _parse_case,
    _valid_case,
    check_vignette,
    load_vignettes,
    parse_vignettes,
)

V1, V2, V3 = RULE_SETS[1], RULE_SETS[2], RULE_SETS[3]
# The current rule set's file, and the earlier ones (RULES.md 9: copies of the published files).
PUBLISHED = Path(__file__).with_name("vignettes.json")
PUBLISHED_V2 = Path(__file__).with_name("vignettes-v2.json")
PUBLISHED_V1 = Path(__file__).with_name("vignettes-v1.json")
REPO_ROOT = Path(__file__).resolve().parents[2]
PUBLISHED_CASES = load_vignettes(PUBLISHED)
PUBLISHED_V2_CASES = load_vignettes(PUBLISHED_V2, V2)
PUBLISHED_V1_CASES = load_vignettes(PUBLISHED_V1, V1)
VALID_CASE = {
    "id": "case-a",
    "description": "Single streaky bleed.",
    "patient": {"age": 30},
    "answers": {
        "bleeding_after_sex": True,
        "bleeding_episodes_3m": 1,
        "bleeding_amount": "streaks",
        "last_cervical_screening": "within_3y",
    },
    "history": [{"days_ago": 30, "answers": {}}],
    "expect": {"level": "routine", "flags_include": [], "flags_exclude": ["RECURRENT"], "score": 0},
}


def write_json(tmp_path, data) -> Path:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def published_data():
    return json.loads(PUBLISHED.read_text(encoding="utf-8"))


# --- The published file --------------------------------------------------------------


def test_published_files_have_valid_cases_with_unique_ids():
    for cases, count in ((PUBLISHED_CASES, 78), (PUBLISHED_V2_CASES, 46), (PUBLISHED_V1_CASES, 24)):
        assert len(cases) == count
        assert not [case for case in cases if isinstance(case, InvalidVignette)]
        assert len({vignette.id for vignette in cases}) == count


PUBLISHED_PAIRS = [
    *(pytest.param(V3, vignette, id=f"v3-{vignette.id}") for vignette in PUBLISHED_CASES),
    *(pytest.param(V2, vignette, id=f"v2-{vignette.id}") for vignette in PUBLISHED_V2_CASES),
] + [pytest.param(V1, vignette, id=f"v1-{vignette.id}") for vignette in PUBLISHED_V1_CASES]


@pytest.mark.parametrize(("rule_set", "vignette"), PUBLISHED_PAIRS)
def test_published_vignette_passes_with_its_rule_set(rule_set, vignette):
    outcome = check_vignette(vignette, rule_set)
    assert outcome.problems == []
    assert outcome.passed
    assert outcome.id == vignette.id


@pytest.mark.parametrize(("rule_set", "vignette"), PUBLISHED_PAIRS)
def test_published_vignette_lists_every_raised_flag_and_its_score(rule_set, vignette):
    """RULES.md 9: published flags_include is the complete set of expected flags."""
    result = rule_set.assess(vignette.answers, vignette.age, vignette.history)
    assert set(result.flags) == set(vignette.flags_include)
    assert result.score == vignette.score


def test_the_rule_set_2_file_fails_with_rule_set_1_where_the_rules_differ():
    cases = load_vignettes(PUBLISHED_V2, V1)
    outcomes = {vignette.id: check_vignette(vignette, V1) for vignette in cases}
    # The physiological streak is routine under both; a possible pregnancy with spotting is
    # urgent only since rule set 2.
    assert outcomes["pub-01-physiological-streak"].passed
    assert not outcomes["pub-05-pregnancy-spotting"].passed
    assert "urgent" in " ".join(outcomes["pub-05-pregnancy-spotting"].problems)
    assert 0 < sum(not outcome.passed for outcome in outcomes.values()) < len(outcomes)


# --- Loading and validation -------------------------------------------------------------


def test_valid_case_loads_with_its_history():
    (vignette,) = parse_vignettes([VALID_CASE])
    assert not isinstance(vignette, InvalidVignette)
    assert vignette.id == "case-a"
    assert vignette.age == 30
    assert vignette.history[0].days_ago == 30
    assert vignette.answers.bleeding_amount == "streaks"


def test_missing_history_reads_as_empty(tmp_path):
    case = {key: value for key, value in VALID_CASE.items() if key != "history"}
    (vignette,) = load_vignettes(write_json(tmp_path, [case]))
    assert vignette.history == ()


def test_score_is_optional():
    case = copy.deepcopy(VALID_CASE)
    del case["expect"]["score"]
    (vignette,) = parse_vignettes([case])
    assert vignette.score is None
    assert check_vignette(vignette).passed


def mutated(change):
    case = copy.deepcopy(VALID_CASE)
    change(case)
    return [case]


INVALID_CASES = [
    pytest.param(
        mutated(lambda c: c.update(extra=1)),
        ["case at index 0 (id 'case-a')", "unknown key 'extra'"],
        id="extra-key-in-case",
    ),
    pytest.param(
        mutated(lambda c: c["patient"].update(sex="f")),
        ["case at index 0 (id 'case-a')", "patient has the unknown key 'sex'"],
        id="extra-key-in-patient",
    ),
    pytest.param(
        mutated(lambda c: c["history"][0].update(date="2024-01-01")),
        ["history[0] has the unknown key 'date'"],
        id="extra-key-in-history",
    ),
    pytest.param(
        mutated(lambda c: c["expect"].update(advice="x")),
        ["expect has the unknown key 'advice'"],
        id="extra-key-in-expect",
    ),
    pytest.param(
        mutated(lambda c: c.pop("expect")),
        ["case at index 0 (id 'case-a')", "missing the required key 'expect'"],
        id="missing-expect",
    ),
    pytest.param(
        mutated(lambda c: c["expect"].pop("flags_exclude")),
        ["expect is missing the required key 'flags_exclude'"],
        id="missing-flags-exclude",
    ),
    pytest.param(
        mutated(lambda c: c["history"][0].pop("days_ago")),
        ["history[0] is missing the required key 'days_ago'"],
        id="missing-days-ago",
    ),
    pytest.param(
        mutated(lambda c: c.pop("id")),
        ["case at index 0:", "missing the required key 'id'"],
        id="missing-id",
    ),
    pytest.param(
        mutated(lambda c: c["expect"]["flags_include"].append("NOPE")),
        ["expect.flags_include has the unknown flag code 'NOPE'"],
        id="unknown-flag",
    ),
    pytest.param(
        mutated(lambda c: c["expect"].update(level="severe")),
        ["expect.level must be one of emergency, urgent, priority, follow_up, routine, not 'severe'"],
        id="unknown-level",
    ),
    pytest.param(
        mutated(lambda c: c["answers"].update(pain_during_sex=11)),
        ["case at index 0 (id 'case-a')", "answers.pain_during_sex: Must be between 0 and 10."],
        id="answer-out-of-range",
    ),
    pytest.param(
        mutated(lambda c: c["answers"].update(bleeding_amount="lots")),
        ["answers.bleeding_amount: Must be one of: none, streaks"],
        id="answer-bad-choice",
    ),
    pytest.param(
        mutated(lambda c: c["answers"].update(blood=True)),
        ["answers.blood: Unknown field."],
        id="answer-unknown-field",
    ),
    pytest.param(
        mutated(lambda c: c["history"][0]["answers"].update(fever="yes")),
        ["history[0].answers.fever: Must be true or false."],
        id="history-answer-bad-type",
    ),
    pytest.param(
        mutated(lambda c: c["history"][0].update(days_ago=-1)),
        ["history[0].days_ago must be a whole number, 0 or more, not -1"],
        id="negative-days-ago",
    ),
    pytest.param(
        mutated(lambda c: c["patient"].update(age=9)),
        ["patient.age must be a whole number from 10 to 120, not 9"],
        id="age-out-of-range",
    ),
    pytest.param(
        mutated(lambda c: c["patient"].update(age=30.5)),
        ["patient.age must be a whole number"],
        id="age-not-int",
    ),
    pytest.param(
        mutated(lambda c: c["expect"].update(score="0")),
        ["expect.score must be a whole number, 0 or more, not '0'"],
        id="score-not-int",
    ),
    pytest.param(
        [VALID_CASE, VALID_CASE],
        ["duplicate id, already used by the case at index 0"],
        id="duplicate-id",
    ),
    pytest.param(
        [VALID_CASE, "case-b"],
        ["the case must be a JSON object, not a string"],
        id="case-not-object",
    ),
]


@pytest.mark.parametrize(("data", "fragments"), INVALID_CASES)
def test_an_invalid_case_fails_with_a_clear_reason(tmp_path, data, fragments):
    """RULES.md 9: a case whose input is invalid fails; the others still run."""
    outcomes = [check_vignette(case) for case in load_vignettes(write_json(tmp_path, data))]
    failed = [outcome for outcome in outcomes if not outcome.passed]
    assert len(failed) == 1
    message = "; ".join(failed[0].problems)
    assert message.startswith("invalid case: ")
    for fragment in fragments:
        if not fragment.startswith("case at index"):
            assert fragment in message
    assert len(outcomes) - len(failed) == len(data) - 1


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        pytest.param(
            {"cases": [VALID_CASE]}, "must contain a JSON list of cases, not an object", id="not-a-list"
        ),
        pytest.param([], "contains no cases", id="empty-list"),
    ],
)
def test_a_file_that_is_not_a_list_of_cases_is_refused(tmp_path, data, fragment):
    path = write_json(tmp_path, data)
    with pytest.raises(VignetteError) as excinfo:
        load_vignettes(path)
    assert str(path) in str(excinfo.value)
    assert fragment in str(excinfo.value)


def test_every_problem_of_every_invalid_case_is_reported():
    bad_age = mutated(lambda c: c["patient"].update(age=200, sex="f"))[0]
    bad_flag = mutated(lambda c: c.update(id="case-b", expect={**c["expect"], "flags_exclude": ["X"]}))[0]
    first, second = (check_vignette(case) for case in parse_vignettes([bad_age, bad_flag]))
    assert first.id == "case-a"
    assert len(first.problems) == 2
    assert "patient.age must be a whole number from 10 to 120, not 200" in " ".join(first.problems)
    assert second.problems == ["invalid case: expect.flags_exclude has the unknown flag code 'X'"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param(b'[{"id": "a",]', "is not valid JSON: Expecting property name", id="bad-json"),
        pytest.param(b"", "is not valid JSON", id="empty-file"),
        pytest.param(
            b'[{"id": "a", "id": "b"}]', "has a JSON object with the key 'id' twice", id="duplicate-key"
        ),
        pytest.param(b'["\xff"]', "is not valid UTF-8", id="not-utf-8"),
    ],
)
def test_unreadable_content_is_rejected(tmp_path, content, fragment):
    path = tmp_path / "cases.json"
    path.write_bytes(content)
    with pytest.raises(VignetteError, match=fragment):
        load_vignettes(path)


def test_missing_file_is_rejected(tmp_path):
    with pytest.raises(VignetteError, match="Cannot read vignette file .*missing.json"):
        load_vignettes(tmp_path / "missing.json")


# --- Checking ----------------------------------------------------------------------------


def test_failed_check_says_what_was_expected_and_what_came_out():
    case = copy.deepcopy(VALID_CASE)
    case["answers"]["bleeding_amount"] = "heavy"
    case["expect"] = {
        "level": "emergency",
        "flags_include": ["RECURRENT"],
        "flags_exclude": ["ABUNDANT"],
        "score": 5,
    }
    (vignette,) = parse_vignettes([case])
    outcome = check_vignette(vignette)
    assert not outcome.passed
    assert outcome.id == "case-a"
    assert outcome.problems == [
        "expected level emergency, got priority (flags: HEAVY_EPISODE, ABUNDANT)",
        "expected flags not raised: RECURRENT (raised: HEAVY_EPISODE, ABUNDANT)",
        "excluded flags raised: ABUNDANT",
        "expected score 5, got 6",
    ]


# --- The triage_check management command ---------------------------------------------------


@pytest.mark.parametrize(
    ("args", "cases"),
    [
        pytest.param([str(PUBLISHED)], PUBLISHED_CASES, id="rule-set-3-by-default"),
        pytest.param(["--rules", "3", str(PUBLISHED)], PUBLISHED_CASES, id="rule-set-3"),
        pytest.param(["--rules", "2", str(PUBLISHED_V2)], PUBLISHED_V2_CASES, id="rule-set-2"),
        pytest.param(["--rules", "1", str(PUBLISHED_V1)], PUBLISHED_V1_CASES, id="rule-set-1"),
    ],
)
def test_command_passes_each_published_file_with_its_rule_set(args, cases):
    out = StringIO()
    call_command("triage_check", *args, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:-1] == [f"PASS {vignette.id}" for vignette in cases]
    assert lines[-1] == f"{len(cases)} passed, 0 failed"


def test_command_with_rule_set_1_fails_the_rule_set_2_file_where_the_rules_differ():
    out = StringIO()
    with pytest.raises(CommandError, match="vignette"):
        call_command("triage_check", "--rules", "1", str(PUBLISHED_V2), stdout=out)
    lines = out.getvalue().splitlines()
    assert "PASS pub-01-physiological-streak" in lines
    assert any(line.startswith("FAIL pub-05-pregnancy-spotting: ") for line in lines)
    passed, failed = (int(part.split()[0]) for part in lines[-1].split(", "))
    assert passed > 0 and failed > 0 and passed + failed == 46


def test_command_reports_a_wrong_expectation_and_fails(tmp_path):
    data = published_data()
    data[7]["expect"]["level"] = "priority"
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 78 vignette"):
        call_command("triage_check", str(write_json(tmp_path, data)), stdout=out)
    lines = out.getvalue().splitlines()
    assert (
        "FAIL v3-pub-08-late-positive-shoulder-tip: expected level priority, got emergency "
        "(flags: PREGNANCY_SHOULDER_PAIN)" in lines
    )
    assert lines.count("PASS v3-pub-01-physiological-streak") == 1
    assert lines[-1] == "77 passed, 1 failed"


def test_command_fails_an_invalid_case_and_runs_the_others(tmp_path):
    data = published_data()
    data[0]["expect"]["flags_include"] = ["NOT_A_FLAG"]
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 78 vignette"):
        call_command("triage_check", str(write_json(tmp_path, data)), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "FAIL v3-pub-01-physiological-streak: invalid case: expect.flags_include has the unknown flag code "
        "'NOT_A_FLAG'"
    )
    assert lines[-1] == "77 passed, 1 failed"


def test_command_rejects_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read vignette file"):
        call_command("triage_check", str(tmp_path / "nope.json"), stdout=StringIO())


def run_manage(*args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )


def test_command_exits_0_when_every_case_passes():
    completed = run_manage("triage_check", str(PUBLISHED))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[-1] == "78 passed, 0 failed"


def test_command_exits_1_without_traceback_on_failure_or_invalid_file(tmp_path):
    data = published_data()
    data[0]["expect"]["level"] = "emergency"
    failing = run_manage("triage_check", str(write_json(tmp_path, data)))
    assert failing.returncode == 1
    assert failing.stdout.splitlines()[-1] == "77 passed, 1 failed"
    assert "Traceback" not in failing.stderr

    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    invalid = run_manage("triage_check", str(tmp_path / "broken.json"))
    assert invalid.returncode == 1
    assert "is not valid JSON" in invalid.stderr
    assert "Traceback" not in invalid.stderr


# --- The fast path of load_vignettes ------------------------------------------------------
# A file whose cases are all valid is decoded without the duplicate-key hook and validated
# without messages; it must give exactly what the strict, detailed path gives, and anything it
# cannot vouch for (a key twice, an invalid case) must come out as the strict path says.

# Wrong values of every JSON type, and the near misses of each field kind (1 for true,
# true for 1, 1.0 for 1, an unknown choice, text too long).
WRONG_VALUES = st.sampled_from(
    (None, True, False, 0, 1, -1, 1.0, 30.5, "", "x", "yes", [], ["RECURRENT"], {}, {"age": 30})
)


def near_miss(field):
    if field.kind == "bool":
        return st.sampled_from((0, 1, 1.0, "true", None))
    if field.kind == "int":
        return st.sampled_from((True, False, 1.0, -1, field.max_value + 1, str(field.min_value)))
    if field.kind == "choice":
        return st.sampled_from((field.choices[0].upper(), 1, True, None, ""))
    return st.sampled_from((1, None, "x" * (field.max_length + 1), ["note"]))


def sometimes(wrong, valid, one_in=20):
    """Mostly `valid`, now and then `wrong`: enough valid cases get through to compare both paths."""
    return st.integers(1, one_in).flatmap(lambda n: wrong if n == 1 else valid)


def raw_answers(rule_set):
    fields = {
        field.name: sometimes(st.one_of(near_miss(field), WRONG_VALUES), value_strategy(field), 80)
        for field in rule_set.fields
    }
    valid = st.fixed_dictionaries({}, optional=fields)
    unknown = st.dictionaries(
        st.sampled_from(("age", "blood", "notes:x")), WRONG_VALUES, min_size=1, max_size=1
    )
    return sometimes(st.one_of(WRONG_VALUES, st.builds(lambda a, b: {**a, **b}, valid, unknown)), valid)


def maybe_wrong(valid):
    return sometimes(WRONG_VALUES, valid)


def with_unknown_key(objects, key):
    """Now and then the object carries a key the file format does not know."""
    return sometimes(st.builds(lambda obj, value: {**obj, key: value}, objects, WRONG_VALUES), objects)


def raw_case(rule_set):
    codes = sometimes(
        st.lists(st.sampled_from((*rule_set.flag_codes, "NOPE")), min_size=1, max_size=3),
        st.lists(st.sampled_from(rule_set.flag_codes), max_size=3),
    )
    expect = st.fixed_dictionaries(
        {
            # LEVEL_CODES has "urgent", which rule set 1 does not.
            "level": sometimes(
                st.sampled_from((*LEVEL_CODES, "severe")),
                st.sampled_from(rule_set.levels).map(attrgetter("code")),
            ),
            "flags_include": maybe_wrong(codes),
            "flags_exclude": maybe_wrong(codes),
        },
        optional={"score": sometimes(st.integers(-1, 12), st.integers(0, 12))},
    )
    history_entry = st.fixed_dictionaries(
        {"days_ago": sometimes(st.integers(-1, 200), st.integers(0, 200)), "answers": raw_answers(rule_set)}
    )
    case = st.fixed_dictionaries(
        {
            "id": maybe_wrong(st.sampled_from(("case-a", "case-b", "case:c"))),
            "description": maybe_wrong(st.sampled_from(("", "Spotting: twice", "Dolore"))),
            "patient": maybe_wrong(
                with_unknown_key(st.fixed_dictionaries({"age": maybe_wrong(st.integers(8, 122))}), "sex")
            ),
            "answers": raw_answers(rule_set),
            "expect": maybe_wrong(with_unknown_key(expect, "advice")),
        },
        optional={"history": maybe_wrong(st.lists(with_unknown_key(history_entry, "date"), max_size=3))},
    )
    # Now and then a required key is left out.
    required = ("id", "description", "patient", "answers", "expect")
    return st.tuples(with_unknown_key(case, "extra"), st.sampled_from((None,) * 40 + required)).map(
        lambda pair: {k: v for k, v in pair[0].items() if k != pair[1]}
    )


@pytest.mark.parametrize("rule_set", [V1, V2], ids=["v1", "v2"])
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_fast_check_accepts_exactly_the_valid_cases_and_builds_the_same_vignette(rule_set, data):
    case = data.draw(raw_case(rule_set))
    problems = []
    detailed = _parse_case(case, rule_set, problems)
    fast = _valid_case(case, rule_set, _fast_specs(rule_set))
    if problems:
        assert fast is None
    else:
        assert fast is not None
        assert fast[0] == detailed


@settings(max_examples=60, deadline=None)
@given(cases=st.lists(raw_case(V2), min_size=1, max_size=4))
def test_loading_a_file_gives_what_the_detailed_parse_gives(tmp_path_factory, cases):
    path = write_json(tmp_path_factory.mktemp("cases"), cases)
    assert load_vignettes(path) == parse_vignettes(cases)


def case_with(**changes):
    case = copy.deepcopy(VALID_CASE)
    case["description"] = "Colons: in the description: two."
    case["answers"]["notes"] = "Note: one colon"
    for key, value in changes.items():
        case[key] = value
    return case


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param(
            json.dumps([case_with()]).replace(
                '"bleeding_amount": "streaks"', '"clots": true, "clots": false'
            ),
            "clots",
            id="in-answers",
        ),
        pytest.param(
            json.dumps([case_with()]).replace('"days_ago": 30', '"days_ago": 30, "days_ago": 31'),
            "days_ago",
            id="in-history",
        ),
        pytest.param(
            json.dumps([case_with()]).replace('"score": 0', '"score": 0, "score": 1'),
            "score",
            id="in-expect",
        ),
        pytest.param(
            # The duplicate's colon made up for by a colon written as an escape.
            json.dumps([case_with()])
            .replace('"score": 0', '"score": 0, "score": 0')
            .replace("Note: one colon", "Note\\u003a one colon, Note: two"),
            "score",
            id="escaped-colon-elsewhere",
        ),
        pytest.param(
            # Hidden in a value the validation never looks into (an invalid case).
            json.dumps([case_with(), case_with(id="case-b", answers={"fever": {"a": 1}})]).replace(
                '{"a": 1}', '{"a": 1, "a": 2}'
            ),
            "a",
            id="inside-an-invalid-value",
        ),
    ],
)
def test_a_key_twice_anywhere_refuses_the_file(tmp_path, text, key):
    path = tmp_path / "cases.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VignetteError, match=f"has a JSON object with the key '{key}' twice"):
        load_vignettes(path)


def test_colons_in_strings_and_escapes_do_not_refuse_a_valid_file(tmp_path):
    cases = [case_with(), case_with(id="case:b", description="a:b:c")]
    text = json.dumps(cases).replace("Note: one colon", "Note\\u003a one colon")
    path = tmp_path / "cases.json"
    path.write_text(text, encoding="utf-8")
    loaded = load_vignettes(path)
    assert loaded == parse_vignettes(json.loads(text))
    assert [vignette.id for vignette in loaded] == ["case-a", "case:b"]
    assert loaded[0].answers.notes == "Note: one colon"


def test_a_valid_file_is_decoded_once(tmp_path, monkeypatch):
    """The strict decoder (the duplicate-key hook) runs only when the fast path cannot vouch."""
    calls = []
    real_loads = json.loads
    monkeypatch.setattr(
        "triage.rules.vignettes.json.loads", lambda *a, **kw: calls.append(kw) or real_loads(*a, **kw)
    )
    load_vignettes(write_json(tmp_path, [case_with(), case_with(id="case-b")]))
    assert calls == [{}]
    calls.clear()
    load_vignettes(write_json(tmp_path, [case_with(), case_with()]))  # duplicate id: invalid
    assert len(calls) == 2
    assert "object_pairs_hook" in calls[1]
