"""Load benchmark of the portal on PostgreSQL under gunicorn, driven by wrk.

Run from the repository root: `.venv/bin/python bench/run.py` (or `make bench`).
It recreates its own database (default `clinic_bench`), loads 20,000 patients
and 100,000 assessed questionnaires, starts gunicorn on loopback with
production settings plus the two baseline views of `bench.settings`, measures
every scenario with wrk at a fixed concurrency, and writes the table to
`bench/results/<date>.md`. See docs/performance.md.

`--scale 10000,100000,1000000` runs the pages that read the case table (the
worklist's first, flag and last pages, the case page) and the logged-in
baseline at each size, each in its own database (`<db>_<size>`) loaded by a
run of this script, and writes the p95 at each size and their ratio to
`bench/results/<date>-scale.md`.
"""

import argparse
import html
import itertools
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from http.client import HTTPConnection
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
HOST = "127.0.0.1"
FLAG_FILTER = "RECURRENT"
# The doctor's list of the day (today, the default), the review page that sends a questionnaire.
DAY_URL = "/dashboard/day/"
REVIEW_URL = "/questionnaire/new/review/"
# The patient's home page is loaded for this many patients with a visit to come, in turn.
HOME_PATIENTS = 25
ENGINE_TARGET = 50_000
WORKER_RSS_LIMIT_MB = 150
# The scale run: the pages whose cost could grow with the case table, the baseline they are read
# against, and the goal for each page's p95 at the largest size against the smallest.
SCALE_SCENARIOS = ("baseline_user", "worklist_first", "worklist_flag", "worklist_last", "case_detail")
SCALE_GOAL = 1.2
# Pages added after the targets were set: in the table with their ratios, without a target of their own.
NEW_PAGES = ("day_list", "home", "step")
# The standard data: 100,000 questionnaires over two years (bench/datagen.py's SPAN_DAYS), one
# patient for five. The scale run keeps both rates and lengthens the span.
STANDARD_SUBMISSIONS = 100_000
STANDARD_SPAN_DAYS = 730


@dataclass
class Scenario:
    name: str
    label: str
    paths: list[str]
    cookie: str = ""
    method: str = "GET"
    queries: int | None = None
    # A POST scenario's pool: the file of requests for wrk, what each one must change (checked in
    # the database after the run), and the redirects that count as success.
    pool: "PostPool | None" = None
    result: dict = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.result["requests"] / (self.result["duration_us"] / 1e6) if self.result else 0.0

    @property
    def p95_ms(self) -> float:
        return self.result["p95_us"] / 1000

    @property
    def errors(self) -> int:
        return self.result["bad_status"] + self.result["socket_errors"] + self.result.get("mismatch", 0)


@dataclass
class PostPool:
    file: Path
    # One entry per line of the file: the draft's key and the step it must be on once saved
    # (None: it must be submitted).
    drafts: list[tuple[str, int | None]]
    locations: list[str]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="clinic_bench", help="database to (re)create (default clinic_bench)")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--keep-data", action="store_true", help="reuse the database of an earlier run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--duration", type=int, default=15, help="seconds measured per scenario")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per scenario")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: one per core)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (default sync)")
    parser.add_argument("--worker-threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--post-pool", type=int, default=4000, help="patients with a draft to submit")
    parser.add_argument(
        "--step-pool", type=int, default=10000, help="patients with a draft whose next step is saved"
    )
    parser.add_argument("--only", default="", help="comma-separated scenario names to run")
    parser.add_argument("--no-write", action="store_true", help="print the table without writing a file")
    parser.add_argument(
        "--span-days", type=int, default=STANDARD_SPAN_DAYS, help="how far back the questionnaires go"
    )
    parser.add_argument(
        "--scale",
        default="",
        metavar="SIZES",
        help="comma-separated numbers of questionnaires: run the case-table pages at each size",
    )
    parser.add_argument("--no-engine", action="store_true", help="skip the engine micro-benchmark")
    parser.add_argument(
        "--cache",
        default="memory",
        choices=["memory", "redis"],
        help="redis: measure with per-process memory, then with the shared Redis cache and "
        "cache-backed sessions (DJANGO_CACHE_URL), on the same data, and compare them",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/5",
        help="the Redis database for --cache redis (emptied before the run; default db 5 on 127.0.0.1)",
    )
    parser.add_argument("--shared-cache", default="", help=argparse.SUPPRESS)  # one half of --cache redis
    parser.add_argument("--result-json", default="", help=argparse.SUPPRESS)  # one size of a scale run
    parser.add_argument(
        "--py-spy",
        default="",
        metavar="SCENARIO",
        help="record a py-spy flame graph of all workers while this scenario is measured",
    )
    parser.add_argument(
        "--py-spy-format",
        default="flamegraph",
        choices=["flamegraph", "speedscope", "raw"],
        help="py-spy output: an SVG flame graph, a speedscope file, or collapsed stacks as text",
    )
    return parser.parse_args()


