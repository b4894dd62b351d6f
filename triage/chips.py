"""Level badges and flag chips, printed the same way on every doctor's page.

A flag chip carries its own level's colour and shape, its label, the level in words for screen
readers and the clinical reason on hover and focus; `Chips` builds each chip once per request.
This module is also the one place where markup built in Python is marked safe (`markup`).
"""

import html
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy, ngettext

from . import rules
from .models import CaseLevel


def markup(text: str) -> SafeString:
    """Mark markup built in this module as safe: the one place it happens.

    Callers pass this module's constant HTML, translations from the clinic's
    own catalogue (printed as `{% translate %}` prints them), or fragments
    whose every inserted value went through `escape()`.
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


NONE_HTML = markup('<span class="text-body-secondary">—</span>')

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
    """A case's chips in order, all of them or the first `limit` then "+N" (`Chips.flags_html`)."""
    return Chips().flags_html(codes, version, limit=limit)


def more_flags_html(hidden: list[FlagItem]) -> SafeString:
    """The "+N" after a row's first chips, naming the hidden flags on hover, focus and to screen readers."""
    labels = ", ".join(item.label for item in hidden)
    spoken = ngettext("%(count)s more flag: %(labels)s", "%(count)s more flags: %(labels)s", len(hidden)) % {
        "count": len(hidden),
        "labels": labels,
    }
    return format_html(MORE_FLAGS_HTML, labels, len(hidden), spoken)


# An overdue case (RULES.md 11.2, S8): a shape and a word, never colour alone, and by how long.
OVERDUE_HTML = (
    '<span class="badge overdue-marker" title="{}"><span aria-hidden="true">◷</span> {}'
    ' <span class="overdue-by">{}</span></span>'
)
OVERDUE = gettext_lazy("Overdue")
OVERDUE_BY = gettext_lazy("by %(time)s")
OVERDUE_TITLE = gettext_lazy("Nobody has acted on this case by its deadline, %(deadline)s.")


def overdue_for(late: timedelta) -> str:
    """How long past its deadline, in the active language: "25 min", "2 h 10 min", "3 days".

    Clock time, not working time: she has been waiting that long, whether the clinic was open or not.
    """
    minutes = max(1, int(late.total_seconds() // 60))
    if minutes < 60:
        return gettext("%(minutes)s min") % {"minutes": minutes}
    if minutes < 24 * 60:
        hours, minutes = divmod(minutes, 60)
        if not minutes:
            return gettext("%(hours)s h") % {"hours": hours}
        return gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    days = minutes // (24 * 60)
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}


def overdue_html(act_by: datetime, now: datetime) -> SafeString:
    """The overdue marker: "◷ Overdue by 2 h 10 min", its deadline on hover."""
    deadline = date_format(timezone.localtime(act_by), "DATETIME_FORMAT")
    return format_html(
        OVERDUE_HTML,
        OVERDUE_TITLE % {"deadline": deadline},
        OVERDUE,
        OVERDUE_BY % {"time": overdue_for(now - act_by)},
    )


def escape(value) -> str:
    """`conditional_escape` without its lazy-string wrapper, which cost more than the escaping."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class Chips:
    """Badges and chips used row after row, each built once per request."""

    def __init__(self):
        self._badges: dict = {}
        self._flags: dict[str, FlagItem] = {}
        self._flag_html: dict[tuple, SafeString] = {}
        self._row_flags: dict[tuple, SafeString] = {}

    def badge(self, level) -> SafeString:
        """The level badge's HTML, as `{% level_badge level %}` renders it."""
        made = self._badges.get(level)
        if made is None:
            made = self._badges[level] = render_to_string(
                "triage/_level_badge.html", level_badge_context(level)
            )
        return made

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
        made = self._row_flags.get(key)
        if made is not None:
            return made
        items = self.flags(codes, version)
        if not items:
            return NONE_HTML
        shown = items if limit is None else items[:limit]
        parts = [self._chip(item, version) for item in shown]
        if len(items) > len(shown):
            parts.append(more_flags_html(items[len(shown) :]))
        made = self._row_flags[key] = markup("\n    ".join(parts))
        return made

    def _chip(self, item: FlagItem, version) -> SafeString:
        made = self._flag_html.get((item.code, version))
        if made is None:
            made = self._flag_html[item.code, version] = flag_chip_html(item)
        return made
