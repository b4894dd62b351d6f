"""The plain evaluator that `manage.py triage_check` is measured against.

Run from the repository root: `python bench/plain_check.py FILE`. It reads a
vignette file with `json.loads`, builds each case's answers and history with
the rule set's unchecked constructors (no validation, no duplicate-key check),
calls `assess()` and compares the result with the case's expectation, writing
one PASS or FAIL line per case and the totals, as `triage_check` does. It
trusts the file: a case that `triage_check` refuses may crash it or pass.
No Django is imported, only the rule engine.

With `--gc-paused` the cycle collector is off for the whole run, as
`triage_check` pauses it while it loads and checks: the comparison then shows
what the strict loader and Django's start-up cost on their own.
"""

import gc
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from triage.rules import CURRENT, HistoryEntry  # noqa: E402


def main() -> int:
    if "--gc-paused" in sys.argv[2:]:
        gc.disable()
    data = json.loads(Path(sys.argv[1]).read_bytes())
    rule_set = CURRENT
    make_answers = rule_set.answers_type
    lines = []
    passed = failed = 0
    for case in data:
        expect = case["expect"]
        history = [HistoryEntry(e["days_ago"], make_answers(**e["answers"])) for e in case.get("history", ())]
        result = rule_set.assess(make_answers(**case["answers"]), case["patient"]["age"], history)
        raised = result.flags
        ok = (
            result.level.code == expect["level"]
            and all(code in raised for code in expect["flags_include"])
            and not any(code in raised for code in expect["flags_exclude"])
            and expect.get("score", result.score) == result.score
        )
        if ok:
            passed += 1
            lines.append(f"PASS {case['id']}\n")
        else:
            failed += 1
            lines.append(f"FAIL {case['id']}\n")
    lines.append(f"{passed} passed, {failed} failed\n")
    sys.stdout.write("".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
