"""Relaydesk settings: one module, driven by environment variables.

Every knob is read through the small typed helpers below so that a bad value fails at start
with a message that names the variable, instead of misbehaving later.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    """Read NAME, or the file named by NAME_FILE (for secrets mounted as files)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = env_str(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true/false (1/0), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env_str(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


DEBUG = env_bool("RELAYDESK_DEBUG", False)
HTTPS = env_bool("RELAYDESK_HTTPS", False)
DATA_DIR = Path(env_str("RELAYDESK_DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use RELAYDESK_SECRET_KEY, else a random key kept in the data dir (never in the repo)."""
    key = env_str("RELAYDESK_SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key(), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in env_str("RELAYDESK_ALLOWED_HOSTS", "*").split(",") if h]


def _site_url() -> str:
    """RELAYDESK_URL: the address people reach the help desk at, e.g. https://help.example.com.

    Links in mail (password reset) are built on it; without it, on the request's Host header,
    which only ALLOWED_HOSTS keeps honest."""
    from urllib.parse import urlsplit

    url = env_str("RELAYDESK_URL").strip().rstrip("/")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise ImproperlyConfigured(
                f"RELAYDESK_URL must look like https://help.example.com, not {url!r}"
            )
    return url


SITE_URL = _site_url()
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env_str("RELAYDESK_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from our static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "relaydesk.core",
    "relaydesk.accounts",
    "relaydesk.tickets",
    "relaydesk.knowledge",
    "relaydesk.routing",
    "relaydesk.sla",
    "relaydesk.notifications",
    "relaydesk.automation",
    "relaydesk.desk",
    "relaydesk.portal",
    "relaydesk.api",
    "relaydesk.mail",
    "relaydesk.runtime",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "relaydesk.accounts.middleware.UserTimezoneMiddleware",
    "relaydesk.api.middleware.JsonMethodNotAllowedMiddleware",
]

ROOT_URLCONF = "relaydesk.urls"
WSGI_APPLICATION = "relaydesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "relaydesk.core.context_processors.site",
            ],
        },
    },
]

# Database: SQLite in the data dir by default, tuned so web workers and the task worker
# write side by side; PostgreSQL (or anything dj-database-url knows) through DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "relaydesk.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 10,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA temp_store=MEMORY;"
                    "PRAGMA cache_size=-65536;"
                    "PRAGMA mmap_size=1073741824;"
                    # A checkpoint (copying the log back into the database, with an fsync)
                    # every 4,000 pages instead of 1,000: a ticket from mail writes ~50, so
                    # one commit in 19 paid for one, several ms, enough to set the p95. The
                    # same hot pages are copied once per checkpoint, not four times; the log
                    # is cut back to 64 MB afterwards.
                    "PRAGMA wal_autocheckpoint=4000;"
                    "PRAGMA journal_size_limit=67108864;"
                ),
            },
            "TEST": {"NAME": DATA_DIR / "test.sqlite3"},
            # Each web worker keeps its connection: a new one starts with a cold page cache
            # and re-reads the schema (bench/README.md: the queue view at a million tickets
            # cost 70 ms of CPU with a connection per request, 48 ms with this).
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

FORM_RENDERER = "relaydesk.core.form_rendering.FastSelectRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "portal:login"

