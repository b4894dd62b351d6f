"""Micro-benchmark of the rule engine's `assess()` on one core.

Run from the repository root: `python bench/engine_bench.py [--seconds N] [--rules 1|2|3]`.
The workload mixes the rule set's published vignettes with seeded random answers
that are mostly symptom-free, as real submissions are (random answers may hold
values in questions the branching hides, which rule set 3's effective answers
reset); the target is 50,000 assessments per second with the current rule set.
Exits 1 when the target is missed.
"""

import argparse
import random
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from triage.rules import CURRENT, RULE_SETS, HistoryEntry, RuleSet  # noqa: E402
from triage.rules.vignettes import load_vignettes  # noqa: E402

TARGET_PER_SECOND = 50_000
VIGNETTES = {
    3: REPO_ROOT / "tests" / "triage" / "vignettes.json",
    2: REPO_ROOT / "tests" / "triage" / "vignettes-v2.json",
    1: REPO_ROOT / "tests" / "triage" / "vignettes-v1.json",
}
SEED = 20240501
RANDOM_CASES = 2_000


def random_answers(rng: random.Random, rule_set: RuleSet = CURRENT):
    """Answers where each question departs from its default with modest probability."""
    mapping = {}
    for field in rule_set.fields:
        if rng.random() > 0.15:
            continue
        if field.kind == "bool":
            mapping[field.name] = True
        elif field.kind == "int":
            mapping[field.name] = rng.randint(field.min_value, min(field.max_value, 12))
        elif field.kind == "choice":
            mapping[field.name] = rng.choice(field.choices)
        else:
            mapping[field.name] = "Nessuna nota particolare." * rng.randint(0, 3)
    return rule_set.answers_from_mapping(mapping)


def build_workload(rule_set: RuleSet = CURRENT) -> list[tuple]:
    rng = random.Random(SEED)
    workload = [(v.answers, v.age, v.history) for v in load_vignettes(VIGNETTES[rule_set.version], rule_set)]
    for _ in range(RANDOM_CASES):
        history = tuple(
            HistoryEntry(rng.randint(0, 180), random_answers(rng, rule_set))
            for _ in range(rng.choice((0, 0, 0, 1, 2, 3)))
        )
        workload.append((random_answers(rng, rule_set), rng.randint(16, 85), history))
    rng.shuffle(workload)
    return workload


def run(workload: list[tuple], seconds: float, rule_set: RuleSet = CURRENT) -> tuple[int, float]:
    """Assess the whole workload repeatedly until `seconds` have passed."""
    assess = rule_set.assess
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for answers, age, history in workload:
            assess(answers, age, history)
        count += len(workload)
        now = time.perf_counter()
        if now >= deadline:
            return count, now - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measuring time (default 3)")
    parser.add_argument(
        "--rules",
        type=int,
        choices=sorted(RULE_SETS),
        default=CURRENT.version,
        help="rule set (default: current)",
    )
    options = parser.parse_args()

    rule_set = RULE_SETS[options.rules]
    workload = build_workload(rule_set)
    run(workload, 0.3, rule_set)  # warm-up
    count, elapsed = run(workload, options.seconds, rule_set)
    per_second = count / elapsed
    print(
        f"Rule set {rule_set.version}, Python {sys.version.split()[0]}, {len(workload)} distinct cases, "
        f"{count:,} assessments in {elapsed:.2f} s"
    )
    print(f"{per_second:,.0f} assessments/s, {elapsed / count * 1e6:.2f} µs per assessment")
    met = per_second >= TARGET_PER_SECOND
    print(f"Target {TARGET_PER_SECOND:,}/s: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
