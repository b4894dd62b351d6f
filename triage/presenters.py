"""The worklist's table rows, prepared in Python for one template loop.

Rendering rows through template tags was most of a worklist request: per
row a template for the level badge, a URL reversal, several translations
and date formats. Here each label is translated once per request (`Labels`),
the case URL is reversed once, and each row becomes a `WorklistRowView` of
values ready to print, which `triage/_worklist_rows.html` prints in a plain
`{% for %}` loop: no include, inclusion tag or `{% url %}` per row.
"""

import html
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from crispy_forms.utils import render_crispy_form
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import date_format, get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.translation import gettext, gettext_lazy, ngettext, ngettext_lazy

from clinic.fragments import cached_fragment, cached_fragments
from clinic.phones import phone_parts

from . import rules
from .models import BULK_CLOSABLE_LEVELS, LEVEL_ORDER, Case, CaseLevel
from .questionnaire import readable_answers
from .trend import Chart, Series, trend_chart


def _markup(text: str) -> SafeString:
    """Mark markup built in this module as safe: the one place it happens.

    Callers pass this module's constant HTML, translations from the clinic's
    own catalogue (printed as `{% translate %}` prints them), or fragments
    whose every inserted value went through `_escape()`.
    """
    # Justified exception to bandit B308/B703: see the docstring.
    return mark_safe(text)  # nosec B308 B703


# Each level has a shape as well as a colour, so it never depends on colour alone.
LEVEL_STYLES = {
    CaseLevel.REVIEW: ("review", "⚠"),
    CaseLevel.EMERGENCY: ("emergency", "▲"),
    CaseLevel.URGENT: ("urgent", "■"),
    CaseLevel.PRIORITY: ("priority", "◆"),
    CaseLevel.FOLLOW_UP: ("follow-up", "●"),
    CaseLevel.ROUTINE: ("routine", "○"),
}


# The worklist row's texts with values, translated once per request.
SCORE = gettext_lazy("score %(score)s")
AGE = ngettext_lazy("%(years)s year", "%(years)s years", "years")
WAITING = gettext_lazy("waiting %(time)s")
AGO = gettext_lazy("%(time)s ago")
ASSIGNED = gettext_lazy("assigned to %(name)s")

# Doctor-facing names for the RULES.md 3.1 scales, shorter than the patient's wording.
AMOUNT_LABELS = {
    "none": gettext_lazy("none"),
    "streaks": gettext_lazy("streaks"),
    "spotting": gettext_lazy("spotting"),
    "light": gettext_lazy("light"),
    "moderate": gettext_lazy("moderate (needed a pad)"),
    "heavy": gettext_lazy("heavy (soaked a pad)"),
}
TREND_LABELS = {
    "first_time": gettext_lazy("first time"),
    "less": gettext_lazy("less than before"),
    "same": gettext_lazy("same as before"),
    "more": gettext_lazy("more than before"),
}

NONE_HTML = _markup('<span class="text-body-secondary">—</span>')

# A worklist row shows this many flag chips at most, then "+N"; the case page shows them all.
ROW_FLAG_CHIPS = 4

# An informational flag (no level of its own) and a flag no rule set knows, styled like a level.
INFO_STYLE = ("info", "i")
UNKNOWN_STYLE = ("unknown", "?")
INFO_LABEL = gettext_lazy("Information only")
CHIP_HTML = (
    '<span class="flag-chip flag-{}" tabindex="0" data-bs-toggle="tooltip" title="{}">'
    '<span class="flag-icon" aria-hidden="true">{}</span> {}{}</span>'
)
CHIP_LEVEL_HTML = '<span class="visually-hidden"> ({})</span>'
MORE_FLAGS_HTML = (
    '<span class="flag-more" tabindex="0" data-bs-toggle="tooltip" title="{}">'
    '<span aria-hidden="true">+{}</span><span class="visually-hidden">{}</span></span>'
)


