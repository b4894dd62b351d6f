"""The worklist's table rows, prepared in Python for one template loop.

Rendering rows through template tags was most of a worklist request: per
row a template for the level badge, a URL reversal, several translations
and date formats. Here each label is translated once per request (`Labels`),
the case URL is reversed once, and each row becomes a `WorklistRowView` of
values ready to print, which `triage/worklist/_worklist_row.html` prints in a plain
`{% for %}` loop: no include, inclusion tag or `{% url %}` per row.
"""

from datetime import datetime
from typing import TypedDict

from django.template.loader import get_template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import date_format, get_format
from django.utils.safestring import SafeString
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.translation import gettext, gettext_lazy, ngettext_lazy

from clinic.fragments import Fragment
from clinic.phones import phone_link

from .. import chips
from ..cases.selectors import awaits_action, is_overdue_case
from ..chips import Chips, escape, markup, overdue_html
from ..models import BULK_CLOSABLE_LEVELS, LEVEL_ORDER, Case, CaseLevel, ContactAttempt
from .selectors import TASK_CONTACT, TASK_SIGN_OFF, every_case_shown

# The worklist row's texts with values, translated once per request.
SCORE = gettext_lazy("score %(score)s")
AGE = ngettext_lazy("%(years)s year", "%(years)s years", "years")
WAITING = gettext_lazy("waiting %(time)s")
AGO = gettext_lazy("%(time)s ago")
ASSIGNED = gettext_lazy("assigned to %(name)s")
CONTACTS = ngettext_lazy("%(count)s attempt, last %(when)s", "%(count)s attempts, last %(when)s", "count")
NEW_REPLY = gettext_lazy("new reply")


def iso_datetime(value: datetime | None) -> str:
    """`{{ value|date:'c' }}`: ISO 8601 in the current time zone."""
    if value is None:
        return ""
    return timezone.localtime(value).isoformat()


def contact_url_maker():
    """A function from a case id to its contact log's address (one URL reversal)."""
    sample = reverse("triage:case_contact", args=[0])
    prefix, _zero, tail = sample.rpartition("/0/")
    return lambda pk: f"{prefix}/{pk}/{tail}"


def case_url_maker():
    """A function from a case id to its page's URL, with one URL reversal instead of one per row."""
    sample = reverse("triage:case_detail", args=[0])
    if not sample.endswith("/0/"):
        return lambda pk: reverse("triage:case_detail", args=[pk])
    prefix = sample[: -len("0/")]
    return lambda pk: f"{prefix}{pk}/"


class Labels(Chips):
    """Labels used row after row, translated once per request in the active language."""

    def __init__(self, now: datetime | None = None):
        super().__init__()
        self.now = now or timezone.now()
        self._texts: dict[int, str] = {}
        self._plurals: dict[tuple, str] = {}
        self._statuses = {value: str(label) for value, label in Case.Status.choices}
        self._time_strings = {unit: _Memo(message) for unit, message in TIME_STRINGS.items()}
        self._formats: dict[str, str] = {}

    def format_datetime(self, value: datetime | None, format_name: str) -> str:
        """`{{ value|date:format_name }}` of an aware datetime, in the current time zone."""
        if value is None:
            return ""
        return self.format_date(timezone.localtime(value), format_name)

    def format_date(self, value, format_name: str) -> str:
        """`{{ value|date:format_name }}` of a date, the format looked up once per request."""
        fmt = self._formats.get(format_name)
        if fmt is None:
            fmt = self._formats[format_name] = get_format(format_name)
        return dateformat.format(value, fmt)

    def status(self, value: str) -> str:
        return self._statuses.get(value, value)

    def label(self, message) -> str:
        """A lazy message in the active language: plain text, escaped where it is printed."""
        if isinstance(message, str):
            return message
        translated = self._texts.get(id(message))
        if translated is None:
            translated = self._texts[id(message)] = str(message)
        return translated

    def text(self, message, **values) -> SafeString:
        """`{% blocktranslate with ... %}` of a lazy message: the translation, its values escaped."""
        translated = self.label(message)
        return markup(translated % {name: escape(value) for name, value in values.items()})

    def plural(self, message, name: str, count) -> SafeString:
        """`{% blocktranslate count name=count %}` of a lazy plural message and a plain number."""
        key = (id(message), count)
        translated = self._plurals.get(key)
        if translated is None:
            translated = self._plurals[key] = message % {name: count}
        return markup(translated)

    def plural_text(self, message, name: str, count, **values) -> SafeString:
        """`{% blocktranslate count name=count with ... %}`: a lazy plural message, its values escaped."""
        translated = message % {name: count, **{key: escape(value) for key, value in values.items()}}
        return markup(translated)

    def waiting(self, value: datetime | None) -> str:
        """How long ago, in its largest unit only ("3 days"), to keep rows short."""
        if not value:
            return ""
        return timesince(value, self.now, time_strings=self._time_strings, depth=1)


