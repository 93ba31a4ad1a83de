from contextlib import contextmanager

import pytest
from django.db import connection


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block's on_commit callbacks (emails) as its commit would, then forget them.

    The test transaction never commits, so callbacks queued earlier would otherwise linger.
    """

    @contextmanager
    def block():
        connection.run_on_commit.clear()
        with django_capture_on_commit_callbacks(execute=True):
            yield
        connection.run_on_commit.clear()

    return block
