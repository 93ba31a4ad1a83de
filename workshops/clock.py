"""The workshop clock: a workshop's state by the time, not only as stored.

A published workshop is `in_progress` from its first session's start and `ended` after its
last session's end. `workshops_advance_states` (workshops.scheduling) stores those moves on a
schedule, but every rule that depends on whether a workshop has started or ended (enrolling,
cancelling, promoting the waitlist, moving people, certificates, surveys) reads the state
here, so it is right even before that runs.

A small module of its own so that both `scheduling` and `enrollment` (which scheduling
imports) can use it without an import cycle. `workshops.scheduling` re-exports these names.

Times: a session's date, start and end are wall-clock times in the workshop's zone. "Now" is
compared with them per zone: the handful of zones in use each get their local date and time
(`_per_zone`), which keeps the comparisons in SQL on SQLite and PostgreSQL alike.
"""

import datetime
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import Workshop, WorkshopSession, WorkshopState

PUBLIC_STATES = (WorkshopState.PUBLISHED, WorkshopState.IN_PROGRESS, WorkshopState.ENDED)


def zones_in_use() -> list[str]:
    return list(Workshop.objects.order_by().values_list("time_zone", flat=True).distinct())


def _per_zone(
    now: datetime.datetime,
    build: Callable[[datetime.date, datetime.time], Q],
    zones: Iterable[str] | None = None,
) -> Q:
    """OR over the zones in use: (workshop in that zone) AND build(its local date, time)."""
    condition = Q(pk__in=[])
    for zone in zones_in_use() if zones is None else zones:
        try:
            local = now.astimezone(ZoneInfo(zone))
        except (ValueError, KeyError):
            continue
        condition |= Q(time_zone=zone) & build(local.date(), local.time().replace(tzinfo=None))
    return condition


def started_q(now: datetime.datetime, zones: Iterable[str] | None = None) -> Q:
    """Workshops whose first session has started by `now` (in each workshop's zone)."""

    def build(day: datetime.date, time: datetime.time) -> Q:
        begun = WorkshopSession.objects.filter(workshop=OuterRef("pk")).filter(
            Q(date__lt=day) | Q(date=day, start_time__lte=time)
        )
        return Q(Exists(begun))

    return _per_zone(now, build, zones)


def open_q(now: datetime.datetime, zones: Iterable[str] | None = None) -> Q:
    """Workshops with a session still to end after `now`: not over yet."""

    def build(day: datetime.date, time: datetime.time) -> Q:
        to_come = WorkshopSession.objects.filter(workshop=OuterRef("pk")).filter(
            Q(date__gt=day) | Q(date=day, end_time__gt=time)
        )
        return Q(Exists(to_come))

    return _per_zone(now, build, zones)


# The order the clock moves a public workshop in; it never moves one back.
_ORDER = {WorkshopState.PUBLISHED: 0, WorkshopState.IN_PROGRESS: 1, WorkshopState.ENDED: 2}


def state_q(state: str, now: datetime.datetime, zones: Iterable[str] | None = None) -> Q:
    """Workshops whose state by the clock (see `effective_state`) is `state` at `now`."""
    zones = list(zones_in_use() if zones is None else zones)
    started, still_open = started_q(now, zones), open_q(now, zones)
    if state == WorkshopState.PUBLISHED:
        return Q(state=WorkshopState.PUBLISHED) & ~started
    if state == WorkshopState.IN_PROGRESS:
        return (
            Q(state__in=[WorkshopState.PUBLISHED, WorkshopState.IN_PROGRESS])
            & (started | Q(state=WorkshopState.IN_PROGRESS))
            & still_open
        )
    if state == WorkshopState.ENDED:
        return Q(state=WorkshopState.ENDED) | (
            Q(state__in=[WorkshopState.PUBLISHED, WorkshopState.IN_PROGRESS])
            & started
            & ~still_open
        )
    return Q(state=state)


def effective_state(workshop: Workshop, now: datetime.datetime | None = None) -> str:
    """The workshop's state by the clock: a published one is in progress from its first
    session's start and ended after its last one's end, whether or not that is stored yet.
    The clock only moves a workshop forward: a stored state further on stays (e.g. one the
    program office recorded as ended early). Uses `workshop.sessions.all()` (prefetch it for
    lists)."""
    if workshop.state not in PUBLIC_STATES:
        return workshop.state
    sessions = list(workshop.sessions.all())
    if not sessions:
        return workshop.state
    now = now or timezone.now()
    zone = workshop.zone
    first = min(datetime.datetime.combine(s.date, s.start_time, tzinfo=zone) for s in sessions)
    last = max(datetime.datetime.combine(s.date, s.end_time, tzinfo=zone) for s in sessions)
    if now >= last:
        clock = WorkshopState.ENDED
    elif now >= first:
        clock = WorkshopState.IN_PROGRESS
    else:
        clock = WorkshopState.PUBLISHED
    return max(clock, WorkshopState(workshop.state), key=_ORDER.__getitem__)


def effective_state_label(state: str) -> str:
    if state == WorkshopState.PUBLISHED:
        return "Open"
    return WorkshopState(state).label
