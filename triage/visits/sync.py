"""Keeping the visits in step with the booking system's published calendar (an iCal address).

Every sync fetches the calendar (`fetch.fetch`: conditionally, safely) and hands it to the same
importer as an uploaded file (`imports.parse`, `matching.visits_import`): the same matching, the
same visits waiting for the doctor's confirmation, one visit per UID, moves and cancellations
applied. Its outcome is the one `CalendarSync` row, read by the import page, the day's list and
/health/. The address is read from the clinic profile and never logged in full.
"""

import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinic.models import SINGLE_ROW_ID, ClinicProfile, masked_url

from ..models import CalendarSync
from .fetch import FetchError, fetch, normalize_url
from .imports import MAX_FILE_BYTES, FileInvalid, parse
from .matching import visits_import

logger = logging.getLogger(__name__)

# The scheduler's job, and the lock a sync started by hand takes too (clinic/scheduler.py).
SYNC_JOB = "sync_calendar"
# How many of the calendar's unreadable or unmatched events the import page lists.
MAX_PROBLEMS = 50


class NoCalendarAddress(Exception):
    """No address was given and the clinic profile has none."""


def configured_url() -> str:
    """The booking calendar's address from the clinic profile (read fresh, not from the cache)."""
    return (
        ClinicProfile.objects.filter(id=SINGLE_ROW_ID).values_list("booking_calendar_url", flat=True).first()
        or ""
    )


def _digest(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def _state(url: str) -> CalendarSync:
    """The locked sync row; a new address starts without the previous one's validators."""
    state, _created = CalendarSync.objects.select_for_update().get_or_create(id=1)
    digest = _digest(url)
    if state.url_digest != digest:
        state.url_digest, state.etag, state.last_modified = digest, "", ""
    return state


def _failed(state: CalendarSync, now, code: str, status: int | None = None, problems=()) -> None:
    state.last_outcome = CalendarSync.Outcome.FAILED
    state.last_error = code
    state.last_error_status = status
    state.last_error_at = now
    state.failing_since = state.failing_since or now
    state.problems = [list(problem) for problem in problems][:MAX_PROBLEMS]


def calendar_sync(url: str | None = None, *, allow_private: bool | None = None) -> CalendarSync:
    """Fetch the booking calendar and import it; returns the sync row with the outcome.

    `url` overrides the clinic profile's address; `allow_private` (default: the setting) allows
    plain http and private addresses. A failure is recorded on the row, not raised; raises
    NoCalendarAddress when there is no address at all.
    """
    url = normalize_url(url if url is not None else configured_url())
    if not url:
        raise NoCalendarAddress
    if allow_private is None:
        allow_private = settings.CALENDAR_SYNC_ALLOW_PRIVATE
    with transaction.atomic():
        state = _state(url)
        etag, last_modified = state.etag, state.last_modified
    # The fetch runs outside any transaction: a slow server holds no lock and no connection's transaction.
    now = timezone.now()
    try:
        fetched = fetch(
            url,
            etag=etag,
            last_modified=last_modified,
            allow_private=allow_private,
            timeout=settings.CALENDAR_SYNC_TIMEOUT_SECONDS,
            max_bytes=MAX_FILE_BYTES,
        )
    except FetchError as error:
        fetched, failure = None, error
    with transaction.atomic():
        state = _state(url)
        state.last_attempt_at = now
        if fetched is None:
            _failed(state, now, failure.code, failure.status)
        elif fetched.not_modified:
            state.last_outcome = CalendarSync.Outcome.NOT_MODIFIED
        else:
            try:
                rows = parse("calendar.ics", fetched.content, allow_empty=True)
            except FileInvalid as invalid:
                _failed(state, now, CalendarSync.Error.INVALID_FILE, problems=invalid.errors)
            else:
                report = visits_import(rows)
                state.last_outcome = CalendarSync.Outcome.IMPORTED
                state.last_import_at = now
                state.created, state.updated, state.unchanged = (
                    report.created,
                    report.updated,
                    report.unchanged,
                )
                state.invited, state.pending = report.invited, report.pending
                state.problems = [list(problem) for problem in report.unmatched + report.warnings][
                    :MAX_PROBLEMS
                ]
                # Validators are kept only once their calendar is imported: a failed import is fetched again.
                state.etag, state.last_modified = fetched.etag, fetched.last_modified
        if state.last_outcome != CalendarSync.Outcome.FAILED:
            state.last_success_at = now
            state.last_error, state.last_error_status, state.failing_since = "", None, None
        state.save()
    _log(state, url)
    return state


def _log(state: CalendarSync, url: str) -> None:
    """One line per sync: the host only, counts and error codes, nothing about a patient."""
    where = masked_url(url)
    if state.last_outcome == CalendarSync.Outcome.FAILED:
        logger.warning(
            "Calendar sync from %s failed: %s%s",
            where,
            state.last_error,
            f" {state.last_error_status}" if state.last_error_status else "",
        )
    elif state.last_outcome == CalendarSync.Outcome.NOT_MODIFIED:
        logger.info("Calendar sync from %s: not modified", where)
    else:
        logger.info(
            "Calendar sync from %s: %d new, %d changed, %d unchanged, %d invited, %d to confirm, %d not imported",
            where,
            state.created,
            state.updated,
            state.unchanged,
            state.invited,
            state.pending,
            len(state.problems),
        )


def calendar_sync_scheduled() -> None:
    """The scheduler's job: a sync when the clinic profile has an address (a failure is on the row)."""
    if configured_url():
        calendar_sync()
