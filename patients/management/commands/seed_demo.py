"""Demo accounts for a local run; safe to run again."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from patients.models import User
from patients.services import doctor_create, patient_register

DOCTOR = {
    "email": "doctor@example.com",
    "password": "demo-doctor-2026",
    "first_name": "Giulia",
    "last_name": "Bianchi",
}
PATIENT = {
    "email": "patient@example.com",
    "password": "demo-patient-2026",
    "first_name": "Maria",
    "last_name": "Rossi",
}


class Command(BaseCommand):
    help = "Create a demo doctor and a demo patient (local runs only) and print their logins."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with published passwords; it runs only with DEBUG on."
            )
        if not User.objects.filter(email=DOCTOR["email"]).exists():
            doctor_create(**DOCTOR)
        if not User.objects.filter(email=PATIENT["email"]).exists():
            patient_register(**PATIENT, date_of_birth=date(1988, 5, 14), phone="+39 333 123 4567")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Open http://127.0.0.1:8000/ and log in as:"))
        self.stdout.write(f"  doctor:  {DOCTOR['email']}  /  {DOCTOR['password']}")
        self.stdout.write(f"  patient: {PATIENT['email']}  /  {PATIENT['password']}")
        self.stdout.write("")
