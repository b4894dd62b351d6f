"""The browser's own date and time pickers, and the two-column form row, for every form of the portal.

Dates and times travel in ISO form (`2026-12-03`, `09:30`) whatever the page's language: the
browser shows them in the doctor's or patient's own format.
"""

from crispy_forms.layout import Div, Field
from django import forms

# The server's messages, in the page's language and linked to their fields, replace the
# browser's own pop-ups (which speak the browser's language and vanish).
NO_BROWSER_VALIDATION = {"novalidate": ""}
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def side_by_side(first: str, second: str) -> Div:
    """Two fields in one row on wider screens, stacked on a phone."""
    return Div(
        Field(first, wrapper_class="col-sm-6"), Field(second, wrapper_class="col-sm-6"), css_class="row"
    )
