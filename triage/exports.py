"""The worklist as CSV, safe to open in a spreadsheet."""

import csv
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from . import rules
from .models import Case, CaseLevel

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value) -> str:
    """The cell as text, with a leading quote when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _flag_label(code: str, version: int | None) -> str:
    rule = rules.rule_set(version).flag_rules_by_code.get(code)
    return _(rule.label) if rule else code


def worklist_csv_header() -> list[str]:
    return [
        _("Case"),
        _("Submitted"),
        _("Patient"),
        _("Email"),
        _("Age"),
        _("Level"),
        _("Score"),
        _("Flags"),
        _("Status"),
        _("Follow-up date"),
        _("Last acted on by"),
        _("Last acted on"),
    ]


def worklist_csv_row(case: Case) -> list[str]:
    user = case.patient.user
    return [
        case.pk,
        _when(case.submitted_at),
        user.get_full_name(),
        user.email,
        case.submission.age,
        CaseLevel(case.level).label if case.level in CaseLevel.values else case.level,
        case.score,
        "; ".join(_flag_label(code, case.rules_version) for code in case.flags or ()),
        case.get_status_display(),
        case.follow_up_on.isoformat() if case.follow_up_on else "",
        case.last_actor.display_name if case.last_actor else "",
        _when(case.last_acted_at),
    ]


def worklist_csv_write(out, cases: Iterable[Case]) -> int:
    """Write the header and one line per case to `out`; return the number of cases."""
    writer = csv.writer(out)
    writer.writerow([csv_safe(cell) for cell in worklist_csv_header()])
    count = 0
    for case in cases:
        writer.writerow([csv_safe(cell) for cell in worklist_csv_row(case)])
        count += 1
    return count
