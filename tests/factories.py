"""Small builders for test data."""

import copy
from datetime import date, timedelta

from django.utils import timezone

from patients.models import Patient, Submission, User
from patients.services import doctor_create, patient_register, submission_record
from triage.rules import Answers, answers_from_mapping

PASSWORD = "a-Long-test-passphrase-42"


def make_patient(
    email="patient@example.com",
    first_name="Maria",
    last_name="Rossi",
    date_of_birth=date(1990, 3, 1),
    verified=True,
    **extra,
) -> Patient:
    """A patient; with `verified`, her email is verified (no verification email is queued)."""
    user = patient_register(
        email_verified=verified,
        email=email,
        password=PASSWORD,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        phone=extra.pop("phone", ""),
        texts=extra.pop("texts", False),
    )
    return user.patient


def make_doctor(email="doctor@example.com", first_name="Giulia", last_name="Bianchi") -> User:
    return doctor_create(email=email, password=PASSWORD, first_name=first_name, last_name=last_name)


def make_answers(**overrides) -> Answers:
    """The engine's answers of a patient who reported nothing, but for `overrides` (no database)."""
    return answers_from_mapping(overrides)


def record(patient: Patient, answers: dict, *, days_ago=2) -> Submission:
    """A questionnaire submitted `days_ago` days back, assessed by the real rules with its case.

    The time is uneven (minutes and microseconds) so that whatever stores or exports it must keep it.
    """
    when = timezone.now() - timedelta(days=days_ago, minutes=7, microseconds=123)
    return submission_record(patient=patient, answers=copy.deepcopy(answers), submitted_at=when)


def make_case(
    patient: Patient,
    *,
    level: int = 0,
    score: int = 0,
    flags=(),
    submitted_at=None,
    answers=None,
    status: str = "new",
    age: int = 35,
    rules_version: int | None = 2,
):
    """A submitted questionnaire with a stored assessment and its worklist case, level given outright.

    For tests of the worklist, where the level must be chosen rather than derived.
    """
    from triage.models import Assessment, Case, CaseLevel

    submitted_at = submitted_at or timezone.now()
    if level == CaseLevel.REVIEW:
        rules_version = None
    submission = Submission.objects.create(
        patient=patient,
        status=Submission.Status.SUBMITTED,
        answers=answers or {},
        age=age,
        submitted_at=submitted_at,
    )
    assessment = Assessment.objects.create(
        submission=submission,
        level=level,
        score=score,
        flags=list(flags),
        rules_version=rules_version,
        created_at=submitted_at,
    )
    return Case.objects.create(
        submission=submission,
        patient=patient,
        submitted_at=submitted_at,
        level=level,
        score=score,
        flags=list(flags),
        rules_version=rules_version,
        status=status,
        assessment=assessment,
        advice=assessment,
        advised_at=submitted_at,
    )


# A symptom-free patient who answered every always-visible question (RULES.md 3.1), as stored...
QUIET_ANSWERS = {
    "menopause_status": "premenopausal",
    "pregnancy_status": "not_pregnant",
    "period_late": "no",
    "contraception": "none",
    "discharge_after_sex": False,
    "bleeding_after_sex": False,
    "soaks_pad_hourly": False,
    "pain_during_sex": 0,
    "pelvic_pain_days": 0,
    "burning": False,
    "itching": False,
    "bad_odor": False,
    "persistent_discomfort": False,
    "fever": False,
    "dizziness_fainting": False,
    "intermenstrual_bleeding": False,
    "vaginal_dryness": False,
    "last_cervical_screening": "within_3y",
    "abnormal_screening_history": False,
    "anticoagulants": False,
    "tamoxifen": False,
    "hrt": False,
    "immunosuppressed": False,
    "recent_procedure_6w": False,
    "new_partner_3m": False,
}


def as_form_values(answers: dict) -> dict:
    """Stored answers as the questionnaire form posts them: `yes`/`no`, numbers as text."""
    return {
        name: ("yes" if value else "no") if isinstance(value, bool) else str(value)
        for name, value in answers.items()
    }


# ...and as the form posts them.
QUIET_FORM = as_form_values(QUIET_ANSWERS)


def make_visit(patient, *, starts_at=None, days_ahead=5, hour=10, minute=0, booked_at=None, **fields):
    """A booked visit of `patient`, by default five days ahead at 10:00 local time, booked a week ago.

    Written straight to the table: no invitation email, no check of the past.
    """
    import uuid
    from datetime import datetime, time

    from triage.models import Visit

    if starts_at is None:
        day = timezone.localdate() + timedelta(days=days_ahead)
        starts_at = timezone.make_aware(datetime.combine(day, time(hour, minute)))
    booked_at = booked_at or timezone.now() - timedelta(days=7)
    fields.setdefault("uid", f"test-{uuid.uuid4()}")
    return Visit.objects.create(
        patient=patient,
        starts_at=starts_at,
        questionnaire_since=Visit.questionnaire_window_start(starts_at, booked_at),
        created_at=booked_at,
        **fields,
    )


# A busy case: emergency to informational flags, in no particular order (worklist tests).
TEN_FLAGS = [
    "ANTICOAGULANTS",
    "DRYNESS",
    "RECURRENT",
    "SCREENING_GAP",
    "HEAVY_ACUTE",
    "PAINFUL",
    "ABUNDANT",
    "POSTMENOPAUSAL_BLEEDING",
    "STI_RISK",
    "INTERMENSTRUAL_BLEEDING",
]
