"""Production: every secret from the environment, HTTPS only, hashed static files."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import TASK_BACKENDS, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment (50+ random characters) in production."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Background work runs in a worker process (`manage.py db_worker`), never in the request.
TASKS = {"default": {"BACKEND": TASK_BACKENDS[env.str("TASK_BACKEND", default="database")]}}
if TASKS["default"]["BACKEND"] == TASK_BACKENDS["database"]:
    # Email is queued and delivered by the worker, which retries when the mail server fails:
    # no request waits on it, and no message is lost (core.mail, core.tasks.deliver_email).
    EMAIL_BACKEND = "core.mail.TaskEmailBackend"

# JSON lines on stdout (see base.LOGGING); LOG_FORMAT=plain for a person at a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    **LOGGING,  # noqa: F405
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "stream": "ext://sys.stdout" if LOG_FORMAT == "json" else "ext://sys.stderr",
        }
    },
}

# Redis is the production cache (shared by every app server: rate limits, page caches).
CACHES = {"default": env.cache("CACHE_URL", default="redis://127.0.0.1:6379/1")}
