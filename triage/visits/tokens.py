"""Secret tokens of visits: the sign-up invitation link and the doctor's calendar address.

Only a digest of each token is stored, so the database never holds a usable link.
"""

import hashlib
import secrets

from django.core import signing
from django.db import transaction
from django.utils import timezone

from ..models import CalendarFeed

# An invitation link opens the sign-up for this many days.
INVITATION_VALID_DAYS = 14
INVITATION_SALT = "triage.visits.invitation"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_token(raw: str) -> str:
    """The link's token: the random part, signed with the time it was made."""
    return signing.TimestampSigner(salt=INVITATION_SALT, sep=".").sign(raw)


def invitation_token_raw(token: str) -> str | None:
    """The random part of a link's token if its signature holds and it is at most 14 days old."""
    try:
        return signing.TimestampSigner(salt=INVITATION_SALT, sep=".").unsign(
            token, max_age=INVITATION_VALID_DAYS * 24 * 3600
        )
    except signing.BadSignature:
        return None


@transaction.atomic
def calendar_feed_regenerate(user) -> str:
    """A new secret calendar address token for the doctor; the previous one stops working."""
    token = new_token()
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_digest": token_digest(token), "created_at": timezone.now()}
    )
    return token