def configure_environment(options, static_root: Path) -> int:
    """Production settings on loopback; the variables reach this process and gunicorn alike."""
    port = free_port()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": f"{options.pg}/{options.db}",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_CSRF_TRUSTED_ORIGINS": f"http://{HOST}:{port}",
            # Plain HTTP on loopback: no redirect to HTTPS. Secure cookies stay on; the load
            # generator sends the Cookie header itself.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "BENCH_STATIC_ROOT": str(static_root),
        }
    )
    if options.shared_cache:
        # The shared cache and, with it, cache-backed sessions (clinic.settings), emptied first.
        import redis

        redis.Redis.from_url(options.shared_cache).flushdb()
        os.environ["DJANGO_CACHE_URL"] = options.shared_cache
    else:
        os.environ.pop("DJANGO_CACHE_URL", None)
    sys.path.insert(0, str(REPO_ROOT))
    return port


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def recreate_database(options) -> None:
    import psycopg

    with psycopg.connect(f"{options.pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{options.db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{options.db}"')


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing; installing it from Debian's packages.")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        return shutil.which("wrk")
    sys.exit("wrk is needed: install it with `apt-get install wrk` (Debian/Ubuntu) or your package manager.")


# --- Sessions --------------------------------------------------------------------


def login_session(user, backend: str) -> str:
    """A session as a real login leaves it (signals included), without hashing a password."""
    from django.conf import settings
    from django.contrib.auth import login
    from django.test import RequestFactory
    from django.utils.module_loading import import_string

    request = RequestFactory().get("/", HTTP_HOST=HOST, REMOTE_ADDR=HOST, HTTP_USER_AGENT="bench")
    request.session = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    device = None
    if user.is_doctor and "django_otp" in settings.INSTALLED_APPS:
        # Doctors must pass two-factor: give the account an authenticator and verify it,
        # as the two-factor form does after a correct code.
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
    request.user = user
    login(request, user, backend=backend)
    if device is not None:
        from django_otp import login as otp_login

        otp_login(request, device)
    request.session.save()
    return f"{settings.SESSION_COOKIE_NAME}={request.session.session_key}"


def model_backend() -> str:
    from django.conf import settings

    backends = [path for path in settings.AUTHENTICATION_BACKENDS if "axes" not in path]
    return backends[-1]


# --- Probing through the test client: status, queries, URLs ---------------------


def test_client(cookie: str = ""):
    from django.test import Client

    client = Client(HTTP_HOST=HOST, REMOTE_ADDR=HOST)
    if cookie:
        client.cookies.load(cookie)
    return client


def count_queries(client, path: str, method: str = "GET", data=None, expect=200):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if method == "GET":
        client.get(path)  # first use fills per-process caches and may refresh the session
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, data) if method == "POST" else client.get(path)
    if response.status_code != expect:
        raise SystemExit(f"{method} {path} answered {response.status_code}, expected {expect}.")
    return len(captured.captured_queries), response


def worklist_links(body: str) -> tuple[str, list[str]]:
    """The pagination's last link and the case links of a rendered worklist page."""
    page_links = [html.unescape(href) for href in re.findall(r'class="page-link"[^>]*href="([^"]+)"', body)]
    page_links += [html.unescape(href) for href in re.findall(r'href="([^"]+)"[^>]*class="page-link"', body)]
    last = [href for href in page_links if "page=last" in href] or page_links[-1:]
    if not last:
        raise SystemExit("The worklist's first page has no pagination links; is there enough data?")
    cases = list(dict.fromkeys(re.findall(r'href="(/dashboard/cases/\d+/)', body)))
    if not cases:
        raise SystemExit("The worklist's first page links to no case.")
    return last[0], cases


def form_fields(body: str) -> dict:
    fields = {}
    for tag in re.findall(r"<input[^>]+>", body):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and value and 'type="hidden"' in tag:
            fields[name.group(1)] = html.unescape(value.group(1))
    return fields


def step_body(answers: dict, step: int, key: str, owner: str, token: str) -> dict:
    """A step's POST with Next: that section's answers as a browser sends them (yes/no radios,
    numbers, choices), the form's hidden fields and the button."""
    from triage.questionnaire import SECTIONS

    data = {"csrfmiddlewaretoken": token, "key": key, "owner": owner, "action": "next"}
    for name in SECTIONS[step - 1][1]:
        if name in answers:
            value = answers[name]
            data[name] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    return data


def send_body(key: str, token: str) -> dict:
    """The review page's Send."""
    return {"csrfmiddlewaretoken": token, "key": key}


def lua_literal(path: str) -> str:
    """A Lua pattern matching exactly this path."""
    return "^" + re.sub(r"([%^$().\[\]*+\-?])", r"%\1", path) + "$"


# --- gunicorn -------------------------------------------------------------------


def start_gunicorn(options, port: int, workdir: Path):
    # One sync worker per core: the pages are CPU-bound and the load generator shares the
    # cores, so more workers only add switching (measured: 5 workers were slower than 2).
    workers = options.workers or (os.cpu_count() or 1)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "clinic.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        options.worker_class,
        "--threads",
        str(options.worker_threads),
        "--error-logfile",
        str(workdir / "gunicorn.log"),
        "--log-level",
        "warning",
    ]
    log = open(workdir / "gunicorn.out", "wb")  # noqa: SIM115 - closed by stop_gunicorn
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {workdir / 'gunicorn.log'}")
        try:
            status, _headers, _body = http_get(port, "/bench/ping/")
            if status == 200:
                return process, log, workers
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 30 s.")


def stop_gunicorn(process, log) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log.close()


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children), from /proc."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master_pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return sorted(sizes)


def http_get(port: int, path: str, cookie: str = ""):
    conn = HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


# --- The POST pool ----------------------------------------------------------------


def step_draft(answers: dict, step: int):
    """What her draft holds when she is on `step`: the answers of the steps before it."""
    from triage.questionnaire import SECTIONS

    names = {name for _title, section in SECTIONS[: step - 1] for name in section}
    return {name: value for name, value in answers.items() if name in names}


def pool_step(number: int) -> int:
    """The step the n-th patient of the step pool saves: every step in turn."""
    from patients.questionnaire_forms import STEP_COUNT

    return number % STEP_COUNT + 1


