"""Acceptance vignettes (RULES 9): the published cases, file validation and `triage_check`."""

import copy
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from triage.rules import assess
from triage.vignettes import VignetteError, check_vignette, load_vignettes, parse_vignettes

PUBLISHED = Path(__file__).with_name("vignettes.json")
REPO_ROOT = Path(__file__).resolve().parents[2]
PUBLISHED_CASES = load_vignettes(PUBLISHED)
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


def test_published_file_has_24_cases_with_unique_ids():
    assert len(PUBLISHED_CASES) == 24
    assert len({vignette.id for vignette in PUBLISHED_CASES}) == 24


@pytest.mark.parametrize("vignette", PUBLISHED_CASES, ids=lambda vignette: vignette.id)
def test_published_vignette_passes(vignette):
    outcome = check_vignette(vignette)
    assert outcome.problems == []
    assert outcome.passed
    assert outcome.id == vignette.id


@pytest.mark.parametrize("vignette", PUBLISHED_CASES, ids=lambda vignette: vignette.id)
def test_published_vignette_lists_every_raised_flag_and_its_score(vignette):
    """RULES 9: published flags_include is the complete set of expected flags."""
    result = assess(vignette.answers, vignette.age, vignette.history)
    assert set(result.flags) == set(vignette.flags_include)
    assert result.score == vignette.score


# --- Loading and validation -------------------------------------------------------------


def test_valid_case_loads_with_its_history():
    (vignette,) = parse_vignettes([VALID_CASE])
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
        mutated(lambda c: c["expect"].update(level="urgent")),
        ["expect.level must be one of routine, follow_up, priority, emergency, not 'urgent'"],
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
        ["case at index 1 (id 'case-a'): duplicate id, already used by the case at index 0"],
        id="duplicate-id",
    ),
    pytest.param(
        [VALID_CASE, "case-b"],
        ["case at index 1: the case must be a JSON object, not a string"],
        id="case-not-object",
    ),
    pytest.param(
        {"cases": [VALID_CASE]}, ["must contain a JSON list of cases, not an object"], id="not-a-list"
    ),
    pytest.param([], ["contains no cases"], id="empty-list"),
]


@pytest.mark.parametrize(("data", "fragments"), INVALID_CASES)
def test_invalid_file_is_rejected_with_a_clear_message(tmp_path, data, fragments):
    path = write_json(tmp_path, data)
    with pytest.raises(VignetteError) as excinfo:
        load_vignettes(path)
    message = str(excinfo.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_every_invalid_case_is_reported_at_once():
    bad_age = mutated(lambda c: c["patient"].update(age=200))[0]
    bad_flag = mutated(lambda c: c.update(id="case-b", expect={**c["expect"], "flags_exclude": ["X"]}))[0]
    with pytest.raises(VignetteError) as excinfo:
        parse_vignettes([bad_age, bad_flag])
    message = str(excinfo.value)
    assert "has 2 problem(s)" in message
    assert "case at index 0 (id 'case-a'): patient.age" in message
    assert "case at index 1 (id 'case-b'): expect.flags_exclude has the unknown flag code 'X'" in message


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
        "level": "priority",
        "flags_include": ["RECURRENT"],
        "flags_exclude": ["ABUNDANT"],
        "score": 5,
    }
    (vignette,) = parse_vignettes([case])
    outcome = check_vignette(vignette)
    assert not outcome.passed
    assert outcome.id == "case-a"
    assert outcome.problems == [
        "expected level priority, got follow_up (flags: ABUNDANT)",
        "expected flags not raised: RECURRENT (raised: ABUNDANT)",
        "excluded flags raised: ABUNDANT",
        "expected score 5, got 2",
    ]


# --- The triage_check management command ---------------------------------------------------


def test_command_passes_the_published_file():
    out = StringIO()
    call_command("triage_check", str(PUBLISHED), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "PASS pub-01-physiological-streak"
    assert lines[:-1] == [f"PASS {vignette.id}" for vignette in PUBLISHED_CASES]
    assert lines[-1] == "24 passed, 0 failed"


def test_command_reports_a_wrong_expectation_and_fails(tmp_path):
    data = published_data()
    data[2]["expect"]["level"] = "priority"
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 24 vignette"):
        call_command("triage_check", str(write_json(tmp_path, data)), stdout=out)
    lines = out.getvalue().splitlines()
    assert (
        "FAIL pub-03-soaking-pads: expected level priority, got emergency (flags: HEAVY_ACUTE, ABUNDANT)"
        in lines
    )
    assert lines.count("PASS pub-01-physiological-streak") == 1
    assert lines[-1] == "23 passed, 1 failed"


def test_command_rejects_an_invalid_file(tmp_path):
    data = published_data()
    data[0]["expect"]["flags_include"] = ["NOT_A_FLAG"]
    out = StringIO()
    with pytest.raises(CommandError, match="pub-01-physiological-streak.*unknown flag code 'NOT_A_FLAG'"):
        call_command("triage_check", str(write_json(tmp_path, data)), stdout=out)
    assert out.getvalue() == ""


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
    assert completed.stdout.splitlines()[-1] == "24 passed, 0 failed"


def test_command_exits_1_without_traceback_on_failure_or_invalid_file(tmp_path):
    data = published_data()
    data[0]["expect"]["level"] = "emergency"
    failing = run_manage("triage_check", str(write_json(tmp_path, data)))
    assert failing.returncode == 1
    assert failing.stdout.splitlines()[-1] == "23 passed, 1 failed"
    assert "Traceback" not in failing.stderr

    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    invalid = run_manage("triage_check", str(tmp_path / "broken.json"))
    assert invalid.returncode == 1
    assert "is not valid JSON" in invalid.stderr
    assert "Traceback" not in invalid.stderr
