"""The day's list of visits, prepared for its template: each row a cached fragment; the booking
calendar's last sync in words."""

from django.template.loader import get_template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.fragments import Fragment

from .. import chips
from ..models import CalendarSync


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
    for line, reason in state.problems:
        lines.append(_("Line %(line)d not imported: %(reason)s") % {"line": line, "reason": reason})
    return lines
