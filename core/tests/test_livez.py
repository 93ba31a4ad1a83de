"""/livez: the process answers, whatever the state of the database and the cache."""

import importlib
import secrets
import sys

import pytest
from django.db import connection


def test_answers_ok_as_plain_text_never_cached(client):
    # No django_db mark: any query would fail the test.
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    assert response["Cache-Control"].startswith("max-age=0")


def test_head_answers_too_and_writes_are_refused(client):
    assert client.head("/livez").status_code == 200
    assert client.post("/livez").status_code == 405


@pytest.mark.django_db
def test_answers_while_the_database_and_the_cache_are_down(client, settings, monkeypatch):
    # /healthz would answer 503 here (core/tests/test_healthz.py); liveness is not health.
    def broken_cursor(*args, **kwargs):
        raise RuntimeError("down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    assert client.get("/healthz").status_code == 503
    response = client.get("/livez")
    assert (response.status_code, response.content) == (200, b"ok")


def production_settings(monkeypatch):
    """config.settings.production as a module, with the environment it requires."""
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(64))
    monkeypatch.setenv("ALLOWED_HOSTS", "testserver")
    monkeypatch.delitem(sys.modules, "config.settings.production", raising=False)
    try:
        return importlib.import_module("config.settings.production")
    finally:
        sys.modules.pop("config.settings.production", None)


@pytest.mark.django_db
def test_production_answers_it_over_plain_http_like_healthz(client, settings, monkeypatch):
    # Behind a TLS proxy every http:// address is redirected to https://, except the probes a
    # process manager or load balancer sends straight to the app server.
    production = production_settings(monkeypatch)
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = production.SECURE_REDIRECT_EXEMPT
    assert client.get("/educate/regional-partner/").status_code == 301
    assert client.get("/livez").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_the_favicon_address_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith(".svg") and "favicon" in response["Location"]
    assert "max-age=86400" in response["Cache-Control"]
    assert client.post("/favicon.ico").status_code == 405
