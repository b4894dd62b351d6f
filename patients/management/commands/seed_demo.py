"""Demo accounts and a populated worklist for a local run; safe to run again."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clinic.models import DEMO_HOURS, DEMO_PROFILE, SINGLE_ROW_ID, ClinicProfile, OpeningInterval
from outbox.services import emails_held
from patients.demo import demo_visits_seed, demo_worklist_seed
from patients.models import User
from patients.services import doctor_create, patient_register
from triage.models import SavedReply

# Published demo passwords (README): the command refuses to run with debug off.
DOCTOR = {  # nosec B105
    "email": "doctor@example.com",
    "password": "demo-doctor-2026",
    "first_name": "Giulia",
    "last_name": "Bianchi",
}
PATIENT = {  # nosec B105
    "email": "patient@example.com",
    "password": "demo-patient-2026",
    "first_name": "Maria",
    "last_name": "Rossi",
}


def clinic_profile_fill() -> None:
    """The demo clinic's details, in the fields a superuser has left empty (or all, if none), and the
    demo week if no hours are set."""
    profile, created = ClinicProfile.objects.get_or_create(id=SINGLE_ROW_ID, defaults=DEMO_PROFILE)
    if not created:
        blank = {field: value for field, value in DEMO_PROFILE.items() if not getattr(profile, field)}
        if blank:
            for field, value in blank.items():
                setattr(profile, field, value)
            profile.save(update_fields=list(blank))
    if not profile.opening_intervals.exists():
        OpeningInterval.objects.bulk_create(
            OpeningInterval(profile=profile, weekday=weekday, opens=opens, closes=closes)
            for weekday, opens, closes in DEMO_HOURS
        )


# The clinic's first saved replies, offered on the case page (editable in the admin).
DEMO_SAVED_REPLIES = (
    ("Richiamata domani alle 9", "La richiameremo domani alle 9.", "We will call you tomorrow at 9."),
    (
        "Prenotare una visita",
        "Prenoti una visita qui: https://example.com/prenota",
        "Please book a visit here: https://example.com/prenota",
    ),
)


def saved_replies_fill() -> None:
    """The demo saved replies, when the clinic has none yet."""
    if not SavedReply.objects.exists():
        SavedReply.objects.bulk_create(
            SavedReply(title=title, text_it=text_it, text_en=text_en, position=n)
            for n, (title, text_it, text_en) in enumerate(DEMO_SAVED_REPLIES)
        )


class Command(BaseCommand):
    help = (
        "Create a demo doctor, a demo patient and about thirty patients with questionnaire histories "
        "(local runs only) and print the logins."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with published passwords; it runs only with DEBUG on."
            )
        # Urgent demo cases must not email the doctors: their alerts are never queued.
        with emails_held(), transaction.atomic():
            doctor = User.objects.filter(email=DOCTOR["email"]).first() or doctor_create(**DOCTOR)
            if not User.objects.filter(email=PATIENT["email"]).exists():
                patient_register(
                    **PATIENT, email_verified=True, date_of_birth=date(1988, 5, 14), phone="+39 333 123 4567"
                )
            seeded = demo_worklist_seed(doctor)
            demo_visits_seed(PATIENT["email"])
            clinic_profile_fill()
            saved_replies_fill()
        if seeded.patients:
            self.stdout.write(
                f"Added {seeded.patients} demo patients with {seeded.submissions} questionnaires."
            )
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Open {settings.PORTAL_BASE_URL}/ and log in as:")
        )
        self.stdout.write(f"  doctor:  {DOCTOR['email']}  /  {DOCTOR['password']}")
        self.stdout.write(f"  patient: {PATIENT['email']}  /  {PATIENT['password']}")
        self.stdout.write("")
