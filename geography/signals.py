"""Keep the ZIP lookup index fresh however region membership changes (forms, admin, shell).

Each change queues its state; the reindex runs once per transaction, after commit.
Bulk writes bypass signals: their callers run geography.services.regions_reindex themselves.
"""

import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import RegionCounty, RegionState, RegionZip
from .services import regions_reindex

_pending = threading.local()


def _queue(state_id: int | None) -> None:
    if state_id is None:
        return
    connection = transaction.get_connection()
    # A rolled-back savepoint drops its callbacks: register again unless ours is still queued.
    registered = connection.in_atomic_block and any(
        entry[1] is _flush for entry in connection.run_on_commit
    )
    _pending.states = (getattr(_pending, "states", None) or set()) | {state_id}
    if not registered:
        transaction.on_commit(_flush)  # runs at once outside a transaction


def _flush() -> None:
    states = getattr(_pending, "states", None) or set()
    _pending.states = None
    regions_reindex(state_ids=states)


@receiver([post_save, post_delete], sender=RegionState)
def _state_link_changed(sender, instance, **kwargs):
    _queue(instance.state_id)


@receiver([post_save, post_delete], sender=RegionCounty)
def _county_link_changed(sender, instance, **kwargs):
    _queue(instance.county.state_id if instance.county_id else None)


@receiver([post_save, post_delete], sender=RegionZip)
def _zip_link_changed(sender, instance, **kwargs):
    _queue(instance.zip_code.state_id if instance.zip_code_id else None)
