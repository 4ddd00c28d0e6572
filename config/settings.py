"""Socico settings, read from the environment with safe defaults.

Embedded default: a SQLite file and the in-memory channel layer. Set DATABASE_URL
and REDIS_URL to scale out to PostgreSQL and several server processes.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_rate(name, default):
    """A rate such as "10/10": at most 10 events in each 10-second window."""
    count, seconds = os.environ.get(name, default).split("/")
    return int(count), int(seconds)


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
    SECRET_KEY = "django-insecure-development-only"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "axes",
    "rooms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The user's time zone for the request, from the session.
    "rooms.local_time.local_time_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
]

ASGI_APPLICATION = "config.asgi.application"
# HTTP requests served at once by each process (config/http.py), each on a thread of its own
# keeping a database connection. More threads add no speed under the GIL (4 to 16 served the
# same pages/s); they are for requests that block, a post waiting for the write lock or for
# Redis, so that those hold up nothing else.
HTTP_THREADS = int(os.environ.get("SOCICO_HTTP_THREADS", "16"))
# A request's body is received whole before it takes one of those threads, within these
# bounds (config/request_body.py, config/daphne_server.py); the largest legitimate body, an
# admin form or a 4,000-character message, is far below them.
MAX_REQUEST_BYTES = int(os.environ.get("SOCICO_MAX_REQUEST_BYTES", str(2**20)))
REQUEST_BODY_SECONDS = float(os.environ.get("SOCICO_REQUEST_BODY_SECONDS", "10"))
if MAX_REQUEST_BYTES < 1 or REQUEST_BODY_SECONDS <= 0:
    raise ImproperlyConfigured(
        "SOCICO_MAX_REQUEST_BYTES and SOCICO_REQUEST_BODY_SECONDS must be above zero."
    )
# Django's own limit on a parsed body agrees, for any path that reaches it another way.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# Opening a SQLite connection (and setting WAL on it) took a third of each post's time. ORM
# calls run on a few long-lived threads (the sockets' one, HTTP_THREADS), each keeping its
# connection.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "600")),
        # A kept connection the database closed (a restart) is replaced, not used to fail.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Websocket posts write from several threads at once: IMMEDIATE transactions and
    # WAL make them queue for the write lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A live server in another process must see the test database: keep it in a file.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}

REDIS_URL = os.environ.get("REDIS_URL")
# Room events waiting for a process's hub (rooms/hub.py), from all its rooms together. Over
# it events are dropped: a message is fetched from the database when the next one shows the
# gap; a presence change waits for the next one; a removal shows on reload.
ROOM_EVENTS_CAPACITY = 1000
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    # Rate limits count in the cache: on Redis, every process counts the same posts.
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # A Redis outage must not hold posts up: the limiter gives up after a second.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis's core layer on a pool a crowd waits for (rooms/layers.py).
            "BACKEND": "rooms.layers.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 times reads out after 5 s, as long as channels_redis's
                # blocking receive waits (channels_redis issue 422): give it more, so a
                # dead connection still ends in an error the hub recovers from.
                "hosts": [
                    {"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 5}
                ],
                "capacity": ROOM_EVENTS_CAPACITY,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": ROOM_EVENTS_CAPACITY},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes counts failed logins and refuses a locked-out username and address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Lock the pair, so a stranger guessing cannot lock a user out from everywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "rooms:index"
LOGOUT_REDIRECT_URL = "rooms:index"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Hashed, compressed names once collectstatic has written its manifest (production);
# before that (development, tests) whitenoise serves straight from the app folders.
STATIC_MANIFEST = STATIC_ROOT / "staticfiles.json"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST.exists()
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST.exists()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"rooms": {"handlers": ["console"], "level": "INFO"}},
}

# Abuse limits. Rates are "count/seconds" windows, counted in the cache (see CACHES).
POST_RATE = env_rate("SOCICO_POST_RATE", "10/10")  # per user, socket and form posts together
SIGNUP_RATE = env_rate("SOCICO_SIGNUP_RATE", "5/3600")  # per client address
# Every sign-up form sent, per client address: room for typos, not for probing taken names.
SIGNUP_ATTEMPT_RATE = env_rate("SOCICO_SIGNUP_ATTEMPT_RATE", "20/3600")
FRAME_RATE = env_rate("SOCICO_FRAME_RATE", "30/10")  # per socket; beyond it the socket closes
MAX_SOCKETS_PER_USER = int(os.environ.get("SOCICO_MAX_SOCKETS_PER_USER", "20"))
# Per client address (the proxy's X-Forwarded-For), guests and users together: one client must
# not take every file descriptor, yet an office behind one address must fit.
MAX_SOCKETS_PER_ADDRESS = int(os.environ.get("SOCICO_MAX_SOCKETS_PER_ADDRESS", "100"))
CONNECT_RATE = env_rate("SOCICO_CONNECT_RATE", "60/10")  # socket handshakes per client address

# Behind TLS (the default in production): secure cookies, HTTPS redirects and HSTS. The proxy
# in front must set X-Forwarded-Proto.
BEHIND_TLS = env_bool("DJANGO_BEHIND_TLS", default=not DEBUG)
if BEHIND_TLS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# htmx runs under it: no inline script or style anywhere, and the socket is same-origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Who is here: each process refreshes its sockets' presence every HEARTBEAT seconds; rows not
# refreshed for EXPIRY seconds (their process died) are dropped by any other process.
PRESENCE_HEARTBEAT_SECONDS = float(os.environ.get("SOCICO_PRESENCE_HEARTBEAT", "30"))
PRESENCE_EXPIRY_SECONDS = 3 * PRESENCE_HEARTBEAT_SECONDS
# How often each process checks its open sockets against the database (rooms/recheck.py): access
# lost by any path ends a socket within it, a message whose broadcast never came within twice it.
RECHECK_SECONDS = float(os.environ.get("SOCICO_RECHECK_SECONDS", "5"))

# Away emails (rooms/away_email.py): how long a mention or a direct message waits unread, with
# no page of its user open, before they are emailed; how often each process looks.
NOTIFY_AFTER_SECONDS = float(os.environ.get("SOCICO_NOTIFY_AFTER", "600"))
NOTIFY_SWEEP_SECONDS = float(os.environ.get("SOCICO_NOTIFY_SWEEP_SECONDS", "30"))
# Where the links in emails point.
SITE_URL = os.environ.get("SOCICO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Django's email: printed to the console unless an SMTP host is given.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", default=EMAIL_PORT == 465)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Socico <socico@localhost>")
