"""Rendered pieces of pages, cached under keys that name exactly what they show.

A fragment's key is built from everything its HTML depends on: the object's id and version (or
the values themselves), the language and the rule set. When any of them changes the key changes,
so a cached fragment is never stale and there is nothing to invalidate; an old key is simply never
asked for again and ages out of the bounded cache. What changes with the clock ("waiting 3
minutes") stays outside the fragments, and which objects a page shows is always read live.

With `FRAGMENT_CACHE` off (settings) the "fragments" cache is Django's dummy cache: every fragment
is rendered each time, and pages look the same.
"""

import hashlib
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from django.core.cache import caches
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

T = TypeVar("T")

# Bump when the markup of every fragment changes (a deployment with new templates starts afresh).
MARKUP_VERSION = 1
ALIAS = "fragments"


def fragment_key(kind: str, *parts: Hashable) -> str:
    """`kind` and a digest of `parts` with the active language and time zone (dates are printed in
    it): short, and safe for any cache."""
    scope = (MARKUP_VERSION, get_language(), timezone.get_current_timezone_name())
    digest = hashlib.blake2b(repr((scope, parts)).encode(), digest_size=16).hexdigest()
    return f"{kind}:{digest}"


def cached_fragment(kind: str, parts: tuple, render: Callable[[], str]) -> SafeString:
    """One fragment: from the cache when its key is there, otherwise rendered and stored."""
    cache = caches[ALIAS]
    key = fragment_key(kind, *parts)
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html)
    return _safe(html)


def cached_fragments(
    kind: str, items: Sequence[T], parts: Callable[[T], tuple], render: Callable[[Iterable[T]], list[str]]
) -> list[SafeString]:
    """The fragments of many items with one cache round trip; only the missing ones are rendered,
    together (`render` takes the missing items and returns their HTML in the same order)."""
    cache = caches[ALIAS]
    keys = [fragment_key(kind, *parts(item)) for item in items]
    found = cache.get_many(keys) if keys else {}
    missing = [index for index, key in enumerate(keys) if key not in found]
    if missing:
        rendered = [str(html) for html in render([items[index] for index in missing])]
        fresh = {keys[index]: html for index, html in zip(missing, rendered, strict=True)}
        cache.set_many(fresh)
        found = {**found, **fresh}
    return [_safe(found[key]) for key in keys]


def _safe(html: str) -> SafeString:
    # Only HTML that this portal's own templates or presenters rendered is ever stored under a
    # fragment key, so what comes back is as safe as it was when it was rendered.
    return mark_safe(html)  # nosec B308 B703
