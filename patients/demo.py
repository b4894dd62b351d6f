"""A populated worklist for a local run: fifty-odd patients and their questionnaire histories.

Questionnaires go through `patients.services.submission_record`, which runs
the real rule engine, so every level and flag shown is what the rules give
for those answers. Histories stretch over the last months, so recurrence
and worsening show on the case page. A fixed seed makes each run build the
same data; a patient who already exists is left alone, so running again
adds nothing.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from triage.audit.writer import Actor
from triage.cases.acted_on import acted_on_store
from triage.cases.services import case_add_note, case_change_status
from triage.models import Case, CaseEvent, Visit
from triage.visits.services import visit_record

from .models import Patient, User
from .services import patient_register, submission_record

SEED = 20261127
EMAIL_DOMAIN = "example.org"

BLEEDING = {"bleeding_after_sex": True}
CLEAR_DISCHARGE = {"discharge_after_sex": True, "discharge_color": "clear_white"}


def bleeding(episodes, amount, trend="first_time", weeks=0, **extra):
    """Answers reporting bleeding after intercourse, with its RULES.md 3.1 details."""
    return {
        **BLEEDING,
        "bleeding_episodes_3m": episodes,
        "bleeding_amount": amount,
        "bleeding_trend": trend,
        "bleeding_first_noticed_weeks": weeks,
        **extra,
    }


# Each story is the patient's questionnaires as (days ago, answers), oldest first.
STORIES = {
    # Post-coital bleeding that keeps coming back and gets heavier: routine, then priority.
    "worsening": [
        (150, bleeding(1, "streaks", weeks=1)),
        (70, bleeding(2, "spotting", "same", weeks=12)),
        (
            9,
            bleeding(
                4, "moderate", "more", weeks=22, clots=True, notes="Ultimamente il sanguinamento è aumentato."
            ),
        ),
    ],
    # One light episode, then another within 90 days: recurrence comes from the history alone.
    "recurs": [
        (170, CLEAR_DISCHARGE),
        (58, bleeding(1, "streaks")),
        (6, bleeding(1, "spotting", "same", weeks=8)),
    ],
    "recurs_screening_gap": [
        (44, bleeding(1, "spotting", last_cervical_screening="never")),
        (3, bleeding(2, "spotting", "same", weeks=6, last_cervical_screening="never")),
    ],
    "prior_abnormal": [
        (160, {"abnormal_screening_history": True}),
        (21, bleeding(1, "light", abnormal_screening_history=True)),
    ],
    "heavy_acute": [
        (190, CLEAR_DISCHARGE),
        (
            0,
            bleeding(
                1, "heavy", clots=True, soaks_pad_hourly=True, notes="Sto perdendo molto sangue da ieri sera."
            ),
        ),
    ],
    "pregnancy_red_flag": [
        (230, {}),
        (1, bleeding(1, "spotting", pregnancy_status="possible", pelvic_pain_days=2)),
    ],
    "faint_anticoagulants": [
        (95, {"menopause_status": "postmenopausal", "vaginal_dryness": True, "anticoagulants": True}),
        (
            2,
            {
                "menopause_status": "postmenopausal",
                "intermenstrual_bleeding": True,
                "dizziness_fainting": True,
                "anticoagulants": True,
            },
        ),
    ],
    "postmenopausal": [
        (175, {"menopause_status": "postmenopausal", "vaginal_dryness": True}),
        (33, bleeding(1, "streaks", menopause_status="postmenopausal", vaginal_dryness=True)),
    ],
    "unsure_menopause": [
        (120, {"menopause_status": "unsure", "vaginal_dryness": True}),
        (12, {"menopause_status": "unsure", "intermenstrual_bleeding": True, "vaginal_dryness": True}),
    ],
    "pregnancy_pain": [
        (2, {"pregnancy_status": "confirmed", "pelvic_pain_days": 1}),
    ],
    "pelvic_infection": [
        (130, {"burning": True}),
        (
            4,
            {
                "discharge_after_sex": True,
                "discharge_color": "yellow_green",
                "bad_odor": True,
                "fever": True,
                "pelvic_pain_days": 4,
                "new_partner_3m": True,
            },
        ),
    ],
    "infection": [
        (100, CLEAR_DISCHARGE),
        (8, {"burning": True, "itching": True, "new_partner_3m": True}),
    ],
    "discomfort": [
        (80, {"persistent_discomfort": True, "itching": True}),
        (15, {"persistent_discomfort": True, "itching": True, "vaginal_dryness": True}),
    ],
    "painful": [
        (150, {}),
        (60, {"pain_during_sex": 3}),
        (11, {"pain_during_sex": 6, "vaginal_dryness": True}),
    ],
    "intermenstrual": [
        (120, {}),
        (52, {"intermenstrual_bleeding": True}),
        (7, {"intermenstrual_bleeding": True, "notes": "Perdite tra un ciclo e l'altro da due mesi."}),
    ],
    "pregnancy_bleeding": [
        (210, {}),
        (5, bleeding(1, "streaks", pregnancy_status="confirmed")),
    ],
    "screening_gap": [
        (200, {"last_cervical_screening": "over_5y"}),
        (18, bleeding(1, "spotting", last_cervical_screening="over_5y")),
    ],
    "physiological": [
        (300, {}),
        (25, bleeding(1, "streaks", notes="Una sola volta, dopo un rapporto.")),
    ],
    "no_symptoms": [
        (140, {}),
        (16, CLEAR_DISCHARGE),
    ],
    "dryness": [
        (185, {"menopause_status": "perimenopausal"}),
        (27, {"menopause_status": "perimenopausal", "vaginal_dryness": True}),
    ],
    # The red flags and questions that rule set 2 added.
    "ectopic_warning": [
        (
            0,
            {
                "pregnancy_status": "possible",
                "shoulder_tip_pain": True,
                "pelvic_pain_days": 1,
                "pelvic_pain_severity": 8,
            },
        ),
    ],
    "fever_in_pregnancy": [
        (
            1,
            {
                "pregnancy_status": "confirmed",
                "fever": True,
                "pelvic_pain_days": 2,
                "pelvic_pain_severity": 5,
            },
        ),
    ],
    "after_procedure": [
        (110, {}),
        (
            3,
            {"recent_procedure_6w": True, "bad_odor": True, "pelvic_pain_days": 2, "pelvic_pain_severity": 4},
        ),
    ],
    "faint_alone": [
        (0, {"dizziness_fainting": True}),
    ],
    "tamoxifen": [
        (140, {"tamoxifen": True}),
        (6, {"tamoxifen": True, "intermenstrual_bleeding": True}),
    ],
    "unsure_menopause_bleeding": [
        (4, {"menopause_status": "unsure", "intermenstrual_bleeding": True}),
    ],
    "anticoagulant_bleeding": [
        (10, bleeding(1, "moderate", anticoagulants=True)),
    ],
    "hrt_bleeding": [
        (160, {"menopause_status": "postmenopausal", "hrt": True}),
        (13, {"menopause_status": "postmenopausal", "hrt": True, "intermenstrual_bleeding": True}),
    ],
    "postmenopausal_discharge": [
        (17, {"menopause_status": "postmenopausal", "bad_odor": True}),
    ],
    "immunosuppressed_recurrent": [
        (40, bleeding(1, "spotting", immunosuppressed=True)),
        (2, bleeding(1, "spotting", "same", weeks=6, immunosuppressed=True)),
    ],
    "older_episode": [
        (20, bleeding(0, "streaks", weeks=20)),
    ],
    "young": [
        (9, bleeding(1, "streaks", notes="Prima volta.")),
    ],
    # The questions and red flags that rule set 3 added.
    "later_pregnancy_bleeding": [
        (
            0,
            {
                "pregnancy_status": "confirmed",
                "pregnancy_weeks": 24,
                "intermenstrual_bleeding": True,
                "other_bleeding_amount": "light",
                "intermenstrual_weeks": 0,
            },
        ),
    ],
    "anticoagulant_heavy": [
        (120, {"anticoagulants": True}),
        (
            1,
            {
                "anticoagulants": True,
                "intermenstrual_bleeding": True,
                "other_bleeding_amount": "heavy",
                "intermenstrual_weeks": 1,
            },
        ),
    ],
    "after_birth_bleeding": [
        (
            2,
            {
                "recent_procedure_6w": True,
                "intermenstrual_bleeding": True,
                "other_bleeding_amount": "moderate",
                "other_bleeding_clots": True,
                "notes": "Ho partorito quattro settimane fa.",
            },
        ),
    ],
    "coil_pain_bleeding": [
        (
            1,
            {
                "contraception": "copper_iud",
                "pelvic_pain_days": 3,
                "pelvic_pain_severity": 5,
                "intermenstrual_bleeding": True,
                "other_bleeding_amount": "spotting",
            },
        ),
    ],
    "coil_pain": [
        (5, {"contraception": "hormonal_iud", "pelvic_pain_days": 2, "pelvic_pain_severity": 3}),
    ],
    "pain_with_bleeding": [
        (
            1,
            {
                "period_late": "no",
                "contraception": "combined_hormonal",
                "pelvic_pain_days": 2,
                "pelvic_pain_severity": 5,
                "intermenstrual_bleeding": True,
                "other_bleeding_amount": "spotting",
            },
        ),
    ],
    "fever_infection": [
        (3, {"fever": True, "burning": True, "contraception": "condom_or_natural"}),
    ],
    "persistent_bleeding_45": [
        (
            8,
            {
                "menopause_status": "perimenopausal",
                "intermenstrual_bleeding": True,
                "other_bleeding_amount": "light",
                "intermenstrual_weeks": 16,
            },
        ),
    ],
    "hrt_window": [
        (
            6,
            {
                "menopause_status": "postmenopausal",
                "hrt": True,
                "hrt_type": "sequential",
                "hrt_recent_change": True,
                "intermenstrual_bleeding": True,
                "other_bleeding_amount": "spotting",
            },
        ),
    ],
    # Questionnaires sent before rule set 3 was released, still open and assessed with rule set 2
    # (RULE_SET_2_STORIES): what `retriage --dry-run` shows the new rules would change.
    "before_release_pain_bleeding": [
        (3, {"pelvic_pain_days": 2, "pelvic_pain_severity": 5, "intermenstrual_bleeding": True}),
    ],
    "before_release_perimenopausal": [
        (5, {"menopause_status": "perimenopausal", "intermenstrual_bleeding": True}),
    ],
    "before_release_screening_unknown": [
        (4, bleeding(1, "streaks")),
    ],
    "before_release_new_partner": [
        (6, {"burning": True, "new_partner_3m": True}),
    ],
    "before_release_quiet": [
        (7, CLEAR_DISCHARGE),
    ],
}

# Stories whose questionnaires were sent, and assessed, under rule set 2.
RULE_SET_2_STORIES = frozenset(name for name in STORIES if name.startswith("before_release_"))

# (first name, last name, age today, story); ages fit each story's rules (35+, 55+, 25-29 ...).
PATIENTS = [
    ("Chiara", "Ferrari", 41, "worsening"),
    ("Francesca", "Russo", 27, "recurs"),
    ("Sara", "Esposito", 33, "recurs_screening_gap"),
    ("Martina", "Romano", 36, "prior_abnormal"),
    ("Giorgia", "Colombo", 31, "heavy_acute"),
    ("Alessia", "Ricci", 29, "pregnancy_red_flag"),
    ("Valentina", "Marino", 68, "faint_anticoagulants"),
    ("Elena", "Greco", 59, "postmenopausal"),
    ("Federica", "Bruno", 56, "unsure_menopause"),
    ("Silvia", "Gallo", 26, "pregnancy_pain"),
    ("Laura", "Conti", 24, "pelvic_infection"),
    ("Paola", "De Luca", 22, "infection"),
    ("Anna", "Mancini", 44, "discomfort"),
    ("Roberta", "Costa", 35, "painful"),
    ("Simona", "Rizzo", 40, "intermenstrual"),
    ("Daniela", "Lombardi", 32, "pregnancy_bleeding"),
    ("Monica", "Moretti", 48, "screening_gap"),
    ("Cristina", "Barbieri", 28, "physiological"),
    ("Ilaria", "Fontana", 30, "no_symptoms"),
    ("Serena", "Santoro", 51, "dryness"),
    ("Valeria", "Mariani", 45, "worsening"),
    ("Beatrice", "Rinaldi", 23, "recurs"),
    ("Claudia", "Caruso", 27, "recurs_screening_gap"),
    ("Lucia", "Ferrara", 34, "heavy_acute"),
    ("Marta", "Galli", 72, "faint_anticoagulants"),
    ("Eleonora", "Martini", 38, "infection"),
    ("Veronica", "Leone", 47, "discomfort"),
    ("Camilla", "Longo", 42, "intermenstrual"),
    ("Noemi", "Gentile", 21, "physiological"),
    ("Giulia", "Marchetti", 63, "postmenopausal"),
    ("Aurora", "Pellegrini", 30, "ectopic_warning"),
    ("Sofia", "Palumbo", 33, "fever_in_pregnancy"),
    ("Irene", "Sanna", 31, "after_procedure"),
    ("Rebecca", "Farina", 37, "faint_alone"),
    ("Gabriella", "Rossetti", 52, "tamoxifen"),
    ("Teresa", "Cattaneo", 49, "unsure_menopause_bleeding"),
    ("Rosa", "Morelli", 58, "anticoagulant_bleeding"),
    ("Luisa", "Amato", 57, "hrt_bleeding"),
    ("Franca", "Silvestri", 66, "postmenopausal_discharge"),
    ("Nadia", "Vitale", 39, "immunosuppressed_recurrent"),
    ("Carla", "Messina", 43, "older_episode"),
    ("Asia", "Bellini", 15, "young"),
    ("Emma", "Guerra", 31, "later_pregnancy_bleeding"),
    ("Alice", "Fabbri", 46, "anticoagulant_heavy"),
    ("Giada", "Villa", 30, "after_birth_bleeding"),
    ("Matilde", "Serra", 29, "coil_pain_bleeding"),
    ("Arianna", "Monti", 34, "coil_pain"),
    ("Nicole", "Testa", 24, "pain_with_bleeding"),
    ("Elisa", "Lombardo", 26, "fever_infection"),
    ("Barbara", "Orlando", 47, "persistent_bleeding_45"),
    ("Patrizia", "Ferri", 53, "hrt_window"),
    ("Miriam", "Donati", 24, "before_release_pain_bleeding"),
    ("Loredana", "Bianco", 56, "before_release_perimenopausal"),
    ("Ginevra", "Parisi", 30, "before_release_screening_unknown"),
    ("Sabrina", "Piras", 33, "before_release_new_partner"),
    ("Tiziana", "Riva", 40, "before_release_quiet"),
]

# Work the doctor has already done, by story: statuses and notes on the latest questionnaire.
LATEST_WORK = {
    "worsening": [("note", "Telefonato alla paziente: visita da programmare a breve."), ("follow_up", 3)],
    "pelvic_infection": [("in_review", "")],
    "prior_abnormal": [("note", "Chiedere il referto dell'ultima colposcopia.")],
    "discomfort": [("in_review", ""), ("follow_up", 14)],
    "physiological": [("closed", "Quadro compatibile con traccia fisiologica; rassicurata per telefono.")],
    "postmenopausal": [("in_review", "")],
}
EARLIER_CLOSING_REASON = "Vista in ambulatorio; rivalutare se i sintomi si ripresentano."


@dataclass(frozen=True)
class SeedResult:
    patients: int
    submissions: int


def _email(first: str, last: str) -> str:
    return f"{first}.{last}".lower().replace(" ", "") + f"@{EMAIL_DOMAIN}"


def _birth_date(age: int, rng: random.Random) -> date:
    today = timezone.localdate()
    return date(today.year - age - 1, today.month, min(today.day, 28)) + timedelta(days=rng.randint(30, 330))


def _submitted_at(days_ago: int, rng: random.Random) -> datetime:
    now = timezone.now()
    if days_ago == 0:
        return now - timedelta(minutes=rng.randint(40, 300))
    local = timezone.localtime(now - timedelta(days=days_ago))
    return local.replace(hour=rng.randint(7, 22), minute=rng.randint(0, 59), second=0, microsecond=0)


def _backdate(case_id: int, when: datetime) -> None:
    """Put the doctor's earlier work at a plausible moment instead of now."""
    CaseEvent.objects.filter(case_id=case_id).update(created_at=when)
    Case.objects.filter(pk=case_id).update(last_acted_at=when)
    acted_on_store(case_ids=[case_id])


