"""The worklist as CSV, safe to open in a spreadsheet in the doctor's language.

A spreadsheet reads a CSV with its locale's list separator: `;` where the
decimal mark is a comma (Italian), `,` otherwise (English); numbers carry
that locale's decimal mark.
"""

import csv
import re
from collections.abc import Iterable

from django.utils import timezone
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

from clinic.phones import phone_display

from .. import rules
from ..cases.selectors import case_follow_up_on
from ..models import Case, CaseLevel

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


# The same after a separator: a spreadsheet that splits cells on `;` (Italian Excel) or `,` would
# start a new cell there.
SEPARATED_FORMULA = re.compile(r"([;,]\s*)(?=[=+\-@])")


def csv_safe(value) -> str:
    """The cell as text, with a quote before anything a spreadsheet would read as a formula.

    At the start of the cell and after each `;` or `,`: the file is written with
    every cell quoted, but a spreadsheet that splits on either separator and
    ignores the quotes must not find a formula either.
    """
    text = "" if value is None else str(value)
    text = SEPARATED_FORMULA.sub(r"\1'", text)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_separator() -> str:
    """The cell separator a spreadsheet in the active language expects."""
    return ";" if get_format("DECIMAL_SEPARATOR") == "," else ","


def _number(value) -> str:
    """A number with the active language's decimal mark and no thousands grouping."""
    return number_format(value, use_l10n=True, force_grouping=False) if value is not None else ""


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
        _("Phone"),
        _("Age"),
        _("Level"),
        _("Score"),
        _("Flags"),
        _("Status"),
        _("Follow-up date"),
        _("Assigned to"),
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
        phone_display(case.patient.phone),
        _number(case.submission.age),
        CaseLevel(case.level).label if case.level in CaseLevel.values else case.level,
        _number(case.score),
        "; ".join(_flag_label(code, case.rules_version) for code in case.flags or ()),
        case.get_status_display(),
        follow_up.isoformat() if (follow_up := case_follow_up_on(case)) else "",
        case.assigned_to.display_name if case.assigned_to else "",
        case.last_actor.display_name if case.last_actor else "",
        _when(case.last_acted_at),
    ]


def worklist_csv_write(out, cases: Iterable[Case]) -> list[tuple[int, int]]:
    """Write the header and one line per case to `out`; return the (case id, patient id) of each line."""
    writer = csv.writer(out, delimiter=csv_separator(), quoting=csv.QUOTE_ALL)
    writer.writerow([csv_safe(cell) for cell in worklist_csv_header()])
    written = []
    for case in cases:
        writer.writerow([csv_safe(cell) for cell in worklist_csv_row(case)])
        written.append((case.pk, case.patient_id))
    return written
