"""Template helpers for the doctor's pages: level badges, flag labels, waiting times, amounts."""

from django import template
from django.utils.timesince import timesince

from triage import rules
from triage.cases.summary import AMOUNT_LABELS, TREND_LABELS
from triage.chips import flag_chip_html, flag_chips_html, level_badge_context
from triage.chips import flag_items as flag_chip_items

register = template.Library()


@register.inclusion_tag("triage/_level_badge.html")
def level_badge(level):
    """A level as a badge: icon, text and colour together."""
    return level_badge_context(level)


@register.filter
def flag_items(codes, version=None):
    """Flag codes as chips (label, reason, own level and its style) of rule set `version`, in RULES.md order."""
    return flag_chip_items(codes, version)


@register.filter
def flag_chip(item):
    """One chip of `flag_items`, as the worklist prints it."""
    return flag_chip_html(item)


@register.simple_tag
def flag_chips(codes, version=None, limit=None):
    """A case's flag chips in RULES.md order (informational last): all, or `limit` then "+N".

    `{% flag_chips case.flags case.rules_version limit=4 %}` prints what a worklist row shows.
    """
    return flag_chips_html(codes, version, limit)


@register.filter
def waiting(value) -> str:
    """How long ago, in its largest unit only ("3 days"), to keep rows short."""
    if not value:
        return ""
    return timesince(value, depth=1)


@register.filter
def amount_label(value) -> str:
    return str(AMOUNT_LABELS.get(value, value))


@register.filter
def trend_label(value) -> str:
    return str(TREND_LABELS.get(value, value))


@register.filter
def amount_pips(rank) -> list[bool]:
    """The amount gauge: one pip per step of the RULES.md scale above "none", filled up to `rank`."""
    return [step <= rank for step in range(1, len(rules.BLEEDING_AMOUNTS))]


@register.filter
def level_label(level) -> str:
    """A level's name in words, as its badge says it."""
    return str(level_badge_context(level)["label"])


@register.simple_tag
def recurrence_window_days() -> int:
    """How many days back an earlier questionnaire counts towards recurrence (RULES.md 6)."""
    return rules.RECURRENCE_WINDOW_DAYS
