"""The shared cache (Redis) as an optimisation only: Redis being down is never an outage.

Every cache in the portal holds what can be rebuilt (the clinic's profile,
rendered fragments, a copy of each session whose record is in the database),
so an error talking to Redis is answered as a miss: the caller reads the
database or renders again. Each error is logged and counted
(`clinic_cache_errors_total`); after one, the process leaves Redis alone for
`RETRY_SECONDS` instead of paying a failed connection on every call.

A write that failed (a session ended, a profile changed) may have left an old
value in Redis, if Redis itself was reachable again from elsewhere. So the
first successful call after lost writes empties the cache's Redis database
before anything is read from it: a cold cache, never a stale one. The Redis
database named in `DJANGO_CACHE_URL` therefore belongs to the portal alone
(docs/operations.md, "Shared cache").
"""

import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from . import metrics

logger = logging.getLogger(__name__)

RETRY_SECONDS = 2.0


class _Outage:
    """What one process knows about one Redis server: down until when, and whether writes were lost."""

    def __init__(self):
        self.lock = threading.Lock()
        self.retry_at = 0.0
        self.down = False
        self.writes_lost = False


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


class ResilientRedisCache(RedisCache):
    """Django's built-in Redis cache, where an error is a logged and counted miss."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._label = params.get("KEY_PREFIX") or "default"
        self._outage = _outage_for(server if isinstance(server, str) else ",".join(server))

    def _call(self, operation: str, fallback, function, *args, write: bool = False, **kwargs):
        outage = self._outage
        if outage.down and time.monotonic() < outage.retry_at:
            if write:
                outage.writes_lost = True
            return fallback
        try:
            if outage.writes_lost:
                self._cache.clear()
                outage.writes_lost = False
                logger.warning("Shared cache: emptied after writes lost while it was unreachable")
            result = function(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - redis-py raises its own errors and OSError alike
            self._failed(operation, exc, write)
            return fallback
        if outage.down:
            with outage.lock:
                outage.down = False
            logger.warning("Shared cache: reachable again")
        return result

    def _failed(self, operation: str, exc: Exception, write: bool) -> None:
        outage = self._outage
        metrics.CACHE_ERRORS.labels(cache=self._label, operation=operation).inc()
        with outage.lock:
            first = not outage.down
            outage.down = True
            outage.retry_at = time.monotonic() + RETRY_SECONDS
            if write:
                outage.writes_lost = True
        # Only the error's type: its text may hold the server's address and nothing useful beyond it.
        log = logger.error if first else logger.debug
        log("Shared cache: %s failed (%s); answering as a miss", operation, type(exc).__name__)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, super().add, key, value, timeout, version, write=True)

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, super().set, key, value, timeout, version, write=True)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version, write=True)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version, write=True)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._call("incr", None, super().incr, key, delta, version, write=True)
        if result is None:
            raise ValueError(f"Key '{key}' not found")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), super().set_many, data, timeout, version, write=True)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, super().delete_many, keys, version, write=True)

    def clear(self):
        return self._call("clear", False, super().clear, write=True)

    def ping(self) -> bool:
        """Whether Redis answers now (the health check), whatever this process last saw."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except Exception:  # noqa: BLE001
            return False


def cache_state() -> str:
    """`ok` when every shared cache answers, `degraded` when one does not, `local` without a shared cache."""
    shared = [caches[alias] for alias in ("default", "fragments")]
    shared = [cache for cache in shared if isinstance(cache, ResilientRedisCache)]
    if not shared:
        return "local"
    return "ok" if all(cache.ping() for cache in shared) else "degraded"
