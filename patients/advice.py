"""What the patient is told after submitting: the advice of her level, in the words of its rule set,
with the actions that fit the moment (RULES.md 8 and 11.2, S2, S3, S9, S10, S14)."""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from triage.advice import HEADLINES, REVIEW_TEXT, advice_shown, advice_words, earlier_advice_shown
from triage.cases.acted_on import ActedOn, ActedOnKind
from triage.models import CaseLevel

# The words are defined with the rule sets; the patient's pages import them from here too.
__all__ = ["HEADLINES", "REVIEW_TEXT", "Advice", "advice_for", "submission_advice"]


@dataclass(frozen=True)
class NextStep:
    """What happens next, in patient words: when (the timeframe of RULES.md 8) and what she does."""

    when: str
    text: str


# Shown after Send on the confirmation page, her list and her home, next to the advice of the
# level. The timeframes are those of RULES.md section 8; the doctor's own timing is never promised.
NEXT_STEPS = {
    CaseLevel.EMERGENCY: NextStep(
        gettext_lazy("Now"),
        gettext_lazy(
            "Go to the nearest emergency department now, or call 112 or 118. Do not wait to hear from "
            "the clinic. Your answers have also been sent to the doctor."
        ),
    ),
    # RULES.md S11: "if you cannot speak to us or we cannot see you today", as the advice says.
    CaseLevel.URGENT: NextStep(
        gettext_lazy("Today"),
        gettext_lazy(
            "Phone the clinic now to be seen today. If you cannot speak to us or we cannot see you today "
            "(evenings, weekends, public holidays), go to an emergency department today. Your answers "
            "have also been sent to the doctor."
        ),
    ),
    CaseLevel.PRIORITY: NextStep(
        gettext_lazy("Today or the next working day"),
        gettext_lazy(
            "Phone the clinic today or on the next working day, so that a visit can be arranged soon. "
            "The doctor will review your answers."
        ),
    ),
    CaseLevel.FOLLOW_UP: NextStep(
        gettext_lazy("In the coming weeks"),
        gettext_lazy("Book a visit in the coming weeks. The doctor will review your answers."),
    ),
    CaseLevel.ROUTINE: NextStep(
        gettext_lazy("At your booked appointment"),
        gettext_lazy(
            "Keep your booked appointment: the doctor will review your answers. Fill in the questionnaire "
            "again or contact the clinic if anything changes."
        ),
    ),
    CaseLevel.REVIEW: NextStep(
        gettext_lazy("The doctor will read your answers"),
        gettext_lazy("The doctor will review your answers personally. If you are worried, phone the clinic."),
    ),
}

# Routine advice for a patient with no visit booked: rule set 3's text no longer assumes one.
ROUTINE_WITHOUT_VISIT = NextStep(
    gettext_lazy("When you book a visit"),
    gettext_lazy(
        "Book a visit: the doctor will review your answers. Fill in the questionnaire again or contact "
        "the clinic if anything changes."
    ),
)

# Urgent advice while the clinic is closed (RULES.md S14): the emergency department comes first.
URGENT_WHILE_CLOSED = NextStep(
    gettext_lazy("Today"),
    gettext_lazy(
        "The clinic is closed now: go to an emergency department today, an obstetric-gynaecological one "
        "if you are or might be pregnant. Your answers have also been sent to the doctor."
    ),
)

# RULES.md S3: the headline of an emergency or urgent advice still live this long after it was
# given; the advice text below it is unchanged. Time alone never folds the alarm (S2).
UNACTED_AFTER = timedelta(hours=24)
UNACTED_HEADLINE = gettext_lazy(
    "If you have not been seen yet, go to an emergency department today or phone the clinic"
)

# RULES.md S10: rule set 1 and 2 routine advice has no safety net; her pages add this line.
SAFETY_NET_VERSIONS = frozenset({1, 2})
SAFETY_NET = gettext_lazy(
    "If the bleeding becomes heavy (a pad soaked within an hour), you get severe pain or you feel faint, "
    "go to the emergency department or call 112 or 118. If you are or might be pregnant and have "
    "lower-belly pain or bleeding, get seen the same day."
)

# RULES.md S9, shown under priority and follow-up advice only, and only when the line is set.
OUT_OF_HOURS_LINE = gettext_lazy(
    "If the clinic is closed and you need non-urgent medical advice, you can call the out-of-hours doctor "
    "service (continuità assistenziale) on %(number)s."
)

# The levels whose advice is a live alarm until the clinic acts (RULES.md 11.2, S2).
ALARM_LEVELS = frozenset({CaseLevel.EMERGENCY, CaseLevel.URGENT})

CSS = {
    CaseLevel.EMERGENCY: "danger",
    CaseLevel.URGENT: "danger",
    CaseLevel.PRIORITY: "warning",
    CaseLevel.FOLLOW_UP: "info",
    CaseLevel.REVIEW: "warning",
}

