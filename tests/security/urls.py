"""Every URL pattern of the project, for the sweeps."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# The Django admin's own pages (model lists, change forms, its JS catalogue...) sit behind
# `admin_view`, which requires an active staff account, and behind per-model permissions;
# the sweeps keep its entry points (index and login) and leave the rest to Django's tests.
# The audit log's admin is tested for being read-only in test_audit_retention.py.
ADMIN_PREFIX = "admin/"
ADMIN_ENTRY_POINTS = {"admin:index", "admin:login"}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    converters: tuple[tuple[str, object], ...]  # (keyword, converter) of each URL parameter

    def sample_kwargs(self) -> dict:
        """Some value each parameter accepts, for requests where any value will do."""
        return {name: ("1" if converter.regex == "[0-9]+" else "x") for name, converter in self.converters}


def _walk(patterns, prefix="", namespace=None, converters=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                inner,
                converters + tuple(pattern.pattern.converters.items()),
            )
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield Route(
                name=name or "",
                route=prefix + str(pattern.pattern),
                converters=converters + tuple(pattern.pattern.converters.items()),
            )


def project_routes() -> list[Route]:
    """Each reachable route once (a route shadowed by an earlier one with the same path is left out)."""
    seen = set()
    routes = []
    for route in _walk(get_resolver().url_patterns):
        if route.route.startswith(ADMIN_PREFIX) and route.name not in ADMIN_ENTRY_POINTS:
            continue
        if route.route in seen:
            continue
        seen.add(route.route)
        routes.append(route)
    return routes
