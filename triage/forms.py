"""Forms of the doctor's pages: the worklist filters, a status change, a note."""

import uuid
from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from clinic.converters import MAX_ID

from . import rules
from .models import Case, CaseLevel, Visit
from .search_refs import SEARCH, search_ref
from .selectors import WorklistFilters
from .services import (
    DEFAULT_VISIT_MINUTES,
    DEFAULT_VISIT_TIME,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    STATUS_TARGETS,
    FollowUp,
    close_needs_reason,
)
from .visits.services import MAX_DURATION, MIN_DURATION

SEARCH_MAX_LENGTH = 100
LAST_PAGE = "last"
# The worklist's assignment filter: everybody's cases (no parameter), hers, or nobody's.
MINE = "mine"
UNASSIGNED = "unassigned"
ASSIGNMENT_CHOICES = [("", _("Everybody")), (MINE, _("Assigned to me")), (UNASSIGNED, _("Unassigned"))]


def side_by_side(first: str, second: str) -> Div:
    """Two fields in one row on wider screens, stacked on a phone."""
    return Div(
        Field(first, wrapper_class="col-sm-6"), Field(second, wrapper_class="col-sm-6"), css_class="row"
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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
        input_formats=["%Y-%m-%d"],
        validators=FILTER_DATE_RANGE,
    )
    submitted_to = forms.DateField(
        label=_("Submitted until"),
        required=False,
        widget=DateInput,
        input_formats=["%Y-%m-%d"],
        validators=FILTER_DATE_RANGE,
    )
    q = forms.CharField(
        label=_("Patient name or email"), required=False, max_length=SEARCH_MAX_LENGTH, strip=True
    )
    assigned = forms.ChoiceField(label=_("Assigned to"), choices=ASSIGNMENT_CHOICES, required=False)
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

    With the doctor's `session`, a search text travels as a reference (`triage.search_refs`).
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


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def shown_when(field: str, *values: str, **kwargs) -> dict:
    """The attributes that show a block only for these values of a radio field (static/js/conditional.js).

    Without JavaScript the block is always shown, and the server ignores what does not apply.
    """
    return {"data_shown_when": field, "data_shown_values": " ".join(values), **kwargs}


