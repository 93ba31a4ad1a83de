"""Keep the ZIP lookup index fresh however region membership changes (forms, admin, shell).

Each change queues its state; the reindex runs once per transaction, after commit.
Bulk writes bypass signals: their callers run geography.services.regions_reindex themselves.
"""

import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import Region, RegionCounty, RegionState, RegionZip
from .services import interest_notify, regions_reindex

_pending = threading.local()


def _queue(state_id: int | None) -> None:
    if state_id is None:
        return
    _pending.states = (getattr(_pending, "states", None) or set()) | {state_id}
    # One callback per change, but only the first to run finds work: the rest see an empty
    # set. (Deduplicating the registration instead breaks when a savepoint rolls back.)
    transaction.on_commit(_flush)  # runs at once outside a transaction


def _flush() -> None:
    states = getattr(_pending, "states", None)
    _pending.states = None
    if states:
        regions_reindex(state_ids=states)


def _touch(region_id: int) -> None:
    # A membership change is a change of the region: its updated_at drives the map's cache.
    Region.objects.filter(pk=region_id).update(updated_at=timezone.now())


@receiver([post_save, post_delete], sender=RegionState)
def _state_link_changed(sender, instance, **kwargs):
    _touch(instance.region_id)
    _queue(instance.state_id)


@receiver([post_save, post_delete], sender=RegionCounty)
def _county_link_changed(sender, instance, **kwargs):
    _touch(instance.region_id)
    _queue(instance.county.state_id if instance.county_id else None)


@receiver([post_save, post_delete], sender=RegionZip)
def _zip_link_changed(sender, instance, **kwargs):
    _touch(instance.region_id)
    _queue(instance.zip_code.state_id if instance.zip_code_id else None)


@receiver(post_save, sender=Region)
def _region_saved(sender, instance: Region, created: bool, **kwargs):
    if instance.became_served:
        region_id = instance.pk
        transaction.on_commit(lambda: interest_notify(region_id=region_id))
    instance._loaded_status = instance.status
