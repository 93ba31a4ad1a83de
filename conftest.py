"""Fixtures shared by every app's tests."""

import os
from contextlib import contextmanager

import pytest
from hypothesis import settings as hypothesis_settings

# CI (.ci/run sets HYPOTHESIS_PROFILE=ci) runs the property-based tests on the same examples
# every time, so a landing is never refused by a rare example found that day; a developer's
# `make test` draws new examples each run and finds what is new.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# same thread are still synchronous, so the async-safety guard does not apply to tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium: Playwright's own browser download cannot work here."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def _no_stray_connections_at_teardown(django_db_setup, django_db_blocker):
    """End every other session on the PostgreSQL test database before it is dropped.

    A live-server thread can still be answering a browser request that a finished test left
    behind; its connection would make `DROP DATABASE` fail ("being accessed by other users").
    """
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached pages and rate-limit counters."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block's on_commit callbacks as its commit would, then forget them as a commit does.

    The test transaction never commits, so callbacks queued before the block (emails, the
    ZIP reindex) would linger and run again; clearing them on both sides keeps blocks apart.
    """
    from django.db import connection

    @contextmanager
    def block():
        connection.run_on_commit.clear()
        with django_capture_on_commit_callbacks(execute=True):
            yield
        connection.run_on_commit.clear()

    return block


@pytest.fixture
def make_user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory


@pytest.fixture
def program_admin(make_user):
    return make_user(role="program_admin")


@pytest.fixture
def regional_manager(make_user):
    return make_user(role="regional_manager")


@pytest.fixture
def program_manager(make_user):
    return make_user(role="program_manager")


@pytest.fixture
def teacher(make_user):
    return make_user(role="teacher")


@pytest.fixture
def applicant(make_user):
    return make_user(role="applicant")


@pytest.fixture
def facilitator(make_user):
    return make_user(role="facilitator")


@pytest.fixture
def geography(db):
    """A few real states with all their counties and ZIP codes (WA, AK, HI, NY)."""
    from geography.loader import load_geography

    return load_geography(states=["WA", "AK", "HI", "NY"])
