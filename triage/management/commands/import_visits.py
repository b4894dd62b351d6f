"""Import visits from the booking system's export: an iCalendar (.ics) or CSV file.

The layouts are described in `triage/visits/imports.py`. An invalid file saves nothing;
running it again with the same file creates nothing new.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from triage.visits.imports import import_file, import_report_lines


class Command(BaseCommand):
    help = "Import visits from an .ics or .csv file exported by the booking system."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .ics or .csv file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        report = import_file(path.name, content)
        for line in import_report_lines(report):
            self.stdout.write(line)
        if not report.saved:
            raise CommandError("The file was not imported.")
