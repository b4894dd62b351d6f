"""Production rehearsal: what deploy/ describes, on this machine, through a day with faults.

    make rehearsal      # or: .venv/bin/python tests/rehearsal/run.py

Starts nginx (deploy/nginx/, a self-signed certificate) in front of two gunicorn "servers" (same
PostgreSQL database, same Redis), two task workers, the scheduler and a mail server that records
what it receives; then plays a day through nginx: patients sign up and send questionnaires (one
an emergency), a doctor works the worklist, a visit import runs, reminders fire. Meanwhile: one
gunicorn is killed with SIGKILL under load (and started again, as systemd would), one task worker
is killed after its email reached the mail server and before it could record it, and Redis is
stopped for 30 seconds and started again. At the end it checks that every questionnaire is stored
exactly once, that the emergency alert reached the mail server exactly once, that no request was
answered 5xx except those in flight on the killed server (and then repeated with their key), that
/health/ (sampled every second) told the truth throughout, and that no log line holds a name, an
email or a query string. It prints a short report and exits 1 if a check failed.

Needs PostgreSQL (REHEARSAL_DATABASE_URL, default a database of its own on 127.0.0.1), nginx,
redis-server and openssl; ports REHEARSAL_PORT_BASE (8400) to +49.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import urllib3

urllib3.disable_warnings(
    urllib3.exceptions.InsecureRequestWarning
)  # the rehearsal's own self-signed certificate

ROOT = Path(__file__).resolve().parents[2]
PYTHON = (
    str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
)
PORT_BASE = int(os.environ.get("REHEARSAL_PORT_BASE", "8400"))
PORTS = {
    "https": PORT_BASE + 43,
    "http": PORT_BASE + 44,
    "web_a": PORT_BASE + 10,
    "web_b": PORT_BASE + 11,
    "redis": PORT_BASE + 20,
    "smtp": PORT_BASE + 25,
}
REDIS_DOWN_SECONDS = float(os.environ.get("REHEARSAL_REDIS_DOWN_SECONDS", "30"))
SEND_TIMEOUT = 15  # DJANGO_EMAIL_SEND_TIMEOUT_SECONDS: an email "sending" this long is reported in doubt
DOCTOR = ("dottoressa.bianchi@rehearsal.example", "Rehearsal-doctor-pass-2026")
# The doctors' alert for a new emergency, in either language (RULES.md S7).
EMERGENCY_ALERT_SUBJECTS = ("Emergenza: nuovo caso in attesa", "Emergency: new case waiting")
PASSWORD = "Rehearsal-patient-pass-2026"
HOLD_TO = "held.invitation@rehearsal.example"
SEARCHED = "Quagliarella"  # a surname the doctor searches the worklist for (must never reach a log)
SURNAMES = [
    "Abbondanza", "Benvenuti", "Caracciolo", "Donatelli", "Esposito", "Fioravanti", "Gualtieri",
    "Iannuzzi", "Lombardini", "Marchetti", "Nicolosi", "Onofri", "Pellegrini", SEARCHED, "Rinaldi",
]  # fmt: skip


FAKETIME = shutil.which("faketime") or "/usr/bin/faketime"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


# --- Processes -------------------------------------------------------------------------------


class Stack:
    """Every process of the rehearsal, each with its own log file, all stopped at the end."""

    def __init__(self, workdir: Path, env: dict):
        self.workdir = workdir
        self.env = env
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs = workdir / "logs"
        self.logs.mkdir()

    def start(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        out = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a kill reaches its children too
        )
        self.processes[name] = process
        return process

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(30)

    def stop_all(self) -> None:
        for name in list(self.processes):
            try:
                self.kill(name, signal.SIGTERM)
            except subprocess.TimeoutExpired:
                self.kill(name, signal.SIGKILL)

    def manage(self, *args: str, env: dict | None = None) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def check_ports_free() -> None:
    for name, port in PORTS.items():
        with socket.socket() as probe:
            # As the servers themselves bind: a connection of an earlier run in TIME_WAIT is no obstacle.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError as exc:
                raise SystemExit(f"Port {port} ({name}) is taken; set REHEARSAL_PORT_BASE.") from exc


def nginx_site(workdir: Path) -> Path:
    """deploy/nginx/clinic.conf with this machine's ports, certificate and log paths."""
    site = (ROOT / "deploy" / "nginx" / "clinic.conf").read_text()
    proxy = (ROOT / "deploy" / "nginx" / "clinic-proxy.conf").read_text()
    (workdir / "clinic-proxy.conf").write_text(proxy)
    replacements = {
        "    server 127.0.0.1:8000 max_fails=1 fail_timeout=10s;": (
            f"    server 127.0.0.1:{PORTS['web_a']} max_fails=1 fail_timeout=10s;\n"
            f"    server 127.0.0.1:{PORTS['web_b']} max_fails=1 fail_timeout=10s;"
        ),
        "listen 80;": f"listen 127.0.0.1:{PORTS['http']};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{PORTS['https']} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server_name clinic.example.org;": "server_name localhost 127.0.0.1;",
        "/etc/letsencrypt/live/clinic.example.org/fullchain.pem": str(workdir / "cert.pem"),
        "/etc/letsencrypt/live/clinic.example.org/privkey.pem": str(workdir / "key.pem"),
        "/var/log/nginx/": str(workdir / "logs") + "/nginx-",
        "/etc/nginx/snippets/clinic-proxy.conf": str(workdir / "clinic-proxy.conf"),
    }
    for old, new in replacements.items():
        if old not in site:
            raise RuntimeError(f"deploy/nginx/clinic.conf no longer has {old!r}: update the rehearsal")
        site = site.replace(old, new)
    (workdir / "clinic-site.conf").write_text(site)
    main = workdir / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {workdir}/nginx.pid;\n"
        f"error_log {workdir}/logs/nginx-main.error.log warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"  client_body_temp_path {workdir}/nginx-body;\n  proxy_temp_path {workdir}/nginx-proxy;\n"
        f"  fastcgi_temp_path {workdir}/nginx-fcgi;\n  uwsgi_temp_path {workdir}/nginx-uwsgi;\n"
        f"  scgi_temp_path {workdir}/nginx-scgi;\n"
        "  default_type application/octet-stream;\n"
        f"  include {workdir}/clinic-site.conf;\n"
        "}\n"
    )
    return main


