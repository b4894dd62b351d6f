"""Demo data: a populated worklist through the real rule engine, and safe to run twice."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from outbox.models import OutboundEmail
from patients.models import Patient, Submission, User
from tests.test_support import run_tasks
from triage.models import Case, CaseEvent, CaseLevel
from triage.rules import FLAG_CODES, RULES_VERSION


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_prints_the_documented_logins(seeded):
    assert "doctor@example.com" in seeded and "demo-doctor-2026" in seeded
    assert "patient@example.com" in seeded and "demo-patient-2026" in seeded


def test_seed_banner_names_the_address_the_portal_serves_on(db, settings):
    settings.DEBUG = True
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8201"
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Open http://127.0.0.1:8201/ " in out.getvalue()
    assert "8000" not in out.getvalue()


def test_seed_creates_about_forty_patients_and_seventy_questionnaires(seeded):
    demo_patients = Patient.objects.filter(user__email__endswith="@example.org")

    assert demo_patients.count() == 56
    assert Submission.objects.filter(status="submitted").count() >= 70
    assert Case.objects.count() == Submission.objects.filter(status="submitted").count()


def test_seed_covers_every_level_and_every_flag(seeded):
    """Every level and every flag of the current rule set, on cases that rule set assessed."""
    current = Case.objects.filter(rules_version=RULES_VERSION)
    levels = set(current.values_list("level", flat=True))
    flags = {code for codes in current.values_list("flags", flat=True) for code in codes}

    assert {
        CaseLevel.ROUTINE,
        CaseLevel.FOLLOW_UP,
        CaseLevel.PRIORITY,
        CaseLevel.URGENT,
        CaseLevel.EMERGENCY,
    } <= levels
    assert flags == set(FLAG_CODES)


def test_seed_histories_show_recurrence(seeded):
    """Some patients are flagged RECURRENT only because of an earlier questionnaire."""
    recurrent_from_history = [
        case
        for case in Case.objects.select_related("submission")
        if "RECURRENT" in case.flags and case.submission.answers.get("bleeding_episodes_3m", 0) < 2
    ]
    with_history = [
        patient
        for patient in Patient.objects.all()
        if patient.submissions.filter(status="submitted").count() >= 3
    ]

    assert recurrent_from_history
    assert len(with_history) >= 5


def test_seed_adds_some_casework(seeded):
    assert set(Case.objects.values_list("status", flat=True)) == {"new", "in_review", "follow_up", "closed"}
    assert CaseEvent.objects.filter(kind="note").exists()
    closed_with_reason = CaseEvent.objects.filter(kind="status", to_status="closed").exclude(text="")
    assert closed_with_reason.exists()


@pytest.mark.django_db(transaction=True)
def test_seed_sends_no_email(settings):
    """Urgent cases queue an alert to the doctors; demo data must not, even when it really commits."""
    settings.DEBUG = True

    call_command("seed_demo", stdout=StringIO())

    assert Case.objects.filter(level=CaseLevel.EMERGENCY).exists()
    assert not OutboundEmail.objects.exists()
    run_tasks()
    assert mail.outbox == []


def test_seed_twice_adds_nothing(seeded):
    counts = (
        User.objects.count(),
        Submission.objects.count(),
        Case.objects.count(),
        CaseEvent.objects.count(),
    )

    call_command("seed_demo", stdout=StringIO())

    assert (
        User.objects.count(),
        Submission.objects.count(),
        Case.objects.count(),
        CaseEvent.objects.count(),
    ) == counts


def test_seed_is_deterministic(seeded):
    first = sorted(Case.objects.values_list("patient__user__email", "level", "score"))
    Patient.objects.filter(user__email__endswith="@example.org").delete()
    User.objects.filter(email__endswith="@example.org").delete()

    call_command("seed_demo", stdout=StringIO())

    assert sorted(Case.objects.values_list("patient__user__email", "level", "score")) == first


def test_demo_doctor_sees_an_emergency_on_top(seeded, client):
    client.force_login(User.objects.get(email="doctor@example.com"))

    response = client.get(reverse("triage:dashboard"))

    rows = response.context["page"].rows
    assert rows[0].level == CaseLevel.EMERGENCY
    assert len(rows) == 25


def test_seed_refuses_to_run_without_debug(db, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())


def test_retriage_dry_run_on_the_demo_data_prints_its_table_and_writes_nothing(seeded):
    from django.apps import apps

    models = [
        model for app in ("patients", "triage", "outbox") for model in apps.get_app_config(app).get_models()
    ]
    before = {model.__name__: model.objects.count() for model in models}
    open_cases = Case.objects.exclude(status="closed").count()

    out = StringIO()
    call_command("retriage", "--dry-run", stdout=out)

    assert {model.__name__: model.objects.count() for model in models} == before
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        f"Dry run: {open_cases} open case(s) assessed with rule set {RULES_VERSION}; nothing was written."
    )
    header = lines[2].split()
    assert header[-6:] == ["review", "emergency", "urgent", "priority", "follow_up", "routine"]
    rows = {line.split()[0]: [int(n) for n in line.split()[1:]] for line in lines[3:9]}
    assert sum(map(sum, rows.values())) == open_cases
    # The open questionnaires assessed with rule set 2 that rule set 3 raises (RULES.md 12): pain with
    # bleeding while not pregnant, "perimenopausal" at 55+, an absent screening date.
    up = lines.index("Moving up: 3 case(s)")
    moved_up = {line.split()[0]: line.split()[1:] for line in lines[up + 2 : up + 5]}
    pain_bleeding = Case.objects.get(patient__user__email="miriam.donati@example.org")
    assert moved_up[f"#{pain_bleeding.pk}"][:3] == ["follow_up", "priority", "+PAINFUL"]
    assert "+PAIN_WITH_BLEEDING" in moved_up[f"#{pain_bleeding.pk}"]
    assert "Moving down: 0 case(s)" in lines


def test_seed_books_todays_visits_and_the_demo_patients_next_visit(seeded, client):
    from django.utils import timezone

    from triage.visits.selectors import day_visits

    today = day_visits(timezone.localdate())
    assert len(today) == 8
    assert [item.visit.starts_at for item in today] == sorted(item.visit.starts_at for item in today)
    # Some of them sent their questionnaire in the two weeks before: the list shows its triage.
    assert any(item.case for item in today)
    demo = User.objects.get(email="patient@example.com").patient
    assert demo.visits.get().local_date == timezone.localdate() + timedelta(days=3)