class _Memo:
    """A lazy plural message for `timesince`, translated once per number."""

    def __init__(self, message):
        self.message = message
        self.done: dict = {}

    def __mod__(self, values):
        key = values["num"]
        text = self.done.get(key)
        if text is None:
            text = self.done[key] = self.message % values
        return text


class WorklistRowView(TypedDict):
    """What `triage/worklist/_worklist_row.html` prints of one case, ready to print.

    A dict, not an object: the template language tries `row[name]` before
    `row.name`, and the failed item lookup on an object, for each of the 14
    values of 25 rows, was about a fifth of the rows' rendering time.
    """

    pk: int
    level: int
    badge: SafeString
    score: SafeString
    url: str
    name: str
    age: SafeString
    # The link that calls her (`clinic.phones.phone_link`); empty when she gave no phone.
    phone: SafeString | str
    submitted_iso: str
    submitted: str
    # Empty for a closed case: nobody waits for it any more.
    waiting: SafeString | str
    flags: SafeString
    status: str
    follow_up: str
    # Empty when nobody has acted on the case yet.
    actor_name: str
    acted: SafeString | str
    # "assigned to …"; empty when nobody has taken the case.
    assignee: SafeString | str
    # "new reply": a reply of hers no doctor has read yet; empty otherwise.
    new_reply: str
    # Routine and open: may be closed with others from the list.
    closable: bool
    # Ticked for closing (a bulk close that came back with an error).
    chosen: bool
    # "2 attempts, last 10:40" (a marker in a cached row); empty when nobody has tried to reach her.
    contacts: SafeString | str
    # The contact log's buttons: the case's contact address, and the attempts the row shows.
    contact_url: str
    contact_seen: int
    # Open: the contact log's buttons are offered.
    open: bool
    # She wrote notes (RULES.md 11.2, S12).
    has_notes: bool
    # "◷ Overdue by 2 h 10 min" (a marker in a cached row while the case could be overdue); empty otherwise.
    overdue: SafeString | str
    # When an escalation step was last sent, and its ISO time (RULES.md 11.2, S8); empty if never.
    escalated_when: str
    escalated_iso: str
    # A lower re-assessment waits for sign-off (S5); she must be contacted about new advice (S4 d).
    pending_sign_off: bool
    contact_task: bool


def case_closable_in_bulk(level, status) -> bool:
    """Whether the worklist offers to close the case together with others: routine and still open."""
    return level in BULK_CLOSABLE_LEVELS and status != Case.Status.CLOSED


# What a cached worklist row prints in place of the texts that change with the clock; each request
# puts the current "waiting 3 minutes" and "2 hours ago" there (`worklist_rows_html`).
WAITING_MARK = markup("<!--live:waiting-->")
ACTED_MARK = markup("<!--live:acted-->")
CONTACTS_MARK = markup("<!--live:contacts-->")
OVERDUE_MARK = markup("<!--live:overdue-->")


