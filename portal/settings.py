"""Settings for the Villeneuves portal, read from the environment through django-environ.

The defaults give the embedded setup (SQLite under var/, a Celery broker on the filesystem,
e-mail to the console). ``DJANGO_ENV=production`` turns on the deployment hardening and refuses to
start without the secrets it needs.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _secret(name: str, default: str | None = None) -> str | None:
    """Read a secret from NAME, or from the file named by NAME_FILE (container secrets)."""
    file_name = env.str(f"{name}_FILE", default="")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return env.str(name, default=default)


DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)

SECRET_KEY = _secret("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required in production.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["*"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal",
    "housing",
    "tenants",
    "allocations",
    "outreach",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "phonenumber_field",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The second wall (PostgreSQL row-level security): the user's landlords for this request.
    "portal.middleware.RowSecurityMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # request.user as the user itself from here on, not two lazy proxies around it (resolved where
    # the idle timeout read it first, after the security headers' middlewares).
    "portal.middleware.ResolvedUserMiddleware",
    "housing.middleware.StaffSessionExpiryMiddleware",
    "housing.middleware.TwoFactorMiddleware",
    # Who made a change, on the history of households, flags, calls, requests and decisions.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% extends %} finding the root template's blocks once (portal/templatetags/extends.py).
            # {% url %} reversing a constant address once (portal/templatetags/constant_urls.py).
            "builtins": ["portal.templatetags.extends", "portal.templatetags.constant_urls"],
            # {% load i18n %}: Django's, with the translation of a literal kept per language.
            "libraries": {"i18n": "portal.templatetags.translated"},
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "housing.context_processors.landlords",
                "tenants.context_processors.tenant_requests_nav",
                "outreach.context_processors.outreach_nav",
                "allocations.context_processors.allocations_nav",
                "allocations.context_processors.applicant_nav",
            ],
        },
    },
]

# Django's form renderer, with the commonest widgets written in Python (portal/forms.py).
FORM_RENDERER = "portal.forms.PortalFormRenderer"

# Database: SQLite under var/ by default; PostgreSQL through DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the write
    # lock up front so two writers queue on the busy timeout instead of failing "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: the portal's queries are short, and PostgreSQL compiled the household search at
    # 100,000 households for 0.44 s of a 0.55 s query (bench/README.md, explain_pages).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # Django's backend, with the queries a connection repeats run as prepared statements (planned
    # once: portal/postgresql/base.py). Off behind a pooler sharing connections per transaction.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
        "DB_PREPARED_STATEMENTS", default=True
    ):
        DATABASES["default"]["ENGINE"] = "portal.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The second wall (portal/rls.py): write each request's and task's landlords into the PostgreSQL
# connection, for row-level security. On whenever the portal connects as the application role
# (docker-compose does); off, the connection must be the owner's, which bypasses the policies.
PORTAL_RLS = env.bool("PORTAL_RLS", default=False)

AUTH_USER_MODEL = "portal.User"
# History is read in admin, never written back: a decision or a call log is changed through its
# service, not by reverting to an old version.
SIMPLE_HISTORY_REVERT_DISABLED = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out account before the password is even checked. Then
# housing.auth.PortalBackend: Django's ModelBackend, except that its per-request user read also
# brings the user's landlords, household and committee seat (housing/auth.py). A session records
# its backend: those opened under Django's own ModelBackend (before 27 November 2026) end, and
# their users log in again.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "housing.auth.PortalBackend",
]
# Login throttling: after AXES_FAILURE_LIMIT failures for one e-mail address (from one address
# IP or another), the account is locked for AXES_COOLOFF_MINUTES; an admin can unlock it sooner
# (Django admin, « Tentatives d'accès », or ``manage.py axes_reset_username <e-mail>``).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Per account, not per IP address: an agency's staff share one public address, and one person's
# typos must not lock out the whole office. Hence the silenced axes.W006.
AXES_LOCKOUT_PARAMETERS = ["username"]
# templates.W003 warns of any label given to two template libraries: TEMPLATES installs
# portal.templatetags.translated under Django's "i18n" on purpose (the label is the override).
SILENCED_SYSTEM_CHECKS = ["axes.W006", "templates.W003"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
# Sessions in the database (Django's table and store), read with one plain query (portal/sessions.py).
SESSION_ENGINE = "portal.sessions"
# Staff sessions end after this many minutes without a request (tenants keep Django's default);
# 0 switches the idle timeout off.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
# The access log of households' pages is kept 12 months (CNIL's recommendation for access logs).
ACCESS_LOG_RETENTION_MONTHS = env.int("ACCESS_LOG_RETENTION_MONTHS", default=12)
# Second factor (django-otp, TOTP app + recovery codes): required from landlord admins,
# supervisors, committee secretaries and superusers, and from every role of a landlord that ticks
# « double authentification pour tout le personnel ». False switches the requirement off (tests).
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Portail des Villeneuves"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
TWO_FACTOR_RECOVERY_CODES = 10
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Language and formats: French first, English second, Paris time.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]
PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Outside production whitenoise serves straight from the app folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# E-mail: console by default, SMTP (or anything) through EMAIL_URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Absolute links in e-mails (signed links to cancel or move an appointment…).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Portail des Villeneuves <ne-pas-repondre@villeneuves.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: a broker that needs no server by default (kombu's filesystem transport under var/).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_FILESYSTEM_DIR = VAR_DIR / "celery" / "broker"
# Short timeouts and one retry: publishing from a web request never hangs on a broker outage (the
# message waits in the outbox, see portal.outbox). ``max_retries``/``interval_*`` bound kombu's
# reconnection when a channel is opened; the socket timeouts bound Redis itself.
BROKER_REDIS_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("broker", "processed", "control"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FILESYSTEM_DIR),
        "data_folder_out": str(CELERY_BROKER_FILESYSTEM_DIR),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = BROKER_REDIS_TRANSPORT_OPTIONS
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Publishing is never retried in the request: a failed publish stays in the outbox for the drain.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged once it has run, and given back to the queue when its worker is killed:
# every task is idempotent, so running one again is harmless (see README: Nothing is lost).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_IGNORE_RESULT = True

# The API (/api/v1/): integration tokens of the landlords, or the portal's own session; scoped like
# the pages (housing.api). Requests per token (or user) and per hour.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "housing.api.auth.IntegrationTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["housing.api.auth.ApiPermission"],
    "DEFAULT_THROTTLE_CLASSES": ["housing.api.auth.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env.str("API_THROTTLE_RATE", default="5000/hour")},
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "housing.api.auth.StableCursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "housing.api.base.exception_handler",
}
# Exports of up to this many rows are sent at once; larger ones are built by the worker.
EXPORT_SYNC_MAX_ROWS = env.int("EXPORT_SYNC_MAX_ROWS", default=5000)
# Items accepted in one bulk upsert call (above: 400 "oversize"); 10,000 households weigh about
# 3 MB of JSON, above Django's 2.5 MB default for a request body.
API_BULK_MAX_ITEMS = 10_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024
SPECTACULAR_SETTINGS = {
    "TITLE": "API du Portail des Villeneuves",
    "DESCRIPTION": _(
        "Échange de données entre le portail et les systèmes de gestion des bailleurs. "
        "Authentification : « Authorization: Bearer <clé> » avec un jeton d'intégration."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The schema and its pages are public (they hold no data); the endpoints are not.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "housing.api.schema.add_error_responses",
    ],
    # Choice sets shared by several fields, named once.
    "ENUM_NAME_OVERRIDES": {
        "DwellingStatusEnum": "housing.models.DwellingStatus",
        "RequestStatusEnum": "tenants.models.RequestStatus",
        "LanguageEnum": "portal.settings.LANGUAGES",
    },
}

# Allocations: the national unique registration number's pattern, candidates per vacancy.
ALLOCATIONS_REGISTRATION_NUMBER_PATTERN = env.str(
    "ALLOCATIONS_REGISTRATION_NUMBER_PATTERN", default=r"^\d{3}\d{2}\d{2}\d{5,8}[A-Z]$"
)
ALLOCATIONS_CANDIDATES_PER_VACANCY = 3

# Paging of the staff lists.
PAGE_SIZE = 50

# Content Security Policy (django-csp): scripts from the portal only, never inline. Styles may be
# inline (Django admin and the accessibility checker set style attributes); scripts may not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs every login at INFO: keep its warnings (lockouts) only.
    "loggers": {"axes": {"level": "WARNING"}},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
