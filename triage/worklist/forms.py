"""Forms of the worklist: its filters (carried from page to page in the URL) and closing routine cases together."""

from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from clinic.converters import MAX_ID
from clinic.widgets import DATE_INPUT_FORMATS, DateInput

from .. import rules
from ..models import REASON_MAX_LENGTH, Case, CaseLevel
from .search_refs import SEARCH, search_ref
from .selectors import TASK_CONTACT, TASK_SIGN_OFF, WorklistFilters

SEARCH_MAX_LENGTH = 100
LAST_PAGE = "last"
# The worklist's assignment filter: everybody's cases (no parameter), hers, or nobody's.
MINE = "mine"
UNASSIGNED = "unassigned"
ASSIGNMENT_CHOICES = [("", _("Everybody")), (MINE, _("Assigned to me")), (UNASSIGNED, _("Unassigned"))]
# What a re-assessment left to do (RULES.md 11.2, S4 d, S5).
TASK_CHOICES = [
    ("", _("Any case")),
    (TASK_CONTACT, _("To contact about new advice")),
    (TASK_SIGN_OFF, _("Lower level pending sign-off")),
]


def flag_choices():
    return [(rule.code, _(rule.label)) for rule in rules.FLAG_RULES]


# Dates the worklist's day boundaries can be computed for (a day later, in any time zone): a date
# outside is ignored like any other unreadable filter, instead of overflowing in the query.
FILTER_DATE_RANGE = [MinValueValidator(date(1900, 1, 1)), MaxValueValidator(date(2999, 12, 31))]


class WorklistFilterForm(forms.Form):
    """The worklist's GET parameters, so that any filtered view can be bookmarked.

    A value that does not parse is dropped, never fatal: `ignored_labels` names the
    filters that were left out, for a notice. A level or status filter the
    doctor chose replaces the default "open flagged cases" for that column.
    """

    all = forms.BooleanField(label=_("Include routine and closed cases"), required=False)
    level = forms.TypedMultipleChoiceField(
        label=_("Level"), choices=CaseLevel.choices, coerce=int, required=False
    )
    flag = forms.ChoiceField(label=_("Flag"), choices=[("", _("Any flag"))], required=False)
    status = forms.MultipleChoiceField(label=_("Status"), choices=Case.Status.choices, required=False)
    submitted_from = forms.DateField(
        label=_("Submitted from"),
        required=False,
        widget=DateInput,
        input_formats=DATE_INPUT_FORMATS,
        validators=FILTER_DATE_RANGE,
    )
    submitted_to = forms.DateField(
        label=_("Submitted until"),
        required=False,
        widget=DateInput,
        input_formats=DATE_INPUT_FORMATS,
        validators=FILTER_DATE_RANGE,
    )
    q = forms.CharField(
        label=_("Patient name or email"), required=False, max_length=SEARCH_MAX_LENGTH, strip=True
    )
    assigned = forms.ChoiceField(label=_("Assigned to"), choices=ASSIGNMENT_CHOICES, required=False)
    task = forms.ChoiceField(label=_("After a re-assessment"), choices=TASK_CHOICES, required=False)
    overdue = forms.BooleanField(label=_("Only overdue cases"), required=False)
    # Page cursors: the case a page starts after or ends before, or the last page.
    after = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=MAX_ID)
    before = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=MAX_ID)
    page = forms.ChoiceField(label=_("Page"), choices=[("", ""), (LAST_PAGE, LAST_PAGE)], required=False)

    MULTI_FIELDS = ("level", "status")

    def __init__(self, data=None, **kwargs):
        self.ignored: list[str] = []
        if data is not None:
            data = self._without_unknown_choices(data)
        super().__init__(data, **kwargs)
        self.fields["flag"].choices = [("", _("Any flag")), *flag_choices()]

    def _without_unknown_choices(self, data):
        """Keep the valid values of a repeated parameter (`level=3&level=x`) instead of losing all."""
        data = data.copy()
        for name in self.MULTI_FIELDS:
            values = data.getlist(name)
            allowed = {str(value) for value, _label in self.base_fields[name].choices}
            kept = [value for value in values if value in allowed]
            if len(kept) != len(values):
                self.ignored.append(name)
                data.setlist(name, kept)
        return data

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("The end date is before the start date."))
        return cleaned

    @property
    def ignored_labels(self) -> list[str]:
        names = list(dict.fromkeys([*self.ignored, *(self.errors if self.is_bound else {})]))
        return [str(self.fields[name].label) for name in names if name in self.fields]

    def _value(self, name, default=None):
        if not self.is_bound or name in self.errors:
            return default
        return self.cleaned_data.get(name, default)

    def filters(self, user=None) -> WorklistFilters:
        """The filters asked for; "assigned to me" needs the doctor (`user`) and is ignored without her."""
        assigned = self._value("assigned") or ""
        return WorklistFilters(
            assignee=user.pk if assigned == MINE and user is not None else None,
            unassigned=assigned == UNASSIGNED,
            include_all=bool(self._value("all", False)),
            levels=tuple(sorted(set(self._value("level") or ()))),
            flag=self._value("flag") or "",
            statuses=tuple(sorted(set(self._value("status") or ()))),
            submitted_from=self._value("submitted_from"),
            submitted_to=self._value("submitted_to"),
            q=self._value("q") or "",
            task=self._value("task") or "",
            overdue=bool(self._value("overdue", False)),
        )

    def cursor(self) -> dict:
        """Keyword arguments for `case_worklist_page`: at most one of after, before, last."""
        if self._value("after"):
            return {"after": self._value("after")}
        if self._value("before"):
            return {"before": self._value("before")}
        if self._value("page") == LAST_PAGE:
            return {"last": True}
        return {}