LANGUAGE_CODE = env_str("RELAYDESK_LANGUAGE", "en")
LANGUAGES = [("en", _("English"))]
TIME_ZONE = env_str("RELAYDESK_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "uploads"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads live outside the web root and are served only by a permission-checking view.
MEDIA_ROOT = DATA_DIR / "uploads"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MAX_UPLOAD_BYTES = env_int("RELAYDESK_MAX_UPLOAD_MB", 20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Ticket rules that an admin may want to tune.
TICKET_PREFIX = env_str("RELAYDESK_TICKET_PREFIX", "RD")
REOPEN_WINDOW_DAYS = env_int("RELAYDESK_REOPEN_WINDOW_DAYS", 14)
PAGE_SIZE = env_int("RELAYDESK_PAGE_SIZE", 50)

# Background work: Django's Tasks API with the database-backed queue.
TASKS = {
    "default": {
        "BACKEND": env_str("RELAYDESK_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}


def _env_at_least(name: str, default: int, minimum: int) -> int:
    value = env_int(name, default)
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be {minimum} or more, not {value}")
    return value


# Sign-in throttle (relaydesk/accounts/throttle.py): after LOGIN_FAILURE_LIMIT failed sign-ins
# for one email address, or LOGIN_FAILURE_IP_LIMIT from one client address, within the window,
# sign-in is refused there until the window has passed. 0 turns a limit off. Failures are kept
# LOGIN_FAILURE_KEEP_HOURS so that an admin can see an attack afterwards.
LOGIN_FAILURE_LIMIT = _env_at_least("RELAYDESK_LOGIN_FAILURE_LIMIT", 10, 0)
LOGIN_FAILURE_IP_LIMIT = _env_at_least("RELAYDESK_LOGIN_FAILURE_IP_LIMIT", 50, 0)
LOGIN_FAILURE_WINDOW_MINUTES = _env_at_least("RELAYDESK_LOGIN_FAILURE_WINDOW_MINUTES", 15, 1)
LOGIN_FAILURE_KEEP_HOURS = _env_at_least("RELAYDESK_LOGIN_FAILURE_KEEP_HOURS", 24, 0)

# Password reset by email: the mailed link works once, for PASSWORD_RESET_TIMEOUT seconds
# (Django's setting). At most PASSWORD_RESET_MAIL_LIMIT reset mails an hour for one email
# address, and PASSWORD_RESET_MAIL_IP_LIMIT from one client address across email addresses,
# so the form cannot be used to flood an inbox or spray mail; 0 turns a limit off.
PASSWORD_RESET_TIMEOUT = 60 * _env_at_least("RELAYDESK_PASSWORD_RESET_MINUTES", 60, 1)
PASSWORD_RESET_MAIL_LIMIT = _env_at_least("RELAYDESK_PASSWORD_RESET_MAIL_LIMIT", 3, 0)
PASSWORD_RESET_MAIL_IP_LIMIT = _env_at_least("RELAYDESK_PASSWORD_RESET_MAIL_IP_LIMIT", 20, 0)


def _trusted_proxies() -> list[str]:
    proxies = [p.strip() for p in env_str("RELAYDESK_TRUSTED_PROXIES").split(",") if p.strip()]
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"RELAYDESK_TRUSTED_PROXIES: {proxy!r} is not an IP address or network"
            ) from None
    return proxies


# The client's address is REMOTE_ADDR. Behind a reverse proxy every request would seem to come
# from the proxy (and the per-address limit would lock everyone out at once): list the proxies'
# addresses or networks here, comma-separated, and X-Forwarded-For is read through them.
TRUSTED_PROXIES = _trusted_proxies()

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancers probe over http
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("RELAYDESK_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True


def parse_email_url(url: str) -> dict:
    """Django's EMAIL_* settings for EMAIL_URL.

    smtp://user:pass@host:port (plain, port 25), smtp+tls:// (STARTTLS, 587), smtps:// (TLS,
    465), console:// (print mail) and locmem:// (keep it in memory). `?timeout=N` sets the
    SMTP timeout. An empty URL means console://: a fresh install never tries a mail server.
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    backends = {
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
    }
    parts = urlsplit(url.strip() or "console://")
    scheme = parts.scheme.lower()
    if scheme not in backends:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with one of {', '.join(s + '://' for s in backends)}, "
            f"not {url!r}"
        )
    config = {"EMAIL_BACKEND": backends[scheme]}
    if not scheme.startswith("smtp"):
        return config
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"EMAIL_URL has a bad port: {url!r}") from None
    if not parts.hostname:
        raise ImproperlyConfigured(f"EMAIL_URL names no host: {url!r}")
    query = parse_qs(parts.query)
    timeout = query.get("timeout", ["30"])[0]
    if not timeout.isdigit():
        raise ImproperlyConfigured(f"EMAIL_URL timeout must be whole seconds: {url!r}")
    config.update(
        EMAIL_HOST=parts.hostname,
        EMAIL_PORT=port or {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme],
        EMAIL_HOST_USER=unquote(parts.username or ""),
        EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
        EMAIL_USE_TLS=scheme == "smtp+tls",
        EMAIL_USE_SSL=scheme == "smtps",
        EMAIL_TIMEOUT=int(timeout),
    )
    return config


EMAIL_URL = env_str("EMAIL_URL")
globals().update(parse_email_url(EMAIL_URL))
DEFAULT_FROM_EMAIL = env_str("RELAYDESK_FROM_EMAIL", "support@relaydesk.localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Inbound mail: a sender may open at most this many tickets/replies per window (a mail storm
# from a looping auto-responder stops here), and the largest message accepted.
MAIL_RATE_LIMIT = env_int("RELAYDESK_MAIL_RATE_LIMIT", 30)
MAIL_RATE_WINDOW_MINUTES = env_int("RELAYDESK_MAIL_RATE_WINDOW_MINUTES", 10)
MAIL_MAX_MESSAGE_BYTES = env_int("RELAYDESK_MAIL_MAX_MB", 40) * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("RELAYDESK_LOG_LEVEL", "INFO")},
    "loggers": {"django_tasks": {"level": "WARNING"}, "django_tasks_db": {"level": "WARNING"}},
}
