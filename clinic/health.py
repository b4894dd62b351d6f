"""What an app adds to /health/: a named check that reports its state and, when something needs
attention, a warning (the status is then "degraded", never unavailable).

The health view (outbox) knows no app; an app registers its check from its `AppConfig.ready`, as
jobs are registered with the scheduler. A check returns counts, times and codes only, never
anything about a patient.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HealthCheck:
    # The warning's name when something needs attention, "" when all is well.
    warning: str = ""
    details: dict = field(default_factory=dict)


_checks: dict[str, Callable[[], HealthCheck]] = {}


def register(name: str, check: Callable[[], HealthCheck]) -> None:
    """Add (or replace) the check shown under `name` in /health/."""
    _checks[name] = check


def app_checks() -> dict[str, HealthCheck]:
    """Every registered check's result, by name."""
    return {name: check() for name, check in sorted(_checks.items())}
