"""The clinic's opening hours: whether it is open, when it next opens, and working time.

One home for every question about the hours (RULES.md 11.2, "working time" and S14): the
advice the patient is shown, the deadlines to act on a case and their escalation all read
them here. The hours are kept per weekday in the clinic's time zone (Europe/Rome), with
closures (holidays, leave) and, unless the clinic opts out, Italy's national public holidays.

Until the clinic sets any hours, every hour counts as working time (RULES.md 11.2): the
clinic is "open" around the clock and a working day is a calendar day.

Plain Python: the profile (`clinic.models`) builds a `Schedule` from its rows and caches it.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import override

CLINIC_ZONE = ZoneInfo("Europe/Rome")

# Far enough to pass any closure a clinic enters (a long leave, a summer break); a schedule with
# nothing open within it is treated as "never opens again" rather than searched for ever.
HORIZON_DAYS = 400


@dataclass(frozen=True, order=True)
class Interval:
    """One opening period on a weekday (0 = Monday), local time; `closes` after `opens`."""

    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class Closure:
    """Whole days on which the clinic is closed, `first` to `last` inclusive."""

    first: date
    last: date
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


def easter_sunday(year: int) -> date:
    """Western Easter (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


# Italy's national public holidays on fixed dates (month, day); Easter Monday moves. A town's
# patron saint's day is a closure the clinic enters itself.
FIXED_HOLIDAYS = frozenset(
    {(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)}
)


def is_public_holiday(day: date) -> bool:
    return (day.month, day.day) in FIXED_HOLIDAYS or day == easter_sunday(day.year) + timedelta(days=1)


def local_moment(day: date, at: time) -> datetime:
    """`at` on `day` in the clinic's time zone, as an instant in UTC (a time the clocks skip reads
    as the instant after the change, a repeated one as its first occurrence).

    Every instant here is kept in UTC: Python subtracts and compares two datetimes that share a
    tzinfo by their wall clocks, which is an hour off across a change of the clocks.
    """
    return datetime.combine(day, at).replace(tzinfo=CLINIC_ZONE).astimezone(UTC)


def _day_start(day: date) -> datetime:
    return local_moment(day, time.min)


@dataclass(frozen=True)
class Schedule:
    """The clinic's week, its closures and whether it closes on public holidays."""

    intervals: tuple[Interval, ...] = ()
    closures: tuple[Closure, ...] = ()
    public_holidays: bool = True

    @property
    def is_set(self) -> bool:
        """Whether the clinic has entered any hours; if not, every hour is working time."""
        return bool(self.intervals)

    def closure_on(self, day: date) -> Closure | None:
        return next((closure for closure in self.closures if closure.covers(day)), None)

    def is_closed_all_day(self, day: date) -> bool:
        if self.closure_on(day) is not None:
            return True
        return self.is_set and self.public_holidays and is_public_holiday(day)

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's opening periods as aware instants, in order (the whole day when no hours are set)."""
        if self.is_closed_all_day(day):
            return []
        if not self.is_set:
            return [(_day_start(day), _day_start(day + timedelta(days=1)))]
        return [
            (local_moment(day, interval.opens), local_moment(day, interval.closes))
            for interval in sorted(self.intervals)
            if interval.weekday == day.weekday()
        ]

    def periods_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The opening periods that end after `moment`, the first one cut to start at `moment` (UTC)."""
        moment = moment.astimezone(UTC)
        day = moment.astimezone(CLINIC_ZONE).date()
        for offset in range(HORIZON_DAYS + 1):
            for start, end in self.periods_on(day + timedelta(days=offset)):
                if end > moment:
                    yield max(start, moment), end

    def is_open(self, moment: datetime) -> bool:
        """Whether the clinic is open at `moment` (an aware datetime)."""
        first = next(self.periods_from(moment), None)
        return first is not None and first[0] == moment.astimezone(UTC)

    def next_opening(self, moment: datetime) -> datetime | None:
        """When the clinic is next open: `moment` itself while it is open, None if never within reach."""
        first = next(self.periods_from(moment), None)
        return first[0] if first else None

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time from `start` to `end` (zero when `end` is not after `start`)."""
        total = timedelta()
        end = end.astimezone(UTC)
        if end <= start:
            return total
        for period_start, period_end in self.periods_from(start):
            if period_start >= end:
                break
            total += min(period_end, end) - period_start
        return total

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime | None:
        """The moment by which `amount` of working time has passed since `start`.

        Counting starts at the next opening for a `start` out of hours (RULES.md S8); None when
        the clinic does not open again within reach.
        """
        left = amount
        for period_start, period_end in self.periods_from(start):
            if period_end - period_start >= left:
                return period_start + left
            left -= period_end - period_start
        return None

    def add_working_days(self, start: datetime, days: int) -> datetime | None:
        """The close of the `days`-th working day after the one on which counting starts.

        A working day is a day on which the clinic opens; counting starts on the day of the next
        opening (of `start` itself while open). Without hours, every day is a working day and it
        closes at midnight.
        """
        first = self.next_opening(start)
        if first is None:
            return None
        day = first.astimezone(CLINIC_ZONE).date()
        counted = 0
        for offset in range(1, HORIZON_DAYS + 1):
            periods = self.periods_on(day + timedelta(days=offset))
            if periods:
                counted += 1
                if counted >= days:
                    return periods[-1][1]
        return None


def _clock(at: time) -> str:
    return f"{at.hour}:{at.minute:02d}"


def _and(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def describe(schedule: Schedule, language: str) -> str:
    """The weekly hours in words, e.g. "Monday to Friday 9:00-13:00 and 14:30-18:30; Saturday 9:00-12:00".

    Days with the same hours run together; empty when no hours are set.
    """
    if not schedule.is_set:
        return ""
    by_day = {
        weekday: tuple(
            (interval.opens, interval.closes)
            for interval in sorted(schedule.intervals)
            if interval.weekday == weekday
        )
        for weekday in range(7)
    }
    runs: list[tuple[int, int, tuple]] = []
    for weekday in range(7):
        hours = by_day[weekday]
        if not hours:
            continue
        if runs and runs[-1][1] == weekday - 1 and runs[-1][2] == hours:
            runs[-1] = (runs[-1][0], weekday, hours)
        else:
            runs.append((weekday, weekday, hours))
    with override(language):
        parts = []
        for first, last, hours in runs:
            if first == last:
                days = str(WEEKDAYS[first])
            elif last == first + 1:
                days = _and([str(WEEKDAYS[first]), str(WEEKDAYS[last])])
            else:
                days = _("%(first)s to %(last)s") % {"first": WEEKDAYS[first], "last": WEEKDAYS[last]}
            times = _and([f"{_clock(opens)}-{_clock(closes)}" for opens, closes in hours])
            parts.append(f"{days} {times}")
        text = "; ".join(parts)
    return text[:1].upper() + text[1:] if language.startswith("en") else text
