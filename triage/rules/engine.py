"""What every rule set shares: levels, fields, flags, effective answers, the two-step evaluation and the result.

A rule set (`v1`, `v2`, `v3`) is data on top of this module: its fields, the
questions that reveal others, its derived terms, its flag table and its
advice. Nothing here imports Django, so the rules can be tested,
benchmarked and reviewed on their own.
"""

import enum
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any, NamedTuple


def gettext_noop(message: str) -> str:
    """Mark a string for makemessages while keeping the engine Django-free."""
    return message


class Level(enum.IntEnum):
    """Urgency level; the integer order lets `max()` pick the most urgent (RULES.md section 2).

    One scale for every rule set: rule set 1 simply never raises `URGENT`.
    """

    ROUTINE = 0
    FOLLOW_UP = 1
    PRIORITY = 2
    URGENT = 3
    EMERGENCY = 4

    @property
    def code(self) -> str:
        """The lowercase code used in RULES.md and vignette files."""
        return self.name.lower()


LEVEL_CODES = tuple(level.code for level in Level)
_LEVELS_BY_CODE = {level.code: level for level in Level}

AGE_MIN = 10
AGE_MAX = 120

# RULES.md section 6: an earlier submission counts 1..90 calendar days back; the same
# day is usually a corrected re-submission of the same episode.
RECURRENCE_WINDOW_DAYS = 90


def counts_as_earlier_report(days_ago: int, bleeding_after_sex: bool) -> bool:
    """Whether an earlier submission counts towards recurrence (RULES.md section 6)."""
    return bleeding_after_sex and 1 <= days_ago <= RECURRENCE_WINDOW_DAYS


# --- Fields (RULES.md 3.1) ------------------------------------------------------

BOOL = "bool"
INT = "int"
CHOICE = "choice"
TEXT = "text"


def _is_int(value: object) -> bool:
    # bool is an int subclass, but true/false is never a count (RULES.md 3.2).
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class Field:
    """One questionnaire field: enough for forms, imports and validation to agree."""

    name: str
    kind: str
    default: bool | int | str
    choices: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None

    def error_for(self, value: object) -> str | None:
        """Return why `value` is not acceptable, or None (RULES.md 3.2 Validation)."""
        if self.kind == BOOL:
            if value is True or value is False:
                return None
            return "Must be true or false."
        if self.kind == INT:
            if not _is_int(value):
                return "Must be a whole number."
            if not self.min_value <= value <= self.max_value:
                return f"Must be between {self.min_value} and {self.max_value}."
            return None
        if self.kind == CHOICE:
            if isinstance(value, str) and value in self.choices:
                return None
            return f"Must be one of: {', '.join(self.choices)}."
        if not isinstance(value, str):
            return "Must be text."
        if len(value) > self.max_length:
            return f"Must be at most {self.max_length} characters (got {len(value)})."
        return None


def bool_field(name: str) -> Field:
    return Field(name, BOOL, False)


def int_field(name: str, max_value: int) -> Field:
    return Field(name, INT, 0, min_value=0, max_value=max_value)


def choice_field(name: str, choices: tuple[str, ...], default: str) -> Field:
    return Field(name, CHOICE, default, choices=choices)


def text_field(name: str, max_length: int) -> Field:
    return Field(name, TEXT, "", max_length=max_length)


_FIELD_TYPES = {BOOL: bool, INT: int, CHOICE: str, TEXT: str}


def answers_class(name: str, fields: Sequence[Field], doc: str, module: str) -> type:
    """An immutable answers type with one attribute per field, defaulting as the rule set says.

    Built from the field declarations, so a rule set declares each field
    once. A named tuple: attribute reads are as fast as a slotted class's,
    and `_replace()`, which the effective answers use, is several times
    cheaper than `dataclasses.replace()`.
    """
    cls = namedtuple(name, [f.name for f in fields], defaults=[f.default for f in fields], module=module)
    cls.__doc__ = doc
    return cls


@dataclass(frozen=True, slots=True)
class Clause:
    """One part of a "shown only when" condition: the answer to `question` is one of `values`
    (none of them, with `negate`), or a number from `min_value` on.

    A question not answered yet satisfies no clause, negated or not: the
    live form shows a detail only once the answers it depends on are given.
    """

    question: str
    values: tuple[Any, ...] = ()
    min_value: int | None = None
    negate: bool = False

    def holds(self, answer: object) -> bool:
        if answer is None:
            return False
        if self.min_value is not None:
            return _is_int(answer) and answer >= self.min_value
        # Compared with their types, so that 1 never stands for True.
        found = any(type(answer) is type(value) and answer == value for value in self.values)
        return found is not self.negate

    def compiled(self) -> Callable[[Any], bool]:
        """The clause on trusted, typed answers (an answers object), for the engine's hot path."""
        name = self.question
        if self.min_value is not None:
            minimum = self.min_value
            return lambda answers: getattr(answers, name) >= minimum
        values = frozenset(self.values)
        if self.negate:
            return lambda answers: getattr(answers, name) not in values
        return lambda answers: getattr(answers, name) in values


