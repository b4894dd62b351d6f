"""Emails to patients, each one kind of outbox email (`outbox.services.outbox_email`).

They are built when the worker sends them, from identifiers only: a message
for an account closed in the meantime builds to nothing.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic.models import clinic_profile
from outbox.services import Message, outbox_email

from .models import Submission, User


@outbox_email
def password_reset_email(*, user_id: int, language: str | None = None) -> Message | None:
    """The one-time link to choose a new password, in the language of her profile (`User.language`).

    `language` (the page's language when she asked) only stands in for an account without one.

    The link is made when the email is sent, so the database never holds a
    usable reset link.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email_verified:
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
    with translation.override(user.language or language):
        subject = "".join(render_to_string("registration/password_reset_subject.txt", context).splitlines())
        body = render_to_string("registration/password_reset_email.html", context)
    return Message(to=[user.email], subject=subject, body=body)


@outbox_email
def email_verification_email(*, user_id: int) -> Message | None:
    """The link that proves the address is hers, made when the email is sent; nothing once she has
    verified it, or the account is closed."""
    from .verification import email_verification_token

    user = User.objects.filter(pk=user_id, is_active=True, email_verified_at__isnull=True).first()
    if user is None:
        return None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("email_verify", args=[uid, email_verification_token.make_token(user)])
    context = {"link": f"{settings.PORTAL_BASE_URL}{path}"}
    with translation.override(user.language):
        subject = "".join(render_to_string("registration/verify_email_subject.txt", context).splitlines())
        body = render_to_string("registration/verify_email.txt", context)
    return Message(to=[user.email], subject=subject, body=body)


@outbox_email
def email_change_email(*, user_id: int, address: str) -> Message | None:
    """The link that confirms the new address she asked for, sent to that address.

    `address` is the keyed digest of the pending address when she asked (`email_digest`): a message
    queued for an address she has replaced or cancelled since builds to nothing.
    """
    from .verification import email_change_token, email_digest

    user = User.objects.filter(pk=user_id, is_active=True).exclude(pending_email="").first()
    if user is None or email_digest(user.pending_email) != address:
        return None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("patients:email_change_confirm", args=[uid, email_change_token.make_token(user)])
    context = {"link": f"{settings.PORTAL_BASE_URL}{path}"}
    with translation.override(user.language):
        subject = "".join(render_to_string("patients/emails/email_change_subject.txt", context).splitlines())
        body = render_to_string("patients/emails/email_change.txt", context)
    return Message(to=[user.pending_email], subject=subject, body=body)


@outbox_email
def email_change_notice_email(*, user_id: int, address: str, pending: str) -> Message | None:
    """A word to the address she logs in with that a change to another one was asked for, with that
    one masked and what to do if it was not her.

    `address` and `pending` are the digests of the current and the asked-for address when she asked:
    once either has changed (confirmed, cancelled, asked again) the notice builds to nothing, so it
    never goes to the new address.
    """
    from .verification import email_digest, email_masked

    user = User.objects.filter(pk=user_id, is_active=True).exclude(pending_email="").first()
    if user is None or (email_digest(user.email), email_digest(user.pending_email)) != (address, pending):
        return None
    context = {
        "masked": email_masked(user.pending_email),
        "profile_url": f"{settings.PORTAL_BASE_URL}{reverse('patients:profile')}",
        "password_url": f"{settings.PORTAL_BASE_URL}{reverse('password_change')}",
        "clinic": clinic_profile(),
    }
    with translation.override(user.language):
        subject = "".join(
            render_to_string("patients/emails/email_change_notice_subject.txt", context).splitlines()
        )
        body = render_to_string("patients/emails/email_change_notice.txt", context)
    return Message(to=[user.email], subject=subject, body=body)


@outbox_email
def submission_received_email(*, submission_id: int) -> Message | None:
    """Tell the patient her questionnaire arrived, in her language, with the clinic's phone.

    It says when it was received and whom to call if she gets worse, and nothing
    else: no answers, no level, no advice, so an inbox read by someone else
    learns nothing about her health.
    """
    submission = (
        Submission.objects.select_related("patient__user")
        .filter(pk=submission_id, status=Submission.Status.SUBMITTED, patient__user__is_active=True)
        .first()
    )
    if submission is None:
        return None
    user = submission.patient.user
    context = {
        "submitted_at": submission.submitted_at,
        "clinic": clinic_profile(),
        "url": f"{settings.PORTAL_BASE_URL}{reverse('patients:submission_list')}",
    }
    with translation.override(user.language):
        subject = "".join(
            render_to_string("patients/emails/submission_received_subject.txt", context).splitlines()
        )
        body = render_to_string("patients/emails/submission_received.txt", context)
    return Message(to=[user.email], subject=subject, body=body)
