"""Realistic worklist data in bulk: patients, submitted questionnaires, assessments, cases.

Answers are drawn per patient (age, menopause, a tendency to bleed), then
run through the real rule engine with each patient's own history, so levels,
scores and flags (RECURRENT included) come out as the portal would store
them. Rows go in with PostgreSQL's COPY; `bulk_create` and `Case.save()` are
bypassed, so `flag_bits` is computed here with the model's own function
(`sort_key` is a generated column).
"""

import bisect
import itertools
import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from clinic.identity import login_key
from patients.models import Consent, Patient, Submission, User
from patients.services import doctor_create
from triage import rules
from triage.cases.acted_on import acted_on_store
from triage.cases.deadlines import act_by
from triage.models import QUESTIONNAIRE_WINDOW, Assessment, Case, CaseEvent, CaseLevel, Visit, flag_bits_for
from triage.questionnaire import SECTIONS

DOCTOR_EMAIL = "dottoressa@bench.example.org"
# Every generated account shares one hash: logging in is not what is measured.
PASSWORD = "bench-only-passphrase-2024"
HISTORY_DAYS = 92
SPAN_DAYS = 730
ENGINE_ERROR_RATE = 0.001

FIRST_NAMES = (
    "Giulia",
    "Chiara",
    "Francesca",
    "Sara",
    "Martina",
    "Valentina",
    "Elena",
    "Alessia",
    "Federica",
    "Silvia",
    "Laura",
    "Paola",
    "Anna",
    "Maria",
    "Giorgia",
    "Roberta",
    "Simona",
    "Ilaria",
    "Elisa",
    "Marta",
    "Beatrice",
    "Alice",
    "Camilla",
    "Lucia",
    "Serena",
    "Veronica",
)
LAST_NAMES = (
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
)
NOTES = (
    "Nessuna nota particolare.",
    "Sintomi iniziati dopo un ciclo di antibiotici.",
    "Preferisco un appuntamento al mattino.",
    "Already seen by my GP last month.",
)
ROME = ZoneInfo(settings.TIME_ZONE)


@dataclass
class Summary:
    patients: int
    submissions: int
    levels: dict
    open_flagged: int
    seconds: float
    doctor_id: int
    database_bytes: int = 0
    visits: int = 0
    visits_today: int = 0
    drafts: int = 0