# --- Client ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    started: float
    finished: float
    method: str
    path: str
    status: int  # 0: no answer (connection error)
    actor: str


@dataclass
class Record:
    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)


class Browser:
    """One person's browser: cookies, CSRF token, through nginx over HTTPS."""

    pool = urllib3.PoolManager(cert_reqs="CERT_NONE", maxsize=32, retries=False, timeout=urllib3.Timeout(20))

    def __init__(self, base: str, record: Record, actor: str):
        self.base = base
        self.record = record
        self.actor = actor
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields=None, body=None, headers=None):
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Referer": self.base + "/",
            "Origin": self.base,
            **(headers or {}),
        }
        if method == "POST" and "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        started = time.time()
        try:
            if fields is not None:
                response = self.pool.request(
                    method,
                    self.base + path,
                    fields=fields,
                    headers=headers,
                    redirect=False,
                    encode_multipart=False,
                )
            else:
                response = self.pool.request(
                    method, self.base + path, body=body, headers=headers, redirect=False
                )
        except urllib3.exceptions.HTTPError:
            self.record.add(Outcome(started, time.time(), method, path.split("?")[0], 0, self.actor))
            return None
        self.record.add(
            Outcome(started, time.time(), method, path.split("?")[0], response.status, self.actor)
        )
        for header in response.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Max-Age=0" not in header:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return response

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, data: dict, *, attempts: int = 1):
        """A form post; with attempts > 1, repeated as the browser would while nginx answers 502/503/504."""
        for attempt in range(attempts):
            response = self.request("POST", path, fields=data)
            if response is not None and response.status not in (502, 503, 504):
                return response
            time.sleep(0.5 * (attempt + 1))
        return response

    def csrf(self, path: str) -> None:
        if self.get(path) is None:
            raise RuntimeError(f"{path} did not answer")


# --- The day ---------------------------------------------------------------------------------


