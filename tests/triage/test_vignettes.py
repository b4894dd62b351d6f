"""Acceptance vignettes (RULES.md 9): both published files, validation per case and `triage_check`."""

import copy
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from triage.rules import RULE_SETS
from triage.vignettes import InvalidVignette, VignetteError, check_vignette, load_vignettes, parse_vignettes

V1, V2 = RULE_SETS[1], RULE_SETS[2]
PUBLISHED = Path(__file__).with_name("vignettes.json")
PUBLISHED_V1 = Path(__file__).with_name("vignettes-v1.json")
REPO_ROOT = Path(__file__).resolve().parents[2]
PUBLISHED_CASES = load_vignettes(PUBLISHED)
PUBLISHED_V1_CASES = load_vignettes(PUBLISHED_V1, V1)
VALID_CASE = {
    "id": "case-a",
    "description": "Single streaky bleed.",
    "patient": {"age": 30},
    "answers": {"bleeding_after_sex": True, "bleeding_episodes_3m": 1, "bleeding_amount": "streaks"},
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
    for cases, count in ((PUBLISHED_CASES, 46), (PUBLISHED_V1_CASES, 24)):
        assert len(cases) == count
        assert not [case for case in cases if isinstance(case, InvalidVignette)]
        assert len({vignette.id for vignette in cases}) == count


PUBLISHED_PAIRS = [pytest.param(V2, vignette, id=f"v2-{vignette.id}") for vignette in PUBLISHED_CASES] + [
    pytest.param(V1, vignette, id=f"v1-{vignette.id}") for vignette in PUBLISHED_V1_CASES
]


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
    cases = load_vignettes(PUBLISHED, V1)
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
        pytest.param([str(PUBLISHED)], PUBLISHED_CASES, id="rule-set-2-by-default"),
        pytest.param(["--rules", "2", str(PUBLISHED)], PUBLISHED_CASES, id="rule-set-2"),
        pytest.param(["--rules", "1", str(PUBLISHED_V1)], PUBLISHED_V1_CASES, id="rule-set-1"),
    ],
)
def test_command_passes_each_published_file_with_its_rule_set(args, cases):
    out = StringIO()
    call_command("triage_check", *args, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "PASS pub-01-physiological-streak"
    assert lines[:-1] == [f"PASS {vignette.id}" for vignette in cases]
    assert lines[-1] == f"{len(cases)} passed, 0 failed"


def test_command_with_rule_set_1_fails_the_rule_set_2_file_where_the_rules_differ():
    out = StringIO()
    with pytest.raises(CommandError, match="vignette"):
        call_command("triage_check", "--rules", "1", str(PUBLISHED), stdout=out)
    lines = out.getvalue().splitlines()
    assert "PASS pub-01-physiological-streak" in lines
    assert any(line.startswith("FAIL pub-05-pregnancy-spotting: ") for line in lines)
    passed, failed = (int(part.split()[0]) for part in lines[-1].split(", "))
    assert passed > 0 and failed > 0 and passed + failed == 46


def test_command_reports_a_wrong_expectation_and_fails(tmp_path):
    data = published_data()
    data[2]["expect"]["level"] = "priority"
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 46 vignette"):
        call_command("triage_check", str(write_json(tmp_path, data)), stdout=out)
    lines = out.getvalue().splitlines()
    assert (
        "FAIL pub-03-soaking-pads: expected level priority, got emergency "
        "(flags: HEAVY_ACUTE, HEAVY_EPISODE, ABUNDANT)" in lines
    )
    assert lines.count("PASS pub-01-physiological-streak") == 1
    assert lines[-1] == "45 passed, 1 failed"


def test_command_fails_an_invalid_case_and_runs_the_others(tmp_path):
    data = published_data()
    data[0]["expect"]["flags_include"] = ["NOT_A_FLAG"]
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 46 vignette"):
        call_command("triage_check", str(write_json(tmp_path, data)), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "FAIL pub-01-physiological-streak: invalid case: expect.flags_include has the unknown flag code "
        "'NOT_A_FLAG'"
    )
    assert lines[-1] == "45 passed, 1 failed"


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
    assert completed.stdout.splitlines()[-1] == "46 passed, 0 failed"


def test_command_exits_1_without_traceback_on_failure_or_invalid_file(tmp_path):
    data = published_data()
    data[0]["expect"]["level"] = "emergency"
    failing = run_manage("triage_check", str(write_json(tmp_path, data)))
    assert failing.returncode == 1
    assert failing.stdout.splitlines()[-1] == "45 passed, 1 failed"
    assert "Traceback" not in failing.stderr

    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    invalid = run_manage("triage_check", str(tmp_path / "broken.json"))
    assert invalid.returncode == 1
    assert "is not valid JSON" in invalid.stderr
    assert "Traceback" not in invalid.stderr