def _do_work(case_id: int, doctor: User, steps) -> None:
    for step, value in steps:
        case = Case.objects.get(pk=case_id)
        if step == "note":
            case_add_note(case_id=case_id, actor=Actor(doctor), text=value)
        elif step == "follow_up":
            case_change_status(
                case_id=case_id,
                actor=Actor(doctor),
                to_status=Case.Status.FOLLOW_UP,
                expected_version=case.version,
                follow_up_on=timezone.localdate() + timedelta(days=value),
            )
        else:
            case_change_status(
                case_id=case_id,
                actor=Actor(doctor),
                to_status=step,
                expected_version=case.version,
                reason=value,
            )


def _patient_seed(first, last, age, story, doctor, rng) -> int:
    user = patient_register(
        email_verified=True,
        email=_email(first, last),
        password=None,  # demo patients cannot log in; the documented demo patient can
        first_name=first,
        last_name=last,
        date_of_birth=_birth_date(age, rng),
        phone=f"+39 3{rng.randint(20, 49)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
    )
    patient: Patient = user.patient
    visits = STORIES[story]
    version = 2 if story in RULE_SET_2_STORIES else None
    submissions = [
        submission_record(
            patient=patient,
            answers=dict(answers),
            submitted_at=_submitted_at(days_ago, rng),
            **({"questionnaire_version": version, "assessed_with": version} if version else {}),
        )
        for days_ago, answers in visits
    ]
    for earlier in submissions[:-1]:
        case = Case.objects.get(pk=earlier.pk)
        case_change_status(
            case_id=case.pk,
            actor=Actor(doctor),
            to_status=Case.Status.CLOSED,
            expected_version=case.version,
            reason=EARLIER_CLOSING_REASON,
        )
        _backdate(case.pk, earlier.submitted_at + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 6)))
    _do_work(submissions[-1].pk, doctor, LATEST_WORK.get(story, ()))
    return len(submissions)


