"""Settings for the load benchmark: production settings plus two baseline views.

Everything else comes from `clinic.settings` and the environment that
`bench/run.py` sets (debug off, a random secret key, PostgreSQL), so the
pages are measured as they run in production.
"""

import os
from pathlib import Path

from clinic.settings import *  # noqa: F403
from clinic.settings import BASE_DIR

# The baselines are mounted here only, never in the portal's own URLs.
ROOT_URLCONF = "bench.urls"

# collectstatic goes to a throw-away folder; the manifest storage needs it.
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", BASE_DIR / "var" / "bench-static"))

# Urgent submissions would mail the doctors; the message is built, then dropped.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
