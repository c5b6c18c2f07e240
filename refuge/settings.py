"""Refuge settings: one module, every deploy-time value read from the environment.

The defaults run the demo on SQLite on a laptop; a deployment sets at least SECRET_KEY,
DEBUG=0, ALLOWED_HOSTS, DATABASE_URL and REFUGE_FIELD_KEYS. The README lists every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def envbool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
# The demo key is public on purpose: a deployment that forgets SECRET_KEY must not look secure.
SECRET_KEY = os.environ.get("SECRET_KEY", "refuge-demo-only-not-secret")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "refuge.accounts",
    "refuge.audit",
    "refuge.sites",
    "refuge.registry",
    "refuge.identity",
    "refuge.casework",
    "refuge.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "refuge.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "refuge.accounts.middleware.NoStoreForSignedInMiddleware",
    "refuge.accounts.middleware.SessionTimeoutMiddleware",
    "refuge.accounts.middleware.RequireTwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "refuge.urls"
WSGI_APPLICATION = "refuge.wsgi.application"

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
                "django.template.context_processors.i18n",
                "refuge.accounts.context_processors.capabilities",
            ],
        },
    },
]

DATA_DIR = Path(os.environ.get("REFUGE_DATA_DIR", PROJECT_DIR / "var"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'refuge.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers go on while one clerk writes; IMMEDIATE takes the write lock at BEGIN so
    # a read-then-write transaction cannot fail half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute force: lock a username from one address after a few failures, for a while.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = envint("LOGIN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Two-factor (TOTP) for every member of staff. On by default wherever a real database is
# configured; the SQLite demo leaves it off so that it opens with a password alone.
REFUGE_REQUIRE_2FA = envbool("REFUGE_REQUIRE_2FA", "DATABASE_URL" in os.environ and not DEBUG)
OTP_TOTP_ISSUER = "Refuge"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "sites:overview"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Idle timeout: a tablet left on a registration desk logs itself out. The session row records
# activity at most once a minute (SessionTimeoutMiddleware), not on every request: the
# instant check sends one per keystroke. An idle session ends up to a minute early, never late.
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ACTIVITY_RESOLUTION_SECONDS = 60
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = False
# Absolute timeout: even a busy session signs in again after a shift.
SESSION_ABSOLUTE_SECONDS = envint("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG and "DATABASE_URL" in os.environ)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["refuge.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# WhiteNoise serves the static files from the application itself: no CDN, no separate web
# server needed at a field site. `refuge collectstatic` (run by `refuge demo`, by the test
# suite, and at each deploy) writes them under hashed names with gzip copies, so a browser keeps
# each for a year and a second visit on a slow link fetches none of them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Files served at the site's root, such as the /favicon.ico every browser asks for.
WHITENOISE_ROOT = BASE_DIR / "public"

# Observers see counts, never a group small enough to point at a family.
# The address staff reach Refuge at (https://refuge.example.org), printed in slips' QR codes;
# empty: the address of the request that printed the slip.
REFUGE_PUBLIC_URL = os.environ.get("REFUGE_PUBLIC_URL", "")
REFUGE_SMALL_COUNT_THRESHOLD = envint("REFUGE_SMALL_COUNT_THRESHOLD", 5)

# Case notes and attachments are encrypted with Fernet. REFUGE_FIELD_KEYS is a comma-separated
# list of keys, newest first: the first encrypts, all of them decrypt, and `refuge
# rotate_field_keys` re-encrypts everything with the first. Without it the key is derived from
# SECRET_KEY, which is only good enough for the demo and the tests.
FIELD_ENCRYPTION_KEYS = envlist("REFUGE_FIELD_KEYS", "")
CASEWORK_PATHWAY = os.environ.get("REFUGE_PATHWAY", "ru-reception")
ATTACHMENT_MAX_BYTES = envint("REFUGE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