@transaction.atomic
def demo_worklist_seed(doctor: User) -> SeedResult:
    """Create the demo patients that do not exist yet, with their questionnaires and some casework."""
    # Demo data must be reproducible, not unpredictable: a seeded PRNG is the point.
    rng = random.Random(SEED)  # nosec B311
    existing = set(
        User.objects.filter(
            email__in=[_email(first, last) for first, last, _age, _story in PATIENTS]
        ).values_list("email", flat=True)
    )
    patients = submissions = 0
    for first, last, age, story in PATIENTS:
        # Draw for every patient, created or not, so each one's data never depends on the others.
        patient_rng = random.Random(rng.random())  # nosec B311
        if _email(first, last) in existing:
            continue
        submissions += _patient_seed(first, last, age, story, doctor, patient_rng)
        patients += 1
    return SeedResult(patients=patients, submissions=submissions)


# The day's list of the demo: this many demo patients are booked today, from 08:30 every half hour.
DEMO_VISITS_TODAY = 8


def demo_visits_seed(demo_patient_email: str) -> None:
    """Book today's visits for some demo patients (booked three weeks ago, so a questionnaire sent in
    the last two weeks is the one for the visit), and a visit in three days for the demo patient.

    Once per day: run again the same day, it adds nothing.
    """
    today = timezone.localdate()
    booked_at = timezone.now() - timedelta(days=21)
    emails = [_email(first, last) for first, last, _age, _story in PATIENTS[:DEMO_VISITS_TODAY]]
    by_email = {patient.user.email: patient for patient in Patient.objects.filter(user__email__in=emails)}
    for number, email in enumerate(emails):
        patient = by_email.get(email)
        if patient is None:
            continue
        starts_at = timezone.make_aware(datetime.combine(today, time(8, 30))) + timedelta(minutes=30 * number)
        visit_record(
            patient=patient,
            starts_at=starts_at,
            booked_at=booked_at,
            uid=f"demo-{today.isoformat()}-{number}",
            kind=Visit.Kind.FOLLOW_UP if number % 3 else Visit.Kind.FIRST,
        )
    demo = Patient.objects.filter(user__email=demo_patient_email).first()
    if demo is not None:
        starts_at = timezone.make_aware(datetime.combine(today + timedelta(days=3), time(10, 0)))
        visit_record(
            patient=demo,
            starts_at=starts_at,
            booked_at=timezone.now(),
            uid=f"demo-patient-{today.isoformat()}",
        )
