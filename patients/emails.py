"""Emails to patients, each one kind of outbox email (`outbox.services.outbox_email`).

They are built when the worker sends them, from identifiers only: a message
for an account closed in the meantime builds to nothing.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from outbox.services import Message, outbox_email

from .models import User


@outbox_email
def password_reset_email(*, user_id: int, language: str) -> Message | None:
    """The one-time link to choose a new password, in the language the patient asked in.

    The link is made when the email is sent, so the database never holds a
    usable reset link.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return None
    portal = urlsplit(settings.PORTAL_BASE_URL)
    context = {
        "email": user.email,
        "domain": portal.netloc,
        "site_name": portal.netloc,
        "protocol": portal.scheme,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
    }
    with translation.override(language):
        subject = "".join(render_to_string("registration/password_reset_subject.txt", context).splitlines())
        body = render_to_string("registration/password_reset_email.html", context)
    return Message(to=[user.email], subject=subject, body=body)