ALL = "all"
ANY = "any"


@dataclass(frozen=True, slots=True)
class Reveal:
    """A "shown only when" condition and the detail questions it shows (RULES.md 3.2 Branching).

    The first clause is `question` with `values` (the answers that reveal the
    details) or `min_value` ("1 or more"); `also` adds clauses on other
    questions, combined with the first as `join` says (all of them, or any).
    """

    question: str
    details: tuple[str, ...]
    values: tuple[Any, ...] = ()
    min_value: int | None = None
    negate: bool = False
    also: tuple[Clause, ...] = ()
    join: str = ALL

    @property
    def clauses(self) -> tuple[Clause, ...]:
        return (Clause(self.question, self.values, self.min_value, self.negate), *self.also)

    @property
    def questions(self) -> tuple[str, ...]:
        return tuple(clause.question for clause in self.clauses)

    def shows_details(self, answer: object) -> bool:
        """Whether the first clause holds for `answer` (the whole condition when there is one clause)."""
        return self.clauses[0].holds(answer)

    def shown(self, answers: Mapping[str, object]) -> bool:
        """Whether the details are shown for raw answers (absent or None: not answered)."""
        results = (clause.holds(answers.get(clause.question)) for clause in self.clauses)
        return all(results) if self.join == ALL else any(results)

    def compiled(self) -> Callable[[Any], bool]:
        """The condition on trusted, typed answers, for the effective answers of `RuleSet.assess()`."""
        tests = tuple(clause.compiled() for clause in self.clauses)
        if len(tests) == 1:
            return tests[0]
        first, second, *rest = tests
        if rest:
            combine = all if self.join == ALL else any
            return lambda answers: combine(test(answers) for test in tests)
        if self.join == ALL:
            return lambda answers: first(answers) and second(answers)
        return lambda answers: first(answers) or second(answers)


