"""The pre-visit questionnaire form (RULES.md section 3).

Every field posts under its RULES.md name: yes/no questions as `yes`/`no`
radios, numbers as numeric inputs, choices as their RULES.md values. Saving a
draft accepts gaps; submitting requires every visible question. Answers to
questions the branching hides are dropped, so stale values never reach the
rules.

The patient fills it in steps, one section of `SECTIONS` each: a form for
one step holds that section's questions only, and decides what the branching
shows from the answers already stored for the other steps.
"""

import json

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from triage import rules
from triage.questionnaire import (
    CHOICE_LABELS,
    HELP_TEXTS,
    NO,
    NOT_OFFERED,
    QUESTION_LABELS,
    REVEAL_HINTS,
    SECTIONS,
    YES,
)

SAVE = "save"
SUBMIT = "submit"

REQUIRED_MESSAGE = _("Please answer this question.")


def _yes_no_field(label):
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=[(YES, _("Yes")), (NO, _("No"))],
        coerce=lambda value: value == YES,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose yes or no.")},
    )


def _number_field(label, field):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=field.min_value,
        max_value=field.max_value,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
        error_messages={
            "invalid": _("Enter a whole number."),
            "min_value": _("Enter a number from %(limit_value)s upwards."),
            "max_value": _("Enter a number up to %(limit_value)s."),
        },
    )


# A 0-10 answer (a pain score) is a row of eleven large choices, easier with a thumb than a number
# box; plain radio buttons underneath, so it works without JavaScript.
SCALE_MAX = 10


def is_scale(field: rules.Field) -> bool:
    return field.kind == rules.INT and field.min_value == 0 and field.max_value == SCALE_MAX


def _scale_field(label, field):
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=[(value, str(value)) for value in range(SCALE_MAX + 1)],
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a number from 0 to 10.")},
    )


def _choice_field(label, field):
    labels = CHOICE_LABELS[field.name]
    not_offered = NOT_OFFERED.get(field.name, ())
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[(value, labels[value]) for value in field.choices if value not in not_offered],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the options shown.")},
    )


def _notes_field(label, field):
    return forms.CharField(
        label=label,
        required=False,
        max_length=field.max_length,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional, up to %(max)d characters.") % {"max": field.max_length},
        error_messages={
            "max_length": _("Please shorten this to %(limit_value)d characters (it has %(show_value)d).")
        },
    )


def build_field(field: rules.Field) -> forms.Field:
    label = QUESTION_LABELS[field.name]
    if field.kind == rules.BOOL:
        form_field = _yes_no_field(label)
    elif is_scale(field):
        form_field = _scale_field(label, field)
    elif field.kind == rules.INT:
        form_field = _number_field(label, field)
    elif field.kind == rules.CHOICE:
        form_field = _choice_field(label, field)
    else:
        return _notes_field(label, field)
    if field.name in HELP_TEXTS:
        form_field.help_text = HELP_TEXTS[field.name]
    return form_field


def answers_to_initial(answers: dict) -> dict:
    """Stored answers as form values (booleans become `yes`/`no`)."""
    initial = {}
    for name, value in answers.items():
        if isinstance(value, bool):
            initial[name] = YES if value else NO
        else:
            initial[name] = value
    return initial


def _posted(value) -> str:
    return YES if value is True else NO if value is False else str(value)


def _reveal_attributes(reveal: rules.Reveal) -> dict:
    """The branching as data attributes for questionnaire.js (the server applies it too).

    `data-shown-when` names the first question; `data-shown-if` holds the
    whole condition: its clauses (a question and the posted values that
    satisfy it, or none of them with `not`, or a number from `min`) and
    whether all or any must hold.
    """
    clauses = []
    for clause in reveal.clauses:
        if clause.min_value is not None:
            clauses.append({"name": clause.question, "min": clause.min_value})
        else:
            values = [_posted(value) for value in clause.values]
            clauses.append({"name": clause.question, "values": values, "not": clause.negate})
    return {
        "data_shown_when": reveal.question,
        "data_shown_if": json.dumps({"join": reveal.join, "clauses": clauses}, separators=(",", ":")),
    }


STEP_COUNT = len(SECTIONS)


def step_of(name: str) -> int:
    """The step (1-based) that asks the question `name`."""
    return next(number for number, (_title, names) in enumerate(SECTIONS, start=1) if name in names)


class QuestionnaireForm(forms.Form):
    """The questionnaire, whole or one step of it; `mode` is `save` (gaps allowed) or `submit`.

    `step` (1 to STEP_COUNT) limits the form to that section's questions;
    `stored` holds the answers already saved, so that a question revealed by
    an answer on another step is shown (and required) as on the whole form.
    """

    key = forms.UUIDField(label=_("Form key"), widget=forms.HiddenInput)

    def __init__(self, *args, mode=SAVE, step=None, stored=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode
        self.step = step
        self.stored = stored or {}
        self.sections = SECTIONS if step is None else [SECTIONS[step - 1]]
        self.names = [name for _title, names in self.sections for name in names]
        for name in self.names:
            self.fields[name] = build_field(rules.FIELDS_BY_NAME[name])
        self.helper = self._layout()

    def _layout(self) -> FormHelper:
        helper = FormHelper(self)
        helper.form_tag = False
        helper.disable_csrf = True
        sections = []
        for title, names in self.sections:
            items = []
            for name in names:
                if name in REVEAL_HINTS:
                    items.append(HTML(f'<p class="form-text no-js-hint">{REVEAL_HINTS[name]}</p>'))
                field = rules.FIELDS_BY_NAME[name]
                if is_scale(field):
                    item = Div(InlineRadios(name), css_class="scale-choices")
                elif field.kind == rules.BOOL:
                    item = InlineRadios(name)
                else:
                    item = name
                reveal = rules.SHOWN_WHEN.get(name)
                if reveal is not None:
                    item = Div(item, css_class="conditional", **_reveal_attributes(reveal))
                items.append(item)
            sections.append(Fieldset(title, *items, css_class="questionnaire-section mb-4"))
        helper.layout = Layout("key", *sections)
        return helper

    def clean(self):
        cleaned = super().clean()
        answers = {**self.stored, **{name: cleaned.get(name) for name in self.names}}
        visible = rules.visible_fields(answers)
        for name in self.names:
            if name not in visible:
                # Hidden by the branching: whatever was posted must not reach the rules.
                cleaned[name] = None
                self.errors.pop(name, None)
            elif (
                self.mode == SUBMIT
                and name != "notes"
                and answers[name] in (None, "")
                and name not in self.errors
            ):
                self.add_error(name, forms.ValidationError(REQUIRED_MESSAGE, code="required"))
        return cleaned

    def answers(self) -> dict:
        """The answers to store: visible questions that have a value, typed as RULES.md says."""
        return {
            name: value
            for name in self.names
            if (value := self.cleaned_data.get(name)) is not None and value != ""
        }

    def valid_answers(self) -> dict:
        """After a failed validation, the answers of this form that are fine, to keep meanwhile."""
        return {
            name: value
            for name in self.names
            if name not in self.errors and (value := self.cleaned_data.get(name)) is not None and value != ""
        }

    def first_step_with_errors(self) -> int | None:
        return min((step_of(name) for name in self.errors if name in self.names), default=None)


class SendForm(forms.Form):
    """The review page's Send: which draft to send, by its key."""

    key = forms.UUIDField(widget=forms.HiddenInput)