class CaseStatusForm(forms.Form):
    """A status change. `version` is the case version the doctor saw, to catch concurrent changes.

    Only what applies to the case is offered: never its current status, the
    follow-up visit's fields only for "follow-up booked", the reason only when
    closing must be explained.
    """

    to_status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    follow_up_on = forms.DateField(
        label=_("Follow-up date"),
        required=False,
        widget=DateInput,
        input_formats=["%Y-%m-%d"],
        help_text=_(
            "Books the follow-up visit; the patient is invited to fill in the questionnaire before it."
        ),
    )
    follow_up_time = forms.TimeField(
        label=_("Time"), required=False, widget=TimeInput, input_formats=["%H:%M", "%H:%M:%S"]
    )
    follow_up_duration = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        min_value=MIN_DURATION,
        max_value=MAX_DURATION,
        initial=DEFAULT_VISIT_MINUTES,
    )
    follow_up_kind = forms.ChoiceField(
        label=_("Kind of visit"), choices=Visit.Kind.choices, initial=Visit.Kind.FOLLOW_UP, required=False
    )
    allow_overlap = forms.BooleanField(
        label=_("Book anyway, even if it overlaps another visit"), required=False
    )
    booking_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    FOLLOW_UP_FIELDS = (
        "follow_up_on",
        "follow_up_time",
        "follow_up_duration",
        "follow_up_kind",
        "allow_overlap",
        "booking_key",
    )

    def __init__(self, *args, case: Case, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        targets = [status for status in STATUS_TARGETS if status != case.status]
        self.fields["to_status"].choices = [(status.value, status.label) for status in targets]
        self.initial.setdefault("version", case.version)
        self.initial.setdefault("booking_key", f"case-{case.pk}-{uuid.uuid4()}")
        self.initial.setdefault("follow_up_time", DEFAULT_VISIT_TIME)
        self.offers_follow_up = Case.Status.FOLLOW_UP in targets
        self.asks_reason = Case.Status.CLOSED in targets and close_needs_reason(case)
        if not self.offers_follow_up:
            for name in self.FOLLOW_UP_FIELDS:
                del self.fields[name]
        if not self.asks_reason:
            del self.fields["reason"]
        else:
            self.fields["reason"].help_text = _(
                "Required to close this case, because it is urgent or has not been opened yet."
            )
        if case.status == Case.Status.FOLLOW_UP:
            self.fields["to_status"].help_text = _(
                "The follow-up visit stays booked: move or cancel it from the visit's page."
            )
        elif case.status == Case.Status.CLOSED:
            self.fields["to_status"].help_text = _("Reopen the case by moving it to another status.")
        layout = ["to_status"]
        if self.offers_follow_up:
            layout.append(
                Div(
                    side_by_side("follow_up_on", "follow_up_time"),
                    side_by_side("follow_up_duration", "follow_up_kind"),
                    "allow_overlap",
                    "booking_key",
                    **shown_when("to_status", Case.Status.FOLLOW_UP, css_class="status-follow-up"),
                )
            )
        if self.asks_reason:
            layout.append(
                Div("reason", **shown_when("to_status", Case.Status.CLOSED, css_class="status-reason"))
            )
        self.helper = FormHelper(self)
        self.helper.form_action = action
        self.helper.attrs = {"data-conditional-form": ""}
        self.helper.layout = Layout(*layout, "version", Submit("save_status", _("Change status")))

    # Put into the form on each request, outside its cached rendering: a fresh key per form shown.
    LIVE_INITIAL = ("booking_key",)

    def fragment_parts(self) -> tuple:
        """Everything the unbound form shows, for the key of its cached rendering: the case's
        version and status, the choices and fields offered, and where it posts."""
        return (
            self.case.pk,
            self.case.version,
            self.case.status,
            tuple(self.fields),
            tuple(self.fields["to_status"].choices),
            self.asks_reason,
            self.helper.form_action,
        )

    def clean(self):
        cleaned = super().clean()
        if "version" in self.errors:
            # A hidden field's error would show nowhere; say it where the doctor looks.
            self.add_error(None, _("The form was incomplete. Reload the case and try again."))
        if cleaned.get("to_status") == Case.Status.FOLLOW_UP:
            if not cleaned.get("follow_up_on") and "follow_up_on" not in self.errors:
                self.add_error("follow_up_on", _("Give the date of the follow-up."))
            if not cleaned.get("follow_up_time") and "follow_up_time" not in self.errors:
                self.add_error("follow_up_time", _("Give the time of the follow-up."))
        return cleaned

    def follow_up(self) -> FollowUp | None:
        """The visit to book, for "follow-up booked"."""
        data = self.cleaned_data
        if data.get("to_status") != Case.Status.FOLLOW_UP or not data.get("follow_up_on"):
            return None
        return FollowUp(
            on=data["follow_up_on"],
            at=data.get("follow_up_time") or DEFAULT_VISIT_TIME,
            duration_minutes=data.get("follow_up_duration") or DEFAULT_VISIT_MINUTES,
            kind=data.get("follow_up_kind") or Visit.Kind.FOLLOW_UP,
            allow_overlap=bool(data.get("allow_overlap")),
            key=data.get("booking_key") or None,
        )


class CaseNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note before saving it.")},
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_action = action
        self.helper.layout = Layout("text", Submit("save_note", _("Add note")))

    LIVE_INITIAL = ()

    def fragment_parts(self) -> tuple:
        """What the unbound form shows besides its fixed fields: where it posts."""
        return (self.helper.form_action,)


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
