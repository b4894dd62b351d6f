"""Forms of the visit pages: booking, changing a visit, importing a file."""

import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.widgets import (
    DATE_INPUT_FORMATS,
    NO_BROWSER_VALIDATION,
    TIME_INPUT_FORMATS,
    DateInput,
    TimeInput,
    side_by_side,
)

from ..models import DEFAULT_VISIT_MINUTES, MAX_DURATION, MIN_DURATION, Visit
from .services import local_start


class VisitTimeMixin(forms.Form):
    """The fields and layout a booking and a change share: when, how long, a note, overlap allowed."""

    start_date = forms.DateField(label=_("Date"), widget=DateInput, input_formats=DATE_INPUT_FORMATS)
    start_time = forms.TimeField(label=_("Time"), widget=TimeInput, input_formats=TIME_INPUT_FORMATS)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=MIN_DURATION,
        max_value=MAX_DURATION,
        initial=DEFAULT_VISIT_MINUTES,
    )
    note = forms.CharField(label=_("Note (for the clinic only)"), required=False, max_length=500)
    allow_overlap = forms.BooleanField(
        label=_("Book anyway, even if it overlaps another visit"), required=False
    )

    def lay_out(self, action: str, beside_duration: str, *after):
        """Date and time side by side, the duration beside `beside_duration`, then the rest."""
        self.helper = FormHelper(self)
        self.helper.form_action = action
        self.helper.attrs = dict(NO_BROWSER_VALIDATION)
        self.helper.layout = Layout(
            side_by_side("start_date", "start_time"),
            side_by_side("duration_minutes", beside_duration),
            "note",
            "allow_overlap",
            *after,
        )

    def starts_at(self):
        """The aware start, or None after adding the error to the form (a time skipped by the clocks)."""
        try:
            return local_start(self.cleaned_data["start_date"], self.cleaned_data["start_time"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(name, message)
            return None


class VisitBookForm(VisitTimeMixin):
    kind = forms.ChoiceField(label=_("Kind of visit"), choices=Visit.Kind.choices, initial=Visit.Kind.FIRST)
    booking_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("booking_key", f"book-{uuid.uuid4()}")
        self.lay_out(action, "kind", "booking_key", Submit("book", _("Book the visit")))


class VisitChangeForm(VisitTimeMixin):
    state = forms.ChoiceField(label=_("State"), choices=Visit.State.choices)

    def __init__(self, *args, visit: Visit, action: str, **kwargs):
        local = timezone.localtime(visit.starts_at)
        initial = kwargs.setdefault("initial", {})
        initial.update(
            {
                "start_date": local.date(),
                "start_time": local.time().replace(second=0, microsecond=0),
                "duration_minutes": visit.duration_minutes,
                "state": visit.state,
                "note": visit.note,
            }
        )
        super().__init__(*args, **kwargs)
        self.visit = visit
        self.lay_out(action, "state", Submit("save_visit", _("Save the visit")))


class VisitImportForm(forms.Form):
    file = forms.FileField(
        label=_("Calendar file (.ics) or table (.csv)"),
        help_text=_("Exported from the booking system; the same file can be imported again safely."),
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_action = action
        self.helper.attrs = dict(NO_BROWSER_VALIDATION)
        self.helper.layout = Layout("file", Submit("import", _("Import")))


class DayForm(forms.Form):
    date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def day(self):
        """The chosen day, or today when none (or an unreadable or out-of-range one) was given."""
        if self.is_valid() and self.cleaned_data["date"]:
            day = self.cleaned_data["date"]
            if 1900 <= day.year <= 2999:
                return day
        return timezone.localdate()