def questionnaire_key(browser: Browser) -> str:
    response = browser.get("/questionnaire/new/")
    location = response.headers.get("Location", "/questionnaire/new/step/1/")
    page = browser.get(location).data.decode()
    return re.search(r'name="key" value="([0-9a-f-]+)"', page).group(1)


def sign_up(browser: Browser, email: str, first: str, last: str) -> None:
    browser.csrf("/accounts/signup/")
    response = browser.post(
        "/accounts/signup/",
        {
            "email": email,
            "first_name": first,
            "last_name": last,
            "date_of_birth": "1985-06-15",
            "phone": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent": "on",
        },
        attempts=4,
    )
    if response is None or response.status != 302:
        raise RuntimeError(f"sign-up answered {getattr(response, 'status', None)}")


def send_questionnaire(browser: Browser, answers: dict) -> tuple[int, float]:
    """Send the whole questionnaire with its key; repeated with the same key until it is stored."""
    key = questionnaire_key(browser)
    response = browser.post("/questionnaire/new/", {"key": key, "action": "submit", **answers}, attempts=6)
    if response is None or response.status != 302:
        raise RuntimeError(f"questionnaire answered {getattr(response, 'status', None)}")
    submission_id = int(re.search(r"/questionnaire/(\d+)/", response.headers["Location"]).group(1))
    return submission_id, time.time()


def doctor_login(browser: Browser) -> None:
    browser.csrf("/accounts/login/")
    response = browser.post("/accounts/login/", {"username": DOCTOR[0], "password": DOCTOR[1]}, attempts=4)
    if response is None or response.status != 302:
        raise RuntimeError(f"doctor login answered {getattr(response, 'status', None)}")


def visit_file(emails: list[str]) -> bytes:
    """A booking system's CSV: visits in two and three days (the clinic's dates).

    The scheduler runs a day ahead (faketime): a visit booked today gets no reminder before
    tomorrow, when these are one and two days away, in the windows of both reminders.
    """
    today = datetime.now(ZoneInfo("Europe/Rome")).date()
    tomorrow = today + timedelta(days=2)
    in_three = today + timedelta(days=3)
    lines = ["uid,date,time,duration,kind,email,first_name,last_name,status"]
    for index, email in enumerate(emails):
        day = tomorrow if index % 2 == 0 else in_three
        lines.append(
            f"rehearsal-{index},{day.isoformat()},{9 + index:02d}:00,30,first,{email},Ospite,Prova{index},"
        )
    return ("\n".join(lines) + "\n").encode()


def load(base: str, record: Record, doctor: Browser, patients: list[Browser], stop: threading.Event) -> None:
    """Steady reads while the faults happen: the worklist, the patients' pages."""
    index = 0
    while not stop.is_set():
        doctor.get("/dashboard/")
        patients[index % len(patients)].get("/questionnaire/")
        index += 1
        time.sleep(0.05)


def sample_health(base: str, samples: list, stop: threading.Event) -> None:
    browser = Browser(base, Record(), "health")
    while not stop.is_set():
        started = time.time()
        response = browser.get("/health/")
        body = {}
        if response is not None:
            try:
                body = json.loads(response.data)
            except ValueError:
                body = {}
        samples.append((started, response.status if response is not None else 0, body))
        stop.wait(max(0.0, 1.0 - (time.time() - started)))


# --- Main ------------------------------------------------------------------------------------


def database_url() -> tuple[str, bool]:
    url = os.environ.get("REHEARSAL_DATABASE_URL", "")
    if url:
        return url, False
    return f"postgres://postgres@127.0.0.1:5432/clinic_production_rehearsal_{os.getpid()}", True


