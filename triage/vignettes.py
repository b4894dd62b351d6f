"""Acceptance vignettes (RULES.md section 9): load, validate and check them against a rule set.

Kept free of Django so the published cases run with the rule engine alone;
the `triage_check` management command is a thin wrapper around it. A file
that cannot be read as a list of cases is refused whole; a case whose input
is invalid for the rule set fails on its own, with the reason (RULES.md 9).
"""

import json
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from triage.rules import AGE_MAX, AGE_MIN, CURRENT, HistoryEntry, InvalidAnswers, Level, RuleSet

_CASE_REQUIRED = ("id", "description", "patient", "answers", "expect")
_CASE_OPTIONAL = ("history",)
_PATIENT_REQUIRED = ("age",)
_HISTORY_REQUIRED = ("days_ago", "answers")
_EXPECT_REQUIRED = ("level", "flags_include", "flags_exclude")
_EXPECT_OPTIONAL = ("score",)


class VignetteError(ValueError):
    """A vignette file or case that cannot be run; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Vignette:
    """One validated case: inputs for `assess()` and what it must produce."""

    id: str
    description: str
    age: int
    answers: object
    history: tuple[HistoryEntry, ...]
    level: Level
    flags_include: tuple[str, ...]
    flags_exclude: tuple[str, ...]
    score: int | None = None


@dataclass(frozen=True, slots=True)
class InvalidVignette:
    """A case whose input the rule set refuses: it fails with these problems (RULES.md 9)."""

    id: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class CheckOutcome:
    """Whether a case passed and, if not, what was expected and what came out."""

    passed: bool
    id: str
    problems: list[str]


class _DuplicateKey(ValueError):
    pass


def _reject_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    # json.loads keeps the last duplicate silently; a case must not hide a value.
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def load_vignettes(
    path: str | PathLike[str], rule_set: RuleSet = CURRENT
) -> list[Vignette | InvalidVignette]:
    """Read a vignette file and validate each case for `rule_set`.

    Raises VignetteError when the file itself is unusable (unreadable, not
    JSON, not a non-empty list of cases).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise VignetteError(f"Cannot read vignette file {path}: {exc.strerror or exc}.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise VignetteError(f"{path} is not valid UTF-8 (byte {exc.start}).") from None
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except _DuplicateKey as exc:
        raise VignetteError(f"{path} has a JSON object with the key {exc.args[0]!r} twice.") from None
    except json.JSONDecodeError as exc:
        raise VignetteError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    return parse_vignettes(data, rule_set, source=str(path))


def parse_vignettes(
    data: object, rule_set: RuleSet = CURRENT, source: str = "vignette data"
) -> list[Vignette | InvalidVignette]:
    """Validate already-decoded JSON, case by case; every problem of a case is reported."""
    if not isinstance(data, list):
        raise VignetteError(f"{source} must contain a JSON list of cases, not {_json_type(data)}.")
    if not data:
        raise VignetteError(f"{source} contains no cases.")
    parsed: list[Vignette | InvalidVignette] = []
    first_index: dict[str, int] = {}
    for index, case in enumerate(data):
        case_id = case.get("id") if isinstance(case, dict) else None
        has_id = isinstance(case_id, str) and bool(case_id)
        problems: list[str] = []
        vignette = _parse_case(case, rule_set, problems)
        if has_id:
            if case_id in first_index:
                problems.append(f"duplicate id, already used by the case at index {first_index[case_id]}")
            else:
                first_index[case_id] = index
        if problems or vignette is None:
            label = case_id if has_id else f"case at index {index}"
            parsed.append(InvalidVignette(label, tuple(f"invalid case: {p}" for p in problems)))
        else:
            parsed.append(vignette)
    return parsed


def _json_type(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"


def _check_keys(
    obj: object,
    label: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    problems: list[str],
) -> bool:
    """Check an object's keys exactly (RULES 9: no keys other than those listed)."""
    if not isinstance(obj, dict):
        problems.append(f"{label} must be a JSON object, not {_json_type(obj)}")
        return False
    for key in required:
        if key not in obj:
            problems.append(f"{label} is missing the required key {key!r}")
    allowed = required + optional
    for key in obj:
        if key not in allowed:
            problems.append(f"{label} has the unknown key {key!r} (allowed: {', '.join(allowed)})")
    return all(key in obj for key in required)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_answers(raw: object, rule_set: RuleSet, label: str, problems: list[str]):
    if not isinstance(raw, dict):
        problems.append(f"{label} must be a JSON object, not {_json_type(raw)}")
        return None
    try:
        return rule_set.answers_from_mapping(raw)
    except InvalidAnswers as exc:
        problems.extend(f"{label}.{name}: {message}" for name, message in exc.errors.items())
        return None


def _parse_flag_list(raw: object, rule_set: RuleSet, label: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(raw, list):
        problems.append(f"{label} must be a list of flag codes, not {_json_type(raw)}")
        return ()
    for code in raw:
        if not isinstance(code, str) or code not in rule_set.flag_rules_by_code:
            problems.append(f"{label} has the unknown flag code {code!r}")
    return tuple(raw)


def _parse_case(case: object, rule_set: RuleSet, problems: list[str]) -> Vignette | None:
    if not _check_keys(case, "the case", _CASE_REQUIRED, _CASE_OPTIONAL, problems):
        return None
    case_id = case["id"]
    if not isinstance(case_id, str) or not case_id:
        problems.append("id must be a non-empty string")
    description = case["description"]
    if not isinstance(description, str):
        problems.append("description must be a string")

    age = None
    patient = case["patient"]
    if _check_keys(patient, "patient", _PATIENT_REQUIRED, (), problems):
        age = patient["age"]
        if not _is_int(age) or not AGE_MIN <= age <= AGE_MAX:
            problems.append(f"patient.age must be a whole number from {AGE_MIN} to {AGE_MAX}, not {age!r}")

    answers = _parse_answers(case["answers"], rule_set, "answers", problems)

    history: list[HistoryEntry] = []
    raw_history = case.get("history", [])
    if not isinstance(raw_history, list):
        problems.append(f"history must be a list, not {_json_type(raw_history)}")
    else:
        for position, entry in enumerate(raw_history):
            label = f"history[{position}]"
            if not _check_keys(entry, label, _HISTORY_REQUIRED, (), problems):
                continue
            days_ago = entry["days_ago"]
            if not _is_int(days_ago) or days_ago < 0:
                problems.append(f"{label}.days_ago must be a whole number, 0 or more, not {days_ago!r}")
            earlier = _parse_answers(entry["answers"], rule_set, f"{label}.answers", problems)
            if earlier is not None:
                history.append(HistoryEntry(days_ago, earlier))

    level = None
    score = None
    flags_include: tuple[str, ...] = ()
    flags_exclude: tuple[str, ...] = ()
    expect = case["expect"]
    if _check_keys(expect, "expect", _EXPECT_REQUIRED, _EXPECT_OPTIONAL, problems):
        try:
            level = rule_set.level_from_code(expect["level"])
        except ValueError:
            codes = ", ".join(level.code for level in rule_set.levels[::-1])
            problems.append(f"expect.level must be one of {codes}, not {expect['level']!r}")
        flags_include = _parse_flag_list(expect["flags_include"], rule_set, "expect.flags_include", problems)
        flags_exclude = _parse_flag_list(expect["flags_exclude"], rule_set, "expect.flags_exclude", problems)
        if "score" in expect:
            score = expect["score"]
            if not _is_int(score) or score < 0:
                problems.append(f"expect.score must be a whole number, 0 or more, not {score!r}")

    if problems:
        return None
    return Vignette(
        id=case_id,
        description=description,
        age=age,
        answers=answers,
        history=tuple(history),
        level=level,
        flags_include=flags_include,
        flags_exclude=flags_exclude,
        score=score,
    )


def check_vignette(vignette: Vignette | InvalidVignette, rule_set: RuleSet = CURRENT) -> CheckOutcome:
    """Run one case through the rule set and compare with its expectation (RULES.md 9)."""
    if isinstance(vignette, InvalidVignette):
        return CheckOutcome(passed=False, id=vignette.id, problems=list(vignette.problems))
    result = rule_set.assess(vignette.answers, vignette.age, vignette.history)
    raised = set(result.flags)
    came_out = ", ".join(result.flags) or "none"
    problems: list[str] = []
    if result.level is not vignette.level:
        problems.append(f"expected level {vignette.level.code}, got {result.level.code} (flags: {came_out})")
    missing = [code for code in vignette.flags_include if code not in raised]
    if missing:
        problems.append(f"expected flags not raised: {', '.join(missing)} (raised: {came_out})")
    unwanted = [code for code in vignette.flags_exclude if code in raised]
    if unwanted:
        problems.append(f"excluded flags raised: {', '.join(unwanted)}")
    if vignette.score is not None and result.score != vignette.score:
        problems.append(f"expected score {vignette.score}, got {result.score}")
    return CheckOutcome(passed=not problems, id=vignette.id, problems=problems)
