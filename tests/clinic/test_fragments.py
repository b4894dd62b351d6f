"""Fragments are cached under keys made of what they show: a change of any part is a new key."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from django.core.cache import caches
from django.template import engines
from django.utils import translation
from django.utils.translation import gettext_lazy

from clinic.fragments import DECLARED, Fragment, cached_fragment, cached_fragments, fragment_key


def counting_renderer():
    calls = []

    def render(items):
        calls.append(list(items))
        return [f"<li>{item}</li>" for item in items]

    return render, calls


def test_the_key_changes_with_every_part_and_the_language():
    with translation.override("it"):
        italian = fragment_key("row", 1, 3)
        assert fragment_key("row", 1, 3) == italian
        assert fragment_key("row", 1, 4) != italian
        assert fragment_key("case", 1, 3) != italian
    with translation.override("en"):
        assert fragment_key("row", 1, 3) != italian


def test_a_fragment_is_rendered_once_and_then_read(fragment_cache):
    render, calls = counting_renderer()
    first = cached_fragments("row", [1, 2], lambda item: (item,), render)
    again = cached_fragments("row", [2, 1, 3], lambda item: (item,), render)
    assert first == ["<li>1</li>", "<li>2</li>"]
    assert again == ["<li>2</li>", "<li>1</li>", "<li>3</li>"]
    if fragment_cache == "cache on":
        assert calls == [[1, 2], [3]]
    else:
        assert calls == [[1, 2], [2, 1, 3]]


def test_a_new_version_renders_anew(fragment_cache):
    versions = {"case": 1}

    def show():
        return cached_fragment("case", ("case-7", versions["case"]), lambda: f"version {versions['case']}")

    assert show() == "version 1"
    versions["case"] = 2
    assert show() == "version 2"


def test_the_cache_stays_bounded_however_many_fragments_are_rendered(settings):
    fragments = settings.CACHES["fragments"]
    settings.CACHES = {**settings.CACHES, "fragments": {**fragments, "OPTIONS": {"MAX_ENTRIES": 20}}}
    render, _calls = counting_renderer()
    for start in range(0, 200, 10):
        cached_fragments("row", list(range(start, start + 10)), lambda item: (item,), render)
    assert 0 < len(caches["fragments"]._cache) <= 20


@dataclass(frozen=True)
class Shown:
    name: str
    flags: tuple[str, ...] = ()


@dataclass
class Editable:
    name: str


class Opaque:
    """An object whose repr() says nothing of what a fragment would show of it."""

    def __init__(self, name):
        self.name = name


@pytest.mark.parametrize(
    "part",
    [
        pytest.param(Opaque("Maria"), id="any-object"),
        pytest.param(Editable("Maria"), id="mutable-dataclass"),
        pytest.param(gettext_lazy("Routine"), id="lazy-translation"),
        pytest.param((1, Opaque("Maria")), id="inside-a-tuple"),
        pytest.param({"name": Opaque("Maria")}, id="inside-a-dict"),
        pytest.param(Shown("Maria", (Opaque("x"),)), id="inside-a-frozen-dataclass"),
    ],
)
def test_a_key_refuses_anything_but_primitive_values_and_frozen_dataclasses(part):
    with pytest.raises(TypeError, match="fragment key"):
        fragment_key("row", part)


def test_a_key_takes_primitive_values_containers_of_them_and_frozen_dataclasses():
    parts = (
        None,
        True,
        7,
        1.5,
        "Maria",
        date(2026, 12, 3),
        datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
        [1, 2],
        {"b": 2, "a": [1]},
        frozenset({"X", "Y"}),
        Shown("Maria", ("RECURRENT",)),
    )
    assert fragment_key("row", *parts) == fragment_key("row", *parts)
    assert fragment_key("row", Shown("Maria", ("RECURRENT",))) != fragment_key("row", Shown("Maria", ()))
    assert fragment_key("row", {"a": 1, "b": 2}) == fragment_key("row", {"b": 2, "a": 1})


def fresh_templates():
    """Forget compiled templates, as a new start of the portal does."""
    for engine in engines.all():
        for loader in engine.engine.template_loaders:
            if hasattr(loader, "reset"):
                loader.reset()


@pytest.fixture
def undeclared():
    """Fragments made by a test, taken out of the portal's declared ones afterwards."""
    before = list(DECLARED)
    yield
    DECLARED[:] = before


def test_the_markup_version_is_a_digest_of_the_template_and_what_it_includes(settings, tmp_path, undeclared):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    (tmp_path / "row.html").write_text('<tr>{{ row }}{% include "cell.html" %}</tr>')
    (tmp_path / "cell.html").write_text("<td>{{ row }}</td>")
    fragment = Fragment("row.html", key=lambda row: (row,))
    first = fragment.digest()

    (tmp_path / "cell.html").write_text("<td class='x'>{{ row }}</td>")
    fresh_templates()
    after_include = fragment.digest()
    (tmp_path / "row.html").write_text('<tr class="y">{{ row }}{% include "cell.html" %}</tr>')
    fresh_templates()
    after_template = fragment.digest()

    assert len({first, after_include, after_template}) == 3
    assert fragment.key(1) != fragment_key("row.html", 1)


def test_every_declared_fragment_has_the_digest_of_its_templates_from_start_up():
    assert DECLARED, "the presenters declare their fragments"
    versions = {fragment.kind: fragment._version for fragment in DECLARED}
    assert None not in versions.values()
    assert versions == {fragment.kind: fragment.digest() for fragment in DECLARED}