def prepare_post_pool(
    sessions: list[tuple], token: tuple[str, str], pool_file: Path, *, steps: bool
) -> list[tuple[str, int | None]]:
    """One POST per patient, each on her own draft, ready for wrk.

    The drafts are inserted as the questionnaire leaves them: with every
    answer and on the review page for the submissions (`steps` false), with
    the answers of the steps before hers and on her step for the steps. The
    CSRF pair comes from one real visit of a questionnaire page: Django keeps
    the CSRF secret in its own cookie, not in the session, so the pair is
    valid alongside any patient's session.
    """
    from patients.models import Submission
    from patients.questionnaire_views import REVIEW_STEP, owner_check

    csrf_cookie, csrf_token = token
    if steps:
        numbered = [
            (pool_step(n), patient, cookie, answers) for n, (patient, cookie, answers) in enumerate(sessions)
        ]
        drafts = Submission.objects.bulk_create(
            Submission(patient=patient, answers=step_draft(answers, step), step=step)
            for step, patient, _c, answers in numbered
        )
        lines = [
            f"/questionnaire/new/step/{step}/\t{cookie}; {csrf_cookie}\t"
            + urllib.parse.urlencode(
                step_body(answers, step, str(draft.key), owner_check(draft.key, patient.user), csrf_token)
            )
            for draft, (step, patient, cookie, answers) in zip(drafts, numbered, strict=True)
        ]
        expected = [
            (str(draft.key), step + 1) for draft, (step, *_rest) in zip(drafts, numbered, strict=True)
        ]
    else:
        drafts = Submission.objects.bulk_create(
            Submission(patient=patient, answers=answers, step=REVIEW_STEP)
            for patient, _c, answers in sessions
        )
        lines = [
            f"/questionnaire/new/review/\t{cookie}; {csrf_cookie}\t"
            + urllib.parse.urlencode(send_body(str(draft.key), csrf_token))
            for draft, (_patient, cookie, _answers) in zip(drafts, sessions, strict=True)
        ]
        expected = [(str(draft.key), None) for draft in drafts]
    pool_file.write_text("\n".join(lines) + "\n")
    return expected


# --- wrk --------------------------------------------------------------------------