@dataclass(frozen=True)
class FlagItem:
    """A flag as the doctor sees it: label, reason, and its own level as a chip style.

    `level` is the level's label ("Information only" for an informational
    flag); `css` and `icon` are that level's colour and shape (`LEVEL_STYLES`).
    """

    code: str
    label: str
    reason: str
    level: str
    css: str = UNKNOWN_STYLE[0]
    icon: str = UNKNOWN_STYLE[1]
    info: bool = False
    # Place in the rule set's table (RULES.md order); unknown flags go last.
    number: int = 10_000

    @property
    def order(self) -> tuple:
        """Chips are listed in RULES.md order, informational flags after all the others."""
        return (self.info or self.css == UNKNOWN_STYLE[0], self.number)


def level_badge_context(level) -> dict:
    """The `_level_badge.html` context of a level: CSS class, icon and label."""
    try:
        level = CaseLevel(level)
    except ValueError:
        return {"css": "unknown", "icon": "?", "label": str(level)}
    css, icon = LEVEL_STYLES[level]
    return {"css": css, "icon": icon, "label": level.label}


def flag_item(code: str, version: int | None = None) -> FlagItem:
    """A flag's short label, clinical reason and own level as rule set `version` defines them.

    The flag's level comes from the case's own rule set: the one home of the
    flag-to-level map is each rule set's flag table.
    """
    rule = rules.rule_set(version).flag_rules_by_code.get(code)
    if rule is None:
        return FlagItem(code, code, "", "")
    if rule.level is None:
        css, icon = INFO_STYLE
        return FlagItem(
            code, gettext(rule.label), gettext(rule.reason), str(INFO_LABEL), css, icon, True, rule.number
        )
    level = CaseLevel(int(rule.level))
    css, icon = LEVEL_STYLES[level]
    return FlagItem(
        code, gettext(rule.label), gettext(rule.reason), str(level.label), css, icon, False, rule.number
    )


def flag_items(codes, version: int | None = None) -> list[FlagItem]:
    """A case's flags as chips, in RULES.md order with informational flags last."""
    return sorted((flag_item(code, version) for code in codes or ()), key=lambda item: item.order)


def flag_chip_html(item: FlagItem) -> SafeString:
    """One flag chip: the level's style and shape, the label, the level in words for screen readers,
    and the clinical reason on hover and focus. The one place a chip's markup is written: the
    worklist rows, the case page and any list of cases print chips through it."""
    hidden = format_html(CHIP_LEVEL_HTML, item.level) if item.level else ""
    return format_html(CHIP_HTML, item.css, item.reason, item.icon, item.label, hidden)


def flag_chips_html(codes, version: int | None = None, limit: int | None = None) -> SafeString:
    """A case's chips in order, all of them or the first `limit` then "+N" (`Labels.flags_html`)."""
    return Labels().flags_html(codes, version, limit=limit)


def more_flags_html(hidden: list[FlagItem]) -> SafeString:
    """The "+N" after a row's first chips, naming the hidden flags on hover, focus and to screen readers."""
    labels = ", ".join(item.label for item in hidden)
    spoken = ngettext("%(count)s more flag: %(labels)s", "%(count)s more flags: %(labels)s", len(hidden)) % {
        "count": len(hidden),
        "labels": labels,
    }
    return format_html(MORE_FLAGS_HTML, labels, len(hidden), spoken)


def iso_datetime(value: datetime | None) -> str:
    """`{{ value|date:'c' }}`: ISO 8601 in the current time zone."""
    if value is None:
        return ""
    return timezone.localtime(value).isoformat()


def case_url_maker():
    """A function from a case id to its page's URL, with one URL reversal instead of one per row."""
    sample = reverse("triage:case_detail", args=[0])
    if not sample.endswith("/0/"):
        return lambda pk: reverse("triage:case_detail", args=[pk])
    prefix = sample[: -len("0/")]
    return lambda pk: f"{prefix}{pk}/"


