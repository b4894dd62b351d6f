"""Fragments are cached under keys made of what they show: a change of any part is a new key."""

from django.core.cache import caches
from django.utils import translation

from clinic.fragments import cached_fragment, cached_fragments, fragment_key


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