class Weighted:
    """Draw a key of a {value: weight} table, with the cumulative weights computed once."""

    def __init__(self, table: dict):
        self.keys = tuple(table)
        self.cumulative = tuple(itertools.accumulate(table.values()))

    def draw(self, rng: random.Random):
        return self.keys[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


MENOPAUSE_BY_AGE = (
    (40, Weighted({"premenopausal": 97, "unsure": 3})),
    (50, Weighted({"premenopausal": 70, "perimenopausal": 25, "unsure": 5})),
    (56, Weighted({"perimenopausal": 35, "postmenopausal": 50, "unsure": 15})),
    (999, Weighted({"postmenopausal": 92, "unsure": 8})),
)
PREGNANCY = Weighted({"not_pregnant": 90, "possible": 6, "confirmed": 4})
DISCHARGE_COLOR = Weighted(
    {"clear_white": 40, "yellow_green": 15, "grey": 8, "brown": 15, "pink": 10, "red": 5, "none": 7}
)
BLEEDING_AMOUNT = Weighted({"streaks": 25, "spotting": 30, "light": 25, "moderate": 15, "heavy": 5})
BLEEDING_TREND = Weighted({"first_time": 35, "less": 15, "same": 35, "more": 15})
SCREENING = Weighted({"within_3y": 60, "3_to_5y": 15, "over_5y": 10, "never": 7, "unsure": 8})
# Case status by the questionnaire's age in days: old cases are mostly closed, the last weeks
# still have work in every state. Data spanning more than two years (the scale run) has every
# case older than that closed, so the open work stays that of a practice, whatever its history.
STATUS_BY_AGE = (
    (7, Weighted({"new": 60, "in_review": 25, "follow_up": 5, "closed": 10})),
    (30, Weighted({"closed": 50, "follow_up": 20, "in_review": 15, "new": 15})),
    (SPAN_DAYS + 31, Weighted({"closed": 92, "follow_up": 5, "in_review": 3})),
    (float("inf"), Weighted({"closed": 1})),
)
# Visits. The benchmark's "today" (the day it runs) has a full day's list for the doctor, from
# 08:30 every 20 minutes, with a questionnaire sent for most, a draft started for some and nothing
# for the rest. Other working days, past and in the next weeks, have visits in proportion to the
# number of questionnaires a day (24 a day for the standard data's 137), so that a patient has a few
# visits at most at any size.
VISITS_TODAY = 24
TODAY_MIX = Weighted({"submitted": 60, "draft": 20, "nothing": 20})
VISITS_PER_QUESTIONNAIRE = 24 / 137
FUTURE_DAYS = 30
VISIT_KIND = Weighted({"first": 40, "follow_up": 45, "results": 15})
PAST_STATE = Weighted({"attended": 85, "no_show": 6, "cancelled": 9})
FUTURE_STATE = Weighted({"booked": 94, "cancelled": 6})
# Patients' languages: mostly Italian.
LANGUAGE = Weighted({"it": 80, "en": 20})
# Rows are sent to PostgreSQL in chunks of this many questionnaires: memory stays flat at any size.
CHUNK = 50_000


def _by_age(table, age, rng: random.Random):
    for limit, weighted in table:
        if age < limit:
            return weighted.draw(rng)
    raise ValueError(age)


def random_answers(rng: random.Random, age: int, bleed_tendency: float = 0.3) -> dict:
    """A complete submitted questionnaire, as the form stores it (hidden branches left out)."""
    r = rng.random
    menopause = _by_age(MENOPAUSE_BY_AGE, age, rng)
    pregnancy = PREGNANCY.draw(rng) if menopause == "premenopausal" and age < 46 else "not_pregnant"
    answers = {"menopause_status": menopause, "pregnancy_status": pregnancy}
    if pregnancy != "not_pregnant":
        answers["shoulder_tip_pain"] = r() < 0.02
    answers["discharge_after_sex"] = r() < 0.25
    if answers["discharge_after_sex"]:
        answers["discharge_color"] = DISCHARGE_COLOR.draw(rng)
    answers["bleeding_after_sex"] = r() < bleed_tendency
    if answers["bleeding_after_sex"]:
        answers["bleeding_episodes_3m"] = min(99, int(rng.expovariate(0.5)) + 1)
        answers["bleeding_first_noticed_weeks"] = int(r() * 53)
        answers["bleeding_amount"] = BLEEDING_AMOUNT.draw(rng)
        answers["bleeding_trend"] = BLEEDING_TREND.draw(rng)
        answers["clots"] = r() < 0.1
    answers["soaks_pad_hourly"] = r() < 0.01
    answers["pain_during_sex"] = 0 if r() < 0.8 else 1 + int(r() ** 2 * 10)
    answers["pelvic_pain_days"] = 0 if r() < 0.85 else 1 + int(r() ** 2 * 60)
    if answers["pelvic_pain_days"]:
        answers["pelvic_pain_severity"] = 1 + int(r() ** 1.5 * 9)
    answers["burning"] = r() < 0.12
    answers["itching"] = r() < 0.15
    answers["bad_odor"] = r() < 0.10
    answers["persistent_discomfort"] = r() < 0.08
    answers["fever"] = r() < 0.02
    answers["dizziness_fainting"] = r() < 0.015
    answers["intermenstrual_bleeding"] = r() < 0.08
    answers["vaginal_dryness"] = r() < (0.35 if menopause == "postmenopausal" else 0.08)
    answers["last_cervical_screening"] = SCREENING.draw(rng)
    answers["abnormal_screening_history"] = r() < 0.07
    answers["anticoagulants"] = r() < 0.03
    answers["tamoxifen"] = r() < (0.03 if age >= 40 else 0.002)
    answers["hrt"] = r() < (0.15 if menopause in ("perimenopausal", "postmenopausal") else 0.0)
    answers["immunosuppressed"] = r() < 0.02
    answers["recent_procedure_6w"] = r() < 0.03
    answers["new_partner_3m"] = r() < 0.10
    if r() < 0.2:
        answers["notes"] = NOTES[int(r() * len(NOTES))]
    return answers


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _columns(model, names):
    return [model._meta.get_field(name).column for name in names]


def _copy(model, names, rows) -> None:
    columns = ", ".join(connection.ops.quote_name(c) for c in _columns(model, names))
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _drop_secondary_indexes(models) -> list[str]:
    """Drop every index but the primary keys (built once at the end, faster than row by row).

    Returns the statements that recreate them exactly.
    """
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ci.relname, pg_get_indexdef(i.indexrelid), con.conname, ct.relname
            FROM pg_index i
            JOIN pg_class ci ON ci.oid = i.indexrelid
            JOIN pg_class ct ON ct.oid = i.indrelid
            LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
            WHERE ct.relname = ANY(%s) AND NOT i.indisprimary
            """,
            [tables],
        )
        statements = []
        for index, definition, constraint, table in cursor.fetchall():
            if constraint:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
                statements.append(
                    f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" UNIQUE USING INDEX "{index}"'
                )
                statements.insert(0, definition)
            else:
                cursor.execute(f'DROP INDEX "{index}"')
                statements.append(definition)
    # Indexes first, then the constraints that adopt them.
    return sorted(statements, key=lambda statement: statement.startswith("ALTER"))


def _copy_questionnaires(subs, assessments, cases, events) -> None:
    """One chunk of questionnaires with their assessments, cases and events."""
    _copy(
        Submission,
        [
            "id",
            "patient",
            "key",
            "status",
            "answers",
            "age",
            "questionnaire_version",
            "created_at",
            "updated_at",
            "submitted_at",
            "step",
        ],
        subs,
    )
    _copy(
        Assessment,
        ["id", "submission", "level", "score", "flags", "rules_version", "error", "created_at"],
        assessments,
    )
    _copy(
        Case,
        [
            "submission",
            "patient",
            "submitted_at",
            "level",
            "score",
            "flags",
            "flag_bits",
            "rules_version",
            "status",
            "follow_up_visit",
            "last_actor",
            "last_acted_at",
            "version",
            "level_since",
            "act_by",
            "acted_on_at",
        ],
        cases,
    )
    _copy(
        CaseEvent,
        ["case", "kind", "actor", "from_status", "to_status", "follow_up_on", "text", "created_at", "detail"],
        events,
    )


DRAFT_COLUMNS = [
    "id",
    "patient",
    "key",
    "status",
    "answers",
    "questionnaire_version",
    "created_at",
    "updated_at",
    "step",
]
VISIT_COLUMNS = [
    "patient",
    "starts_at",
    "duration_minutes",
    "kind",
    "note",
    "state",
    "uid",
    "questionnaire_since",
    "created_at",
    "created_by",
    "updated_at",
    "match_reason",
]


def _visit_row(n, patient_id, starts_at, kind, state, booked_at, doctor_id):
    return (
        patient_id,
        starts_at,
        30 if kind == "first" else 20,
        kind,
        "",
        state,
        f"bench-{n}",
        Visit.questionnaire_window_start(starts_at, booked_at),
        booked_at,
        doctor_id,
        booked_at if state == "booked" else starts_at,
        "",
    )


def _visits(
    rng: random.Random, *, people, last_submitted, now, span_days, per_day, first_draft_id, doctor_id
) -> tuple[list, list]:
    """Visits over the span and the next weeks, today's full list, and the drafts started for it.

    Returns the visit rows and the draft questionnaire rows (COPY order of VISIT_COLUMNS and
    DRAFT_COLUMNS).
    """
    today = timezone.localdate(now)
    day_start = timezone.make_aware(datetime.combine(today, clock.min))
    slots = [timedelta(hours=8, minutes=30 + 20 * n) for n in range(28)]  # 08:30 to 17:30
    visits, drafts = [], []

    # Today: whose questionnaire is in (sent in the 12 days before today), and who has sent none
    # for a month, some of whom have started a draft.
    recent = sorted(
        owner for owner, at in last_submitted.items() if day_start - timedelta(days=12) <= at < day_start
    )
    quiet = sorted(
        owner
        for owner in range(len(people))
        if owner not in last_submitted or last_submitted[owner] < day_start - timedelta(days=30)
    )
    wanted = [TODAY_MIX.draw(rng) for _ in range(VISITS_TODAY)]
    chosen_recent = rng.sample(recent, min(len(recent), wanted.count("submitted")))
    chosen_quiet = rng.sample(quiet, min(len(quiet), len(wanted) - len(chosen_recent)))
    booked_at = now - timedelta(days=21)
    for n, mix in enumerate(wanted):
        pool = chosen_recent if mix == "submitted" and chosen_recent else chosen_quiet
        if not pool:
            continue
        owner = pool.pop()
        person = people[owner]
        starts_at = timezone.make_aware(datetime.combine(today, clock.min) + slots[n])
        state = "booked" if starts_at > now else ("attended" if rng.random() < 0.9 else "no_show")
        visits.append(
            _visit_row(
                len(visits), person["id"], starts_at, VISIT_KIND.draw(rng), state, booked_at, doctor_id
            )
        )
        if mix == "draft":
            # A draft started in the last days, stopped at one of the steps.
            step = rng.randint(2, len(SECTIONS))
            answers = random_answers(rng, age_on(person["dob"], today), person["bleed"])
            names = {name for _title, section in SECTIONS[: step - 1] for name in section}
            started = now - timedelta(days=rng.uniform(1, 6))
            drafts.append(
                (
                    first_draft_id + len(drafts),
                    person["id"],
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    "draft",
                    json.dumps({name: value for name, value in answers.items() if name in names}),
                    rules.RULES_VERSION,
                    started,
                    started + timedelta(minutes=rng.randint(1, 20)),
                    step,
                )
            )

    # The other working days: past visits were attended (or missed, or cancelled), the coming ones
    # are booked, fewer the further away.
    for offset in range(-span_days, FUTURE_DAYS + 1):
        day = today + timedelta(days=offset)
        if offset == 0 or day.weekday() >= 5:
            continue
        mean = per_day if offset < 0 else per_day * (1 - offset / (FUTURE_DAYS + 10))
        count = min(len(slots), int(mean) + (rng.random() < mean - int(mean)))
        for slot in sorted(rng.sample(slots, count)):
            starts_at = timezone.make_aware(datetime.combine(day, clock.min) + slot)
            if offset < 0:
                state, booked = PAST_STATE.draw(rng), starts_at - timedelta(days=rng.randint(15, 60))
            else:
                state = FUTURE_STATE.draw(rng)
                booked = max(now - timedelta(days=rng.randint(1, 40)), starts_at - QUESTIONNAIRE_WINDOW * 4)
                booked = min(booked, now)
            patient_id = people[rng.randrange(len(people))]["id"]
            visits.append(
                _visit_row(len(visits), patient_id, starts_at, VISIT_KIND.draw(rng), state, booked, doctor_id)
            )
    return visits, drafts


def generate(
    *, patients: int = 20_000, submissions: int = 100_000, seed: int = 20240501, span_days: int = SPAN_DAYS
) -> Summary:
    """Fill an empty, migrated PostgreSQL database; returns what was made.

    `span_days` is how far back the questionnaires go (two years by default). The scale run keeps
    the number a day and lengthens the span instead, as a practice's history grows; patients are
    then older by the extra years, so that each is an adult at her first questionnaire.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("The benchmark data is loaded with COPY and needs PostgreSQL.")
    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate(now)
    doctor = doctor_create(email=DOCTOR_EMAIL, password=PASSWORD, first_name="Giulia", last_name="Bianchi")
    password = make_password(PASSWORD)

    # Patients: ages 18-80 today, a few heavy users, most with a handful of questionnaires.
    first_id = doctor.pk + 1
    extra_years = max(0, span_days - SPAN_DAYS) // 365
    people = []
    for n in range(patients):
        age = min(80, max(18, int(rng.gauss(42, 13)))) + extra_years
        dob = today - timedelta(days=age * 365 + rng.randint(0, 364))
        people.append(
            {
                "id": first_id + n,
                "dob": dob,
                "bleed": min(0.9, rng.betavariate(1, 4)),
                "weight": rng.lognormvariate(0, 0.9),
                "created": now - timedelta(days=span_days + 30 * rng.random()),
            }
        )
    owners = rng.choices(range(patients), weights=[p["weight"] for p in people], k=submissions)
    moments = sorted((now - timedelta(seconds=rng.random() * span_days * 86400), owner) for owner in owners)
    del owners

    tables = [User, Patient, Consent, Submission, Assessment, Case, CaseEvent, Visit]
    indexes = _drop_secondary_indexes(tables)
    with connection.cursor() as cursor:
        # Foreign-key triggers off while loading: the rows are consistent by construction (the
        # users and patients are written after their questionnaires).
        cursor.execute("SET session_replication_role = replica")

    history: dict[int, list] = {}
    # Each patient's latest questionnaire, to book today's visits for a realistic mix.
    last_submitted: dict[int, object] = {}
    subs, assessments, cases, events = [], [], [], []
    levels = dict.fromkeys(CaseLevel.values, 0)
    open_flagged = 0
    for sub_id, (submitted_at, owner) in enumerate(moments, start=1):
        if len(subs) == CHUNK:
            _copy_questionnaires(subs, assessments, cases, events)
            subs, assessments, cases, events = [], [], [], []
        person = people[owner]
        local_day = submitted_at.astimezone(ROME).date()
        age = age_on(person["dob"], local_day)
        answers = random_answers(rng, age, person["bleed"])
        earlier = history.setdefault(owner, [])
        while earlier and (local_day - earlier[0][0]).days > HISTORY_DAYS:
            earlier.pop(0)
        # Valid by construction; the unchecked constructor keeps loading fast.
        parsed = rules.Answers(**answers)
        if rng.random() < ENGINE_ERROR_RATE:
            level, score, flags, version, error = CaseLevel.REVIEW, 0, [], None, "ValueError"
        else:
            result = rules.assess(
                parsed, age, [rules.HistoryEntry((local_day - day).days, a) for day, a in earlier]
            )
            level, score, flags = int(result.level), result.score, list(result.flags)
            version, error = result.rules_version, ""
        earlier.append((local_day, parsed))
        last_submitted[owner] = submitted_at
        levels[level] += 1

        patient_id = person["id"]
        created = submitted_at - timedelta(minutes=rng.randint(2, 40))
        key = uuid.UUID(int=rng.getrandbits(128), version=4)
        subs.append(
            (
                sub_id,
                patient_id,
                key,
                "submitted",
                json.dumps(answers),
                age,
                rules.RULES_VERSION,
                created,
                submitted_at,
                submitted_at,
                1,
            )
        )
        assessments.append((sub_id, sub_id, level, score, json.dumps(flags), version, error, submitted_at))

        days_old = (now - submitted_at).total_seconds() / 86400
        status = _by_age(STATUS_BY_AGE, days_old, rng)
        open_flagged += level > CaseLevel.ROUTINE and status != "closed"
        follow_up_on = actor = acted_at = None
        version_no = 1
        if status != "new":
            actor = doctor.pk
            acted_at = min(now, submitted_at + timedelta(hours=rng.uniform(1, 48)))
            version_no = 2
            if status == "follow_up":
                follow_up_on = local_day + timedelta(days=rng.randint(14, 60))
            text = "Visita eseguita, nessun ulteriore controllo." if status == "closed" else ""
            events.append((sub_id, "status", actor, "new", status, follow_up_on, text, acted_at, "{}"))
        cases.append(
            (
                sub_id,
                patient_id,
                submitted_at,
                level,
                score,
                json.dumps(flags),
                flag_bits_for(flags),
                version,
                status,
                # The worklist benchmark books no visits: the follow-up date stays on the timeline.
                None,
                actor,
                acted_at,
                version_no,
                # Given its level when sent; the deadline of the open cases, as `case_sync` sets it
                # (the closed ones' would never be read). Leaving `new` acts on it; the visits
                # booked later for "new" cases are stored after they are loaded.
                submitted_at,
                act_by(level, submitted_at) if status != "closed" else None,
                acted_at,
            )
        )

    users, patient_rows, consents = [], [], []
    for n, person in enumerate(people):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        users.append(
            (
                person["id"],
                password,
                False,
                first,
                last,
                False,
                True,
                person["created"],
                f"paziente{n:05d}@bench.example.org",
                login_key(f"paziente{n:05d}@bench.example.org"),
            )
        )
        # Nine patients in ten give a mobile number, stored as E.164 as the forms store it.
        phone = f"+39333{person['id']:07d}" if person["id"] % 10 else ""
        patient_rows.append((person["id"], person["id"], person["dob"], phone, True, person["created"]))
        consents.append((person["id"], settings.PRIVACY_NOTICE_VERSION, person["created"]))

    _copy_questionnaires(subs, assessments, cases, events)
    del moments, history, subs, assessments, cases, events
    # The draws below come after every earlier one, so the questionnaires and names stay those of
    # earlier versions of this generator for the same seed.
    users = [(*row, LANGUAGE.draw(rng), "") for row in users]
    visits, drafts = _visits(
        rng,
        people=people,
        last_submitted=last_submitted,
        now=now,
        span_days=span_days,
        per_day=VISITS_PER_QUESTIONNAIRE * submissions / span_days,
        first_draft_id=submissions + 1,
        doctor_id=doctor.pk,
    )
    del last_submitted
    _copy(Submission, DRAFT_COLUMNS, drafts)
    _copy(Visit, VISIT_COLUMNS, visits)
    _copy(
        User,
        [
            "id",
            "password",
            "is_superuser",
            "first_name",
            "last_name",
            "is_staff",
            "is_active",
            "date_joined",
            "email",
            "login_key",
            "language",
            "pending_email",
        ],
        users,
    )
    _copy(Patient, ["id", "user", "date_of_birth", "phone", "visit_reminders", "created_at"], patient_rows)
    _copy(Consent, ["patient", "notice_version", "given_at"], consents)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for definition in indexes:
            cursor.execute(definition)
        # A visit booked after she sent it acts on a "new" case: stored as the portal stores it.
        waiting = list(Case.objects.filter(status="new").order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(waiting), 1000):
            acted_on_store(case_ids=waiting[start : start + 1000])
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [User, Patient, Consent, Submission, Assessment, CaseEvent]
        ):
            cursor.execute(statement)
        # Fresh statistics and a visibility map, as autovacuum would leave them on a live system.
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_database_size(current_database())")
        database_bytes = cursor.fetchone()[0]
    return Summary(
        visits=len(visits),
        visits_today=VISITS_TODAY,
        drafts=len(drafts),
        patients=patients,
        submissions=submissions,
        levels=levels,
        open_flagged=open_flagged,
        seconds=time.perf_counter() - started,
        doctor_id=doctor.pk,
        database_bytes=database_bytes,
    )
