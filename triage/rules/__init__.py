"""Pre-visit triage rules for discharge and bleeding after intercourse.

Every released rule set stays evaluable (RULES.md section 11): new
submissions are assessed with `CURRENT` (rule set 3), and a stored
assessment is explained by `rule_set(its version)`. The package imports
nothing from Django; `triage.cases.assessments` supplies the patient's age and her
earlier submissions.

The names re-exported below are those of the current rule set, for code
that reads or asks the current questionnaire.
"""

from . import v1, v2, v3
from .engine import (
    ADVICE_LANGUAGES,
    AGE_MAX,
    AGE_MIN,
    ALL,
    ANY,
    BASE,
    BOOL,
    CHOICE,
    DEFAULT_ADVICE_LANGUAGE,
    ESCALATION,
    INFO,
    INT,
    LEVEL_CODES,
    RECURRENCE_WINDOW_DAYS,
    TEXT,
    Clause,
    Field,
    FlagRule,
    HistoryEntry,
    InvalidAnswers,
    Level,
    Result,
    Reveal,
    RuleSet,
    advice_language,
    counts_as_earlier_report,
    earlier_bleeding_reports,
)

RULE_SETS: dict[int, RuleSet] = {
    rule_set.version: rule_set for rule_set in (v1.RULE_SET, v2.RULE_SET, v3.RULE_SET)
}
CURRENT: RuleSet = v3.RULE_SET
RULES_VERSION: int = CURRENT.version


def rule_set(version: int | None) -> RuleSet:
    """The rule set that made an assessment; unknown or missing versions read as the current one."""
    return RULE_SETS.get(version, CURRENT)


# Every flag code any rule set can raise, in a fixed order: rule set 1's, then each later
# set's new ones. A flag's position is its bit in `Case.flag_bits`, so it never moves.
ALL_FLAG_CODES: tuple[str, ...] = tuple(
    dict.fromkeys(code for version in sorted(RULE_SETS) for code in RULE_SETS[version].flag_codes)
)

# The current questionnaire and flag table.
Answers = v3.Answers
FIELDS = CURRENT.fields
FIELDS_BY_NAME = CURRENT.fields_by_name
REVEALS = CURRENT.reveals
SHOWN_WHEN = CURRENT.shown_when
FLAG_RULES = CURRENT.flag_rules
FLAG_CODES = CURRENT.flag_codes
FLAG_RULES_BY_CODE = CURRENT.flag_rules_by_code
ADVICE = CURRENT.advice
BLEEDING_AMOUNTS = v3.BLEEDING_AMOUNTS
NOTES_MAX_LENGTH = v3.NOTES_MAX_LENGTH
answers_from_mapping = CURRENT.answers_from_mapping
visible_fields = CURRENT.visible_fields


def assess(answers, age: int, history=()) -> Result:
    """Assess with the current rule set (RULES.md sections 4 to 7)."""
    return CURRENT.assess(answers, age, history)


__all__ = [
    "ADVICE",
    "ALL",
    "ANY",
    "ADVICE_LANGUAGES",
    "AGE_MAX",
    "AGE_MIN",
    "ALL_FLAG_CODES",
    "Answers",
    "BASE",
    "BLEEDING_AMOUNTS",
    "BOOL",
    "CHOICE",
    "CURRENT",
    "Clause",
    "DEFAULT_ADVICE_LANGUAGE",
    "ESCALATION",
    "FIELDS",
    "FIELDS_BY_NAME",
    "FLAG_CODES",
    "FLAG_RULES",
    "FLAG_RULES_BY_CODE",
    "Field",
    "FlagRule",
    "HistoryEntry",
    "INFO",
    "INT",
    "InvalidAnswers",
    "LEVEL_CODES",
    "Level",
    "NOTES_MAX_LENGTH",
    "RECURRENCE_WINDOW_DAYS",
    "REVEALS",
    "RULES_VERSION",
    "RULE_SETS",
    "Result",
    "Reveal",
    "RuleSet",
    "SHOWN_WHEN",
    "TEXT",
    "advice_language",
    "answers_from_mapping",
    "assess",
    "counts_as_earlier_report",
    "earlier_bleeding_reports",
    "rule_set",
    "visible_fields",
]