class InvalidAnswers(ValueError):
    """Rejected input (RULES.md 3.2 Validation); `errors` maps field names to messages."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """An earlier submission of the same patient (RULES.md section 6)."""

    days_ago: int
    answers: Any


# --- Flags (RULES.md section 4) -------------------------------------------------

BASE = "base"
ESCALATION = "escalation"
INFO = "info"

# condition(answers, terms, step-1 flag codes) -> bool; `terms` are the rule set's
# derived terms of RULES.md section 2, computed once per submission.
Condition = Callable[[Any, Any, Set[str]], bool]


@dataclass(frozen=True, slots=True)
class FlagRule:
    """One row of a RULES.md section 4 table; `condition` decides whether it is raised."""

    number: int
    code: str
    kind: str
    level: Level | None
    weight: int
    reason: str
    label: str
    condition: Condition


# --- Result (RULES.md section 7) --------------------------------------------------

ADVICE_LANGUAGES = ("it", "en")
DEFAULT_ADVICE_LANGUAGE = "it"


def advice_language(language: str | None) -> str:
    """The advice language for a Django language code: "en", "en-gb" → "en"; anything else Italian."""
    if isinstance(language, str):
        base = language.replace("_", "-").split("-", 1)[0].lower()
        if base in ADVICE_LANGUAGES:
            return base
    return DEFAULT_ADVICE_LANGUAGE


class Result(NamedTuple):
    """What the engine hands back for one submission (RULES.md section 7, Engine output).

    A named tuple: immutable, and the cheapest object to build once per assessment.
    """

    level: Level
    score: int
    flags: tuple[str, ...]
    rules_version: int


_NO_FLAGS: frozenset[str] = frozenset()
_LEVELS = tuple(Level)
_table_order = attrgetter("number")


@dataclass(frozen=True)
class RuleSet:
    """One released rule set, evaluable for as long as assessments made with it are kept."""

    version: int
    fields: tuple[Field, ...]
    answers_type: type
    reveals: tuple[Reveal, ...]
    terms: Callable[[Any, int, Sequence[HistoryEntry]], Any]
    flag_rules: tuple[FlagRule, ...]
    advice: Mapping[Level, Mapping[str, str]]
    # Whether the rule set's document defines the effective answers (RULES.md 3.2, rule set 3 on):
    # hidden questions hold their defaults before any rule runs. Rule sets 1 and 2 predate them and
    # gate each term themselves (rule set 1 even reads `discharge_color` without its gate).
    hidden_answers_read_as_defaults: bool = False
    fields_by_name: dict[str, Field] = field(init=False)
    flag_codes: tuple[str, ...] = field(init=False)
    flag_rules_by_code: dict[str, FlagRule] = field(init=False)
    levels: tuple[Level, ...] = field(init=False)
    shown_when: dict[str, Reveal] = field(init=False)

    def __post_init__(self):
        setattr_ = object.__setattr__
        setattr_(self, "fields_by_name", {f.name: f for f in self.fields})
        setattr_(self, "flag_codes", tuple(rule.code for rule in self.flag_rules))
        setattr_(self, "flag_rules_by_code", {rule.code: rule for rule in self.flag_rules})
        setattr_(self, "levels", tuple(sorted(self.advice)))
        setattr_(self, "shown_when", {name: r for r in self.reveals for name in r.details})
        order = {f.name: position for position, f in enumerate(self.fields)}
        for reveal in self.reveals:
            for detail in reveal.details:
                for question in reveal.questions:
                    # RULES.md 3.2: a condition reads only fields above the detail it shows.
                    if order[question] >= order[detail]:
                        raise ValueError(f"{detail} is shown by {question}, which is not asked before it.")
        # The effective answers (RULES.md 3.2): for each detail, in the order of the fields, its
        # condition and its default. One gate per run of details that share a condition.
        gates: list[tuple[Callable[[Any], bool], tuple[tuple[str, Any], ...], frozenset[str]]] = []
        previous = None
        for f in self.fields:
            reveal = self.shown_when.get(f.name)
            if reveal is None:
                previous = None
                continue
            if reveal is previous:
                test, defaults, reads = gates[-1]
                gates[-1] = (test, (*defaults, (f.name, f.default)), reads)
            else:
                gates.append((reveal.compiled(), ((f.name, f.default),), frozenset(reveal.questions)))
            previous = reveal
        setattr_(self, "_gates", tuple(gates))
        # Every detail at its default (as the live form sends a submission whose details are hidden):
        # nothing to replace, found in one comparison.
        details = [f for f in self.fields if f.name in self.shown_when]
        setattr_(self, "_details", attrgetter(*(f.name for f in details)) if len(details) > 1 else None)
        setattr_(self, "_detail_defaults", tuple(f.default for f in details))
        setattr_(self, "_positions", {f.name: position for position, f in enumerate(self.fields)})
        # For the hot path of assess(): (rule, condition) pairs, and each flag's weight and level
        # as plain integers (informational flags rank below routine, so they never set the level).
        setattr_(self, "_step1", tuple((r, r.condition) for r in self.flag_rules if r.kind != ESCALATION))
        setattr_(
            self, "_escalations", tuple((r, r.condition) for r in self.flag_rules if r.kind == ESCALATION)
        )
        setattr_(
            self,
            "_weight_and_rank",
            {r.code: (r.weight, -1 if r.level is None else int(r.level)) for r in self.flag_rules},
        )

    # -- answers --

    def answers_from_mapping(self, mapping: Mapping[str, object]):
        """Validate raw answers strictly and fill in the defaults (RULES.md 3.2).

        Values are never coerced: the form already produced typed values, and
        the engine must not guess.
        """
        if not isinstance(mapping, Mapping):
            raise InvalidAnswers({"__all__": "Answers must be a mapping of field names to values."})
        fields = self.fields_by_name
        errors: dict[str, str] = {}
        for name, value in mapping.items():
            rule = fields.get(name)
            if rule is None:
                if name == "age":
                    errors[name] = "Unknown field: age comes from the profile and is passed separately."
                else:
                    errors[str(name)] = "Unknown field."
            elif (message := rule.error_for(value)) is not None:
                errors[name] = message
        if errors:
            raise InvalidAnswers(errors)
        return self.answers_type(**mapping)

    def visible_fields(self, raw_answers: Mapping[str, object]) -> set[str]:
        """Names of the questions the live form shows for these answers (RULES.md 3.2).

        Read down the fields in order: a condition sees only the answers to
        questions that are themselves shown, so the answer to a hidden
        question never reveals another one.
        """
        visible: set[str] = set()
        shown_answers: dict[str, object] = {}
        shown_when = self.shown_when
        for f in self.fields:
            name = f.name
            reveal = shown_when.get(name)
            if reveal is None or reveal.shown(shown_answers):
                visible.add(name)
                if name in raw_answers:
                    shown_answers[name] = raw_answers[name]
        return visible

    def effective_answers(self, answers):
        """The answers every rule reads (RULES.md 3.2): each hidden question holds its default.

        Going down the fields in order, a detail whose condition is false (on
        the effective answers above it) is replaced by its default. `answers`
        is a trusted answers object; the same object comes back when nothing
        was hidden with a value, as from the live form.
        """
        if self._details is not None and self._details(answers) == self._detail_defaults:
            return answers
        changes: dict[str, Any] = {}
        for test, defaults, reads in self._gates:
            if changes and not changes.keys().isdisjoint(reads):
                # This condition reads a detail hidden above it: read it as its default.
                answers = self._rebuilt(answers, changes)
                changes = {}
            if not test(answers):
                for name, default in defaults:
                    if getattr(answers, name) != default:
                        changes[name] = default
        return self._rebuilt(answers, changes) if changes else answers

    def _rebuilt(self, answers, changes: dict[str, Any]):
        if not isinstance(answers, tuple):
            return replace(answers, **changes)
        # The named tuple's own _replace() walks every field; only the changed ones are set here.
        values = list(answers)
        positions = self._positions
        for name, value in changes.items():
            values[positions[name]] = value
        return tuple.__new__(type(answers), values)

    def level_from_code(self, code: object) -> Level:
        """The level for a RULES.md code such as "follow_up", if this rule set has it."""
        level = _LEVELS_BY_CODE.get(code) if isinstance(code, str) else None
        if level not in self.levels:
            codes = ", ".join(level.code for level in self.levels)
            raise ValueError(f"Unknown level code {code!r}; expected one of: {codes}.")
        return level

    # -- evaluation (RULES.md sections 5 and 7) --

    def assess(self, answers, age: int, history: Sequence[HistoryEntry] = ()) -> Result:
        """Evaluate the flag table in the two steps of section 5; derive level and score (section 7).

        `answers` is trusted (build it with `answers_from_mapping()`); `age` and
        the history's `days_ago` are checked because they come from elsewhere.
        """
        # `type() is int` rather than isinstance: true/false is never a number here (RULES.md 3.2).
        if type(age) is not int or not AGE_MIN <= age <= AGE_MAX:
            raise InvalidAnswers({"age": f"Must be a whole number between {AGE_MIN} and {AGE_MAX}."})
        for index, entry in enumerate(history):
            days_ago = entry.days_ago
            if type(days_ago) is not int or days_ago < 0:
                raise InvalidAnswers(
                    {f"history[{index}].days_ago": "Must be a whole number of days, 0 or more."}
                )
        if self.hidden_answers_read_as_defaults:
            answers = self.effective_answers(answers)
        return self.evaluate(answers, age, history)

    def evaluate(self, answers, age: int, history: Sequence[HistoryEntry] = ()) -> Result:
        """The flag table on effective answers, unchecked: `assess()` is the entry point.

        An earlier submission is read only through its `bleeding_after_sex`
        (section 6), which every rule set always shows, so its effective
        answers are its answers.
        """
        terms = self.terms(answers, age, history)

        # Step 1: base and info flags from the answers and the history's terms, in table order.
        raised = [rule for rule, condition in self._step1 if condition(answers, terms, _NO_FLAGS)]
        # Step 2: escalations read step-1 flags only, so they never feed each other.
        step1 = {rule.code for rule in raised}
        escalated = [rule for rule, condition in self._escalations if condition(answers, terms, step1)]
        if escalated:
            raised += escalated
            # Reported in the table's order (section 4).
            raised.sort(key=_table_order)

        codes = tuple(rule.code for rule in raised)
        level = score = 0
        weight_and_rank = self._weight_and_rank
        for code in codes:
            weight, rank = weight_and_rank[code]
            score += weight
            if rank > level:
                level = rank
        return Result(_LEVELS[level], score, codes, self.version)

    # -- explanation --

    def reasons(self, codes) -> tuple[tuple[str, str], ...]:
        """(code, clinician reason) for each known flag, in canonical order."""
        return tuple(
            (code, self.flag_rules_by_code[code].reason) for code in codes if code in self.flag_rules_by_code
        )

    def advice_text(self, level: Level, language: str | None = None) -> str:
        """Patient advice for the level (section 8), Italian unless English is asked for."""
        return self.advice[Level(level)][advice_language(language)]


def earlier_bleeding_reports(history: Sequence[HistoryEntry]) -> int:
    """Earlier submissions that count towards recurrence (RULES.md section 6)."""
    return sum(
        1 for entry in history if counts_as_earlier_report(entry.days_ago, entry.answers.bleeding_after_sex)
    )