def psql_admin(url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(statement)


def main() -> int:  # noqa: C901 - one scripted day, read top to bottom
    for tool in ("nginx", "redis-server", "openssl", "faketime"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(
                f"The rehearsal needs {tool} (apt-get install nginx redis-server openssl faketime)."
            )
    check_ports_free()
    began = time.time()
    workdir = Path(tempfile.mkdtemp(prefix="clinic-rehearsal-"))
    db_url, own_db = database_url()
    db_name = urlsplit(db_url).path.lstrip("/")
    if own_db:
        psql_admin(db_url, f'DROP DATABASE IF EXISTS "{db_name}"')
        psql_admin(db_url, f'CREATE DATABASE "{db_name}"')
    base = f"https://127.0.0.1:{PORTS['https']}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "SENTRY_", "PROMETHEUS_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_CSRF_TRUSTED_ORIGINS": base,
            "DJANGO_PORTAL_BASE_URL": base,
            "DJANGO_BEHIND_PROXY": "1",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": db_url,
            "DJANGO_DB_POOL": "1",
            "DJANGO_CACHE_URL": f"redis://127.0.0.1:{PORTS['redis']}/0",
            "DJANGO_EMAIL_HOST": "127.0.0.1",
            "DJANGO_EMAIL_PORT": str(PORTS["smtp"]),
            "DJANGO_EMAIL_USE_TLS": "0",
            "DJANGO_EMAIL_SEND_TIMEOUT_SECONDS": str(SEND_TIMEOUT),
            "DJANGO_LOG_FORMAT": "json",
            # The rehearsal's doctor logs in with a password only; production requires an authenticator.
            "DJANGO_OTP_REQUIRED": "0",
            "DJANGO_DOCTOR_PASSWORD": DOCTOR[1],
            "GUNICORN_WORKERS": "2",
            "GUNICORN_GRACEFUL_TIMEOUT": "10",
            "PYTHONUNBUFFERED": "1",
        }
    )
    stack = Stack(workdir, env)
    record = Record()
    failures: list[str] = []
    report: dict = {}
    try:
        log(f"Setting up in {workdir} (database {db_name})")
        stack.manage("migrate", "--noinput")
        stack.manage("collectstatic", "--noinput")
        stack.manage(
            "create_doctor",
            "--email",
            DOCTOR[0],
            "--first-name",
            "Giulia",
            "--last-name",
            "Bianchi",
            "--noinput",
        )
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
             "-keyout", str(workdir / "key.pem"), "-out", str(workdir / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        for temp in ("nginx-body", "nginx-proxy", "nginx-fcgi", "nginx-uwsgi", "nginx-scgi"):
            (workdir / temp).mkdir()
        nginx_conf = nginx_site(workdir)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        checked = subprocess.run(
            [nginx, "-t", "-c", str(nginx_conf), "-p", str(workdir)], capture_output=True, text=True
        )
        if checked.returncode:
            raise RuntimeError(f"nginx refuses the site: {checked.stderr}")

        redis_args = [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(PORTS["redis"]),
                      "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]  # fmt: skip
        stack.start("redis", redis_args)
        stack.start(
            "smtp",
            [PYTHON, str(Path(__file__).with_name("smtp_recorder.py")), "--port", str(PORTS["smtp"]),
             "--out", str(workdir / "inbox.jsonl"), "--hold-to", HOLD_TO, "--hold-flag", str(workdir / "held.json")],
        )  # fmt: skip
        gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")

        def start_web(name: str) -> None:
            metrics_dir = workdir / f"metrics-{name}"
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir()
            stack.start(
                name,
                [gunicorn, "clinic.wsgi"],
                {"GUNICORN_BIND": f"127.0.0.1:{PORTS[name]}", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
            )

        def start_worker(name: str) -> None:
            stack.start(
                name,
                [PYTHON, "manage.py", "db_worker", "--queue-name", "*", "--no-reload", "--no-startup-delay",
                 "--interval", "0.2", "--worker-id", f"{name}-{uuid.uuid4().hex[:6]}"],
                # The server that stays up: its /metrics/ adds up the workers' measures too.
                {"PROMETHEUS_MULTIPROC_DIR": str(workdir / "metrics-web_b")},
            )  # fmt: skip

        start_web("web_a")
        start_web("web_b")
        start_worker("worker_1")
        start_worker("worker_2")
        stack.start("nginx", [nginx, "-c", str(nginx_conf), "-p", str(workdir)])
        for port in (PORTS["redis"], PORTS["smtp"], PORTS["web_a"], PORTS["web_b"], PORTS["https"]):
            wait_for_port(port, 60)
        log(
            f"Stack up in {time.time() - began:.0f} s: nginx :{PORTS['https']} -> gunicorn :{PORTS['web_a']} and :{PORTS['web_b']}"
        )

        import django

        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        django.setup()
        from tests.factories import QUIET_FORM

        samples: list = []
        stop_sampling = threading.Event()
        sampler = threading.Thread(target=sample_health, args=(base, samples, stop_sampling), daemon=True)
        sampler.start()

        # Morning: patients sign up; one of them is an emergency.
        people = [
            (f"paziente.{n}@rehearsal.example", "Paziente", surname) for n, surname in enumerate(SURNAMES)
        ]
        browsers = [Browser(base, record, f"patient-{n}") for n in range(len(people))]
        threads = [
            threading.Thread(target=sign_up, args=(browser, *person))
            for browser, person in zip(browsers, people, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        log(f"{len(people)} patients signed up")
        senders = browsers[:12]  # the last three have a visit booked and send nothing yet

        doctor = Browser(base, record, "doctor")
        doctor_login(doctor)
        sent: dict[int, tuple[int, float]] = {}
        errors: list[str] = []

        def send(index: int, browser: Browser, answers: dict) -> None:
            try:
                sent[index] = send_questionnaire(browser, answers)
            except Exception as exc:  # noqa: BLE001 - reported as a failed check
                errors.append(f"patient {index}: {exc}")

        emergency_index = 0
        for index, browser in enumerate(senders[:6]):
            answers = (
                {**QUIET_FORM, "soaks_pad_hourly": "yes"} if index == emergency_index else dict(QUIET_FORM)
            )
            send(index, browser, answers)
        log("Six questionnaires sent, the emergency first")

        # Steady load, then the first fault: one app server is killed outright, mid-load, while
        # six more questionnaires are being sent.
        stop_load = threading.Event()
        loaders = [
            threading.Thread(target=load, args=(base, record, doctor, browsers, stop_load), daemon=True)
            for _ in range(3)
        ]
        for loader in loaders:
            loader.start()
        time.sleep(2)
        senders_threads = [
            threading.Thread(target=send, args=(6 + n, browser, dict(QUIET_FORM)))
            for n, browser in enumerate(senders[6:])
        ]
        for thread in senders_threads:
            thread.start()
        time.sleep(0.3)
        killed_at = time.time()
        stack.kill("web_a")
        log("SIGKILL to gunicorn web_a (master and workers)")
        for thread in senders_threads:
            thread.join()
        time.sleep(3)
        start_web("web_a")
        wait_for_port(PORTS["web_a"], 60)
        restarted_at = time.time()
        log(f"web_a started again after {restarted_at - killed_at:.1f} s")

        # The doctor works the worklist: a search, the cases, a note on the emergency.
        doctor.get(f"/dashboard/?q={SEARCHED}&all=1")
        for _, (submission_id, _) in sorted(sent.items()):
            doctor.get(f"/dashboard/cases/{submission_id}/")
        doctor.get("/dashboard/cases/999999/")  # a 404, logged by Django with nginx's request id
        emergency_id = sent[emergency_index][0] if emergency_index in sent else None
        if emergency_id:
            doctor.get(f"/dashboard/cases/{emergency_id}/")
            page = doctor.get(f"/dashboard/cases/{emergency_id}/")
            if page is not None and "csrftoken" in doctor.cookies:
                doctor.post(f"/dashboard/cases/{emergency_id}/notes/", {"text": "Chiamata la paziente"})

        # The visit import: three patients with an account, two without (one of whose invitations
        # the mail server holds while its worker is killed).
        visit_emails = [
            people[12][0],
            people[13][0],
            people[14][0],
            HOLD_TO,
            "nuova.paziente@rehearsal.example",
        ]
        doctor.csrf("/dashboard/visits/import/")
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
                f"{doctor.cookies.get('csrftoken', '')}\r\n--{boundary}\r\n"
                f'Content-Disposition: form-data; name="file"; filename="agenda.csv"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            + visit_file(visit_emails)
            + f"\r\n--{boundary}--\r\n".encode()
        )
        imported = doctor.request(
            "POST", "/dashboard/visits/import/", body=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )  # fmt: skip
        if imported is None or imported.status != 200:
            failures.append(f"visit import answered {getattr(imported, 'status', None)}")
        log("Visit import sent")

        # Second fault: the worker sending the held invitation dies after it reached the mail server.
        from django_tasks_db.models import DBTaskResult

        from outbox.models import OutboundEmail

        held_flag = workdir / "held.json"
        deadline = time.monotonic() + 60
        while not held_flag.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        worker_killed_at = None
        held_message_id = None
        if not held_flag.exists():
            failures.append("the held invitation never reached the mail server")
        else:
            running = DBTaskResult.objects.filter(
                status="RUNNING", task_path="outbox.tasks.email_deliver_task"
            )
            for task in running:
                message = OutboundEmail.objects.filter(pk=task.args_kwargs["args"][0]).first()
                if message and message.kind_name == "visit_invitation_email" and message.status == "sending":
                    held_message_id = message.pk
                    victim = next(
                        name for name in ("worker_1", "worker_2") if task.worker_ids[-1].startswith(name)
                    )
                    stack.kill(victim)
                    worker_killed_at = time.time()
                    log(
                        f"SIGKILL to {victim} while its email {message.pk} waited for the mail server's answer"
                    )
                    start_worker(victim)
                    break
            else:
                failures.append("no worker was found sending the held invitation")

        # The scheduler starts and runs every job that is due (all, on a fresh install): no reminder
        # yet, as a visit booked today has just had its invitation. Reminders fire on the next day's
        # run, played by one pass of the reminder job with the clock a day ahead (faketime), beside
        # the running scheduler (their advisory locks keep them apart).
        stack.start("scheduler", [PYTHON, "manage.py", "run_scheduler"])

        # Third fault: Redis stops for 30 seconds, under load, and starts again.
        time.sleep(2)
        reminders_run = subprocess.run(
            [FAKETIME, "-f", "+1d", PYTHON, "manage.py", "run_scheduler", "--once", "--job", "send_visit_reminders"],
            cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        (workdir / "logs" / "reminders-next-day.log").write_text(reminders_run.stdout + reminders_run.stderr)
        if "send_visit_reminders: succeeded" not in reminders_run.stdout:
            failures.append(
                f"the next day's reminder run: {reminders_run.stdout} {reminders_run.stderr[-500:]}"
            )
        redis_stopped_at = time.time()
        stack.kill("redis", signal.SIGTERM)
        log(f"Redis stopped for {REDIS_DOWN_SECONDS:.0f} s")
        time.sleep(REDIS_DOWN_SECONDS)
        stack.start("redis", redis_args)
        wait_for_port(PORTS["redis"])
        redis_started_at = time.time()
        log("Redis started again")
        doctor.get("/dashboard/")
        time.sleep(max(0.0, (worker_killed_at or time.time()) + SEND_TIMEOUT + 3 - time.time()))
        time.sleep(3)
        stop_load.set()
        for loader in loaders:
            loader.join()
        # Let the workers finish what is queued.
        deadline = time.monotonic() + 60
        while DBTaskResult.objects.filter(status="READY").exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)
        stop_sampling.set()
        sampler.join()

        # --- Checks --------------------------------------------------------------------------
        from patients.models import Submission

        failures.extend(errors)
        stored = Counter(
            Submission.objects.filter(
                status="submitted", patient__user__email__endswith="@rehearsal.example"
            ).values_list("patient__user__email", flat=True)
        )
        expected = {people[index][0] for index in range(12)}
        if set(stored) != expected or any(count != 1 for count in stored.values()):
            failures.append(
                f"questionnaires stored: {dict(stored)} (expected one for each of {len(expected)})"
            )

        inbox = [json.loads(line) for line in (workdir / "inbox.jsonl").read_text().splitlines()]
        # The alert names the level only (RULES.md S7), so the day's one emergency is known by its subject.
        alerts = (
            [m for m in inbox if m["subject"] in EMERGENCY_ALERT_SUBJECTS and DOCTOR[0] in m["to"]]
            if emergency_id
            else []
        )
        if len(alerts) != 1:
            failures.append(f"the emergency alert reached the mail server {len(alerts)} times")
        alert_delay = alerts[0]["received"] - sent[emergency_index][1] if len(alerts) == 1 else None
        held_subject = json.loads(held_flag.read_text())["subject"] if held_flag.exists() else None
        held = [m for m in inbox if HOLD_TO in m["to"] and m["subject"] == held_subject]
        held_status = (
            OutboundEmail.objects.filter(pk=held_message_id).values_list("status", flat=True).first()
        )
        if len(held) != 1 or held_status not in {"sending", "in_doubt"}:
            failures.append(f"the held invitation: {len(held)} received, status {held_status}")
        reminders = OutboundEmail.objects.filter(kind__endswith="visit_reminder_email", status="sent").count()
        if reminders < len(visit_emails):
            failures.append(f"{reminders} reminders sent for {len(visit_emails)} visits")
        sent_twice = [
            key
            for key, n in Counter((m["subject"], tuple(m["to"]), m["body"]) for m in inbox).items()
            if n > 1
        ]
        if sent_twice:
            failures.append(f"{len(sent_twice)} emails reached the mail server twice")

        # 5xx: only requests in flight on the killed server, each repeated until answered.
        answered_5xx = [o for o in record.outcomes if o.status >= 500 or o.status == 0]
        in_flight = [o for o in answered_5xx if killed_at - 0.5 <= o.finished <= killed_at + 2.0]
        stray = [o for o in answered_5xx if o not in in_flight]
        if stray:
            failures.append(f"{len(stray)} answers 5xx or none outside the killed server's requests: "
                            f"{Counter((o.status, o.method, o.path) for o in stray).most_common(5)}")  # fmt: skip
        unrepeated = [o for o in in_flight if o.method == "POST" and not any(
            p.method == "POST" and p.path == o.path and p.actor == o.actor and p.started >= o.finished and p.status < 500
            for p in record.outcomes
        )]  # fmt: skip
        if unrepeated:
            failures.append(f"{len(unrepeated)} posts cut off by the kill were never repeated")
        logged_out = [o for o in record.outcomes if o.method == "GET" and o.status == 302 and o.actor != "health"
                      and o.path in ("/dashboard/", "/questionnaire/")]  # fmt: skip
        if logged_out:
            failures.append(
                f"{len(logged_out)} pages sent a logged-in person to the login page (a session lost)"
            )
        after_kill = sorted(
            o.finished for o in record.outcomes if o.started >= killed_at and 0 < o.status < 500
        )
        failover = after_kill[0] - killed_at if after_kill else None

        # /health/ told the truth, every second.
        problems_seen = Counter()
        for started, status, body in samples:
            cache = body.get("cache")
            if redis_stopped_at + 1.5 <= started <= redis_started_at - 0.5:
                if cache != "degraded" or "cache_degraded" not in body.get("warnings", []):
                    problems_seen["cache reported ok while Redis was stopped"] += 1
            elif (started <= redis_stopped_at - 0.5 or started >= redis_started_at + 3) and cache != "ok":
                problems_seen[f"cache reported {cache} while Redis answered"] += 1
            problems = set(body.get("problems", []))
            if status == 503 and not problems:
                problems_seen["503 without a reason"] += 1
            if status not in (200, 503):
                problems_seen[f"health answered {status}"] += 1
            if problems - {"emails_in_doubt"}:
                problems_seen[f"unexpected problems {sorted(problems)}"] += 1
            if "emails_in_doubt" in problems and (worker_killed_at is None or started < worker_killed_at):
                problems_seen["an email in doubt before any worker was killed"] += 1
            if (
                worker_killed_at
                and started >= worker_killed_at + SEND_TIMEOUT + 2
                and "emails_in_doubt" not in problems
            ):
                problems_seen["the email in doubt not reported"] += 1
        if problems_seen:
            failures.append(f"/health/ was wrong: {dict(problems_seen)}")

        # Logs: no name, email, search term or query string.
        secrets_in_logs = [
            SEARCHED,
            DOCTOR[0],
            HOLD_TO,
            "Prova1",
            *[p[0] for p in people],
            *[p[2] for p in people],
        ]
        leaks = Counter()
        for path in sorted((workdir / "logs").glob("*.log")):
            text = path.read_text(errors="replace")
            for secret in secrets_in_logs:
                if secret.lower() in text.lower():
                    leaks[f"{path.name}: {secret}"] += 1
            if re.search(r"\?(q|all|flag)=", text):
                leaks[f"{path.name}: a query string"] += 1
        if leaks:
            failures.append(f"personal data in the logs: {dict(leaks)}")
        json_lines = [
            line for path in (workdir / "logs").glob("web_*.log") for line in path.read_text().splitlines()
            if line.startswith("{")
        ]  # fmt: skip
        if not json_lines or any(not isinstance(json.loads(line), dict) for line in json_lines):
            failures.append("the app servers' log lines are not JSON")
        nginx_ids = {
            line.rsplit(" ", 1)[-1]
            for line in (workdir / "logs" / "nginx-clinic.access.log").read_text().splitlines()
        }
        app_ids = {
            entry.get("request_id")
            for entry in map(json.loads, json_lines)
            if entry.get("logger") != "gunicorn.access"
        }
        if not app_ids & nginx_ids:
            failures.append("no line of the portal's own carries nginx's request id")

        # Metrics: the server's own address gets them, the public (through nginx) does not.
        scraped = Browser.pool.request("GET", f"http://127.0.0.1:{PORTS['web_b']}/metrics/")
        text = scraped.data.decode()
        alert_count = re.search(
            r'^clinic_email_delay_seconds_count\{kind="urgent_case_email"\} (\S+)$', text, re.M
        )
        if scraped.status != 200 or not alert_count or float(alert_count.group(1)) < 1:
            failures.append("web_b's /metrics/ lacks the alert delay")
        for family in (
            "clinic_questionnaires_submitted_total",
            "clinic_http_request_duration_seconds_bucket",
            "clinic_task_queue_oldest_seconds",
            "clinic_emails{",
            "clinic_cache_errors_total",
        ):
            if family not in text:
                failures.append(f"/metrics/ lacks {family}")
        public = Browser(base, Record(), "outsider").get("/metrics/")
        if public is None or public.status != 403:
            failures.append(
                f"/metrics/ through nginx answered {getattr(public, 'status', None)} to the public"
            )
        statuses = Counter(o.status for o in record.outcomes)
        report = {
            "requests": len(record.outcomes),
            "by_status": {str(k): v for k, v in sorted(statuses.items())},
            "errors": {
                "in_flight_on_killed_server": len(in_flight),
                "posts_repeated_with_their_key": len([o for o in in_flight if o.method == "POST"])
                - len(unrepeated),
                "other_5xx_or_no_answer": len(stray),
            },
            "questionnaires_stored": sum(stored.values()),
            "alert_delay_seconds": round(alert_delay, 2) if alert_delay is not None else None,
            "failover_seconds": round(failover, 3) if failover is not None else None,
            "killed_server_back_after_seconds": round(restarted_at - killed_at, 1),
            "redis_down_seconds": round(redis_started_at - redis_stopped_at, 1),
            "health_samples": len(samples),
            "health_samples_cache_degraded": sum(1 for s in samples if s[2].get("cache") == "degraded"),
            "emails_received": len(inbox),
            "reminders_sent": reminders,
            "email_in_doubt_reported": any("emails_in_doubt" in s[2].get("problems", []) for s in samples),
            "duration_seconds": round(time.time() - began),
        }
    except Exception as exc:  # noqa: BLE001 - the report says what broke
        failures.append(f"the rehearsal stopped: {type(exc).__name__}: {exc}")
        import traceback

        traceback.print_exc()
    finally:
        stack.stop_all()
        if own_db:
            try:
                if "django" in sys.modules and "DJANGO_SETTINGS_MODULE" in os.environ:
                    from django.db import connections

                    connections.close_all()
                psql_admin(db_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            except Exception as exc:  # noqa: BLE001
                log(f"Could not drop {db_name}: {exc}")

    print("\nProduction rehearsal")
    for key, value in report.items():
        print(f"  {key.replace('_', ' ')}: {value}")
    if failures:
        print(f"\nFAILED ({len(failures)}); logs in {workdir}/logs")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    print(f"\nAll checks passed; logs in {workdir}/logs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