def filter_params(filters: WorklistFilters, session=None, **overrides) -> list[tuple[str, str]]:
    """The GET parameters that reproduce these filters, in a stable order; no page cursor.

    With the doctor's `session`, a search text travels as a reference (`search_refs`).
    """
    values = {
        "all": "1" if filters.include_all else None,
        "level": [str(level) for level in filters.levels],
        "flag": filters.flag or None,
        "status": list(filters.statuses),
        "submitted_from": filters.submitted_from.isoformat() if filters.submitted_from else None,
        "submitted_to": filters.submitted_to.isoformat() if filters.submitted_to else None,
        "q": filters.q or None,
        "assigned": MINE if filters.assignee is not None else UNASSIGNED if filters.unassigned else None,
        "task": filters.task or None,
        "overdue": "1" if filters.overdue else None,
    }
    if session is not None and filters.q:
        values["q"] = None
        values[SEARCH] = search_ref(session, filters.q)
    values.update(overrides)
    params = []
    for name, value in values.items():
        if isinstance(value, list | tuple):
            params.extend((name, item) for item in value)
        elif value:
            params.append((name, value))
    return params


def filter_querystring(filters: WorklistFilters, session=None, **overrides) -> str:
    return urlencode(filter_params(filters, session, **overrides))


class BulkCloseForm(forms.Form):
    """Close the routine cases chosen on the worklist, with one reason recorded on each."""

    cases = forms.TypedMultipleChoiceField(
        label=_("Cases to close"),
        coerce=int,
        error_messages={
            "required": _("Choose the routine cases to close."),
            "invalid_choice": _("Choose the routine cases to close."),
        },
    )
    reason = forms.CharField(
        label=_("Reason for closing the chosen cases"),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _("Give the reason for closing these cases.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any case id is accepted here; the service checks each one is routine, refusing all otherwise.
        self.fields["cases"].valid_value = self._is_case_id

    @staticmethod
    def _is_case_id(value) -> bool:
        return str(value).isdigit() and 0 < int(value) <= MAX_ID

    def chosen(self) -> set[int]:
        """The ids ticked in the submitted form, valid or not yet, to tick them again on a redisplay."""
        values = self.data.getlist("cases") if self.is_bound else []
        return {int(value) for value in values if self._is_case_id(value)}
