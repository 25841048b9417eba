"""Settings for the revision portal, read from the environment.

Every setting has a safe development default, so a fresh checkout runs with no configuration.
Production is switched on by setting ``SECRET_KEY`` (``DEBUG`` then defaults to off); the
docs/configuration.md lists every variable.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import quote

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable; anything but the usual spellings is an error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable into a list, ignoring blanks."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _env_number(name: str, default, parse, what: str):
    """Read a number with ``parse`` (``int`` or ``float``); blank is ``default``, anything
    ``parse`` refuses is an error that says the variable must be ``what``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {what}; got {raw!r}.") from None


def env_int(name: str, default: int) -> int:
    return _env_number(name, default, int, "a whole number")


def env_float(name: str, default: float) -> float:
    return _env_number(name, default, float, "a number")


# A deployment sets SECRET_KEY; a developer's machine does not. Tying DEBUG's default to it
# means an operator who forgets DEBUG still gets production behaviour.
_secret_key_from_env = os.environ.get("SECRET_KEY", "").strip()
DEBUG = env_bool("DEBUG", default=not _secret_key_from_env)

_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105
# Django's own deploy check asks for 50+ characters with 5+ distinct ones.
SECRET_KEY_MIN_LENGTH = 50

if _secret_key_from_env:
    SECRET_KEY = _secret_key_from_env
elif DEBUG:
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY
else:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable (50+ random "
        "characters) or set DEBUG=1 for local development."
    )

if not DEBUG:
    if SECRET_KEY == _DEVELOPMENT_SECRET_KEY or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "SECRET_KEY is the development key (or another 'django-insecure' key); production "
            'needs its own random key, e.g. from `python -c "import secrets; '
            'print(secrets.token_urlsafe(64))"`.'
        )
    if len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak: it has {len(SECRET_KEY)} characters "
            f"({len(set(SECRET_KEY))} distinct); production needs at least "
            f"{SECRET_KEY_MIN_LENGTH} random characters with at least 5 distinct ones."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "simple_history",
    "topics",
    "assessments",
    "cohorts",
    "accounts",
    "assignments",
    "notifications",
    "revision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response, static files included.
    "csp.middleware.CSPMiddleware",
    "revision_portal.middleware.PermissionsPolicyMiddleware",
    # Bodies over REQUEST_MAX_BYTES get a 413 page before a byte of them is read.
    "revision_portal.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database outage becomes a friendly 503 with Retry-After instead of a stack trace.
    "revision_portal.middleware.DatabaseUnavailableMiddleware",
    # Stores anonymous topic and search pages for everyone; outside the session, CSRF and
    # messages middleware so it sees every cookie a page would set (revision_portal.page_cache).
    "revision_portal.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store, private on everything a signed-in person is sent (issue 14).
    "revision_portal.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records which user made each change in the content/rubric history (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Counts failed logins and refuses them during a lockout, before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "revision_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "revision_portal.wsgi.application"

# SQLite in the project folder is the embedded default; production sets a postgres:// URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing on SQLite and keep the file locked in tests.
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _default_broker_url(database: dict) -> str:
    """A broker that needs no server of its own: kombu's SQLAlchemy transport on the database.

    SQLite gets a file of its own beside the database file (the queue's polling would otherwise
    contend with the app for SQLite's single writer lock); PostgreSQL keeps the queue's two
    tables in the same database, which every worker already reaches.
    """
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = str(database["NAME"])
        folder = Path(name).parent if name and not name.startswith(":memory:") else BASE_DIR
        return f"sqla+sqlite:///{folder / 'celery-broker.sqlite3'}"
    if database["ENGINE"] == "django.db.backends.postgresql":
        user = quote(database.get("USER") or "", safe="")
        password = quote(database.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        port = f":{database['PORT']}" if database.get("PORT") else ""
        # psycopg2 named: SQLAlchemy 2.1's default PostgreSQL driver is psycopg 3, not installed.
        host = database.get("HOST") or "localhost"
        return f"sqla+postgresql+psycopg2://{credentials}{host}{port}/{database['NAME']}"
    raise ImproperlyConfigured(
        "No default task broker for this database: set CELERY_BROKER_URL "
        "(redis://host:6379/1 or amqp://user:pass@host:5672//)."
    )


# The job queue (Celery; assessments/tasks.py, docs/queue.md). Production sets
# CELERY_BROKER_URL to Redis or RabbitMQ; without it the queue lives in the database, so
# `make run` needs no server but the app (and the worker it starts).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip() or _default_broker_url(
    DATABASES["default"]
)
# A message is acknowledged only once its task has finished, and a worker process that dies
# mid-task (killed, out of memory) hands its message back: nothing is lost, so every task must
# be idempotent (marking is). On the database queue a worker killed outright cannot hand its
# messages back: the next worker to start (tasks.requeue_stranded_marking) or `manage.py
# requeue_unmarked` from cron recovers their attempts (docs/queue.md).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Messages a worker process reserves ahead. Marking tasks are short (tens of milliseconds), so a
# few in hand keep a worker busy instead of waiting a polling interval between tasks on the
# database queue (bench/bench_workers.py: 141 answers/s with 4 against 92 with 1). Reserved
# messages are unacknowledged, so a worker that dies hands them back like the one in progress
# (on the database queue, only while its main process lives, as above).
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("CELERY_WORKER_PREFETCH_MULTIPLIER", 4)
# Results live in our own models (marks on responses, marked_at on attempts): no backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis: a message taken by a worker that then vanished (its machine died) is delivered again
# after this many seconds. (The database transport passes every option to SQLAlchemy's
# create_engine, which refuses unknown ones: it gets none; its polling interval is set in
# revision_portal/celery.py.)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600)}
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else {}
)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_SEND_TASK_EVENTS = False
# Tests run tasks in the caller (conftest.py also sets it); never in production.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = CELERY_TASK_ALWAYS_EAGER