def _escape(value) -> str:
    """`conditional_escape` without its lazy-string wrapper, which cost more than the escaping."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class Labels:
    """Labels used row after row, translated once per request in the active language."""

    def __init__(self):
        self.now = timezone.now()
        self._badges: dict = {}
        self._flags: dict[str, FlagItem] = {}
        self._texts: dict[int, str] = {}
        self._plurals: dict[tuple, str] = {}
        self._statuses = {value: str(label) for value, label in Case.Status.choices}
        self._flag_html: dict[tuple, SafeString] = {}
        self._row_flags: dict[tuple, SafeString] = {}
        self._time_strings = {unit: _Memo(message) for unit, message in TIME_STRINGS.items()}
        self._formats: dict[str, str] = {}

    def badge(self, level) -> SafeString:
        """The level badge's HTML, as `{% level_badge level %}` renders it."""
        markup = self._badges.get(level)
        if markup is None:
            markup = self._badges[level] = render_to_string(
                "triage/_level_badge.html", level_badge_context(level)
            )
        return markup

    def flags(self, codes, version: int | None = None) -> list[FlagItem]:
        """The chips of these flags in their order (`flag_items`), each built once per request."""
        items = []
        for code in codes or ():
            item = self._flags.get((code, version))
            if item is None:
                item = self._flags[code, version] = flag_item(code, version)
            items.append(item)
        items.sort(key=lambda item: item.order)
        return items

    def flags_html(self, codes, version: int | None = None, limit: int | None = ROW_FLAG_CHIPS) -> SafeString:
        """A row's flag chips: the first `limit` in order (all with None), then "+N" for the others."""
        key = (tuple(codes or ()), version, limit)
        markup = self._row_flags.get(key)
        if markup is not None:
            return markup
        items = self.flags(codes, version)
        if not items:
            return NONE_HTML
        shown = items if limit is None else items[:limit]
        parts = [self._chip(item, version) for item in shown]
        if len(items) > len(shown):
            parts.append(more_flags_html(items[len(shown) :]))
        markup = self._row_flags[key] = _markup("\n    ".join(parts))
        return markup

    def _chip(self, item: FlagItem, version) -> SafeString:
        markup = self._flag_html.get((item.code, version))
        if markup is None:
            markup = self._flag_html[item.code, version] = flag_chip_html(item)
        return markup

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
        return _markup(translated % {name: _escape(value) for name, value in values.items()})

    def plural(self, message, name: str, count) -> SafeString:
        """`{% blocktranslate count name=count %}` of a lazy plural message and a plain number."""
        key = (id(message), count)
        translated = self._plurals.get(key)
        if translated is None:
            translated = self._plurals[key] = message % {name: count}
        return _markup(translated)

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
    """What `triage/_worklist_rows.html` prints of one case, ready to print.

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
    # Empty when the patient gave no phone; `phone_href` empty when it cannot be dialled.
    phone: str
    phone_href: str
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
    # Routine and open: may be closed with others from the list.
    closable: bool
    # Ticked for closing (a bulk close that came back with an error).
    chosen: bool


def case_closable_in_bulk(level, status) -> bool:
    """Whether the worklist offers to close the case together with others: routine and still open."""
    return level in BULK_CLOSABLE_LEVELS and status != Case.Status.CLOSED


# What a cached worklist row prints in place of the texts that change with the clock; each request
# puts the current "waiting 3 minutes" and "2 hours ago" there (`worklist_rows_html`).
WAITING_MARK = _markup("<!--live:waiting-->")
ACTED_MARK = _markup("<!--live:acted-->")


def worklist_rows(cases, *, query: str, labels: Labels, live: bool = True) -> list[WorklistRowView]:
    """The worklist's rows (`WorklistRow`s) ready to print; `query` keeps the filters in each case link.

    With `live` False the texts that change with the clock are markers, for a row to be cached.
    """
    case_url = case_url_maker()
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
            phone=phone_parts(case.phone)[0],
            phone_href=phone_parts(case.phone)[1],
            submitted_iso=iso_datetime(case.submitted_at),
            submitted=labels.format_datetime(case.submitted_at, "SHORT_DATETIME_FORMAT"),
            waiting=(live_waiting(case, labels) if live else WAITING_MARK)
            if case.status != Case.Status.CLOSED
            else "",
            flags=labels.flags_html(case.flags, case.rules_version),
            status=labels.status(case.status),
            follow_up=(
                labels.format_date(case.follow_up_on, "SHORT_DATE_FORMAT")
                if case.status == Case.Status.FOLLOW_UP and case.follow_up_on
                else ""
            ),
            actor_name=case.actor_name,
            acted=(live_acted(case, labels) if live else ACTED_MARK) if case.actor_name else "",
            assignee=labels.text(ASSIGNED, name=case.assignee_name) if case.assignee_name else "",
            closable=case_closable_in_bulk(case.level, case.status),
            chosen=False,
        )
        for case in cases
    ]


def live_waiting(case, labels: Labels) -> SafeString:
    """ "waiting 3 days": how long an open case has waited, as of this request."""
    return labels.text(WAITING, time=labels.waiting(case.submitted_at))


def live_acted(case, labels: Labels) -> SafeString:
    """ "2 hours ago": when someone last acted on the case, as of this request."""
    return labels.text(AGO, time=labels.waiting(case.last_acted_at))


def worklist_rows_html(
    cases, *, query: str, labels: Labels, bulk_closable: bool, chosen=frozenset()
) -> list[SafeString]:
    """The worklist's rows as HTML, each a cached fragment (`clinic.fragments`).

    A row's key is the `WorklistRow` itself (every value the row prints: level, flags and rule set,
    status, name, phone, assignment, last actor...), the filters carried in its link, whether the
    list can be closed in bulk and whether the row is ticked; the language and time zone are added
    by `fragment_key`. Only the missing rows are rendered. The texts that change with the clock
    are put in on every request, outside the cache.
    """
    template = get_template("triage/_worklist_row.html")

    def render(missing) -> list[str]:
        views = worklist_rows(missing, query=query, labels=labels, live=False)
        for view in views:
            view["chosen"] = view["pk"] in chosen
        return [template.render({"row": view, "bulk_closable": bulk_closable}) for view in views]

    fragments = cached_fragments(
        "worklist-row", cases, lambda case: (case, query, bulk_closable, case.pk in chosen), render
    )
    rows = []
    for case, fragment in zip(cases, fragments, strict=True):
        if case.status != Case.Status.CLOSED:
            fragment = fragment.replace(WAITING_MARK, live_waiting(case, labels))
        if case.actor_name:
            fragment = fragment.replace(ACTED_MARK, live_acted(case, labels))
        rows.append(_markup(fragment))
    return rows


# The trend chart's measures, top to bottom (triage/trend.py draws them).
TREND_LEVELS = (
    CaseLevel.ROUTINE,
    CaseLevel.FOLLOW_UP,
    CaseLevel.PRIORITY,
    CaseLevel.URGENT,
    CaseLevel.EMERGENCY,
)


@dataclass(frozen=True)
class TrendRow:
    """One questionnaire in the chart's data table, oldest first."""

    when: datetime
    is_current: bool
    episodes: int
    amount: str
    pain: int
    level: int


