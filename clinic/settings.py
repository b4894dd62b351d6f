"""Settings for the clinic portal.

Everything that differs between a laptop and production comes from the
environment (see `.env.example`). With no environment at all the portal runs
as a local demo: debug on, SQLite under `var/`, emails printed to the console.
Setting `DJANGO_SECRET_KEY` marks a real deployment, where debug defaults to
off and the secure settings below switch on.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", default=not SECRET_KEY)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # A known key is safe here only because this branch runs with debug on, for the local demo.
    SECRET_KEY = "django-insecure-local-demo-key-never-use-in-production"  # nosec B105

# Old keys still accepted for signatures (sessions, password-reset links) while a new key is rolled
# out; see docs/security.md, "Rotating the secret key".
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "clinic.apps.ClinicConfig",
    "patients",
    "triage",
    "outbox",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "pgtrigger",
]

MIDDLEWARE = [
    "clinic.middleware.RequestIdMiddleware",
    "clinic.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "clinic.middleware.PrivateResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "clinic.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinic.middleware.BadParameterMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "patients.context_processors.roles",
                "patients.context_processors.live_alarms",
                "clinic.context_processors.clinic",
            ],
        },
    },
]

# Database: SQLite for a zero-setup local run, PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing on SQLite and keep files locked.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Writers queue instead of failing with "database is locked": a transaction takes the write lock
    # when it begins (IMMEDIATE), so the one that waits reads what the other wrote, as on PostgreSQL
    # with select_for_update, and a conflicting change gets the same conflict message; WAL lets
    # readers go on during a write; the timeout is how long a writer waits for the lock (seconds).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )
    (BASE_DIR / "var").mkdir(exist_ok=True)
elif env_bool("DJANGO_DB_POOL", default=False):
    # psycopg's connection pool, one per process: connections are reused without being held between
    # requests, so Django's persistent connections must be off (it refuses both at once).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DJANGO_DB_POOL_MIN_SIZE", "1")),
        "max_size": int(os.environ.get("DJANGO_DB_POOL_MAX_SIZE", "4")),
        "timeout": int(os.environ.get("DJANGO_DB_POOL_TIMEOUT", "10")),
    }
if env_bool("DJANGO_DB_DISABLE_SERVER_SIDE_CURSORS", default=False):
    # Behind PgBouncer in transaction mode a cursor cannot outlive its transaction (docs/operations.md).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts
AUTH_USER_MODEL = "patients.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "patients:start"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
# Reset emails are limited quietly (patients.services.password_reset_allowed): per inbox and per address.
PASSWORD_RESET_WINDOW = timedelta(hours=1)
PASSWORD_RESET_LIMIT_PER_EMAIL = 3
PASSWORD_RESET_LIMIT_PER_ADDRESS = 10
# Email verification (patients.verification): a link is valid for 3 days and used once; she may
# ask for it again at most 3 times an hour.
EMAIL_VERIFICATION_TIMEOUT = 60 * 60 * 24 * 3
EMAIL_VERIFICATION_WINDOW = timedelta(hours=1)
EMAIL_VERIFICATION_LIMIT = 3
# django-axes checks for a lockout before any password is hashed; the model backend stays last
# because sign-up logs the new patient in through AUTHENTICATION_BACKENDS[-1].
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "clinic.backends.ModelBackendOneQuery",
]
# Version of the privacy notice a patient consents to; bump it when the text changes.
PRIVACY_NOTICE_VERSION = "2026-11"
DOCTORS_GROUP = "doctors"

# Internationalisation: Italian first, English on request.
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
# Ours come first, so the clinic's catalogue overrides Django's own wording (clinic/django_messages.py).
LOCALE_PATHS = [BASE_DIR / "locale"]
# One home for the date formats of each language (clinic/formats/).
FORMAT_MODULE_PATH = ["clinic.formats"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

# Static files, served by WhiteNoise in production: no separate web server, no CDN.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Local runs pick up static files as they change, without collectstatic.
WHITENOISE_AUTOREFRESH = DEBUG
# Files browsers ask for at the site's root (/favicon.ico), served as they are by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "public"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: printed to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=True)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Every email is queued in the database (outbox) and sent by the task worker (`manage.py db_worker`),
# never inside a request. After a failed attempt the next waits this many seconds; after the last
# the message ends failed (docs/security.md, "Email delivery").
EMAIL_RETRY_DELAYS = (30, 120, 600, 1800, 3600, 4 * 3600)
# An attempt still "sending" after this long stopped half-way; it is reported, never sent again.
EMAIL_SEND_TIMEOUT_SECONDS = int(os.environ.get("DJANGO_EMAIL_SEND_TIMEOUT_SECONDS", str(5 * 60)))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Studio ginecologico <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Text messages (outbox/sms.py): queued and sent like emails, through the provider named here.
# "twilio" sends through Twilio's Messages API; without a provider they are written to the log,
# the number masked, as the console email backend prints emails.
SMS_BACKEND = os.environ.get("DJANGO_SMS_BACKEND", "") or "log"
SMS_TWILIO_ACCOUNT_SID = os.environ.get("DJANGO_SMS_TWILIO_ACCOUNT_SID", "")
SMS_TWILIO_AUTH_TOKEN = os.environ.get("DJANGO_SMS_TWILIO_AUTH_TOKEN", "")
# A Messaging Service, or a number, used when the clinic profile has no sender name, and to
# receive replies (STOP): a sender name (alphanumeric) cannot be answered.
SMS_TWILIO_MESSAGING_SERVICE_SID = os.environ.get("DJANGO_SMS_TWILIO_MESSAGING_SERVICE_SID", "")
SMS_FROM_NUMBER = os.environ.get("DJANGO_SMS_FROM_NUMBER", "")
SMS_TWILIO_API_URL = os.environ.get("DJANGO_SMS_TWILIO_API_URL", "https://api.twilio.com").rstrip("/")
SMS_TIMEOUT_SECONDS = float(os.environ.get("DJANGO_SMS_TIMEOUT_SECONDS", "10"))
# Waits between attempts, as for emails; a provider's "retry after" is honoured when longer.
SMS_RETRY_DELAYS = EMAIL_RETRY_DELAYS

# Caches. "default" holds small shared facts (the clinic's profile); "fragments" holds rendered
# pieces of pages under keys that name what they show, so they never go stale (clinic/fragments.py,
# docs/performance.md). Without DJANGO_CACHE_URL both live in each worker's memory, bounded by
# MAX_ENTRIES (about 5 KB an entry at most); with it (redis://host:port/db) both are in Redis, shared
# by every server, and an unreachable Redis is a miss, never an error (clinic/cache.py).
# DJANGO_FRAGMENT_CACHE=0 renders every fragment every time.
FRAGMENT_CACHE = env_bool("DJANGO_FRAGMENT_CACHE", default=True)
CACHE_URL = os.environ.get("DJANGO_CACHE_URL", "").strip()
# Redis answers in well under a millisecond; one that takes longer than this is treated as down.
CACHE_SOCKET_TIMEOUT = float(os.environ.get("DJANGO_CACHE_SOCKET_TIMEOUT", "0.25"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "clinic-default",
    },
    "fragments": {
        "BACKEND": (
            "django.core.cache.backends.locmem.LocMemCache"
            if FRAGMENT_CACHE
            else "django.core.cache.backends.dummy.DummyCache"
        ),
        "LOCATION": "clinic-fragments",
        "TIMEOUT": 7 * 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 20_000, "CULL_FREQUENCY": 4},
    },
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
if CACHE_URL:
    _redis_options = {
        "socket_connect_timeout": CACHE_SOCKET_TIMEOUT,
        "socket_timeout": CACHE_SOCKET_TIMEOUT,
        "retry_on_timeout": False,
    }
    CACHES["default"] = {
        "BACKEND": "clinic.cache.ResilientRedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "default",
        "OPTIONS": _redis_options,
    }
    if FRAGMENT_CACHE:
        CACHES["fragments"] = {
            **CACHES["default"],
            "KEY_PREFIX": "fragments",
            "TIMEOUT": CACHES["fragments"]["TIMEOUT"],
        }
    # Sessions are read from Redis and written to both: one query less on every page, and the
    # database still holds them when Redis is away.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Background tasks (django-tasks): a table in the portal's own database, worked by
# `manage.py db_worker`; no other server. docs/performance.md says when to move to Redis.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Periodic jobs, run by one `manage.py run_scheduler` (clinic/scheduler.py, docs/operations.md).
# A job is reported late (/health/, the admin, metrics) once its last success is older than its
# period plus this margin.
SCHEDULER_LATE_MARGIN_SECONDS = int(os.environ.get("DJANGO_SCHEDULER_LATE_MARGIN_SECONDS", "600"))

# Reminders to fill in the questionnaire, this many days before a booked visit
# (`manage.py send_visit_reminders`, run by a timer: see the README).
VISIT_REMINDER_DAYS = (3, 1)

# The booking system's published calendar (its address is in the clinic profile), fetched by the
# scheduler this often, with this timeout per request; only https to public addresses unless
# allowed here (a booking system on the clinic's own network). A sync failing for longer than the
# alert time is reported on /health/ and on the day's list.
CALENDAR_SYNC_MINUTES = int(os.environ.get("DJANGO_CALENDAR_SYNC_MINUTES", "15"))
CALENDAR_SYNC_TIMEOUT_SECONDS = float(os.environ.get("DJANGO_CALENDAR_SYNC_TIMEOUT_SECONDS", "20"))
CALENDAR_SYNC_ALLOW_PRIVATE = os.environ.get("DJANGO_CALENDAR_SYNC_ALLOW_PRIVATE", "") == "1"
CALENDAR_SYNC_ALERT_MINUTES = int(os.environ.get("DJANGO_CALENDAR_SYNC_ALERT_MINUTES", "60"))

# /health/ answers 503 when a due task has waited longer than this, or a task failed this recently.
HEALTH_TASK_MAX_WAIT_SECONDS = int(os.environ.get("DJANGO_HEALTH_TASK_MAX_WAIT_SECONDS", "300"))
HEALTH_FAILED_TASK_WINDOW_SECONDS = 24 * 60 * 60

# A closed account's clinical record is kept this long after its last clinical entry
# (docs/security.md, "Closing an account"), then `manage.py prune_records` deletes it.
CLINICAL_RECORD_RETENTION_YEARS = int(os.environ.get("DJANGO_CLINICAL_RECORD_RETENTION_YEARS", "10"))

# Security: strict everywhere, plus HTTPS-only settings in a real deployment (docs/security.md).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# No session outlives 12 hours; clinic.middleware.SessionTimeoutMiddleware ends idle ones sooner.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_ABSOLUTE_TIMEOUT = SESSION_COOKIE_AGE
SESSION_IDLE_TIMEOUT_STAFF = 30 * 60
SESSION_IDLE_TIMEOUT_PATIENT = 60 * 60
# Behind a reverse proxy, the client's address is the one the proxy appends to X-Forwarded-For
# (the last of them with one proxy); lockouts and the audit log use it (clinic.auth.client_ip).
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=False)
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1" if BEHIND_PROXY else "0"))
# The proxies' own addresses (as gunicorn sees them): only a request from one of them may bring its
# request id (X-Request-ID, clinic.middleware.RequestIdMiddleware).
TRUSTED_PROXY_NETWORKS = [
    ipaddress.ip_network(item, strict=False)
    for item in env_list("DJANGO_TRUSTED_PROXY_ADDRESSES", "127.0.0.1,::1")
]
X_FRAME_OPTIONS = "DENY"
# A refused form gets the portal's own 403 page, translated, with a way back.
CSRF_FAILURE_VIEW = "clinic.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # The load balancer probes the health endpoints over plain HTTP, behind the TLS proxy, and the
    # monitoring server may scrape the metrics from gunicorn itself (clinic/metrics.py).
    SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics/$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp 4): our own origin only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Brute force (django-axes, docs/security.md "Lockout"): 5 failures lock the pair (account, address)
# for 15 minutes; the address alone is locked only after many more, so that one patient's typos at
# the reception's shared address never lock the doctor out.
AXES_HANDLER = "clinic.lockout.PairAndAddressHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A fixed cool-off: attempts during a lockout neither count nor prolong it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Kept after a success too: otherwise logging into one's own account would clear the count of an
# address that is guessing someone else's password.
AXES_RESET_ON_SUCCESS = False
# Every login form (the login page, the admin's) posts the email as `username`; said explicitly,
# since django-axes would otherwise look for the user model's USERNAME_FIELD (`email`).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "clinic.auth.axes_username"
AXES_CLIENT_IP_CALLABLE = "clinic.auth.client_ip"
AXES_LOCKOUT_CALLABLE = "clinic.auth.lockout_response"
AXES_VERBOSE = False
# Masked in log lines and in the request data stored with each attempt.
AXES_SENSITIVE_PARAMETERS = ["username", "password", "ip_address"]

# Two-factor login (django-otp): staff must use it whenever debug is off; anyone may turn it on.
OTP_REQUIRED_FOR_STAFF = env_bool("DJANGO_OTP_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("DJANGO_OTP_ISSUER", "Studio ginecologico")
OTP_RECOVERY_CODES = 10
# The admin never shows a device's secret key or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Error reports never carry what was posted (answers, notes).
DEFAULT_EXCEPTION_REPORTER_FILTER = "clinic.logging.NoPostDataExceptionReporterFilter"

# One JSON object a line for a log pipeline, by default whenever debug is off; "plain" for people.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "").strip().lower() or ("plain" if DEBUG else "json")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT is plain or json.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "clinic.logging.RequestIdFilter"},
        "no_query_string": {"()": "clinic.logging.NoQueryStringFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
        "json": {
            "()": "clinic.logging.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # One handler for Django's own messages too, so errors carry the request id, and no
        # error emails (which would repeat the request) unless configured on purpose.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Its debug lines quote each request's path, which for the booking calendar holds a token.
        "urllib3": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # The development server's request lines, with the path only (docs/security.md, "Logs").
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["no_query_string"],
        },
    },
}

# Absolute address of the portal, for links in emails sent outside a request.
PORTAL_BASE_URL = os.environ.get("DJANGO_PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The address links in text messages start with: a short one leaves room for the rest of the
# 160 characters (at most SMS_LINK_BASE_MAX_LENGTH characters, checked at start-up).
SMS_LINK_BASE_URL = os.environ.get("DJANGO_SMS_LINK_BASE_URL", "").rstrip("/") or PORTAL_BASE_URL
SMS_LINK_BASE_MAX_LENGTH = 32
# Base of the FHIR canonical URLs (the Questionnaire, code systems): keep it stable once records are exchanged.
FHIR_BASE_URL = os.environ.get("DJANGO_FHIR_BASE_URL", f"{PORTAL_BASE_URL}/fhir").rstrip("/")

# Error reports (sentry-sdk): off unless a DSN is set; nothing personal leaves the server
# (clinic/observability.py).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "").strip()
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "production")
SENTRY_RELEASE = os.environ.get("SENTRY_RELEASE", "") or None
if SENTRY_DSN:
    from clinic.observability import sentry_init

    sentry_init(SENTRY_DSN, environment=SENTRY_ENVIRONMENT, release=SENTRY_RELEASE)

# Prometheus (GET /metrics/, clinic/metrics.py): answered to these addresses (the connecting hop,
# never a forwarded one) or to `Authorization: Bearer <DJANGO_METRICS_TOKEN>`; 403 to anyone else.
METRICS_TOKEN = os.environ.get("DJANGO_METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(item, strict=False)
    for item in env_list("DJANGO_METRICS_ALLOWED_ADDRESSES", "127.0.0.1,::1")
]