# Local memory by default; set CACHE_URL=redis://host:6379/0 to share one cache between app
# servers (required once there is more than one).
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL; got {CACHE_URL!r}.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "TIMEOUT": 600,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": 600,
            # Django's default of 300 entries is fewer than a college's topics: with a whole page
            # and a sections fragment per topic it would evict pages as fast as it stores them.
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 5000)},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT reverse proxies in front of the
# app, the X-Forwarded-For entry that many places from the right (accounts.client_address;
# docs/security.md). PROXY_COUNT is the variable's earlier name, still read.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", env_int("PROXY_COUNT", 0))

# Failed logins: after LOGIN_FAILURE_LIMIT failures for one username from one address, that
# pair is locked out for LOGIN_LOCKOUT_MINUTES; after LOGIN_ADDRESS_FAILURE_LIMIT failures from
# one address for any usernames, that address is (accounts.lockout). A correct password from
# another address still works. Attempts are stored in the database, so every app server agrees.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.PortalLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14)

# Password-reset requests that send an e-mail: per address asked for and per client address, in
# a window (accounts.services.reset_request_allowed). Counted in the cache (CACHE_URL).
PASSWORD_RESET_ACCOUNT_LIMIT = env_int("PASSWORD_RESET_ACCOUNT_LIMIT", 3)
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 10)
PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60)

# E-mail (password resets): printed to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Revision Portal <noreply@localhost>")
# The site's address as learners reach it, for links in notification e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

LOGIN_URL = "login"
# Learners land on their Today page, tutors on their dashboard, admins on quiz home
# (revision.views.after_login decides).
LOGIN_REDIRECT_URL = "revision:after_login"
LOGOUT_REDIRECT_URL = "topics:home"

# Spaced repetition (docs/revision.md): how many cards a learner meets for the first time on
# the flashcard page each day (quiz answers review cards whatever this says).
REVISION_NEW_CARDS_PER_DAY = env_int("REVISION_NEW_CARDS_PER_DAY", 20)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# The seed topic documents that `import_seeds` (and the test suite) import by default.
SEEDS_DIR = BASE_DIR / "seeds"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need `collectstatic`; development serves the sources.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Development (and tests, which run on development settings) serve static files straight from
# static/ without `collectstatic`.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Seed files larger than this are refused before they are read.
# The marker every mark goes through (assessments.marking.get_marker): a dotted path to a class
# implementing assessments.marking.Marker.
MARKER_BACKEND = os.environ.get("MARKER_BACKEND", "assessments.marking.pipeline.PipelineMarker")
# A question whose automatic marks agree with its tutors' marks (leave-one-out over its
# exemplars) below this kappa, over at least this many exemplars, sends every new answer to the
# review queue until agreement recovers.
MARKER_AGREEMENT_THRESHOLD = env_float("MARKER_AGREEMENT_THRESHOLD", 0.6)
MARKER_AGREEMENT_MIN_EXEMPLARS = env_int("MARKER_AGREEMENT_MIN_EXEMPLARS", 5)

SEED_MAX_BYTES = env_int("SEED_MAX_BYTES", 2 * 1024 * 1024)
# An admin upload of this many seed files or more is imported by a worker (the run's admin
# page shows each file's result as it is done); fewer import within the request. At about 30
# documents a second (docs/performance.md) ten take a third of a second.
SEED_UPLOAD_QUEUE_FROM = env_int("SEED_UPLOAD_QUEUE_FROM", 10)
# Uploads through the admin are held in memory up to this size, which matches the seed limit.
FILE_UPLOAD_MAX_MEMORY_SIZE = SEED_MAX_BYTES + 1024
# Form fields (everything but files) of one request: an all-on-one-page quiz of 30 answers at
# the 5,000-character limit, in 4-byte emoji, is 0.6 MB. Larger bodies get the 400 page.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_BYTES", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 50
# Whole request bodies (files included) above this are refused with a 413 page before they are
# read (revision_portal.middleware.RequestSizeLimitMiddleware). Set the proxy's limit to match.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 20 * 1024 * 1024)

# Content-Security-Policy (django-csp 4): everything from this origin only, no inline script
# or style anywhere (templates carry none; a test checks), no plugins, no <base>, no framing.
# Bootstrap's CSS draws form controls with data: SVG images, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Browser features the portal never uses are switched off for it and anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
    "interest-cohort=()"
)
# Seconds a client is told to wait (Retry-After) when the database is unreachable.
DATABASE_RETRY_AFTER_SECONDS = 30
# Content and rubric history (django-simple-history) is an audit trail: viewed, never reverted
# from the admin (a revert would skip the search and question-bank refresh that edits trigger).
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # django-axes logs every login at INFO; lockouts are logged at WARNING.
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading puts the domain in browsers' built-in HTTPS-only list: every subdomain, for
    # months after a removal request. Only the operator who owns the whole domain can decide
    # that, so it is opt-in (docs/security.md). Off, Django's check --deploy would warn
    # (security.W021) on every deployment that chose not to: that warning is silenced.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