@dataclass(frozen=True)
class TrendView:
    chart: Chart
    rows: list[TrendRow]
    latest: TrendRow


def case_trend(history) -> TrendView | None:
    """The trend chart and its data table from the patient's history (`selectors.case_history`).

    Levels are drawn from routine to emergency; a questionnaire the rules
    could not assess has no level and leaves a gap in that panel.
    """
    entries = sorted(history.entries, key=lambda item: item.submitted_at)
    if not entries:
        return None
    series = (
        Series("episodes", gettext("Bleeding episodes (3 months)")),
        Series(
            "amount",
            gettext("Bleeding amount"),
            top=len(rules.BLEEDING_AMOUNTS) - 1,
            bottom_label=str(AMOUNT_LABELS["none"]),
            top_label=gettext("heavy"),
        ),
        Series("pain", gettext("Worst pain (0-10)"), top=10, top_label="10"),
        Series(
            "level",
            gettext("Level"),
            top=len(TREND_LEVELS) - 1,
            bottom_label=str(CaseLevel.ROUTINE.label),
            top_label=str(CaseLevel.EMERGENCY.label),
        ),
    )
    points = [
        {
            "when": item.submitted_at,
            "is_current": item.is_current,
            "episodes": item.bleeding_episodes_3m,
            "amount": item.amount_rank,
            "amount_text": AMOUNT_LABELS.get(item.bleeding_amount, item.bleeding_amount),
            "pain": item.pain,
            "level": TREND_LEVELS.index(item.level) if item.level in TREND_LEVELS else None,
            "level_text": level_badge_context(item.level)["label"],
        }
        for item in entries
    ]
    rows = [
        TrendRow(
            when=item.submitted_at,
            is_current=item.is_current,
            episodes=item.bleeding_episodes_3m,
            amount=str(AMOUNT_LABELS.get(item.bleeding_amount, item.bleeding_amount)),
            pain=item.pain,
            level=item.level,
        )
        for item in entries
    ]
    return TrendView(chart=trend_chart(points, series), rows=rows, latest=rows[-1])