ACTED_ON_WORDS = {
    ActedOnKind.SPOKE: gettext_lazy("The clinic spoke with you on %(date)s."),
    ActedOnKind.STATUS: gettext_lazy("The clinic took up your questionnaire on %(date)s."),
    ActedOnKind.VISIT: gettext_lazy("The clinic booked you a visit on %(date)s."),
}


@dataclass(frozen=True)
class Action:
    """One thing to do, as a button or a line: call the emergency number, the clinic, or the
    out-of-hours line; `primary` is the one dominant action, the others are visibly smaller."""

    kind: str
    label: str
    href: str = ""
    primary: bool = False
    note: str = ""


EMERGENCY_CALL = "emergency"
CLINIC_CALL = "clinic"
EMERGENCY_DEPARTMENT = "emergency_department"
OUT_OF_HOURS = "out_of_hours"
BOOK = "book"
VISIT = "visit"


@dataclass(frozen=True)
class Advice:
    level: int
    headline: str
    text: str
    # When the patient was given it: her Send, or the re-assessment or sign-off that updated it
    # (`triage.advice.advice_shown`); None for advice not tied to a questionnaire.
    given_at: datetime | None = None
    # It replaced an earlier advice after her Send: dated "Advice updated on …" (RULES.md 11.2, S4).
    updated: bool = False
    # The advice it replaced, shown below it as a dated record.
    earlier: "Advice | None" = None
    # The rule set that words it (None: the current one, or no rule set could assess the answers).
    version: int | None = None
    # How and when the clinic acted on the case (`triage.cases.acted_on`); None while not acted on.
    acted_on: ActedOn | None = None
    closed: bool = False
    now: datetime = field(default_factory=timezone.now)

    @property
    def comes_first(self) -> bool:
        """Emergency and urgent advice is shown before anything else, with the call actions (RULES.md 7)."""
        return self.level in ALARM_LEVELS

    @property
    def is_emergency(self) -> bool:
        return self.level == CaseLevel.EMERGENCY

    @property
    def css(self) -> str:
        return CSS.get(self.level, "success")

    @property
    def next_step(self) -> NextStep:
        return NEXT_STEPS[CaseLevel(self.level)]

    @property
    def is_live_alarm(self) -> bool:
        """Emergency or urgent advice on a case nobody has acted on since it was given (RULES.md S2;
        for advice a move up gave her, since that re-assessment, S4): shown first, in full, with the
        call buttons, however long ago it was given."""
        return self.comes_first and self.acted_on is None and not self.closed

    @property
    def is_past_alarm(self) -> bool:
        """Emergency or urgent advice after the clinic acted on the case (or closed it): may be shown
        folded, as a dated record, the call buttons still visible."""
        return self.comes_first and not self.is_live_alarm

    @property
    def is_unacted_for_long(self) -> bool:
        """Still live more than `UNACTED_AFTER` after it was given (RULES.md S3): for updated advice,
        counted from the update."""
        return self.is_live_alarm and self.given_at is not None and self.now - self.given_at > UNACTED_AFTER

    @property
    def title(self) -> str:
        """The headline as shown now: S3's words for an alarm left without action for a day."""
        return str(UNACTED_HEADLINE) if self.is_unacted_for_long else self.headline

    @property
    def safety_net(self) -> str:
        """RULES.md S10's line under rule set 1 and 2 routine advice, or ""."""
        if self.level == CaseLevel.ROUTINE and self.version in SAFETY_NET_VERSIONS:
            return str(SAFETY_NET)
        return ""

    @property
    def acted_on_text(self) -> str:
        if self.acted_on is None:
            return ""
        return str(ACTED_ON_WORDS[self.acted_on.kind]) % {
            "date": date_format(timezone.localtime(self.acted_on.at), "DATE_FORMAT")
        }


def opening_text(moment: datetime, now: datetime) -> str:
    """When the clinic next opens, in her words: "today from 14:30", "tomorrow from 9:00",
    "from Monday 7 December, 9:00"."""
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    clock = date_format(local, "TIME_FORMAT")
    if local.date() == today:
        return _("today from %(time)s") % {"time": clock}
    if local.date() == today + timedelta(days=1):
        return _("tomorrow from %(time)s") % {"time": clock}
    return _("from %(day)s, %(time)s") % {"day": date_format(local, "l j F"), "time": clock}


