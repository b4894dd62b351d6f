"""The day's list of visits, prepared for its template: each row a cached fragment; the import's
report and the booking calendar's last sync in words."""

from datetime import date

from django.template.loader import get_template
from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.fragments import Fragment

from .. import chips
from ..models import CalendarSync
from .imports import FIRST_YEAR, LAST_YEAR, ImportReason, Issue


def _day_row_key(item) -> tuple:
    visit, case = item.visit, item.case
    return (
        visit.pk,
        visit.starts_at,
        visit.duration_minutes,
        visit.kind,
        visit.state,
        visit.patient_id,
        item.name,
        item.phone,
        item.age,
        (case.pk, case.level, case.score, tuple(case.flags or ()), case.rules_version) if case else None,
        item.draft_started,
        item.open_cases,
        item.booked_from,
    )


# A row of the day's list: its template, and its key.
DAY_ROW = Fragment("triage/visits/_day_row.html", key=_day_row_key, code=[chips])


def day_rows_html(visits) -> list[SafeString]:
    """The day's list of visits (`visits.selectors.DayVisit`), each row a cached fragment.

    The key is every value the row prints: the visit's time, length, kind and state, the person's
    name, age and phone, and the level, score, flags and rule set of her questionnaire's case (or
    whether a draft was started).
    """
    template = get_template(DAY_ROW.kind)
    return DAY_ROW.many(list(visits), lambda missing: [template.render({"item": item}) for item in missing])


# --- The import's report in words, for the upload page and the command ---


def issue_event(issue: Issue) -> str:
    """An .ics event as the booking system shows it: its summary, the date it starts and its UID."""
    day = ""
    if issue.day:
        try:
            day = formats.date_format(date.fromisoformat(issue.day), "SHORT_DATE_FORMAT")
        except ValueError:
            day = ""
    values = {"summary": issue.summary, "date": day}
    if issue.summary and day:
        event = _("Event “%(summary)s” on %(date)s") % values
    elif issue.summary:
        event = _("Event “%(summary)s”") % values
    elif day:
        event = _("Event on %(date)s") % values
    else:
        event = _("Event")
    if issue.uid:
        return _("%(event)s (UID %(uid)s)") % {"event": event, "uid": issue.uid}
    return _("%(event)s (without UID)") % {"event": event}


def issue_reason(issue: Issue) -> str:
    """The issue's reason in the reader's language."""
    words = str(ImportReason(issue.reason).label)
    if "%(" not in words:
        return words
    line = int(issue.detail) if issue.detail.isdigit() else 0
    return words % {"names": issue.detail, "line": line, "first": FIRST_YEAR, "last": LAST_YEAR}


def _issue_line(issue: Issue, *, left_out: bool) -> str:
    """One line of the report: a CSV row by its line, an event by itself, the whole file by its reason."""
    values = {"reason": issue_reason(issue)}
    if issue.event:
        values["event"] = issue_event(issue)
        if left_out:
            return _("%(event)s not imported: %(reason)s") % values
        return _("%(event)s: %(reason)s") % values
    if not issue.line:
        return values["reason"]
    values["line"] = issue.line
    if left_out:
        return _("Line %(line)d not imported: %(reason)s") % values
    return _("Line %(line)d: %(reason)s") % values


def import_report_lines(report) -> list[str]:
    """The import's outcome in words, for the page and the command (an `ImportReport`)."""
    if report.errors:
        lines = [_("The file was not imported; nothing was saved. Correct it and import it again:")]
        return lines + [_issue_line(issue, left_out=False) for issue in report.errors]
    lines = [
        _(
            "%(created)d new visits, %(updated)d changed, %(unchanged)d already up to date, %(invited)d patients invited to sign up."
        )
        % {
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "invited": report.invited,
        }
    ]
    if report.pending:
        lines.append(
            ngettext(
                "%(count)d visit needs your confirmation: it belongs to nobody until you say whose it is.",
                "%(count)d visits need your confirmation: they belong to nobody until you say whose they are.",
                report.pending,
            )
            % {"count": report.pending}
        )
    lines += [_issue_line(issue, left_out=True) for issue in report.unmatched]
    lines += [_issue_line(issue, left_out=False) for issue in report.warnings]
    return lines


def sync_summary(state: CalendarSync) -> list[str]:
    """The last sync in words, for the import page and the command."""
    if state.last_outcome == CalendarSync.Outcome.FAILED:
        error = state.get_last_error_display()
        if state.last_error_status:
            error = _("%(error)s (HTTP %(status)d)") % {"error": error, "status": state.last_error_status}
        lines = [error]
    else:
        lines = []
        if state.last_outcome == CalendarSync.Outcome.NOT_MODIFIED:
            lines.append(_("The calendar has not changed since the previous sync."))
    if state.last_import_at and state.last_outcome != CalendarSync.Outcome.FAILED:
        # What the last import brought (a 304 since then changed nothing).
        lines += [
            _(
                "%(created)d new visits, %(updated)d changed, %(unchanged)d already up to date, %(invited)d patients invited to sign up."
            )
            % {
                "created": state.created,
                "updated": state.updated,
                "unchanged": state.unchanged,
                "invited": state.invited,
            }
        ]
        if state.pending and state.last_outcome == CalendarSync.Outcome.IMPORTED:
            lines.append(
                ngettext(
                    "%(count)d visit needs your confirmation: it belongs to nobody until you say whose it is.",
                    "%(count)d visits need your confirmation: they belong to nobody until you say whose they are.",
                    state.pending,
                )
                % {"count": state.pending}
            )
    failed = state.last_outcome == CalendarSync.Outcome.FAILED
    for values in state.problems:
        if len(values) == 2 and isinstance(values[1], str) and values[1] not in ImportReason.values:
            # Kept from before the report held codes: a line and the reason's words.
            lines.append(
                _("Line %(line)d not imported: %(reason)s") % {"line": values[0], "reason": values[1]}
            )
            continue
        issue = Issue(*values)
        lines.append(_issue_line(issue, left_out=not failed and issue.reason != ImportReason.OVERLAP))
    return lines