def worklist_summary(filters, flag_label: str = "") -> list[str]:
    """What the filtered worklist shows, one phrase per filter, in the active language.

    `filters` is a `WorklistFilters`; every combination is described, so the
    header never says "open cases" over a list of closed ones.
    """
    parts = []
    if filters.levels:
        names = ", ".join(str(CaseLevel(level).label) for level in LEVEL_ORDER if level in filters.levels)
        parts.append(gettext("level: %(levels)s") % {"levels": names})
    elif filters.include_all:
        parts.append(gettext("every level, routine included"))
    else:
        parts.append(gettext("flagged cases (follow-up or more urgent)"))
    if filters.statuses:
        statuses = dict(Case.Status.choices)
        names = ", ".join(str(statuses[value]) for value in Case.Status.values if value in filters.statuses)
        parts.append(gettext("status: %(statuses)s") % {"statuses": names})
    elif filters.include_all:
        parts.append(gettext("every status, closed included"))
    else:
        parts.append(gettext("open (not closed)"))
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
    if filters.assignee is not None:
        parts.append(gettext("assigned to you"))
    elif filters.unassigned:
        parts.append(gettext("not assigned to anyone"))
    return parts


def case_flags_html(codes, version: int | None) -> SafeString:
    """A case's flags with their reasons, as the case page lists them: a cached fragment.

    The key is the flags themselves and the rule set that defines their labels, reasons and levels,
    so a re-assessment that changes either is a new fragment.
    """
    codes = tuple(codes or ())
    return cached_fragment(
        "case-flags",
        (codes, version),
        lambda: render_to_string("triage/_case_flags.html", {"flags": flag_items(codes, version)}),
    )


def answers_html(submission, template_name: str) -> SafeString:
    """A sent questionnaire's answers by section, printed by `template_name`: a cached fragment.

    Sent answers are never changed; the key still names the answers themselves with the submission
    and its questionnaire version, so even a corrected import could not show stale answers. Answers
    the questionnaire does not know (an import, an older form) are passed as `extra_answers`.
    """
    answers = submission.answers if isinstance(submission.answers, dict) else {}
    version = submission.questionnaire_version

    def render() -> str:
        known = rules.rule_set(version).fields_by_name
        return render_to_string(
            template_name,
            {
                "sections": readable_answers(answers, version),
                "extra_answers": [(name, value) for name, value in answers.items() if name not in known],
            },
        )

    return cached_fragment(f"answers:{template_name}", (submission.pk, version, answers), render)


