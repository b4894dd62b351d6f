"""Rendered pieces of pages, cached under keys that name exactly what they show.

A fragment's key is built from everything its HTML depends on: the object's id and version (or
the values themselves), the language and the rule set. When any of them changes the key changes,
so a cached fragment is never stale and there is nothing to invalidate; an old key is simply never
asked for again and ages out of the bounded cache. What changes with the clock ("waiting 3
minutes") stays outside the fragments, and which objects a page shows is always read live.

Each fragment is declared once, as a `Fragment`, by the presenter that renders it: its template and
its key recipe side by side. The key takes primitive values and frozen dataclasses only (`key_parts`):
the `repr()` of any other object can leave out what the markup shows and serve one fragment for
another. The markup's version is a digest of the template's source, of every template it includes
and of the code that writes markup into it, computed when the portal starts (`fragments_digest`):
after a release that changes any of them, no server, sharing a cache or not, can find old markup.

With `FRAGMENT_CACHE` off (settings) the "fragments" cache is Django's dummy cache: every fragment
is rendered each time, and pages look the same.
"""

import dataclasses
import datetime
import decimal
import hashlib
import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from django.core.cache import caches
from django.template import Node
from django.template.library import InclusionNode
from django.template.loader import get_template
from django.template.loader_tags import IncludeNode
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

T = TypeVar("T")

ALIAS = "fragments"

# Values a key may hold as they are; containers of them and frozen dataclasses are taken apart.
PRIMITIVES = (
    type(None),
    bool,
    int,
    float,
    str,
    bytes,
    decimal.Decimal,
    datetime.date,
    datetime.time,
    datetime.timedelta,
)

# Every declared fragment, so that their versions are computed when the portal starts.
DECLARED: list["Fragment"] = []


def key_parts(value):
    """`value` as plain nested tuples, for a key; TypeError for anything but primitive values,
    lists, tuples, sets and dicts of them, and frozen dataclasses.

    Enumerations (choices) count as the plain value they stand for.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, PRIMITIVES):
        return value
    if isinstance(value, list | tuple):
        return tuple(key_parts(item) for item in value)
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted((key_parts(item) for item in value), key=repr)))
    if isinstance(value, dict):
        items = ((key_parts(name), key_parts(item)) for name, item in value.items())
        return ("dict", tuple(sorted(items, key=lambda pair: repr(pair[0]))))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if not type(value).__dataclass_params__.frozen:
            raise TypeError(f"A fragment key takes frozen dataclasses only, not {type(value).__qualname__}.")
        fields = tuple(
            (field.name, key_parts(getattr(value, field.name))) for field in dataclasses.fields(value)
        )
        return (type(value).__qualname__, fields)
    raise TypeError(
        f"A fragment key takes primitive values and frozen dataclasses, not {type(value).__qualname__}."
    )


def fragment_key(kind: str, *parts, version: str = "") -> str:
    """`kind` and a digest of `parts` (`key_parts`) with the markup's `version`, the active language
    and the time zone (dates are printed in it): short, and safe for any cache."""
    scope = (version, get_language(), timezone.get_current_timezone_name())
    digest = hashlib.blake2b(repr((scope, key_parts(parts))).encode(), digest_size=16).hexdigest()
    return f"{kind}:{digest}"


def _included(template) -> list[str]:
    """The names of the templates `template` includes by a fixed name, and of its inclusion tags'."""
    names = []
    for node in template.nodelist.get_nodes_by_type(Node):
        if isinstance(node, IncludeNode) and isinstance(node.template.var, str):
            names.append(str(node.template.var))
        elif isinstance(node, InclusionNode) and isinstance(node.filename, str):
            names.append(node.filename)
    return names


def template_sources(name: str) -> list[str]:
    """The source of template `name` and of every template it includes, included ones after it."""
    sources, seen, waiting = [], set(), [name]
    while waiting:
        current = waiting.pop(0)
        if current in seen:
            continue
        seen.add(current)
        template = get_template(current).template
        sources.append(template.source)
        waiting.extend(_included(template))
    return sources


class Fragment:
    """One kind of cached fragment: its template, its key recipe and its markup's version.

    `key` turns what a presenter passes for one fragment into the values its HTML depends on.
    `templates` are the templates that print it (the first names it, unless `kind` does); `code`
    the modules whose Python writes markup into it (chips, a chart's geometry, a form's layout).
    """

    def __init__(self, *templates: str, key: Callable[..., tuple], code: Iterable = (), kind: str = ""):
        if not templates:
            raise ValueError("A fragment names the template that prints it.")
        self.templates = templates
        self.kind = kind or templates[0]
        self.recipe = key
        self.code = tuple(code)
        self._version: str | None = None
        DECLARED.append(self)

    def __repr__(self):
        return f"Fragment({self.kind!r})"

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = self.digest()
        return self._version

    def digest(self) -> str:
        """A digest of the templates' sources (with what they include) and of the markup code."""
        digest = hashlib.blake2b(digest_size=8)
        for name in self.templates:
            for source in template_sources(name):
                digest.update(source.encode())
        for module in self.code:
            digest.update(inspect.getsource(module).encode())
        return digest.hexdigest()

    def key(self, *args, **kwargs) -> str:
        return fragment_key(self.kind, *self.recipe(*args, **kwargs), version=self.version)

    def one(self, render: Callable[[], str], *args, **kwargs) -> SafeString:
        """The fragment keyed by `key(*args, **kwargs)`: from the cache, or rendered and stored."""
        return _cached(self.key(*args, **kwargs), render)

    def many(self, items: Sequence[T], render: Callable[[list[T]], list[str]], **kwargs) -> list[SafeString]:
        """The fragments of many items (each keyed by `key(item, **kwargs)`) with one cache round
        trip; only the missing ones are rendered, together."""
        return _cached_many([self.key(item, **kwargs) for item in items], items, render)


def fragments_digest() -> dict[str, str]:
    """Compute the markup version of every declared fragment (when the portal starts)."""
    for fragment in DECLARED:
        fragment._version = fragment.digest()
    return {fragment.kind: fragment.version for fragment in DECLARED}


def cached_fragment(kind: str, parts: tuple, render: Callable[[], str]) -> SafeString:
    """One fragment of an undeclared `kind` (keyed by its parts alone)."""
    return _cached(fragment_key(kind, *parts), render)


def cached_fragments(
    kind: str, items: Sequence[T], parts: Callable[[T], tuple], render: Callable[[Iterable[T]], list[str]]
) -> list[SafeString]:
    """The fragments of many items of an undeclared `kind` with one cache round trip; only the
    missing ones are rendered, together (`render` takes the missing items and returns their HTML
    in the same order)."""
    return _cached_many([fragment_key(kind, *parts(item)) for item in items], items, render)


def _cached(key: str, render: Callable[[], str]) -> SafeString:
    cache = caches[ALIAS]
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html)
    return _safe(html)


def _cached_many(keys: list[str], items: Sequence[T], render) -> list[SafeString]:
    cache = caches[ALIAS]
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
