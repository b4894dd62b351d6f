"""`manage.py triage_check` against a plain evaluator of the same vignette file.

Run from the repository root: `python bench/triage_check_bench.py [--cases 30000]`.
It writes a file of seeded random acceptance cases (RULES.md section 9: valid
answers, a history of up to three earlier submissions, expectations taken from
the engine, and one case in a hundred expecting a wrong level so that FAIL lines
are printed too), then runs, each in its own process and alternating:

- `python manage.py triage_check FILE` (Django start-up, the strict loader,
  one line per case through the command's output);
- `python bench/plain_check.py FILE` (the engine's import, `json.loads`,
  unchecked constructors, `assess()`, the same comparison, one line per case);
- the same with `--gc-paused`: `triage_check` pauses the cycle collector while
  it loads and checks, and this third figure shows what is left once the plain
  evaluator does the same (the strict checks and Django's start-up).

Each run is timed by wall clock from the process's start to its exit, start-up
included, with its output read through a pipe; the figure of each is the best
of `--rounds` runs. Both must agree on every case's verdict. The target is a
ratio of at most 1.5; exits 1 when it is missed.
"""

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from triage.rules import AGE_MAX, AGE_MIN, BOOL, CHOICE, CURRENT, INT, HistoryEntry  # noqa: E402

TARGET_RATIO = 1.5
SEED = 20261130
WRONG_EXPECTATION_RATE = 0.01


def random_answers(rng: random.Random) -> dict:
    """Valid answers as JSON: each question answered with modest probability, as real cases are."""
    answers = {}
    for field in CURRENT.fields:
        if rng.random() > 0.3:
            continue
        if field.kind == BOOL:
            answers[field.name] = rng.random() < 0.7
        elif field.kind == INT:
            answers[field.name] = rng.randint(field.min_value, min(field.max_value, 15))
        elif field.kind == CHOICE:
            answers[field.name] = rng.choice(field.choices)
        else:
            answers[field.name] = rng.choice(("", "Nessuna nota particolare.", "Dolore da due settimane."))
    return answers


def random_case(rng: random.Random, number: int) -> dict:
    make_answers = CURRENT.answers_type
    age = rng.randint(max(AGE_MIN, 14), min(AGE_MAX, 90))
    answers = random_answers(rng)
    history = [
        {"days_ago": rng.randint(0, 180), "answers": random_answers(rng)}
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3)))
    ]
    result = CURRENT.assess(
        make_answers(**answers),
        age,
        [HistoryEntry(entry["days_ago"], make_answers(**entry["answers"])) for entry in history],
    )
    raised = list(result.flags)
    others = [code for code in CURRENT.flag_codes if code not in raised]
    level = result.level.code
    if rng.random() < WRONG_EXPECTATION_RATE:
        level = rng.choice([code.code for code in CURRENT.levels if code is not result.level])
    expect = {
        "level": level,
        "flags_include": rng.sample(raised, rng.randint(0, len(raised))),
        "flags_exclude": rng.sample(others, min(len(others), rng.randint(0, 4))),
    }
    if rng.random() < 0.5:
        expect["score"] = result.score
    case = {
        "id": f"random-{number:06d}",
        "description": f"Random case {number} (seed {SEED}).",
        "patient": {"age": age},
        "answers": answers,
        "expect": expect,
    }
    if history or rng.random() < 0.5:
        case["history"] = history
    return case


def write_cases(path: Path, count: int) -> None:
    rng = random.Random(SEED)
    path.write_text(json.dumps([random_case(rng, n) for n in range(1, count + 1)], indent=2))


def timed(command: list[str]) -> tuple[float, float, str]:
    """Wall clock and CPU time (user + system) of one run, and what it printed."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    if completed.returncode not in (0, 1) or not completed.stdout.rstrip().endswith("failed"):
        raise SystemExit(f"{' '.join(command)} failed:\n{completed.stderr[-2000:]}")
    return elapsed, cpu, completed.stdout


def verdicts(output: str) -> list[tuple[str, str]]:
    lines = output.splitlines()[:-1]
    return [tuple(line.split(":", 1)[0].split(" ", 1)) for line in lines]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=5, help="runs of each; the best counts (default 5)")
    parser.add_argument("--file", type=Path, help="keep the generated cases in this file")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="triage-check-") as tmp:
        path = options.file or Path(tmp) / "cases.json"
        write_cases(path, options.cases)
        size_mb = path.stat().st_size / 1e6
        commands = {
            "triage_check": [sys.executable, "manage.py", "triage_check", str(path)],
            "plain": [sys.executable, str(REPO_ROOT / "bench" / "plain_check.py"), str(path)],
            "plain_gc_off": [
                sys.executable,
                str(REPO_ROOT / "bench" / "plain_check.py"),
                str(path),
                "--gc-paused",
            ],
        }
        # Django needs no database for the command; SQLite default settings keep it local.
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu_times: dict[str, list[float]] = {name: [] for name in commands}
        outputs = {}
        for _ in range(options.rounds):
            for name, command in commands.items():
                elapsed, cpu, outputs[name] = timed(command)
                times[name].append(elapsed)
                cpu_times[name].append(cpu)

    if (
        not verdicts(outputs["triage_check"])
        == verdicts(outputs["plain"])
        == verdicts(outputs["plain_gc_off"])
    ):
        raise SystemExit("triage_check and the plain evaluator disagree on some case.")
    best = {name: min(values) for name, values in times.items()}
    best_cpu = {name: min(values) for name, values in cpu_times.items()}
    ratio = best["triage_check"] / best["plain"]
    print(
        f"{options.cases:,} cases ({size_mb:.1f} MB of JSON), best of {options.rounds} runs each, "
        f"from the process's start to its exit; {outputs['plain'].splitlines()[-1]}"
    )
    for name, values in times.items():
        print(
            f"  {name:14} wall {best[name]:.3f} s ({options.cases / best[name]:,.0f} cases/s), "
            f"CPU {best_cpu[name]:.3f} s; all runs, wall: {', '.join(f'{v:.3f}' for v in values)}"
        )
    met = ratio <= TARGET_RATIO
    print(
        f"Ratio triage_check / plain: {ratio:.2f} wall, "
        f"{best_cpu['triage_check'] / best_cpu['plain']:.2f} CPU (target ≤ {TARGET_RATIO}, wall: "
        f"{'met' if met else 'NOT met'})"
    )
    print(
        f"Ratio triage_check / plain_gc_off: {best['triage_check'] / best['plain_gc_off']:.2f} wall, "
        f"{best_cpu['triage_check'] / best_cpu['plain_gc_off']:.2f} CPU"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