def worklist_rows(cases, *, query: str, labels: Labels, live: bool = True) -> list[WorklistRowView]:
    """The worklist's rows (`WorklistRow`s) ready to print; `query` keeps the filters in each case link.

    With `live` False the texts that change with the clock are markers, for a row to be cached.
    """
    case_url = case_url_maker()
    contact_url = contact_url_maker()
    suffix = f"?{query}" if query else ""
    return [
        WorklistRowView(
            pk=case.pk,
            level=case.level,
            badge=labels.badge(case.level),
            score=labels.text(SCORE, score=case.score),
            url=f"{case_url(case.pk)}{suffix}",
            name=case.patient_name,
            age=labels.plural(AGE, "years", case.age),
            phone=phone_link(case.phone),
            submitted_iso=iso_datetime(case.submitted_at),
            submitted=labels.format_datetime(case.submitted_at, "SHORT_DATETIME_FORMAT"),
            waiting=(live_waiting(case, labels) if live else WAITING_MARK)
            if case.status != Case.Status.CLOSED
            else "",
            flags=labels.flags_html(case.flags, case.rules_version),
            status=labels.status(case.status),
            follow_up=labels.format_date(case.follow_up_on, "SHORT_DATE_FORMAT") if case.follow_up_on else "",
            actor_name=case.actor_name,
            acted=(live_acted(case, labels) if live else ACTED_MARK) if case.actor_name else "",
            assignee=labels.text(ASSIGNED, name=case.assignee_name) if case.assignee_name else "",
            new_reply=labels.label(NEW_REPLY) if getattr(case, "new_reply", False) else "",
            closable=case_closable_in_bulk(case.level, case.status),
            chosen=False,
            contacts=(live_contacts(case, labels) if live else CONTACTS_MARK)
            if case.contact_attempts
            else "",
            contact_url=f"{contact_url(case.pk)}{suffix}",
            contact_seen=case.contact_attempts,
            open=case.status != Case.Status.CLOSED,
            has_notes=case.has_notes,
            overdue=(live_overdue(case, labels) if live else OVERDUE_MARK)
            if awaits_action(case.act_by, case.acted_on_at, case.status)
            else "",
            escalated_when=labels.format_datetime(case.escalated_at, "SHORT_DATETIME_FORMAT"),
            escalated_iso=iso_datetime(case.escalated_at),
            pending_sign_off=case.pending_sign_off,
            contact_task=case.contact_task,
        )
        for case in cases
    ]


def live_waiting(case, labels: Labels) -> SafeString:
    """ "waiting 3 days": how long an open case has waited, as of this request."""
    return labels.text(WAITING, time=labels.waiting(case.submitted_at))


def live_contacts(case, labels: Labels) -> SafeString:
    """ "2 attempts, last 10:40": the contact log, its last time as a time today, else with the date."""
    last = case.contact_last_at
    if last is None:
        when = ""
    elif timezone.localdate(last) == timezone.localdate(labels.now):
        when = labels.format_datetime(last, "TIME_FORMAT")
    else:
        when = labels.format_datetime(last, "SHORT_DATETIME_FORMAT")
    return labels.plural_text(CONTACTS, "count", case.contact_attempts, when=when)


def live_overdue(case, labels: Labels) -> SafeString | str:
    """ "◷ Overdue by 2 h 10 min" when nobody acted on the case by its deadline, as of this request."""
    if not is_overdue_case(case.act_by, case.acted_on_at, case.status, labels.now):
        return ""
    return overdue_html(case.act_by, labels.now)


def live_acted(case, labels: Labels) -> SafeString:
    """ "2 hours ago": when someone last acted on the case, as of this request."""
    return labels.text(AGO, time=labels.waiting(case.last_acted_at))


# A worklist row: its template, and its key (`worklist_rows_html`).
WORKLIST_ROW = Fragment(
    "triage/worklist/_worklist_row.html",
    key=lambda case, *, query, bulk_closable, chosen: (case, query, bulk_closable, case.pk in chosen),
    code=[chips],
)


