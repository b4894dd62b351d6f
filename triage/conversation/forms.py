"""The message box: the doctor's on the case page (with the saved replies), the patient's reply."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import MESSAGE_MAX_LENGTH
from .services import EMPTY, message_errors

HELP = _("Plain text; links become clickable. At most %(max)d characters.")


class MessageForm(forms.Form):
    """A message and the form's key, so that the same form posted twice makes one message.

    The length is checked here and by the service, with the same words; the browser's own limit is
    left off so that a pasted text is never cut silently.
    """

    text = forms.CharField(
        label=_("Message"),
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "data-message-box": ""}),
        error_messages={"required": EMPTY},
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        # Worded in the language of the request, not of the moment the module was imported.
        self.fields["text"].help_text = HELP % {"max": MESSAGE_MAX_LENGTH}

    def clean_text(self):
        text = self.cleaned_data["text"]
        error = message_errors(text)
        if error:
            raise forms.ValidationError(error)
        return text
