"""The day's list of visits, prepared for its template: each row a cached fragment."""

from django.template.loader import get_template
from django.utils.safestring import SafeString

from clinic.fragments import Fragment

from .. import chips


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
