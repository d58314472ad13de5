"""Settings for the Customs stakeholder-engagement CRM.

Everything that differs between machines comes from environment variables (see README,
Configuration), read through crm/env.py: a malformed value stops start-up with ImproperlyConfigured
naming the variable. Nothing secret lives here.
"""

import os
import re
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from crm.accounts.roles import Role
from crm.env import (
    cache_from_url,
    email_from_url,
    env,
    envbool,
    envchoice,
    envint,
    envlist,
    envurl,
    is_allowed_host,
    is_dotted_path,
    is_email_address,
    is_host_name,
    is_origin,
    is_site_url,
    is_time_of_day,
    is_time_zone,
    jobs_from_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("CRM_VAR_DIR", str(BASE_DIR / "var")))
try:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
except OSError as error:
    raise ImproperlyConfigured(f"CRM_VAR_DIR={str(VAR_DIR)!r} cannot be made: {error}.") from None

DEBUG = envbool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/ (never in git)."""
    if key := env("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    try:  # O_EXCL: of several workers starting at once, one writes the key, the others read it
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist(
    "ALLOWED_HOSTS",
    "localhost,127.0.0.1,[::1]",
    valid=is_allowed_host,
    accepted="a host name, .example.org (it and its subdomains), an IP address or * (no scheme, port or path)",
)
CSRF_TRUSTED_ORIGINS = envlist(
    "CSRF_TRUSTED_ORIGINS", valid=is_origin, accepted="an origin such as https://crm.example.org (no path)"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",  # each user sees their sessions and can end the others
    "django_htmx",
    "django_tables2",
    "django_filters",
    "django_bootstrap5",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the documentation's scripts and styles, served from here (no CDN)
    "django_tasks",
    "django_tasks_db",
    "crm",
    "stakeholders",
    "communications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages and htmx fragments compressed for slow, metered links (static files: whitenoise). Django
    # pads each response against BREACH, and CSRF tokens are masked per request.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless its view says otherwise (login_not_required).
    "crm.accounts.middleware.SignInRequiredMiddleware",  # Django's LoginRequiredMiddleware; htmx fragments: 401
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Sessions end after SESSION_IDLE_SECONDS idle or SESSION_MAX_AGE_SECONDS in all (typed forms kept).
    "crm.accounts.middleware.SessionTimeoutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "crm.accounts.middleware.TwoFactorRequiredMiddleware",
    "crm.accounts.middleware.RoleRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"
# Django's form renderer, with <select> and <input> written without a template each (the same HTML).
FORM_RENDERER = "crm.lib.form_rendering.FormRenderer"

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
                "crm.site.context_processors.navigation",
                "crm.accounts.context_processors.session",
                "crm.offline.context_processors.offline",
                "crm.notifications.context_processors.header",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another (postgres://… is supported).
_conn_max_age = envint("CONN_MAX_AGE", 60, min_value=0)
_postgres_jit = envbool("POSTGRES_JIT", False)  # read whatever the database: a misspelt value stops start-up
DATABASES = {
    "default": envurl(
        "DATABASE_URL",
        f"sqlite:///{VAR_DIR / 'crm.sqlite3'}",
        lambda url: dj_database_url.parse(url, conn_max_age=_conn_max_age, conn_health_checks=True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept (CONN_MAX_AGE) as on PostgreSQL: a new one per request paid for its
    # settings below and started with an empty page cache, about 10 ms a page at a million
    # engagements (docs/performance.md). A kept connection holds no lock between requests.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock when a
        # transaction starts, so several gunicorn workers queue (busy timeout) instead of failing
        # with "database is locked" when a read transaction later tries to write.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA mmap_size=268435456;"
            "PRAGMA cache_size=-65536;"
            "PRAGMA temp_store=MEMORY;"
        ),
    }

elif DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis")) and not _postgres_jit:
    # PostgreSQL compiles a query whose estimated cost passes jit_above_cost to machine code: 30 to
    # 40 ms for each of the dashboard's counts at a million engagements, queries that then run in a
    # few milliseconds, never repaid at this size (docs/performance.md). Off for the app's
    # connections, sent as a connection option unless DATABASE_URL's own options set jit;
    # POSTGRES_JIT=on sends nothing (for a pooler that refuses options: `ALTER ROLE … SET jit = off`).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    if not re.search(r"\bjit\s*=", _options.get("options", "")):
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "crm.User"

# Work done outside the request (crm/jobs/, docs/jobs.md): jobs wait in the database (db://, the
# default) or in Redis (redis://host:6379/0, for several app servers); `manage.py worker` runs them.
_jobs = envurl("JOBS_URL", "db://", jobs_from_url)
TASKS = _jobs["TASKS"]
RQ_QUEUES = _jobs["RQ_QUEUES"]
if RQ_QUEUES:
    INSTALLED_APPS.append("django_rq")
# A worker not heard from for this many seconds is taken for gone: pages say that jobs wait.
JOBS_WORKER_SILENCE = envint("JOBS_WORKER_SILENCE", 180, min_value=30)

# Webhooks (crm/webhooks/, docs/webhooks.md). Endpoints must use https://; plain http:// to this
# machine (localhost, 127.0.0.1, [::1]) is accepted only when this is on: tests and development.
WEBHOOKS_ALLOW_LOCAL_HTTP = envbool("WEBHOOKS_ALLOW_LOCAL_HTTP", False)
WEBHOOKS_TIMEOUT = envint("WEBHOOKS_TIMEOUT", 10, min_value=1, max_value=60)  # seconds per try
# Reminders and digests (crm/notifications/, docs/notifications.md), in TIME_ZONE: the daily reminder
# of follow-ups due at REMINDERS_AT, the managers' weekly digest on DIGEST_DAY at DIGEST_AT.
REMINDERS_AT = env(
    "REMINDERS_AT", "07:00", valid=is_time_of_day, accepted="a time of day such as 07:00 (24-hour clock)"
)
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DIGEST_DAY = envchoice("DIGEST_DAY", "monday", WEEKDAYS)
DIGEST_AT = env("DIGEST_AT", "07:00", valid=is_time_of_day, accepted="a time of day such as 07:00 (24-hour clock)")
# The app's address as its users reach it: the links in e-mails sent by jobs, which have no request.
SITE_URL = env(
    "SITE_URL",
    "http://127.0.0.1:8000",
    valid=is_site_url,
    accepted="the app's address, such as https://crm.customs.example (no query)",
).rstrip("/")
# The import page: files of up to IMPORT_MAX_ROWS rows; above IMPORT_JOB_ROWS, the check and the
# write run as jobs with a progress bar (stakeholders/imports/runs.py), below it within the request.
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 200_000, min_value=1, max_value=1_000_000)
IMPORT_JOB_ROWS = envint("IMPORT_JOB_ROWS", 5_000, min_value=1)
# On SQLite, whose write lock holds the whole database, a large import (the page's or the command's)
# is written in slices of about IMPORT_WRITE_SLICE_MS of writing each, so officers' writes pass in
# between (undone if the import cannot finish); 0 writes it in one transaction, as PostgreSQL
# always does (it locks rows only).
IMPORT_WRITE_SLICE_MS = envint("IMPORT_WRITE_SLICE_MS", 1000, min_value=0)
# A list export of more than EXPORT_JOB_ROWS rows is written by a job (crm/exporting/files.py) and
# its file offered on the export's page for EXPORT_KEEP_HOURS, then deleted; smaller ones stream.
EXPORT_JOB_ROWS = envint("EXPORT_JOB_ROWS", 20_000, min_value=1)
EXPORT_KEEP_HOURS = envint("EXPORT_KEEP_HOURS", 24, min_value=1, max_value=24 * 30)

# One cache shared by every worker: allauth's rate limits and one-time codes depend on it.
CACHES = {"default": envurl("CACHE_URL", "db://crm_cache", cache_from_url)}

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # Sign-in by e-mail (allauth) and permissions from the role table, in memory; the only backend
    # that gives permissions (crm/accounts/backends.py).
    "crm.accounts.backends.RoleBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"
# An invitation link (and a password-reset link) stays valid this long; at least a day, as the
# invitation e-mail states it in whole days.
PASSWORD_RESET_TIMEOUT = envint("INVITATION_VALID_SECONDS", 3 * 24 * 3600, min_value=24 * 3600)

# django-allauth: sign-in by e-mail only, no public sign-up (administrators invite users).
ACCOUNT_ADAPTER = "crm.accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # no "unknown account" mail to whatever address is typed
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, stated so that they are visibly on.
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
MFA_ADAPTER = "crm.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "Customs CRM")
# Roles that must enrol two-factor before using the app; empty: two-factor optional for all.
MFA_REQUIRED_ROLES = envlist(
    "MFA_REQUIRED_ROLES",
    "Manager,Administrator",
    valid=lambda role: role in Role.values,
    accepted="a role: " + ", ".join(Role.values) + " (spelt so)",
)

# E-mail: the console by default (invitations and password resets are printed).
_email = envurl("EMAIL_URL", "console://", email_from_url)
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", _email["EMAIL_BACKEND"], valid=is_dotted_path, accepted="a dotted Python path to a backend class"
)
EMAIL_HOST = env(
    "EMAIL_HOST", _email.get("EMAIL_HOST", "localhost"), valid=is_host_name, accepted="a host name or IP address"
)
EMAIL_PORT = envint("EMAIL_PORT", _email.get("EMAIL_PORT", 25), min_value=1, max_value=65535)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", _email.get("EMAIL_HOST_USER", ""))
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", _email.get("EMAIL_HOST_PASSWORD", ""))
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", _email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", _email.get("EMAIL_USE_SSL", False))
# Seconds a mail server has to answer: one that accepts the connection and then says nothing would
# otherwise hold the reminders' job (and its worker) for ever (crm/notifications/mail.py).
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30, min_value=1, max_value=600)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS and EMAIL_USE_SSL are both on (from EMAIL_URL or the variables): "
        "STARTTLS (smtp://…?tls=1, port 587) or TLS from the start (smtps://, port 465), not both."
    )
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL",
    "crm@localhost",
    valid=is_email_address,
    accepted="an address, e.g. crm@customs.example or Customs CRM <crm@customs.example>",
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Languages: the browser's language picks the default; the switch keeps a choice in a cookie.
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LANGUAGE_CODE = envchoice("LANGUAGE_CODE", "en", [code for code, name in LANGUAGES])
LOCALE_PATHS = [BASE_DIR / "crm" / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = env("TIME_ZONE", "UTC", valid=is_time_zone, accepted="a time zone name such as UTC or Africa/Bamako")
USE_I18N = True
USE_TZ = True
# English dates are written day first (09/03/2026, 9 March 2026), as the administrations using the
# CRM write them, in English as in French; forms read them that way too (docs/languages.md).
FORMAT_MODULE_PATH = ["crm.formats"]

# Lists count their rows exactly up to this many, then say "more than" (crm/lib/paging.py).
LIST_COUNT_CAP = 10_000
SEARCH_COUNT_CAP = 1_000  # and a list searched for words (q), up to this many

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Bootstrap's built files are kept in crm/static/bootstrap/ (see its README): no CDN, no network
# at run time, nothing to build at install time.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security. Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, min_value=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_MAX_AGE_SECONDS", 12 * 3600, min_value=60)  # in all, from sign-in
# Without a request. At least two minutes: while someone types, the page pings once every idle/3
# seconds (30 at the least) and the middleware notes "last seen" at most once a minute, so under
# about 90 seconds the session of someone typing could end.
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", 30 * 60, min_value=120)
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Nothing inline: the server-drawn SVG charts style themselves with attributes (crm/lib/charts.py).
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# The REST API (/api/, crm/api/, docs/accounts.md): nothing of it is public. DRF views skip Django's
# LoginRequiredMiddleware and would allow anyone: here they need a token or a session, and a role.
API_RATE = env(
    "API_RATE",
    "1200/min",
    valid=lambda value: bool(re.fullmatch(r"[1-9][0-9]*/(s|sec|m|min|h|hour|d|day)", value)),
    accepted="requests per period, e.g. 1200/min or 50/s",
)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: an unauthenticated request answers 401 with WWW-Authenticate: Bearer.
        "crm.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # with CSRF, for the app's own pages
    ],
    "DEFAULT_PERMISSION_CLASSES": ["crm.api.authentication.HasRole"],
    "DEFAULT_THROTTLE_CLASSES": ["crm.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": API_RATE},
    "DEFAULT_PAGINATION_CLASS": "crm.api.pagination.KeysetCursorPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "crm.api.ordering.IdEndedOrdering",
    ],
    "ORDERING_PARAM": "ordering",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "crm.api.errors.problem_details",
    "DEFAULT_RENDERER_CLASSES": ["crm.api.rendering.Renderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "crm.api.negotiation.KnownFormatOnly",
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Customs CRM API",
    "DESCRIPTION": "Stakeholder engagement records. Authenticate with `Authorization: Bearer <token>` "
    "(a personal token from your account page) or the signed-in session.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["crm.api.authentication.HasRole"],
    "SERVE_AUTHENTICATION": None,  # the API's own (token, then session)
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The error statuses and their problem-details body on every operation; request bodies closed
    # to other fields (crm/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "crm.api.schema.problem_responses",
        "crm.api.schema.closed_request_bodies",
    ],
    "ENUM_NAME_OVERRIDES": {
        "FollowUpStatus": "communications.choices.FollowUpStatus",
        "CommitmentStatus": "communications.choices.CommitmentStatus",
        "ConcernStatus": "communications.choices.ConcernStatus",
        "CampaignStatus": "communications.choices.CampaignStatus",
    },
}

DJANGO_TABLES2_TEMPLATE = "crm/table.html"  # django-tables2 Bootstrap 5, lighter
BOOTSTRAP5 = {
    "set_placeholder": False,
    # Fields are marked invalid when they have errors, never "valid" (a wrong password is not green).
    "field_renderers": {"default": "crm.lib.forms.FieldRenderer"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": envchoice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
    },
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