def worklist_rows_html(
    cases, *, query: str, labels: Labels, bulk_closable: bool, chosen=frozenset()
) -> list[SafeString]:
    """The worklist's rows as HTML, each a cached fragment (`clinic.fragments`).

    A row's key is the `WorklistRow` itself (every value the row prints: level, flags and rule set,
    status, name, phone, assignment, last actor...), the filters carried in its link, whether the
    list can be closed in bulk and whether the row is ticked; the language and time zone are added
    by `clinic.fragments.fragment_key`. Only the missing rows are rendered. The texts that change with the clock
    are put in on every request, outside the cache.
    """
    template = get_template(WORKLIST_ROW.kind)
    outcomes = ContactAttempt.button_choices()

    def render(missing) -> list[str]:
        views = worklist_rows(missing, query=query, labels=labels, live=False)
        for view in views:
            view["chosen"] = view["pk"] in chosen
        return [
            template.render({"row": view, "bulk_closable": bulk_closable, "outcomes": outcomes})
            for view in views
        ]

    fragments = WORKLIST_ROW.many(cases, render, query=query, bulk_closable=bulk_closable, chosen=chosen)
    rows = []
    for case, fragment in zip(cases, fragments, strict=True):
        if case.status != Case.Status.CLOSED:
            fragment = fragment.replace(WAITING_MARK, live_waiting(case, labels))
        if case.actor_name:
            fragment = fragment.replace(ACTED_MARK, live_acted(case, labels))
        if case.contact_attempts:
            fragment = fragment.replace(CONTACTS_MARK, live_contacts(case, labels))
        if awaits_action(case.act_by, case.acted_on_at, case.status):
            fragment = fragment.replace(OVERDUE_MARK, live_overdue(case, labels))
        rows.append(markup(fragment))
    return rows


def worklist_summary(filters, flag_label: str = "") -> list[str]:
    """What the filtered worklist shows, one phrase per filter, in the active language.

    `filters` is a `WorklistFilters`; every combination is described, so the
    header never says "open cases" over a list of closed ones.
    """
    parts = []
    if filters.levels:
        names = ", ".join(str(CaseLevel(level).label) for level in LEVEL_ORDER if level in filters.levels)
        parts.append(gettext("level: %(levels)s") % {"levels": names})
    elif every_case_shown(filters):
        parts.append(gettext("every level, routine included"))
    else:
        parts.append(gettext("flagged cases (follow-up or more urgent)"))
    if filters.statuses:
        statuses = dict(Case.Status.choices)
        names = ", ".join(str(statuses[value]) for value in Case.Status.values if value in filters.statuses)
        parts.append(gettext("status: %(statuses)s") % {"statuses": names})
    elif every_case_shown(filters):
        parts.append(gettext("every status, closed included"))
    else:
        parts.append(gettext("open (not closed)"))
    if filters.overdue:
        parts.append(gettext("only overdue (not acted on by their deadline)"))
    if filters.flag:
        parts.append(gettext("with the flag “%(flag)s”") % {"flag": flag_label or filters.flag})
    start, end = filters.submitted_from, filters.submitted_to
    if start and end:
        parts.append(
            gettext("submitted from %(start)s to %(end)s")
            % {"start": date_format(start, "SHORT_DATE_FORMAT"), "end": date_format(end, "SHORT_DATE_FORMAT")}
        )
    elif start:
        parts.append(
            gettext("submitted on or after %(start)s") % {"start": date_format(start, "SHORT_DATE_FORMAT")}
        )
    elif end:
        parts.append(
            gettext("submitted on or before %(end)s") % {"end": date_format(end, "SHORT_DATE_FORMAT")}
        )
    if filters.q:
        parts.append(gettext("patient name or email containing “%(text)s”") % {"text": filters.q})
    if filters.task == TASK_CONTACT:
        parts.append(gettext("to contact about new advice"))
    elif filters.task == TASK_SIGN_OFF:
        parts.append(gettext("with a lower level pending sign-off"))
    if filters.assignee is not None:
        parts.append(gettext("assigned to you"))
    elif filters.unassigned:
        parts.append(gettext("not assigned to anyone"))
    return parts
