"""Acceptance vignettes (RULES.md section 9): load, validate and check them against a rule set.

Kept free of Django so the published cases run with the rule engine alone;
the `triage_check` management command is a thin wrapper around it. A file
that cannot be read as a list of cases is refused whole; a case whose input
is invalid for the rule set fails on its own, with the reason (RULES.md 9).
"""

import gc
import json
from contextlib import contextmanager
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from . import (
    AGE_MAX,
    AGE_MIN,
    BOOL,
    CHOICE,
    CURRENT,
    INT,
    HistoryEntry,
    InvalidAnswers,
    Level,
    RuleSet,
)

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


@dataclass(frozen=True, slots=True)
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
    JSON, a key twice in one object, not a non-empty list of cases).
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
    source = str(path)
    with cyclic_gc_paused():
        fast = _load_valid_file(text, rule_set)
    if fast is not None:
        return fast
    # A file with an invalid case, a syntax error or a key twice: the strict decoder says which
    # problem comes first, with the messages it always gave.
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except _DuplicateKey as exc:
        raise VignetteError(f"{path} has a JSON object with the key {exc.args[0]!r} twice.") from None
    except json.JSONDecodeError as exc:
        raise VignetteError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    return parse_vignettes(data, rule_set, source=source)


@contextmanager
def cyclic_gc_paused():
    """Pause the cycle collector while a file is decoded, validated and checked.

    A large file is millions of new containers; each collection they trigger walks every object
    alive, the ones already decoded and all the process's own, so on a file of 30,000 cases the
    collector took about as long as the decoding, and as long again as the engine while the cases
    were checked. Decoded JSON, the validated cases and the outcomes hold no reference cycles, so
    there is nothing for it to find. It runs again as soon as this ends (unless it was off).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_valid_file(text: str, rule_set: RuleSet) -> list[Vignette] | None:
    """The cases of a file in which every case is valid and no object repeats a key; else None.

    `json.loads` with a hook that sees every key is the strict way to find a repeated key, and on
    a large file it costs more than everything else together. Plain `json.loads` keeps only the
    last of two equal keys, so the repetition is found by counting instead: outside strings, a
    JSON text has exactly one colon per key. A valid case has no values other than those the
    validation reads, so the keys of its objects plus the colons inside its ids, descriptions and
    text answers (codes and choices have none) equal the colons of its text exactly when no key
    was dropped; anything not counted can only make the sum smaller, never hide a lost key. A string may spell a colon as the escape \\u003a, which adds a colon
    that the text does not show, so such a file takes the strict path. Any doubt (a syntax error,
    an invalid case, a count that differs) returns None, and the caller decodes strictly.
    """
    if "\\u003a" in text or "\\u003A" in text:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, list) or not data:
        return None
    specs = _fast_specs(rule_set)
    parsed: list[Vignette] = []
    seen_ids: set[str] = set()
    colons = 0
    for case in data:
        valid = _valid_case(case, rule_set, specs)
        if valid is None or valid[0].id in seen_ids:
            return None
        vignette, case_colons = valid
        seen_ids.add(vignette.id)
        parsed.append(vignette)
        colons += case_colons
    if colons != text.count(":"):
        return None
    return parsed


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


# --- The fast path of load_vignettes: valid cases of decoded JSON, no messages -------------

_FAST_SPECS: dict[int, tuple] = {}


def _fast_specs(rule_set: RuleSet) -> tuple:
    """Per rule set: each field's exact type and allowed values, the level codes, the flag codes."""
    cached = _FAST_SPECS.get(id(rule_set))
    if cached is not None and cached[0] is rule_set:
        return cached[1]
    fields = {}
    for field in rule_set.fields:
        if field.kind == BOOL:
            fields[field.name] = (bool, None, None)
        elif field.kind == INT:
            fields[field.name] = (int, range(field.min_value, field.max_value + 1), None)
        elif field.kind == CHOICE:
            fields[field.name] = (str, frozenset(field.choices), None)
        else:
            fields[field.name] = (str, None, field.max_length)
    specs = (
        fields,
        {level.code: level for level in rule_set.levels},
        frozenset(rule_set.flag_rules_by_code),
    )
    _FAST_SPECS[id(rule_set)] = (rule_set, specs)
    return specs


def _answer_colons(raw: object, fields: dict) -> int:
    """-1 unless `answers_from_mapping()` accepts `raw`; else its keys plus the colons in its text.

    Exact types (`type() is`) are what decoded JSON has; anything else goes to the detailed check.
    """
    if type(raw) is not dict:
        return -1
    colons = len(raw)
    for name, value in raw.items():
        spec = fields.get(name)
        if spec is None:
            return -1
        kind, allowed, max_length = spec
        if type(value) is not kind:
            return -1
        if allowed is not None:
            if value not in allowed:
                return -1
        elif max_length is not None:
            if len(value) > max_length:
                return -1
            colons += value.count(":")
    return colons


