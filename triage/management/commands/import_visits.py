"""Import visits from the booking system's export: an iCalendar (.ics) or CSV file.

The layouts are described in `triage/visits/imports.py`. An invalid file saves nothing;
running it again with the same file creates nothing new. Visits whose patient the import could
not tell are listed, bound to nobody, and the command fails while any is waiting: answer with
`--confirm UID` (the proposed patient), `--invite UID` (whoever owns the row's email) or
`--cancel UID` (nobody), or on the import page.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from triage.models import Visit
from triage.visits.matching import (
    CANCEL,
    CONFIRM,
    INVITE,
    MatchNotPossible,
    import_file,
    import_report_lines,
    visit_match_resolve,
)
from triage.visits.selectors import visits_awaiting_confirmation


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

    def handle(self, *args, file, confirm, invite, cancel, **options):
        if file:
            path = Path(file)
            try:
                content = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
            report = import_file(path.name, content)
            for line in import_report_lines(report):
                self.stdout.write(line)
            if not report.saved:
                raise CommandError("The file was not imported.")
        decisions = [(CONFIRM, uid) for uid in confirm] + [(INVITE, uid) for uid in invite]
        decisions += [(CANCEL, uid) for uid in cancel]
        for decision, uid in decisions:
            visit = Visit.objects.filter(uid=uid).first()
            if visit is None:
                raise CommandError(f"No visit has the UID {uid}.")
            try:
                visit_match_resolve(visit_id=visit.pk, decision=decision)
            except MatchNotPossible as exc:
                raise CommandError(f"{uid}: {' '.join(exc.messages)}") from None
            self.stdout.write(f"{uid}: {decision} done.")
        awaiting = list(visits_awaiting_confirmation())
        if not awaiting:
            return
        self.stdout.write("Needs your confirmation (nothing is bound or sent until then):")
        for visit in awaiting:
            proposal = visit.match_patient
            who = (
                f"may be {proposal.user.display_name}, born {proposal.date_of_birth:%Y-%m-%d}"
                if proposal
                else ""
            )
            invited = f"booked for {visit.invitation.email}" if visit.invitation else ""
            when = timezone.localtime(visit.starts_at).strftime("%Y-%m-%d %H:%M")
            details = "; ".join(part for part in (invited, who) if part)
            self.stdout.write(f"  {visit.uid} ({when}): {visit.get_match_reason_display()}. {details}")
        raise CommandError(
            f"{len(awaiting)} visits need your confirmation: --confirm, --invite or --cancel UID, or the import page."
        )