def advice_actions(advice: Advice, clinic, visit=None) -> list[Action]:
    """The actions under an advice, in order, for the clinic's hours at `advice.now` (RULES.md S14).

    Emergency: the emergency number dominates, the clinic follows smaller. Urgent: the clinic
    first while it is open; while it is closed, the emergency department and number lead and the
    clinic follows with its next opening. Never the out-of-hours line for either (S9). Priority and
    follow-up while closed: the clinic with its next opening, and the out-of-hours line if set.
    Routine: her booked visit, or the booking link. Once the clinic has acted on an alarm, its
    record keeps the two call buttons, both small.
    """
    is_open = clinic.schedule.is_open(advice.now)
    opens = None if is_open else clinic.schedule.next_opening(advice.now)
    opens_note = (
        _("The clinic is closed now; it opens %(when)s.") % {"when": opening_text(opens, advice.now)}
        if opens
        else ""
    )
    number = clinic.emergency_numbers[0]
    clinic_call = (
        Action(
            CLINIC_CALL,
            _("Call the clinic: %(phone)s") % {"phone": clinic.phone},
            clinic.phone_href,
            note=opens_note
            or (_("Opening hours: %(hours)s") % {"hours": clinic.hours} if clinic.hours else ""),
        )
        if clinic.phone
        else None
    )

    def with_primary(action: Action | None, primary: bool) -> list[Action]:
        return [] if action is None else [replace(action, primary=primary)]

    emergency_now = Action(
        EMERGENCY_CALL, _("Call %(number)s now") % {"number": number}, clinic.emergency_href, True
    )
    if advice.is_past_alarm:
        # A record of an alarm the clinic has acted on: the call buttons stay, none of them urging.
        call = Action(EMERGENCY_CALL, _("Call %(number)s") % {"number": number}, clinic.emergency_href)
        return [call, *with_primary(clinic_call, False)]
    if advice.level == CaseLevel.EMERGENCY:
        return [emergency_now, *with_primary(clinic_call, False)]
    if advice.level == CaseLevel.URGENT:
        # A clinic without a phone cannot be called first: she is sent on as when it is closed.
        if is_open and clinic_call is not None:
            worse = Action(
                EMERGENCY_CALL,
                _("Call %(number)s if it gets worse") % {"number": number},
                clinic.emergency_href,
            )
            return [*with_primary(clinic_call, True), worse]
        department = Action(
            EMERGENCY_DEPARTMENT,
            _("The clinic is closed now: go to an emergency department today."),
        )
        call = Action(EMERGENCY_CALL, _("Call %(number)s") % {"number": number}, clinic.emergency_href, True)
        later = (
            Action(
                CLINIC_CALL,
                _("Call the clinic %(when)s: %(phone)s")
                % {"when": opening_text(opens, advice.now), "phone": clinic.phone},
                clinic.phone_href,
            )
            if clinic.phone and opens
            else None
        )
        return [department, call, *with_primary(later, False)]
    actions = with_primary(clinic_call, True)
    if (
        advice.level in (CaseLevel.PRIORITY, CaseLevel.FOLLOW_UP)
        and not is_open
        and clinic.out_of_hours_phone
    ):
        actions.append(
            Action(
                OUT_OF_HOURS,
                str(OUT_OF_HOURS_LINE) % {"number": clinic.out_of_hours_phone},
                clinic.out_of_hours_href,
                note=clinic.out_of_hours_phone,
            )
        )
    if advice.level == CaseLevel.ROUTINE and visit is not None:
        when = date_format(timezone.localtime(visit.starts_at), "DATETIME_FORMAT")
        actions.insert(0, Action(VISIT, _("Your booked visit: %(when)s") % {"when": when}))
    elif advice.level == CaseLevel.ROUTINE and clinic.booking_url:
        actions.insert(0, Action(BOOK, _("Book a visit online"), clinic.booking_url, True))
        actions[1:] = [replace(action, primary=False) for action in actions[1:]]
    return actions


def next_step_for(advice: Advice, clinic, visit=None) -> NextStep:
    """What happens next for her advice at `advice.now`: urgent advice while the clinic is closed
    sends her to the emergency department first (S14); routine advice without a booked visit asks
    her to book one."""
    if advice.level == CaseLevel.URGENT and not (clinic.phone and clinic.schedule.is_open(advice.now)):
        return URGENT_WHILE_CLOSED
    if advice.level == CaseLevel.ROUTINE and visit is None:
        return ROUTINE_WITHOUT_VISIT
    return advice.next_step


def advice_for(
    level: int,
    language: str | None = None,
    version: int | None = None,
    given_at: datetime | None = None,
    acted_on: ActedOn | None = None,
    closed: bool = False,
    updated: bool = False,
    earlier: Advice | None = None,
) -> Advice:
    """The advice for a level in the given (or active) language, as rule set `version` words it."""
    headline, text = advice_words(level, language or get_language(), version)
    return Advice(
        level=level,
        headline=headline,
        text=text,
        given_at=given_at,
        version=version,
        acted_on=acted_on,
        closed=closed,
        updated=updated,
        earlier=earlier,
    )


def submission_advice(submission, acted_on: ActedOn | None = None) -> Advice | None:
    """The advice she is shown for a submitted questionnaire (`triage.advice.advice_shown`: the
    assessment she was given, from when she was given it), with the one it replaced, if any.

    A lower re-assessment waiting for a doctor's sign-off never changes it (RULES.md 11.2, S5).
    """
    case = getattr(submission, "case", None)
    if case is None:
        return None
    shown, before = advice_shown(case), earlier_advice_shown(case)
    earlier = (
        advice_for(before.level, version=before.version, given_at=before.given_at, closed=True)
        if before
        else None
    )
    return advice_for(
        shown.level,
        version=shown.version,
        given_at=shown.given_at,
        acted_on=acted_on,
        closed=case.status == case.Status.CLOSED,
        updated=shown.updated,
        earlier=earlier,
    )