def _valid_case(case: object, rule_set: RuleSet, specs: tuple) -> tuple[Vignette, int] | None:
    """The case and the colons its keys and strings account for, if `_parse_case()` accepts it.

    For decoded JSON only. It accepts exactly the cases the detailed check accepts and builds the
    same `Vignette`; it returns None, without saying why, for anything else. Required keys are
    read directly (a missing one raises KeyError); an object has no unknown key when its size is
    that of the keys found.
    """
    fields, levels, flag_codes = specs
    try:
        case_id = case["id"]
        description = case["description"]
        patient = case["patient"]
        raw_answers = case["answers"]
        expect = case["expect"]
        has_history = "history" in case
        if type(case) is not dict or len(case) != len(_CASE_REQUIRED) + has_history:
            return None
        if type(case_id) is not str or not case_id or type(description) is not str:
            return None
        age = patient["age"]
        if type(patient) is not dict or len(patient) != len(_PATIENT_REQUIRED):
            return None
        if type(age) is not int or not AGE_MIN <= age <= AGE_MAX:
            return None
        answer_colons = _answer_colons(raw_answers, fields)
        if answer_colons < 0:
            return None
        colons = len(case) + 1 + answer_colons + case_id.count(":") + description.count(":")

        make_answers = rule_set.answers_type
        history = []
        if has_history:
            raw_history = case["history"]
            if type(raw_history) is not list:
                return None
            for entry in raw_history:
                days_ago = entry["days_ago"]
                earlier = entry["answers"]
                if type(entry) is not dict or len(entry) != len(_HISTORY_REQUIRED):
                    return None
                if type(days_ago) is not int or days_ago < 0:
                    return None
                earlier_colons = _answer_colons(earlier, fields)
                if earlier_colons < 0:
                    return None
                colons += 2 + earlier_colons
                history.append(HistoryEntry(days_ago, make_answers(**earlier)))

        level = expect["level"]
        include = expect["flags_include"]
        exclude = expect["flags_exclude"]
        has_score = "score" in expect
        if type(expect) is not dict or len(expect) != len(_EXPECT_REQUIRED) + has_score:
            return None
        if type(level) is not str or type(include) is not list or type(exclude) is not list:
            return None
        level = levels.get(level)
        if level is None:
            return None
        score = None
        if has_score:
            score = expect["score"]
            if type(score) is not int or score < 0:
                return None
        if not (flag_codes.issuperset(include) and flag_codes.issuperset(exclude)):
            return None
    except (KeyError, TypeError):
        # A missing key, or a value that is not an object where one is read by key (a list read
        # with a string raises TypeError, so does an unhashable value in a flag list).
        return None
    colons += len(expect)
    vignette = Vignette(
        id=case_id,
        description=description,
        age=age,
        answers=make_answers(**raw_answers),
        history=tuple(history),
        level=level,
        flags_include=tuple(include),
        flags_exclude=tuple(exclude),
        score=score,
    )
    return vignette, colons


def check_vignette(vignette: Vignette | InvalidVignette, rule_set: RuleSet = CURRENT) -> CheckOutcome:
    """Run one case through the rule set and compare with its expectation (RULES.md 9)."""
    if isinstance(vignette, InvalidVignette):
        return CheckOutcome(passed=False, id=vignette.id, problems=list(vignette.problems))
    result = rule_set.assess(vignette.answers, vignette.age, vignette.history)
    raised = result.flags
    problems: list[str] = []
    if result.level is not vignette.level:
        problems.append(
            f"expected level {vignette.level.code}, got {result.level.code} (flags: {_came_out(raised)})"
        )
    missing = [code for code in vignette.flags_include if code not in raised]
    if missing:
        problems.append(f"expected flags not raised: {', '.join(missing)} (raised: {_came_out(raised)})")
    unwanted = [code for code in vignette.flags_exclude if code in raised]
    if unwanted:
        problems.append(f"excluded flags raised: {', '.join(unwanted)}")
    if vignette.score is not None and result.score != vignette.score:
        problems.append(f"expected score {vignette.score}, got {result.score}")
    return CheckOutcome(passed=not problems, id=vignette.id, problems=problems)


def _came_out(flags: tuple[str, ...]) -> str:
    return ", ".join(flags) or "none"
