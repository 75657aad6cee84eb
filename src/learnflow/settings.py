"""Django settings. Everything an operator sets comes from environment variables prefixed LEARNFLOW_
(plus the conventional DATABASE_URL); see docs/CONFIGURATION in README.md."""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"LEARNFLOW_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("DATA_DIR") or (Path.cwd() / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    # Generated once per data folder and kept there, so restarts and several app servers sharing the folder agree.
    if env("SECRET_KEY"):
        return env("SECRET_KEY")
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Written whole under another name, then linked into place: a second process starting at the same moment
        # (another app server, a parallel test worker) either wins the link or reads the finished key — it never
        # sees the file created but still empty, which would leave it an empty SECRET_KEY.
        fd, tmp = tempfile.mkstemp(prefix=".secret_key.", dir=DATA_DIR)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "learnflow.core",
    "learnflow.org",
    "learnflow.journal",
    "learnflow.search",
    "learnflow.lrs",
    "learnflow.lrs_documents",
    "learnflow.record",
    "learnflow.goals",
    "learnflow.development",
    "learnflow.curation",
    "learnflow.portfolio",
    "learnflow.account",
    "learnflow.library",
    "learnflow.flow",
    "learnflow.community",
    "learnflow.notifications",
    "learnflow.concierge",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "learnflow.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "learnflow.urls"
WSGI_APPLICATION = "learnflow.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "learnflow.core.context_processors.learnflow",
            ],
        },
    },
]

# --- Database: embedded SQLite in WAL mode by default, anything dj-database-url knows via DATABASE_URL.
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.config(conn_max_age=int(env("DB_CONN_MAX_AGE", "60")))}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("TEST", {})["NAME"] = env("TEST_DB_NAME", "test_learnflow")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "learnflow.sqlite3",
            # Persistent connections: opening one runs the PRAGMAs, and closing the last one checkpoints the WAL
            # (about 9 ms of CPU each request under the xAPI ingest load).
            "CONN_MAX_AGE": int(env("DB_CONN_MAX_AGE", "60")),
            "OPTIONS": {
                # IMMEDIATE makes writers queue on busy_timeout instead of failing with "database is locked"
                # when several app-server processes write at once.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY; "
                    # Checkpoint every ~40 MB of WAL rather than every 4 MB: a page rewritten by many xAPI batches
                    # is copied (and the file synced) once per checkpoint instead of ten times.
                    "PRAGMA wal_autocheckpoint=10000; PRAGMA journal_size_limit=67108864;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: shared between app servers (Redis at scale, the database otherwise) because rate limits live there.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "learnflow_cache"}}

# --- Background tasks: database queue by default, Redis (RQ) when LEARNFLOW_REDIS_URL is set and django-tasks-rq is installed.
# LEARNFLOW_TASKS_BACKEND: database | rq | immediate; unset means rq when Redis is configured and the `redis` extra is
# installed (`pip install 'learnflow[redis]'`), otherwise the database queue.
def _rq_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("django_tasks_rq") is not None


TASKS_BACKEND = env("TASKS_BACKEND") or ("rq" if REDIS_URL and _rq_installed() else "database")
if TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
elif TASKS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("LEARNFLOW_TASKS_BACKEND=rq needs LEARNFLOW_REDIS_URL.")
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Largest "download all my data" archive a person may upload on the import page.
MAX_ACCOUNT_ARCHIVE_UPLOAD_BYTES = int(env("MAX_ARCHIVE_UPLOAD_BYTES", str(1024 ** 3)))

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_RATE_LIMIT = int(env("LOGIN_RATE_LIMIT", "5"))  # failed attempts per LOGIN_RATE_WINDOW per username and per IP
LOGIN_RATE_WINDOW = int(env("LOGIN_RATE_WINDOW", "900"))

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
# Uploads are never served from a public URL: a view checks who may see the entry first.
MAX_UPLOAD_BYTES = int(env("MAX_UPLOAD_MB", "10")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MAX_IMPORT_BYTES = int(env("MAX_IMPORT_MB", "100")) * 1024 * 1024
MAX_ACCOUNT_ARCHIVE_BYTES = int(env("MAX_ACCOUNT_ARCHIVE_MB", "2048")) * 1024 * 1024
MAX_ACCOUNT_ARCHIVE_MEMBERS = int(env("MAX_ACCOUNT_ARCHIVE_MEMBERS", "20000"))
ALLOWED_UPLOAD_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".zip": "application/zip",
}

# --- Security. HTTPS settings switch on with LEARNFLOW_HTTPS=1 (behind a TLS-terminating proxy).
HTTPS = env_bool("HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "outbox"
EMAIL_HOST = env("SMTP_HOST", "localhost")
EMAIL_PORT = int(env("SMTP_PORT", "25"))
EMAIL_HOST_USER = env("SMTP_USER")
EMAIL_HOST_PASSWORD = env("SMTP_PASSWORD")
EMAIL_USE_TLS = env_bool("SMTP_TLS")
DEFAULT_FROM_EMAIL = env("FROM_EMAIL", "learnflow@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
CSRF_FAILURE_VIEW = "learnflow.core.views.csrf_failure"
FORMS_URLFIELD_ASSUME_HTTPS = True  # the Django 6 default, adopted now

# Addresses the feed fetcher may reach although they are private or loopback: CIDRs, addresses or host names, each
# with an optional :port. Everything else private is refused (server-side request forgery).
LEARNFLOW_FETCH_ALLOW = [s.strip() for s in env("FETCH_ALLOW").split(",") if s.strip()]
# Largest picture (og:image) the library fetches for a resource; it is shrunk and re-encoded before it is kept.
LEARNFLOW_LIBRARY_IMAGE_MAX_BYTES = int(env("LIBRARY_IMAGE_MAX_BYTES", str(2 * 1024 * 1024)))
LEARNFLOW_FEED_INTERVAL_MINUTES = int(env("FEED_INTERVAL_MINUTES", "60"))
