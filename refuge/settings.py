"""Refuge settings: one module, every deploy-time value read from the environment.

The defaults run the demo on SQLite on a laptop; a deployment sets at least SECRET_KEY,
DEBUG=0, ALLOWED_HOSTS, DATABASE_URL and REFUGE_FIELD_KEYS. The README lists every variable.
"""

import os
from datetime import date
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def envbool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envdate(name: str, default: str) -> date:
    return date.fromisoformat(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Production mode: refuge.production names every unsafe setting (`refuge check --deploy`) and
# refuge.wsgi refuses to serve while one is left; the defaults below turn safe in this mode.
REFUGE_ENV = os.environ.get("REFUGE_ENV", "development").strip().lower()
PRODUCTION = REFUGE_ENV == "production"

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
    "refuge.tracing",
    "refuge.demo",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "refuge.api",
    "refuge.backup",
    "refuge.rights",
    "refuge.reporting",
    "refuge.fielddata",
    "django_tasks",
    "django_tasks_db",
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
    "refuge.accounts.middleware.SecurityHeadersMiddleware",
    "refuge.accounts.middleware.SessionTimeoutMiddleware",
    "refuge.accounts.middleware.RequireTwoFactorMiddleware",
    "refuge.accounts.middleware.RefusalAuditMiddleware",
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
                "refuge.rights.context_processors.rights",
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
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    # The database holds everyone's names: readable by its owner alone. SQLite gives its -wal
    # and -shm files the database file's mode, so creating this one 0600 covers all three.
    _sqlite_file = Path(DATABASES["default"]["NAME"])
    if str(_sqlite_file) != ":memory:" and _sqlite_file.parent.is_dir():
        os.close(os.open(_sqlite_file, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(_sqlite_file, 0o600)
    # WAL lets readers go on while one clerk writes; IMMEDIATE takes the write lock at BEGIN so
    # a read-then-write transaction cannot fail half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # secure_delete zeroes deleted content, so an erased person is not left in free pages.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Background work (an uploaded import) is queued in the database and run by `refuge db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute force: lock a username from one address after a few failures, for a while. The address
# is the client's own (refuge.accounts.signin.client_address): behind the reverse proxy that
# docs/deploy.md prescribes, set REFUGE_TRUSTED_PROXIES to the proxy's address and
# REFUGE_CLIENT_IP_HEADER to the header it appends to (HTTP_X_FORWARDED_FOR), or every client
# would share the proxy's address and anyone could lock anyone out.
REFUGE_TRUSTED_PROXIES = envlist("REFUGE_TRUSTED_PROXIES", "")
REFUGE_CLIENT_IP_HEADER = os.environ.get("REFUGE_CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR")
AXES_CLIENT_IP_CALLABLE = "refuge.accounts.signin.client_address"
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# One address failing against many accounts (a spray) is slowed, never locked: past this many
# failures in the lockout window each attempt waits twice as long as the last, up to the cap.
REFUGE_ADDRESS_FAILURE_LIMIT = envint("REFUGE_ADDRESS_FAILURE_LIMIT", 20)
REFUGE_ADDRESS_MAX_DELAY_SECONDS = envint("REFUGE_ADDRESS_MAX_DELAY_SECONDS", 300)
AXES_COOLOFF_TIME = envint("LOGIN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Two-factor (TOTP) for every member of staff. On by default wherever a real database is
# configured; the SQLite demo leaves it off so that it opens with a password alone.
REFUGE_REQUIRE_2FA = envbool(
    "REFUGE_REQUIRE_2FA", PRODUCTION or ("DATABASE_URL" in os.environ and not DEBUG)
)
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
SESSION_COOKIE_SECURE = envbool(
    "SECURE_COOKIES", PRODUCTION or (not DEBUG and "DATABASE_URL" in os.environ)
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Behind the TLS-terminating proxy that docs/deploy.md prescribes, Django learns that a request
# came over HTTPS from the header the proxy sets, e.g.
# SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https. Only the proxy may set it.
_proxy_ssl_header = envlist("SECURE_PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if len(_proxy_ssl_header) == 2 else None
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", PRODUCTION)
# No inline script anywhere (htmx is told not to eval); styles and images from our origin only.
REFUGE_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
REFUGE_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)

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
# No registration of this programme predates it (the conflict's first displacements).
REFUGE_EARLIEST_REGISTRATION_DATE = envdate("REFUGE_EARLIEST_REGISTRATION_DATE", "2011-01-01")
# A clerk typing a family's names checks a few times a minute; a script trying names, far more.
REFUGE_INSTANT_CHECKS_PER_MINUTE = envint("REFUGE_INSTANT_CHECKS_PER_MINUTE", 30)

# Case notes and attachments are encrypted with Fernet. REFUGE_FIELD_KEYS is a comma-separated
# list of keys, newest first: the first encrypts, all of them decrypt, and `refuge
# rotate_field_keys` re-encrypts everything with the first. Without it the key is derived from
# SECRET_KEY, which is only good enough for the demo and the tests.
FIELD_ENCRYPTION_KEYS = envlist("REFUGE_FIELD_KEYS", "")
# Document numbers, contact phones, step evidence and attachment file names are encrypted under
# the same keys (refuge.encryption). Document numbers are found by a blind index beside them:
# an HMAC under REFUGE_BLIND_INDEX_KEY (at least 32 characters, kept out of the database;
# derived from SECRET_KEY in the demo only). Changing it needs `refuge rotate_field_keys`.
BLIND_INDEX_KEY = os.environ.get("REFUGE_BLIND_INDEX_KEY", "")
CASEWORK_PATHWAY = os.environ.get("REFUGE_PATHWAY", "ru-reception")
ATTACHMENT_MAX_BYTES = envint("REFUGE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1024 * 1024
# A registration form sends about 25 fields a member: room for some 200 members, so that a
# form of 50 or more reaches the formset, which refuses it with a form error (Django's own
# limit, read by the CSRF check before any view, can only answer a bare 400).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# The REST API (refuge/api, docs/integrators.md): personal tokens or the pages' session (with
# CSRF), JSON only, problem+json errors, per-user rate limits and a bound on every body.
API_MAX_BODY_BYTES = envint("REFUGE_API_MAX_BODY_BYTES", 256 * 1024)
# A field export sent to POST /api/v1/imports/ (a KoBo XLSX of 10,000 households is ~6 MB):
# its own bound, above the JSON bodies' and below what the upload page takes.
API_IMPORT_MAX_BYTES = envint("REFUGE_API_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "refuge.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["refuge.api.permissions.HasCapability"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "refuge.api.base.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "refuge.api.problems.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("REFUGE_API_ANON_RATE", "60/minute"),
        "user": os.environ.get("REFUGE_API_RATE", "600/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Refuge API",
    "DESCRIPTION": "Households, people, sites, casework and identity review, through the same "
    "rules as the pages. See docs/integrators.md.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SECURITY": [{"bearerToken": []}, {"cookieAuth": []}],
    "ENUM_NAME_OVERRIDES": {
        "ConsentScopeEnum": "refuge.registry.vocabulary.ConsentScope",
        "DocumentTypeEnum": "refuge.registry.vocabulary.DocumentType",
        "SpecificNeedEnum": "refuge.registry.vocabulary.SpecificNeed",
        "StepStatusEnum": "refuge.casework.models.StepStatus",
        "PairStatusEnum": "refuge.identity.models.PairStatus",
        "NeedStatusEnum": "refuge.registry.vocabulary.NeedStatus",
        "MovementStatusEnum": "refuge.sites.models.MovementStatus",
        "ReferralStatusEnum": "refuge.casework.models.ReferralStatus",
        "SexEnum": "refuge.registry.vocabulary.Sex",
    },
}
# Attachments live encrypted in the database; an upload spooled to disk is for its owner only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# The audit trail. Its chain is keyed (HMAC-SHA256) with REFUGE_AUDIT_KEY, a secret kept out of
# the database, so that someone who can write to the database cannot rehash a rewritten trail.
# What an entry says about people (search terms, old and new values) is sealed with Fernet
# under REFUGE_AUDIT_DATA_KEYS (newest first), which only the data protection officer's
# disclosure reads. Without them both derive from SECRET_KEY: good for the demo only, and
# production mode refuses to start so.
AUDIT_CHAIN_KEY = os.environ.get("REFUGE_AUDIT_KEY", "")
AUDIT_DATA_KEYS = envlist("REFUGE_AUDIT_DATA_KEYS", "")
# An entry's detail (clear and sealed) is bounded, so that no request can grow the trail at will.
AUDIT_DETAIL_MAX_BYTES = envint("REFUGE_AUDIT_DETAIL_MAX_BYTES", 4096)

# Backups (`refuge backup`) are encrypted under keys of their own, newest first, so that a copy
# that leaves the machine is useless without them; derived from SECRET_KEY in the demo only.
BACKUP_KEYS = envlist("REFUGE_BACKUP_KEYS", "")
# Erasures are also logged outside the database (ids only), so `refuge restore` can erase again
# whoever an older backup brings back. Keep it off the server too, with the audit checkpoints.
REFUGE_ERASURE_LOG = os.environ.get("REFUGE_ERASURE_LOG", str(DATA_DIR / "erasures.jsonl"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Where the weekly run (`refuge file_sitreps`, from cron) files the situation reports' PDFs.
REFUGE_SITREP_DIR = os.environ.get("REFUGE_SITREP_DIR", str(DATA_DIR / "sitreps"))
# Extra ISO 3166-2 / p-codes for HXL's #adm1+code, as JSON: {"Perm Krai": "RU-PER"}.
REFUGE_REGION_CODES = os.environ.get("REFUGE_REGION_CODES", "")