def timeline_events_html(events) -> list[SafeString]:
    """The case timeline's events, each a cached fragment.

    Events are only ever added; the key names each event's own values and the display name of the
    person who acted, so a name change shows on the next request.
    """
    events = list(events)
    template = get_template("triage/_timeline_event.html")

    def parts(event) -> tuple:
        actor = event.actor.display_name if event.actor else None
        return (
            event.pk,
            event.kind,
            event.created_at,
            event.from_status,
            event.to_status,
            event.follow_up_on,
            event.text,
            event.detail,
            actor,
        )

    return cached_fragments(
        "timeline-event",
        events,
        parts,
        lambda missing: [template.render({"event": event}) for event in missing],
    )


# Stand-ins in a cached form for what belongs to one request: letters only, which escaping keeps.
CSRF_MARK = "csrftokenfragmentmark"
LIVE_MARK = "livevaluefragmentmark"


def unbound_form_html(request, kind: str, form) -> SafeString:
    """A crispy form as first shown (unbound, no errors), rendered once per `form.fragment_parts()`.

    The CSRF token and the values that must differ on each showing (`form.LIVE_INITIAL`, such as
    a booking's once-only key) are never stored: the cached rendering holds stand-ins, replaced by
    this request's values. A bound form, with the doctor's input or errors, is never cached.
    """
    if form.is_bound:
        raise ValueError("Only an unbound form is cached.")
    live = {name: form.initial[name] for name in form.LIVE_INITIAL if name in form.fields}

    def render() -> str:
        saved = dict(form.initial)
        form.initial.update({name: f"{LIVE_MARK}{index}" for index, name in enumerate(live)})
        try:
            return render_crispy_form(form, context={"csrf_token": CSRF_MARK})
        finally:
            form.initial.clear()
            form.initial.update(saved)

    markup = str(cached_fragment(kind, form.fragment_parts(), render)).replace(CSRF_MARK, get_token(request))
    for index, value in enumerate(live.values()):
        markup = markup.replace(f"{LIVE_MARK}{index}", _escape(value))
    return _markup(markup)


def case_history_html(history) -> SafeString:
    """The case page's trend chart and questionnaire history: a cached fragment.

    The key is the history itself (`selectors.PatientHistory`: every questionnaire's date, level,
    status and answers as shown, and how many count towards recurrence), so a new questionnaire, a
    re-assessment or a closed case elsewhere in her history is a new fragment.
    """
    return cached_fragment(
        "case-history",
        (tuple(history.entries), history.recent_bleeding_reports, history.truncated),
        lambda: render_to_string(
            "triage/_case_history.html", {"history": history, "trend": case_trend(history)}
        ),
    )


def day_rows_html(visits) -> list[SafeString]:
    """The day's list of visits (`visits.selectors.DayVisit`), each row a cached fragment.

    The key is every value the row prints: the visit's time, length, kind and state, the person's
    name, age and phone, and the level, score, flags and rule set of her questionnaire's case (or
    whether a draft was started).
    """
    template = get_template("triage/visits/_day_row.html")

    def parts(item) -> tuple:
        visit, case = item.visit, item.case
        return (
            visit.pk,
            visit.starts_at,
            visit.duration_minutes,
            visit.kind,
            visit.state,
            visit.patient_id,
            item.name,
            item.phone,
            item.age,
            (case.pk, case.level, case.score, tuple(case.flags or ()), case.rules_version) if case else None,
            item.draft_started,
        )

    return cached_fragments(
        "day-row", list(visits), parts, lambda missing: [template.render({"item": item}) for item in missing]
    )
