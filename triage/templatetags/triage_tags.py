"""Template helpers for the doctor's pages: level badges, flag labels, waiting times."""

from dataclasses import dataclass

from django import template
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from triage import rules
from triage.models import Level

register = template.Library()

# Each level has a shape as well as a colour, so it never depends on colour alone.
LEVEL_STYLES = {
    Level.REVIEW: ("review", "⚠"),
    Level.EMERGENCY: ("emergency", "▲"),
    Level.PRIORITY: ("priority", "◆"),
    Level.FOLLOW_UP: ("follow-up", "●"),
    Level.ROUTINE: ("routine", "○"),
}


@dataclass(frozen=True)
class FlagItem:
    code: str
    label: str
    reason: str
    level: str


@register.inclusion_tag("triage/_level_badge.html")
def level_badge(level):
    """A level as a badge: icon, text and colour together."""
    try:
        level = Level(level)
    except ValueError:
        return {"css": "unknown", "icon": "?", "label": str(level)}
    css, icon = LEVEL_STYLES[level]
    return {"css": css, "icon": icon, "label": level.label}


@register.filter
def flag_items(codes) -> list[FlagItem]:
    """Flag codes with their short label, clinical reason and own level, in the active language."""
    items = []
    for code in codes or ():
        rule = rules.FLAG_RULES_BY_CODE.get(code)
        if rule is None:
            items.append(FlagItem(code, code, "", ""))
            continue
        level = Level(int(rule.level)).label if rule.level is not None else _("Information only")
        items.append(FlagItem(code, _(rule.label), _(rule.reason), str(level)))
    return items


@register.filter
def waiting(value) -> str:
    """How long ago, in its largest unit only ("3 days"), to keep rows short."""
    if not value:
        return ""
    return timesince(value, depth=1)


@register.filter
def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


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


@register.filter
def amount_label(value) -> str:
    return str(AMOUNT_LABELS.get(value, value))


@register.filter
def trend_label(value) -> str:
    return str(TREND_LABELS.get(value, value))
