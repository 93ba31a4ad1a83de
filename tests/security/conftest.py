"""The world of two partners, built once per test module (see world.py).

Built inside a transaction held open for the module and rolled back after its last test;
each test still runs in its own savepoint (the `db` fixture), so what a test writes is gone
before the next one.
"""

import shutil
import tempfile

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from .world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    private = tempfile.mkdtemp(prefix="matrix-private-")
    with (
        override_settings(PRIVATE_MEDIA_ROOT=private),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = build_world()
        # One signed-in session per role, kept in the database for the whole module.
        built.sessions = {}
        for role, user in built.users.items():
            client = Client()
            client.force_login(user)
            built.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield built
        transaction.set_rollback(True)
    shutil.rmtree(private, ignore_errors=True)


@pytest.fixture
def client_as(world, db):
    """`client_as(role)`: a test client signed in as that role of the world (anonymous: not)."""

    def make(role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
        return client

    return make


@pytest.fixture
def no_limits(settings):
    """Rate limits and the sign-in lock-out off: the bad-input tests send hundreds of requests
    from one address, and are about each answer, not about being slowed down."""
    settings.RATELIMIT_ENABLE = False
    settings.AXES_ENABLED = False
