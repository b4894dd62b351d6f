"""Import visits from the booking system's export: an iCalendar (.ics) or CSV file.

The layouts are described in `triage/visits/imports.py`. A file that cannot be read as a whole saves
nothing; a row it cannot read is left out and reported (a CSV row by its line, an event by its
summary, date and UID) while the others are imported; running it again with the same file creates
nothing new. Visits whose patient the import could not tell are listed, bound to nobody: answer with
`--confirm UID` (the proposed patient), `--invite UID` (whoever owns the row's email) or
`--cancel UID` (nobody), with `--doctor EMAIL` naming who answers (it is in the audit trail and, for a
confirmation, in the patient's access log), or on the import page.

The output is the import page's report, in `--language` (the doctor's own language with `--doctor`,
the clinic's otherwise); nothing of it is logged. Exit status: 0 when everything was imported and
nothing waits, 1 when the file was refused (nothing saved) or an answer could not be given, 2 when
rows were left out or visits wait for a confirmation.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.identity import login_key
from patients.models import User, is_doctor
from triage.audit.writer import Actor
from triage.models import Visit
from triage.visits.matching import (
    CANCEL,
    CONFIRM,
    INVITE,
    MatchNotPossible,
    import_file,
    visit_match_resolve,
)
from triage.visits.presenters import import_report_lines
from triage.visits.selectors import visits_awaiting_confirmation

# Exit status when the import needs the doctor: rows left out, or visits waiting for her answer.
NEEDS_ATTENTION = 2


class Command(BaseCommand):
    help = "Import visits from an .ics or .csv file exported by the booking system."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the .ics or .csv file (optional with the options below)")
        parser.add_argument(
            "--confirm",
            action="append",
            default=[],
            metavar="UID",
            help="the visit is the proposed patient's",
        )
        parser.add_argument(
            "--invite", action="append", default=[], metavar="UID", help="invite the visit's email to sign up"
        )
        parser.add_argument(
            "--cancel", action="append", default=[], metavar="UID", help="the visit is nobody's: cancel it"
        )
        parser.add_argument(
            "--doctor",
            metavar="EMAIL",
            help="the login email of the doctor who imports and answers (required with the answers)",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="the report's language (default: the doctor's, or the clinic's)",
        )

    def handle(self, *args, file, confirm, invite, cancel, doctor, language, **options):
        user = _doctor(doctor) if doctor else None
        language = language or (user.language if user else None) or settings.LANGUAGE_CODE
        with translation.override(language):
            return self._handle(file, confirm, invite, cancel, user)

    def _handle(self, file, confirm, invite, cancel, user):
        actor = Actor(user=user) if user else None
        left_out = False
        if file:
            path = Path(file)
            try:
                content = path.read_bytes()
            except OSError as exc:
                raise CommandError(
                    _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
                ) from None
            report = import_file(path.name, content, actor=actor)
            for line in import_report_lines(report):
                self.stdout.write(line)
            if not report.saved:
                raise CommandError(_("The file was not imported."))
            left_out = bool(report.unmatched)
        decisions = [(CONFIRM, uid) for uid in confirm] + [(INVITE, uid) for uid in invite]
        decisions += [(CANCEL, uid) for uid in cancel]
        if decisions and actor is None:
            raise CommandError(
                _("Say who answers with --doctor EMAIL: the answer is recorded under her name.")
            )
        for decision, uid in decisions:
            visit = Visit.objects.filter(uid=uid).first()
            if visit is None:
                raise CommandError(_("No visit has the UID %(uid)s.") % {"uid": uid})
            try:
                visit_match_resolve(visit_id=visit.pk, decision=decision, actor=actor)
            except MatchNotPossible as exc:
                raise CommandError(f"{uid}: {' '.join(exc.messages)}") from None
            self.stdout.write(_("%(uid)s: saved.") % {"uid": uid})
        awaiting = list(visits_awaiting_confirmation())
        if awaiting:
            self._list(awaiting)
            raise CommandError(
                ngettext(
                    "%(count)d visit needs your confirmation: --confirm, --invite or --cancel UID with --doctor EMAIL, or the import page.",
                    "%(count)d visits need your confirmation: --confirm, --invite or --cancel UID with --doctor EMAIL, or the import page.",
                    len(awaiting),
                )
                % {"count": len(awaiting)},
                returncode=NEEDS_ATTENTION,
            )
        if left_out:
            raise CommandError(
                _(
                    "Some rows were not imported: correct them in the booking system and import the file again."
                ),
                returncode=NEEDS_ATTENTION,
            )

    def _list(self, awaiting):
        """The visits waiting for an answer, as the import page lists them."""
        self.stdout.write(_("Needs your confirmation (nothing is bound or sent until then):"))
        for visit in awaiting:
            parts = []
            if visit.invitation:
                parts.append(_("booked for %(email)s") % {"email": visit.invitation.email})
            if visit.match_patient:
                parts.append(
                    _("may be %(name)s, born %(date)s")
                    % {
                        "name": visit.match_patient.user.display_name,
                        "date": formats.date_format(visit.match_patient.date_of_birth, "SHORT_DATE_FORMAT"),
                    }
                )
            when = formats.date_format(timezone.localtime(visit.starts_at), "SHORT_DATETIME_FORMAT")
            self.stdout.write(
                f"  {visit.uid} ({when}): {visit.get_match_reason_display()}. {'; '.join(parts)}".rstrip()
            )


def _doctor(email: str) -> User:
    user = User.objects.filter(login_key=login_key(email), is_active=True).first()
    if user is None or not is_doctor(user):
        raise CommandError(_("No doctor has the login email %(email)s.") % {"email": email})
    return user