def run_wrk(options, port: int, script: str, args: list[str], seconds: int, cookie: str = "") -> dict:
    command = [
        "wrk",
        "-t",
        str(options.threads),
        "-c",
        str(options.connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH_DIR / "wrk" / script),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command += [f"http://{HOST}:{port}", "--", *args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^BENCH (\{.*\})$", output, re.M)
    if not match:
        raise SystemExit(f"wrk printed no result:\n{output}")
    result = json.loads(match.group(1))
    result["samples"] = re.findall(r"^BAD (.*)$", output, re.M)[:3]
    for sample in result["samples"]:
        print(f"  unexpected answer: {sample}")
    return result


def publish(options, report: str, name: str = "") -> None:
    """Print a report and, unless --no-write, keep it in bench/results/ under today's date."""
    print()
    print(report)
    if not options.no_write:
        RESULTS_DIR.mkdir(exist_ok=True)
        out = RESULTS_DIR / f"{date.today().isoformat()}{name}.md"
        out.write_text(report)
        print(f"Written to {out.relative_to(REPO_ROOT)}")


def start_py_spy(options, master_pid: int, name: str):
    """Sample every worker for the measured seconds; the flame graph goes next to the results."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise SystemExit("py-spy is missing: pip install -r requirements-bench.txt")
    RESULTS_DIR.mkdir(exist_ok=True)
    suffix = {"flamegraph": "svg", "speedscope": "json", "raw": "txt"}[options.py_spy_format]
    out = RESULTS_DIR / f"{date.today().isoformat()}-{name}.{suffix}"
    command = [py_spy, "record", "--pid", str(master_pid), "--subprocesses", "--idle"]
    command += ["--format", options.py_spy_format, "--duration", str(options.duration), "--output", str(out)]
    print(f"  py-spy: recording into {out.relative_to(REPO_ROOT)}")
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(options, port: int, master_pid: int, scenario: Scenario, workdir: Path) -> None:
    """A warm-up run, then the measured run (sampled by py-spy when asked)."""
    pool = scenario.pool
    if pool is not None:
        # Warm up on the first tenth of the pool, measure on the rest: no draft is posted twice.
        split = max(options.threads, len(pool.drafts) // 10)
        script, cookie = "post.lua", ""
        warm_args = [str(pool.file), "1", str(split), str(options.threads), *pool.locations]
        args = [str(pool.file), str(split + 1), str(len(pool.drafts)), str(options.threads), *pool.locations]
    else:
        paths_file = workdir / f"{scenario.name}.paths"
        paths_file.write_text("\n".join(scenario.paths) + "\n")
        script, cookie = "get.lua", scenario.cookie
        warm_args = args = [str(paths_file)]
    if options.warmup:
        run_wrk(options, port, script, warm_args, options.warmup, cookie)
    spy = start_py_spy(options, master_pid, scenario.name) if options.py_spy == scenario.name else None
    scenario.result = run_wrk(options, port, script, args, options.duration, cookie)
    if spy:
        spy.wait(timeout=120)
    if pool is not None:
        check_writes(options, scenario.result, pool.drafts[split:])


def check_writes(options, result: dict, drafts: list[tuple[str, int | None]]) -> None:
    """Every success must have written its draft, as the database tells: a questionnaire submitted,
    or a step saved (the draft moved on to the next step)."""
    from patients.models import Submission

    time.sleep(3)  # requests still in flight when wrk stopped finish on the server
    rows = {
        str(key): (status, step)
        for key, status, step in Submission.objects.filter(
            key__in=[key for key, _step in drafts]
        ).values_list("key", "status", "step")
    }
    stored = sum(
        1
        for key, step in drafts
        if key in rows
        and (rows[key][0] == Submission.Status.SUBMITTED if step is None else rows[key] == ("draft", step))
    )
    # The server may also have finished one request per connection that wrk no longer waited for.
    succeeded = result["requests"] - result["bad_status"] - result["exhausted"]
    result["mismatch"] = max(0, succeeded - stored) + max(0, stored - succeeded - options.connections)
    result["stored"] = stored


# --- Report -----------------------------------------------------------------------


def machine_facts(options) -> dict:
    import django
    import psycopg

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    with psycopg.connect(f"{options.pg}/postgres") as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" [")[0]
    return {
        "cores": os.cpu_count(),
        "memory": f"{int(memory.group(1)) / 1024 / 1024:.1f} GiB" if memory else "unknown",
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "wrk": wrk.strip(),
    }


def engine_figure() -> float:
    output = subprocess.run(
        [sys.executable, str(BENCH_DIR / "engine_bench.py"), "--seconds", "3"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    ).stdout
    match = re.search(r"^([\d,]+) assessments/s", output, re.M)
    return float(match.group(1).replace(",", "")) if match else 0.0


def targets(scenarios: dict[str, Scenario], rss: list[float], engine: float) -> list[tuple[str, str, bool]]:
    """Each target of docs/performance.md with the measured figure and whether it is met."""
    logged_in = scenarios.get("baseline_user")
    found = []

    def ratio(name):
        return scenarios[name].rps / logged_in.rps if logged_in and logged_in.rps else 0.0

    for name in ("worklist_first", "worklist_flag", "worklist_last"):
        if name in scenarios:
            s = scenarios[name]
            found.append((f"{s.label}: p95 ≤ 100 ms", f"{s.p95_ms:.1f} ms", s.p95_ms <= 100))
            if logged_in:
                found.append(
                    (f"{s.label}: ≥ 0.3 × logged-in baseline", f"{ratio(name):.2f} ×", ratio(name) >= 0.3)
                )
    if "worklist_first" in scenarios and "worklist_last" in scenarios:
        first, last = scenarios["worklist_first"], scenarios["worklist_last"]
        found.append(
            (
                "Last page p95 ≤ 1.2 × first page p95",
                f"{last.p95_ms / first.p95_ms:.2f} ×",
                last.p95_ms <= 1.2 * first.p95_ms,
            )
        )
    if "case_detail" in scenarios:
        s = scenarios["case_detail"]
        found.append(("Case detail: p95 ≤ 60 ms", f"{s.p95_ms:.1f} ms", s.p95_ms <= 60))
        if logged_in:
            found.append(
                (
                    "Case detail: ≥ 0.5 × logged-in baseline",
                    f"{ratio('case_detail'):.2f} ×",
                    ratio("case_detail") >= 0.5,
                )
            )
    if "submit" in scenarios:
        s = scenarios["submit"]
        found.append(("Questionnaire submission: p95 ≤ 150 ms", f"{s.p95_ms:.1f} ms", s.p95_ms <= 150))
    # The pages added since the targets were set have none of their own yet: they must be measured,
    # without errors, with their ratio to the logged-in baseline.
    for name in NEW_PAGES:
        if name in scenarios and logged_in:
            s = scenarios[name]
            found.append(
                (
                    f"{s.label}: measured, without errors (no target yet)",
                    f"{ratio(name):.2f} × logged-in, p95 {s.p95_ms:.1f} ms",
                    s.errors == 0 and s.result.get("requests", 0) > 0,
                )
            )
    total_errors = sum(s.errors for s in scenarios.values())
    found.append(("Zero errors (non-2xx, socket errors)", str(total_errors), total_errors == 0))
    if engine:
        found.append(
            (f"Triage engine ≥ {ENGINE_TARGET:,}/s on one core", f"{engine:,.0f}/s", engine >= ENGINE_TARGET)
        )
    if rss:
        found.append(
            (
                f"Each gunicorn worker < {WORKER_RSS_LIMIT_MB} MB resident",
                f"max {max(rss):.0f} MB",
                max(rss) < WORKER_RSS_LIMIT_MB,
            )
        )
    return found


def render(options, facts, summary, scenarios, rss, engine, workers, command) -> str:
    base = scenarios.get("baseline")
    user = scenarios.get("baseline_user")
    lines = [
        f"# Load benchmark, {date.today().isoformat()}",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {facts['cores']} cores ({facts['cpu']}), {facts['memory']} memory, {facts['os']}; "
        f"PostgreSQL {facts['postgresql']}, Python {facts['python']}, Django {facts['django']}, {facts['wrk']}. "
        f"Load average (1 min): {facts['load']}.",
        "",
        f"Data: {summary['patients']:,} patients, {summary['submissions']:,} submitted questionnaires "
        f"({summary['levels']}), {summary['open_flagged']:,} open flagged cases on the default worklist, "
        f"{summary.get('visits', 0):,} visits; generated in {summary['seconds']:.1f} s.",
        "",
        f"Server: gunicorn, {workers} {options.worker_class} workers"
        + (f" × {options.worker_threads} threads" if options.worker_class == "gthread" else "")
        + f", on {HOST}; load: wrk, {options.connections} connections, {options.threads} threads, "
        f"{options.warmup} s warm-up then {options.duration} s per scenario, on the same machine.",
        "",
        "| Scenario | req/s | p50 ms | p95 ms | p99 ms | non-2xx + errors | queries/req | × baseline | × logged-in |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in scenarios.values():
        r = s.result
        queries = "–" if s.queries is None else f"{s.queries:g}"
        vs_base = f"{s.rps / base.rps:.2f}" if base and base.rps else "–"
        vs_user = f"{s.rps / user.rps:.2f}" if user and user.rps else "–"
        lines.append(
            f"| {s.label} | {s.rps:,.0f} | {r['p50_us'] / 1000:.1f} | {r['p95_us'] / 1000:.1f} | "
            f"{r['p99_us'] / 1000:.1f} | {s.errors} | {queries} | {vs_base} | {vs_user} |"
        )
    lines += [
        "",
        f"Triage engine alone (bench/engine_bench.py, one core): {engine:,.0f} assessments/s."
        if engine
        else "Triage engine alone: not measured in this run.",
        "",
        "Worker resident memory after the run: " + ", ".join(f"{size:.0f} MB" for size in rss) + ".",
        "",
        "| Target | Measured | Met |",
        "| --- | ---: | :---: |",
    ]
    lines += [
        f"| {name} | {value} | {'yes' if met else '**no**'} |"
        for name, value, met in targets(scenarios, rss, engine)
    ]
    pool_notes = {
        "step": "Step saved: a 302 to the next step (or to the review after the last) counts as success; "
        "{stored:,} drafts moved on to their next step during the measured run",
        "submit": "Submission: the review page's Send; a 302 to the stored questionnaire counts as success; "
        "{stored:,} questionnaires were stored during the measured run",
    }
    for name, note in pool_notes.items():
        if name in scenarios:
            r = scenarios[name].result
            exhausted = (
                f", {r['exhausted']} requests found the draft pool empty" if r.get("exhausted") else ""
            )
            lines += ["", note.format(stored=r.get("stored", 0)) + exhausted + "."]
    return "\n".join(lines) + "\n"


# --- The scale run ------------------------------------------------------------------


def write_result_json(path: Path, summary: dict, scenarios: dict[str, Scenario], facts: dict) -> None:
    """What the parent of a scale run reads back from one size."""
    path.write_text(
        json.dumps(
            {
                "summary": summary,
                "facts": facts,
                "scenarios": {
                    name: {
                        "label": s.label,
                        "rps": s.rps,
                        "p50_ms": s.result["p50_us"] / 1000,
                        "p95_ms": s.p95_ms,
                        "p99_ms": s.result["p99_us"] / 1000,
                        "errors": s.errors,
                        "queries": s.queries,
                    }
                    for name, s in scenarios.items()
                },
            },
            default=str,
        )
    )


def run_scale(options) -> int:
    """Each size in its own database and its own run of this script; then the table across sizes."""
    sizes = [int(size.replace("_", "")) for size in options.scale.split(",")]
    results = {}
    workdir = Path(tempfile.mkdtemp(prefix="clinic-scale-"))
    started = time.perf_counter()
    for size in sizes:
        out = workdir / f"{size}.json"
        # The number of questionnaires a day and of patients per questionnaire stay those of the
        # standard data; the history gets longer.
        span = max(1, round(STANDARD_SPAN_DAYS * size / STANDARD_SUBMISSIONS))
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--db",
            f"{options.db}_{size}",
            "--pg",
            options.pg,
            "--submissions",
            str(size),
            "--patients",
            str(max(1, size // 5)),
            "--span-days",
            str(span),
            "--only",
            ",".join(SCALE_SCENARIOS),
            "--connections",
            str(options.connections),
            "--threads",
            str(options.threads),
            "--duration",
            str(options.duration),
            "--warmup",
            str(options.warmup),
            "--workers",
            str(options.workers),
            "--no-write",
            "--no-engine",
            "--result-json",
            str(out),
        ]
        if options.keep_data:
            command.append("--keep-data")
        print(f"== {size:,} questionnaires ({span:,} days) ==", flush=True)
        size_started = time.perf_counter()
        subprocess.run(command, check=True, cwd=REPO_ROOT)
        results[size] = json.loads(out.read_text())
        results[size]["wall_seconds"] = time.perf_counter() - size_started
    command_line = "python bench/run.py " + " ".join(sys.argv[1:])
    report = render_scale(options, results, command_line, time.perf_counter() - started)
    publish(options, report, "-scale")
    shutil.rmtree(workdir, ignore_errors=True)
    # The baseline reads no case: its ratio shows how much the machine itself moved between sizes.
    pages = {name: ratio for name, ratio in scale_ratios(results).items() if not name.startswith("baseline")}
    errors = sum(s["errors"] for r in results.values() for s in r["scenarios"].values())
    return 0 if not errors and all(ratio <= SCALE_GOAL for ratio in pages.values()) else 1


def scale_ratios(results: dict) -> dict[str, float]:
    """Each page's p95 at the largest size over its p95 at the smallest."""
    smallest, largest = results[min(results)], results[max(results)]
    return {
        name: largest["scenarios"][name]["p95_ms"] / smallest["scenarios"][name]["p95_ms"]
        for name in SCALE_SCENARIOS
        if name in smallest["scenarios"] and name in largest["scenarios"]
    }


def render_scale(options, results: dict, command: str, seconds: float) -> str:
    sizes = sorted(results)
    first = results[sizes[0]]
    facts = first["facts"]
    header = "| | " + " | ".join(f"{size:,}" for size in sizes)
    rule = "| --- | " + " | ".join("---:" for _ in sizes)
    lines = [
        f"# Scale run, {date.today().isoformat()}",
        "",
        f"Command: `{command}` ({seconds / 60:.1f} min in all)",
        "",
        f"Machine: {facts['cores']} cores ({facts['cpu']}), {facts['memory']} memory, {facts['os']}; "
        f"PostgreSQL {facts['postgresql']}, Python {facts['python']}, Django {facts['django']}, "
        f"{facts['wrk']}.",
        "",
        f"Each size: its own database, {STANDARD_SUBMISSIONS / STANDARD_SPAN_DAYS:.0f} questionnaires a day "
        "over a span that grows with the size (cases older than two years all closed), one patient for "
        "five questionnaires; gunicorn "
        f"({options.workers or os.cpu_count()} {options.worker_class} workers) and wrk "
        f"({options.connections} connections, {options.warmup} s warm-up, {options.duration} s measured) "
        "as in the standard run.",
        "",
        "## Data",
        "",
        header + " |",
        rule + " |",
        "| Span (days) | "
        + " | ".join(f"{round(STANDARD_SPAN_DAYS * size / STANDARD_SUBMISSIONS):,}" for size in sizes)
        + " |",
        "| Patients | " + " | ".join(f"{results[size]['summary']['patients']:,}" for size in sizes) + " |",
        "| Load time (generate, COPY, indexes, VACUUM ANALYZE) | "
        + " | ".join(f"{results[size]['summary']['seconds']:,.1f} s" for size in sizes)
        + " |",
        "| Database on disk | "
        + " | ".join(f"{results[size]['summary']['database_bytes'] / 2**20:,.0f} MiB" for size in sizes)
        + " |",
        "| Open flagged cases (default worklist) | "
        + " | ".join(f"{results[size]['summary']['open_flagged']:,}" for size in sizes)
        + " |",
        "| Open flagged cases per level: review / emergency / urgent / priority / follow-up | "
        + " | ".join(
            " / ".join(f"{n:,}" for n in results[size]["summary"]["open_by_level"].values()) for size in sizes
        )
        + " |",
        "| Per-level counts query, PostgreSQL execution (median of 5) | "
        + " | ".join(f"{results[size]['summary']['counts_query_ms']:.2f} ms" for size in sizes)
        + " |",
        "| Load average before the measured runs | "
        + " | ".join(results[size]["facts"]["load"].split(" before")[0] for size in sizes)
        + " |",
        "",
        "## Pages: p95 (req/s, queries per request)",
        "",
        header + f" | {sizes[-1]:,} / {sizes[0]:,} p95 | goal ≤ {SCALE_GOAL} |",
        rule + " | ---: | :---: |",
    ]
    ratios = scale_ratios(results)
    for name in SCALE_SCENARIOS:
        if name not in first["scenarios"]:
            continue
        cells = []
        for size in sizes:
            s = results[size]["scenarios"][name]
            cells.append(f"{s['p95_ms']:.1f} ms ({s['rps']:,.0f}/s, {s['queries']})")
        ratio = ratios.get(name)
        goal = "–" if name.startswith("baseline") else ("yes" if ratio <= SCALE_GOAL else "**no**")
        lines.append(
            f"| {first['scenarios'][name]['label']} | " + " | ".join(cells) + f" | {ratio:.2f} | {goal} |"
        )
    errors = [sum(s["errors"] for s in results[size]["scenarios"].values()) for size in sizes]
    lines += [
        "",
        "Non-2xx answers and socket errors: "
        + ", ".join(f"{n} at {size:,}" for n, size in zip(errors, sizes, strict=True))
        + ".",
    ]
    return "\n".join(lines) + "\n"


# --- Main -------------------------------------------------------------------------


def load_data(options) -> dict:
    """Migrate and generate, or describe the data an earlier run left (`--keep-data`)."""
    from django.core.management import call_command
    from django.db.models import Count

    from bench import datagen
    from patients.models import Patient
    from triage.models import Case, Visit

    if options.keep_data and Case.objects.exists():
        print(f"Reusing the data in {options.db}.")
        return {
            "patients": Patient.objects.count(),
            "submissions": Case.objects.count(),
            "levels": dict(Case.objects.order_by().values_list("level").annotate(n=Count("pk"))),
            "open_flagged": Case.objects.filter(level__gt=0).exclude(status="closed").count(),
            "seconds": 0.0,
            "database_bytes": database_bytes(),
            "visits": Visit.objects.count(),
        }
    call_command("migrate", verbosity=0)
    print(
        f"Generating {options.patients:,} patients and {options.submissions:,} questionnaires "
        f"over {options.span_days:,} days…"
    )
    made = datagen.generate(
        patients=options.patients, submissions=options.submissions, span_days=options.span_days
    )
    print(f"  done in {made.seconds:.1f} s, database {made.database_bytes / 2**20:,.0f} MiB")
    return {
        "patients": made.patients,
        "submissions": made.submissions,
        "levels": made.levels,
        "open_flagged": made.open_flagged,
        "seconds": made.seconds,
        "database_bytes": made.database_bytes,
        "visits": made.visits,
    }


def database_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def counts_facts() -> dict:
    """The default worklist's per-level counts of open cases, and what their query costs in PostgreSQL.

    The counts are the one query of the worklist that reads every open case rather than a page of
    them; its execution time is the median of five `EXPLAIN ANALYZE` runs.
    """
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from triage.worklist.selectors import WorklistFilters, case_level_counts

    with CaptureQueriesContext(connection) as captured:
        counts = case_level_counts(WorklistFilters())
    sql = captured.captured_queries[-1]["sql"]
    timings = []
    with connection.cursor() as cursor:
        for _ in range(5):
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            timings.append(cursor.fetchone()[0][0]["Execution Time"])
    return {"open_by_level": counts, "counts_query_ms": statistics.median(timings)}


def build_scenarios(options, workdir: Path) -> dict[str, Scenario]:
    """Sessions, the URLs to load (read from the rendered pages), queries per request, the POST pools."""
    from bench import datagen
    from patients.models import User

    wanted = set(options.only.split(",")) if options.only else None
    doctor_cookie = login_session(User.objects.get(email=datagen.DOCTOR_EMAIL), model_backend())
    doctor = test_client(doctor_cookie)
    queries = {}
    queries["baseline"], _r = count_queries(test_client(), "/bench/ping/")
    queries["baseline_user"], _r = count_queries(doctor, "/bench/ping-user/")
    queries["login"], _r = count_queries(test_client(), "/accounts/login/")
    queries["worklist_first"], first_page = count_queries(doctor, "/dashboard/")
    last_url, case_urls = worklist_links(first_page.content.decode())
    last_url = urllib.parse.urljoin("/dashboard/", last_url)
    flag_url = f"/dashboard/?flag={FLAG_FILTER}"
    queries["worklist_flag"], _r = count_queries(doctor, flag_url)
    queries["worklist_last"], _r = count_queries(doctor, last_url)
    queries["case_detail"], _r = count_queries(doctor, case_urls[0])
    listed = 0
    if wanted is None or "day_list" in wanted:
        queries["day_list"], day_page = count_queries(doctor, DAY_URL)
        listed = day_page.content.decode().count('class="day-visit')
        if not listed:
            raise SystemExit("The list of the day shows no visit; is there enough data?")
    home_paths = []
    if wanted is None or "home" in wanted:
        queries["home"], home_paths = prepare_home()
    pools = {}
    if wanted is None or wanted & {"submit", "step"}:
        pools, post_queries = prepare_pools(options, workdir, wanted)
        queries.update(post_queries)

    scenarios = [
        Scenario("baseline", "Baseline: no database", ["/bench/ping/"]),
        Scenario("baseline_user", "Baseline: logged in", ["/bench/ping-user/"], doctor_cookie),
        Scenario("login", "Login page", ["/accounts/login/"]),
        Scenario("worklist_first", "Worklist, first page", ["/dashboard/"], doctor_cookie),
        Scenario("worklist_flag", f"Worklist, flag {FLAG_FILTER}", [flag_url], doctor_cookie),
        Scenario("worklist_last", "Worklist, last page", [last_url], doctor_cookie),
        Scenario("case_detail", "Case detail", case_urls, doctor_cookie),
        Scenario("day_list", f"List of the day ({listed} visits)", [DAY_URL], doctor_cookie),
        Scenario("home", "Patient's home, next visit", home_paths),
        Scenario("step", "Questionnaire step saved (POST)", [], method="POST", pool=pools.get("step")),
        Scenario("submit", "Questionnaire submission (POST)", [], method="POST", pool=pools.get("submit")),
    ]
    chosen = {}
    for scenario in scenarios:
        if wanted is None or scenario.name in wanted:
            scenario.queries = queries[scenario.name]
            chosen[scenario.name] = scenario
    return chosen


def prepare_home() -> tuple[int, list[str]]:
    """Log in the patients with a booked visit to come whose home page is loaded; count its queries.

    Returns the queries of one home page and the lines for get.lua (the path and each one's
    session, in turn).
    """
    from django.utils import timezone

    from patients.models import Patient

    backend = model_backend()
    patients = list(
        Patient.objects.filter(visits__state="booked", visits__starts_at__gt=timezone.now())
        .exclude(submissions__status="draft")
        .select_related("user")
        .distinct()
        .order_by("pk")[:HOME_PATIENTS]
    )
    if not patients:
        raise SystemExit("No patient has a visit to come; is there enough data?")
    cookies = [login_session(patient.user, backend) for patient in patients]
    queries, page = count_queries(test_client(cookies[0]), "/")
    if 'class="card mb-3 next-visit"' not in page.content.decode():
        raise SystemExit("The patient's home page shows no next visit.")
    return queries, [f"/\t{cookie}" for cookie in cookies]


def prepare_pools(options, workdir: Path, wanted) -> tuple[dict[str, PostPool], dict[str, int]]:
    """Log in the patients who save a step or send their questionnaire during the run, each with her
    own draft; count the queries of one step saved and of one questionnaire sent.

    The patients of the two pools are different, none has a draft of her own in the data and none
    has a visit from today on: the day's list and the home pages keep the questionnaires, drafts
    and gaps the data gave them.
    """
    import random

    from django.conf import settings
    from django.utils import timezone

    from bench import datagen
    from patients.models import Patient
    from triage.visits.selectors import day_bounds

    if settings.CSRF_USE_SESSIONS:
        raise SystemExit("CSRF_USE_SESSIONS is on: each patient would need her own CSRF token.")
    backend = model_backend()
    sizes = {
        name: size + 1  # and one for the probe
        for name, size in (("submit", options.post_pool), ("step", options.step_pool))
        if wanted is None or name in wanted
    }
    candidates = list(
        Patient.objects.exclude(submissions__status="draft")
        .exclude(visits__starts_at__gte=day_bounds(timezone.localdate())[0])
        .select_related("user")
        .order_by("pk")[: sum(sizes.values())]
    )
    if len(candidates) < sum(sizes.values()):
        # Small data: the pools share the patients there are, in proportion.
        sizes = {name: len(candidates) * size // sum(sizes.values()) for name, size in sizes.items()}
    patients = iter(candidates)
    rng = random.Random(7)
    pools, queries = {}, {}
    for name, size in sizes.items():
        sessions = [
            (patient, login_session(patient.user, backend), datagen.random_answers(rng, 40))
            for patient in itertools.islice(patients, size)
        ]
        if len(sessions) < 2:
            raise SystemExit(f"Not enough patients without a draft for the {name} pool.")
        probe = sessions.pop()
        pool_file = workdir / f"{name}-pool.tsv"
        if name == "submit":
            csrf, queries[name] = probe_send(probe)
            drafts = prepare_post_pool(sessions, csrf, pool_file, steps=False)
            locations = [r"^/questionnaire/%d+/$"]
        else:
            csrf, queries[name] = probe_step(probe)
            drafts = prepare_post_pool(sessions, csrf, pool_file, steps=True)
            locations = [r"^/questionnaire/new/step/%d+/$", lua_literal("/questionnaire/new/review/")]
        pools[name] = PostPool(pool_file, drafts, locations)
    return pools, queries


def _csrf_pair(client, body: str) -> tuple[tuple[str, str], dict]:
    """The CSRF cookie and the form's token from a page the client has just read, and its hidden fields."""
    from django.conf import settings

    fields = form_fields(body)
    cookie = f"{settings.CSRF_COOKIE_NAME}={client.cookies[settings.CSRF_COOKIE_NAME].value}"
    return (cookie, fields["csrfmiddlewaretoken"]), fields


def probe_send(probe) -> tuple[tuple[str, str], int]:
    """One questionnaire sent from the review page, as a patient who went through every step."""
    from patients.models import Submission
    from patients.questionnaire_views import REVIEW_STEP

    patient, cookie, answers = probe
    Submission.objects.create(patient=patient, answers=answers, step=REVIEW_STEP)
    client = test_client(cookie)
    _n, page = count_queries(client, REVIEW_URL)
    csrf, fields = _csrf_pair(client, page.content.decode())
    queries, response = count_queries(
        client, REVIEW_URL, "POST", send_body(fields["key"], csrf[1]), expect=302
    )
    if not re.match(r"^/questionnaire/\d+/$", response["Location"]):
        raise SystemExit(f"Send redirected to {response['Location']}, not to the questionnaire sent.")
    return csrf, queries


def probe_step(probe) -> tuple[tuple[str, str], int]:
    """One step saved with Next, as a patient whose draft holds the steps before it."""
    from patients.models import Submission

    patient, cookie, answers = probe
    step = pool_step(2)
    draft = Submission.objects.create(patient=patient, answers=step_draft(answers, step), step=step)
    client = test_client(cookie)
    path = f"/questionnaire/new/step/{step}/"
    _n, page = count_queries(client, path)
    csrf, fields = _csrf_pair(client, page.content.decode())
    if fields["key"] != str(draft.key):
        raise SystemExit("The step's form is not her draft's.")
    body = step_body(answers, step, fields["key"], fields["owner"], csrf[1])
    queries, response = count_queries(client, path, "POST", body, expect=302)
    draft.refresh_from_db()
    if draft.step != step + 1:
        raise SystemExit(f"Saving step {step} left the draft on step {draft.step}.")
    return csrf, queries


def run_cache_comparison(options) -> int:
    """The same scenarios on the same data, with per-process memory and with the shared Redis cache."""
    workdir = Path(tempfile.mkdtemp(prefix="clinic-cache-"))
    started = time.perf_counter()
    passthrough = ["--db", options.db, "--pg", options.pg, "--patients", str(options.patients)]
    passthrough += ["--submissions", str(options.submissions), "--connections", str(options.connections)]
    passthrough += ["--threads", str(options.threads), "--duration", str(options.duration)]
    passthrough += ["--warmup", str(options.warmup), "--workers", str(options.workers)]
    passthrough += ["--post-pool", str(options.post_pool), "--step-pool", str(options.step_pool)]
    if options.only:
        passthrough += ["--only", options.only]
    results = {}
    for backend in ("memory", "redis"):
        out = workdir / f"{backend}.json"
        command = [sys.executable, str(Path(__file__).resolve()), *passthrough, "--no-write", "--no-engine"]
        command += ["--result-json", str(out)]
        if backend == "redis":
            command += ["--keep-data", "--shared-cache", options.redis]
        elif options.keep_data:
            command.append("--keep-data")
        print(f"== {backend} ==", flush=True)
        subprocess.run(command, check=True, cwd=REPO_ROOT)
        results[backend] = json.loads(out.read_text())
    command_line = "python bench/run.py " + " ".join(sys.argv[1:])
    report = render_cache(options, results, command_line, time.perf_counter() - started)
    publish(options, report, "-cache")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


def render_cache(options, results: dict, command: str, seconds: float) -> str:
    memory, shared = results["memory"], results["redis"]
    facts = memory["facts"]
    lines = [
        f"# Shared cache against per-process memory, {date.today().isoformat()}",
        "",
        f"Command: `{command}` ({seconds / 60:.1f} min in all)",
        "",
        f"Machine: {facts['cores']} cores ({facts['cpu']}), {facts['memory']} memory, {facts['os']}; "
        f"PostgreSQL {facts['postgresql']}, Python {facts['python']}, Django {facts['django']}.",
        "",
        f"Data: {memory['summary']['patients']:,} patients, {memory['summary']['submissions']:,} questionnaires; "
        f"gunicorn ({options.workers or os.cpu_count()} workers), wrk ({options.connections} connections, "
        f"{options.warmup} s warm-up, {options.duration} s measured). First pass: caches in each worker's "
        "memory, sessions in PostgreSQL. Second pass, same data: `DJANGO_CACHE_URL` on the local Redis "
        "(default and fragment caches there, sessions `cached_db`).",
        "",
        "| Scenario | Queries (memory) | Queries (Redis) | req/s (memory) | req/s (Redis) "
        "| p95 ms (memory) | p95 ms (Redis) | Errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, mine in memory["scenarios"].items():
        theirs = shared["scenarios"].get(name)
        if theirs is None:
            continue
        lines.append(
            f"| {mine['label']} | {mine['queries'] if mine['queries'] is not None else '–'} "
            f"| {theirs['queries'] if theirs['queries'] is not None else '–'} "
            f"| {mine['rps']:,.0f} | {theirs['rps']:,.0f} | {mine['p95_ms']:.1f} | {theirs['p95_ms']:.1f} "
            f"| {mine['errors'] + theirs['errors']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    options = parse_args()
    ensure_wrk()
    if options.scale:
        return run_scale(options)
    if options.cache == "redis" and not options.shared_cache:
        return run_cache_comparison(options)
    workdir = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
    port = configure_environment(options, workdir / "static")
    command = "python bench/run.py" + ("" if len(sys.argv) == 1 else " " + " ".join(sys.argv[1:]))

    if not options.keep_data:
        recreate_database(options)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    summary = load_data(options)
    if options.result_json:
        summary.update(counts_facts())
    call_command("collectstatic", interactive=False, verbosity=0)
    print("Logging in, reading the pages' links, counting queries…")
    scenarios = build_scenarios(options, workdir)
    connection.close()

    load_before = os.getloadavg()[0]
    if load_before > (os.cpu_count() or 1) / 2:
        print(
            f"Note: the load average is {load_before:.1f} before the run; other work will skew the figures."
        )
    process, log, workers = start_gunicorn(options, port, workdir)
    rss = []
    try:
        for scenario in scenarios.values():
            print(f"Measuring {scenario.label}…", flush=True)
            measure(options, port, process.pid, scenario, workdir)
            print(
                f"  {scenario.rps:,.0f} req/s, p95 {scenario.p95_ms:.1f} ms, "
                f"p99 {scenario.result['p99_us'] / 1000:.1f} ms, errors {scenario.errors}"
            )
        rss = worker_rss_mb(process.pid)
    finally:
        stop_gunicorn(process, log)

    engine = 0.0
    if not options.no_engine:
        print("Measuring the triage engine alone…")
        engine = engine_figure()
    facts = machine_facts(options)
    facts["load"] = f"{load_before:.1f} before the run, {os.getloadavg()[0]:.1f} after"
    if options.result_json:
        write_result_json(Path(options.result_json), summary, scenarios, facts)
    report = render(options, facts, summary, scenarios, rss, engine, workers, command)
    publish(options, report)
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
