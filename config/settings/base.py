"""Settings shared by every environment. Values come from the environment (12-factor)."""

import datetime
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_ratelimit",
    "axes",
    "csp",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    "core",
    "api",
    "accounts",
    "geography",
    "partners",
    "pages",
    "districts",
    "workshops",
    "applications",
    "funding",
    "facilitators",
    "events",
    "surveys",
    "metrics",
]

MIDDLEWARE = [
    # First: everything after it (rate limits, the sign-in lock-out, the audit log) reads the
    # client's address. TRUSTED_PROXY_COUNT below.
    "core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a management command writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # The metrics count distinct teachers over a whole program's enrollments (hundreds of
    # thousands of rows): at PostgreSQL's default 4MB those sorts and hashes spill to disk
    # and the program dashboard takes half again as long. Per connection, so it needs no
    # server change; DATABASE_WORK_MEM="" keeps the server's own setting.
    work_mem = env.str("DATABASE_WORK_MEM", default="64MB")
    if work_mem:
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c work_mem={work_mem}".strip()
# A PostgreSQL streaming replica for the dashboards and reports (README, Operations): reads
# inside core.db_routers.reporting_reads() go there; everything else stays on the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        "OPTIONS": DATABASES["default"].get("OPTIONS", {}),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["core.db_routers.ReportingReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://partnerhub")}

AUTH_USER_MODEL = "accounts.User"
# The lock-out check (django-axes) runs before the password check: a locked-out person is
# refused without their password being tried. Sessions name ModelBackend, which loads users.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "pages:program"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end packages come from the npm registry at set-up (package-lock.json), never from git.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
# Private uploads (spending receipts): outside the web root, never served by URL; a view
# checks scope and streams them.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private"))
RECEIPT_MAX_BYTES = env.int("RECEIPT_MAX_BYTES", default=5 * 1024 * 1024)
# `manage.py backup` writes here (`make backup`); see core.backups.
BACKUP_ROOT = env.path("BACKUP_ROOT", default=str(BASE_DIR / "var" / "backups"))

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# The backend that talks to the mail server. Production sends through the task queue instead
# (core.mail.TaskEmailBackend), whose worker delivers with this one and retries failures.
EMAIL_DELIVERY_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="PartnerHub <no-reply@partnerhub.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The public address of the site, for links in emails (no request to build them from).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
PROGRAM_OFFICE_EMAIL = env("PROGRAM_OFFICE_EMAIL", default="partners@partnerhub.local")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Integrations: `Authorization: Token <token>`, made on /accounts/tokens/ (one user's
        # scope, exactly). django-rest-knox keeps only a hash, so a database copy or backup
        # holds no usable token; each token is shown once, expires, and is revoked alone.
        "knox.auth.TokenAuthentication",
    ],
}
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=env.int("API_TOKEN_DAYS", default=365)),
    "AUTO_REFRESH": False,
}
API_TOKENS_PER_USER = 5
SPECTACULAR_SETTINGS = {
    "TITLE": "PartnerHub API",
    "DESCRIPTION": "The Regional Partner Program: regions, partners, applications and more.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the drf-spectacular-sidecar package: the docs load nothing from outside.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_refusals",
    ],
    # No online validator: its badge would send the schema's address to swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "RegionStatusEnum": "geography.models.Region.Status",
        "PartnerStatusEnum": "partners.models.Partner.Status",
        "ApplicationStatusEnum": "applications.models.Status",
        "ApplicationMoveEnum": "applications.serializers.STAFF_MOVES",
    },
}

# Demo data: every demo login shares this password (README, `make run`).
DEMO_PASSWORD = env("DEMO_PASSWORD", default="partnerhub-demo")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# LOG_FORMAT=json (production's default): one JSON object a line on stdout, for a log
# collector; `extra={...}` fields and tracebacks become keys (python-json-logger).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "stream": "ext://sys.stdout" if LOG_FORMAT == "json" else "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Lock-outs are warnings; axes' info line for every sign-in is noise.
        "axes": {"level": "WARNING"},
    },
}

# Rate limits (django-ratelimit) count in the cache: Redis in production (CACHE_URL).
RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# The rates ("count/period"), read by the views at each request. For sign-in only failures
# count (accounts.views.SIGN_IN_LIMITS): a school or a workshop room sits behind one address,
# and thirty teachers signing in there at once must not be refused. Elsewhere every POST counts.
RATE_SIGN_IN_PER_IP = env.str("RATE_SIGN_IN_PER_IP", default="40/10m")
RATE_SIGN_IN_PER_EMAIL = env.str("RATE_SIGN_IN_PER_EMAIL", default="10/10m")
RATE_PASSWORD_RESET_PER_IP = env.str("RATE_PASSWORD_RESET_PER_IP", default="10/h")
RATE_PASSWORD_RESET_PER_EMAIL = env.str("RATE_PASSWORD_RESET_PER_EMAIL", default="5/h")
# Per applicant: starting a draft, and pressing Submit (a refused submit counts too, so an
# applicant fixing the last problems has room to try again).
RATE_APPLICATION_START_PER_USER = env.str("RATE_APPLICATION_START_PER_USER", default="10/h")
RATE_APPLICATION_SUBMIT_PER_USER = env.str("RATE_APPLICATION_SUBMIT_PER_USER", default="20/h")

# Sign-in lock-out (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one email
# address from one IP address, that pair is refused for AXES_COOLOFF_TIME. Locking the pair,
# not the account, keeps an attacker from locking a person out from everywhere; the per-IP
# rate above covers one address trying many accounts. A program admin clears a lock in the
# admin (Axes > Access attempts) or with `manage.py axes_reset_username <email>`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_username"
AXES_RESET_ON_SUCCESS = True
# Attempts while locked are refused but do not restart the cool-off: the page's "try again
# in 15 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The sign-in page again, with the reason, status 429 (not axes' bare text page).
AXES_LOCKOUT_CALLABLE = "accounts.views.sign_in_locked_out"
# The lock-out needs only the failures; axes' log of every successful sign-in is not kept.
AXES_DISABLE_ACCESS_LOG = True

# Content security policy (django-csp): only this site's own files; no inline script or style,
# no eval. Chart.js sets sizes through element.style (the CSSOM), which CSP allows.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"
# How many proxies (load balancer, TLS proxy) stand between clients and the app and append to
# X-Forwarded-For; the client's address is read from there (core.middleware). 0: none, the
# app is reached directly and the header, which anyone can send, is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# The audit trail's correlation ids (one per change, core.audit.audited) are made by the app
# only: auditlog would otherwise take any client's X-Correlation-ID header as one, letting a
# request join its entries to someone else's change.
AUDITLOG_CID_HEADER = None

# Background work (emails, reminders) goes through django-tasks: inline by default (development
# and tests), into the database queue with TASK_BACKEND=database, run by `manage.py db_worker`.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {"default": {"BACKEND": TASK_BACKENDS[env.str("TASK_BACKEND", default="immediate")]}}
# /healthz reports the worker unhealthy when a task has waited this long past its time.
HEALTHZ_TASK_MAX_WAIT = env.int("HEALTHZ_TASK_MAX_WAIT", default=300)
