"""Views that belong to no domain: the liveness and health checks and the error pages."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

logger = logging.getLogger(__name__)


class CheckFailed(Exception):
    """A check's own finding, safe to show in the public answer (other errors show by class)."""


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    token = secrets.token_hex(8)
    cache.set("healthz", token, timeout=30)
    if cache.get("healthz") != token:
        raise CheckFailed("the cache did not return what was just stored")


def _check_worker() -> str:
    """A worker is healthy while it keeps up: no task has waited past its due time for longer
    than HEALTHZ_TASK_MAX_WAIT. With tasks run inline (development) there is no worker."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if not isinstance(backend, DatabaseBackend):
        return "ok (tasks run inline)"
    cutoff = timezone.now() - timedelta(seconds=settings.HEALTHZ_TASK_MAX_WAIT)
    overdue = DBTaskResult.objects.filter(
        Q(run_after=get_date_max(), enqueued_at__lt=cutoff) | Q(run_after__lt=cutoff),
        status="READY",
        backend_name=backend.alias,
    ).count()
    if overdue:
        raise CheckFailed(
            f"{overdue} tasks waiting more than {settings.HEALTHZ_TASK_MAX_WAIT} s past their time"
        )
    return "ok"


CHECKS = {"database": _check_database, "cache": _check_cache, "worker": _check_worker}


@never_cache
@require_GET
def healthz(request):
    """Health check for load balancers and monitoring: 200 when the database answers, the
    cache stores and returns a value and the worker keeps up with the task queue; otherwise
    503, naming each failing check."""
    checks = {}
    for name, check in CHECKS.items():
        try:
            checks[name] = check() or "ok"
        except CheckFailed as failure:
            checks[name] = f"error: {failure}"
        except Exception as exc:  # any failure means unhealthy
            logger.warning("Health check %s failed", name, exc_info=True)
            checks[name] = f"error: {exc.__class__.__name__}"
    failing = [name for name, result in checks.items() if not result.startswith("ok")]
    return JsonResponse(
        {"status": "error" if failing else "ok", "failing": failing, "checks": checks},
        status=503 if failing else 200,
    )


@never_cache
@require_safe
def livez(request):
    """Liveness: 200 "ok" as long as this process answers requests. It touches neither the
    database nor the cache, so a process manager restarts a stuck process on it without
    restarting healthy ones when PostgreSQL or Redis is down (that is /healthz's job); and it
    is the minimal view `make bench` measures the pages beside."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for on pages without an icon link (plain text, PDFs):
    the site's icon, a static file (its hashed name changes with it, so not permanent)."""
    response = redirect(static("img/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def server_error(request):
    """500 page rendered without context processors, so it works when the database does not."""
    from django.http import HttpResponseServerError
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render())
