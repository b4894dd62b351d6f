"""Forms of the case page: a status change (booking the follow-up visit), a note."""

import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.widgets import DATE_INPUT_FORMATS, TIME_INPUT_FORMATS, DateInput, TimeInput, side_by_side

from ..models import (
    DEFAULT_VISIT_MINUTES,
    MAX_DURATION,
    MIN_DURATION,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Case,
    ContactAttempt,
    Visit,
)
from .services import DEFAULT_VISIT_TIME, STATUS_TARGETS, FollowUp, close_needs_reason


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
        input_formats=DATE_INPUT_FORMATS,
        help_text=_(
            "Books the follow-up visit; the patient is invited to fill in the questionnaire before it."
        ),
    )
    follow_up_time = forms.TimeField(
        label=_("Time"), required=False, widget=TimeInput, input_formats=TIME_INPUT_FORMATS
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
            tuple((value, str(label)) for value, label in self.fields["to_status"].choices),
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


class ContactForm(forms.Form):
    """A contact log button: `contact` is "<outcome>:<attempts the page showed>", and `back` says
    whether the click came from the worklist (the case page otherwise)."""

    contact = forms.CharField(max_length=40)
    back = forms.CharField(required=False, max_length=20)

    def clean_contact(self):
        outcome, _sep, seen = self.cleaned_data["contact"].partition(":")
        if outcome not in ContactAttempt.BUTTONS or not seen.isdigit():
            raise forms.ValidationError(_("Choose one of the outcomes offered."))
        return outcome, int(seen)

    @property
    def from_worklist(self) -> bool:
        return self.cleaned_data.get("back") == "worklist"
