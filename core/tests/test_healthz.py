"""/healthz: database, cache and worker; each failing check answers 503 and is named."""

import socket
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from core.tasks import deliver_email

pytestmark = pytest.mark.django_db

MESSAGE = {
    "subject": "s",
    "body": "b",
    "from_email": "a@example.org",
    "to": ["b@example.org"],
    "cc": [],
    "bcc": [],
    "reply_to": [],
    "headers": {},
    "content_subtype": "plain",
    "alternatives": [],
    "attachments": [],
}


@pytest.fixture
def queue(settings):
    """Tasks go to the database queue, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.HEALTHZ_TASK_MAX_WAIT = 300


def health(client):
    response = client.get("/healthz")
    return response.status_code, response.json()


def test_healthy(client):
    status, body = health(client)
    assert status == 200
    assert body == {
        "status": "ok",
        "failing": [],
        "checks": {"database": "ok", "cache": "ok", "worker": "ok (tasks run inline)"},
    }
    assert client.get("/healthz")["Cache-Control"].startswith("max-age=0")


def test_a_broken_database_is_named(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    status, body = health(client)
    assert status == 503
    assert body["status"] == "error"
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == "error: RuntimeError"


def test_an_unreachable_cache_server_is_named(client, settings):
    # A Redis cache on a port where nothing listens: the real client's real error.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    status, body = health(client)
    assert status == 503
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"].startswith("error: ")


def test_a_cache_that_loses_values_is_named(client, monkeypatch):
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)
    status, body = health(client)
    assert status == 503
    assert body["failing"] == ["cache"]
    assert "did not return" in body["checks"]["cache"]


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_a_working_redis_cache_passes(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }
    status, body = health(client)
    assert (status, body["checks"]["cache"]) == (200, "ok")


def test_the_worker_is_healthy_while_it_keeps_up(client, queue):
    deliver_email.enqueue(message=MESSAGE)  # just queued
    later = deliver_email.using(run_after=timezone.now() + timedelta(hours=1))
    later.enqueue(message=MESSAGE)  # waiting for its time, not for the worker
    DBTaskResult.objects.exclude(run_after=get_date_max()).update(
        enqueued_at=timezone.now() - timedelta(days=1)
    )
    status, body = health(client)
    assert (status, body["checks"]["worker"]) == (200, "ok")


@pytest.mark.parametrize("late", ["queued long ago", "due long ago"])
def test_a_worker_that_falls_behind_is_named(client, queue, late):
    long_ago = timezone.now() - timedelta(minutes=6)
    if late == "queued long ago":
        deliver_email.enqueue(message=MESSAGE)
        DBTaskResult.objects.update(enqueued_at=long_ago)
    else:
        deliver_email.using(run_after=long_ago).enqueue(message=MESSAGE)
    status, body = health(client)
    assert status == 503
    assert body["failing"] == ["worker"]
    assert body["checks"]["worker"] == "error: 1 tasks waiting more than 300 s past their time"
