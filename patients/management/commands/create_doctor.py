"""Create a doctor account: a staff user in the "doctors" role."""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from clinic.identity import login_key
from patients.models import User
from patients.services import doctor_create

# The name of the variable that holds the password, not a password.
PASSWORD_ENV = "DJANGO_DOCTOR_PASSWORD"  # nosec B105


class Command(BaseCommand):
    help = "Create a doctor (staff account in the doctors role). The password is prompted, or read from DJANGO_DOCTOR_PASSWORD with --noinput."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        # Required: a patient's access log names the doctor who opened her record.
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Do not prompt; read the password from {PASSWORD_ENV}.",
        )

    def handle(self, *args, email, first_name, last_name, interactive, **options):
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"Invalid email address: {email}") from exc
        if not first_name.strip() or not last_name.strip():
            raise CommandError(
                "A doctor needs a first and a last name: patients read it in their access log."
            )
        if User.objects.filter(login_key=login_key(email)).exists():
            raise CommandError(f"An account with the email {email} already exists.")
        user = User(email=email, first_name=first_name, last_name=last_name)
        if interactive:
            password = self._prompt_password(user)
        else:
            password = os.environ.get(PASSWORD_ENV, "")
            if not password:
                raise CommandError(f"With --noinput, set the password in {PASSWORD_ENV}.")
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        doctor_create(email=email, password=password, first_name=first_name, last_name=last_name)
        self.stdout.write(self.style.SUCCESS(f"Doctor {email} created."))

    def _prompt_password(self, user):
        while True:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords do not match.")
                continue
            try:
                validate_password(password, user)
            except ValidationError as exc:
                self.stderr.write(" ".join(exc.messages))
                continue
            return password
