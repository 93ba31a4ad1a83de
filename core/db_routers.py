"""Reports read from a PostgreSQL replica when one is configured; everything else uses the primary.

Set DATABASE_REPLICA_URL (README, Operations) and the dashboards' figures, their downloads and
the metrics API read from the `replica` alias: the heavy grouped counts over enrollments and
attendance then run beside, not on, the database that takes sign-ups and check-ins. Only code
inside `reporting_reads()` is routed, so a request never reads its own writes from a replica
that may lag a few seconds behind; scope checks (who may see which partner) stay on the primary.
Without a replica the router answers None and Django uses `default`, as before.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reporting: ContextVar[bool] = ContextVar("reporting_reads", default=False)


@contextmanager
def reporting_reads() -> Iterator[None]:
    """Reads inside go to the replica, if there is one (figures that may lag a little)."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def reading_for_reports() -> bool:
    return _reporting.get()


class ReportingReplicaRouter:
    """Routes `reporting_reads()` blocks to the replica; writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        if _reporting.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None  # the primary

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: objects from either relate.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica gets its schema through replication, never from `migrate`.
        return db != REPLICA
