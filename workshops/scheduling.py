"""Scheduling workshops: the services that create, change, publish and cancel them, and the
selectors the public list, the calendars, the workspace and the API read them with.

States. A workshop is `draft` until published; `cancelled` only from draft or published. A
published workshop is `in_progress` from its first session's start and `ended` after its last
session's end. Those two moves follow the clock: `workshops_advance_states` stores them (the
`advance_workshop_states` command runs it on a schedule), and every page and rule reads the
state through `effective_state` / the `*_q` filters of `workshops.clock` (re-exported here),
so it is right even before that runs.

Times. A session's date, start and end are wall-clock times in the workshop's zone: the venue
ZIP code's (`ZipCode.timezone`) for an in-person workshop, chosen for an online one.
"""

import datetime
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateformat import time_format

from accounts.models import User
from core.audit import audited
from core.program_years import program_year_for
from core.time_zones import validate_time_zone
from districts.models import DistrictPartnership
from facilitators.selectors import accredited_facilitators
from geography.models import ZipCode
from partners.models import Partner

from .clock import (
    PUBLIC_STATES,
    effective_state,
    effective_state_label,
    open_q,
    started_q,  # noqa: F401 (re-exported)
    state_q,
    zones_in_use,
)
from .enrollment import waitlist_promote
from .models import (
    Enrollment,
    EnrollmentStatus,
    Workshop,
    WorkshopFacilitator,
    WorkshopSession,
    WorkshopState,
)

# States whose details may still change (by the clock: not started yet).
CHANGEABLE_STATES = (WorkshopState.DRAFT, WorkshopState.PUBLISHED)

# What a form or the API may set on a workshop; everything else is the system's.
WORKSHOP_FIELDS = frozenset(
    {
        "course",
        "kind",
        "title",
        "description",
        "is_online",
        "venue",
        "address",
        "city",
        "zip_code",
        "time_zone",
        "online_url",
        "capacity",
        "enrollment_opens_at",
        "enrollment_closes_at",
        "reserved_for",
    }
)
SESSION_FIELDS = ("date", "start_time", "end_time")
MAX_SESSIONS = 30
EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LATITUDE = 69.0


def _audited(user):
    return audited(user, label="workshop")


# --- The clock -----------------------------------------------------------------------------


def workshops_advance_states(now: datetime.datetime | None = None) -> dict[str, int]:
    """Store the clock's moves: published -> in progress -> ended. Returns how many moved.

    Idempotent; run on a schedule by `manage.py advance_workshop_states`. Rows are saved one
    by one (there are few per run) so the audit log records each move.
    """
    now = now or timezone.now()
    zones = zones_in_use()
    moves = {
        WorkshopState.IN_PROGRESS: Workshop.objects.filter(
            state_q(WorkshopState.IN_PROGRESS, now, zones), state=WorkshopState.PUBLISHED
        ),
        WorkshopState.ENDED: Workshop.objects.filter(
            state_q(WorkshopState.ENDED, now, zones),
            state__in=[WorkshopState.PUBLISHED, WorkshopState.IN_PROGRESS],
        ),
    }
    counts = {str(state): 0 for state in moves}
    with _audited(None):
        for state, queryset in moves.items():
            for pk in queryset.values_list("pk", flat=True):
                with transaction.atomic():
                    workshop = Workshop.objects.select_for_update().filter(pk=pk).first()
                    if workshop is None or workshop.state not in PUBLIC_STATES:
                        continue
                    workshop.state = state
                    workshop.save(update_fields=["state", "updated_at"])
                    counts[str(state)] += 1
    return counts


# --- Services ------------------------------------------------------------------------------


def _check_may_manage(user: User, partner: Partner) -> None:
    if not user.is_authenticated or not (
        Partner.objects.editable_by(user).filter(pk=partner.pk).exists()
    ):
        raise PermissionDenied("Only the partner's program managers and program admins can.")


def _check_fields(data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - WORKSHOP_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be set: {', '.join(unknown)}.")


def _person(user: User) -> str:
    return user.get_full_name() or user.email


def _aware(value: datetime.datetime | None, zone: ZoneInfo) -> datetime.datetime | None:
    """A naive datetime is a wall-clock time in the workshop's zone (as forms send it)."""
    if value is None or timezone.is_aware(value):
        return value
    return value.replace(tzinfo=zone)


def _clean_sessions(sessions: list[dict]) -> list[dict]:
    """Sessions as dicts with date, start_time, end_time (and `id` for existing ones): at least
    one, each ending after it starts, none overlapping another. Field-keyed `sessions` errors."""
    if not sessions:
        raise ValidationError({"sessions": "Add at least one session."})
    if len(sessions) > MAX_SESSIONS:
        raise ValidationError({"sessions": f"A workshop has at most {MAX_SESSIONS} sessions."})
    errors = []
    for row in sessions:
        if any(row.get(name) is None for name in SESSION_FIELDS):
            errors.append("Every session needs a date, a start time and an end time.")
        elif row["end_time"] <= row["start_time"]:
            errors.append(
                f"The session on {row['date']:%b %-d, %Y} must end after it starts "
                f"({row['start_time']:%H:%M})."
            )
    if errors:
        raise ValidationError({"sessions": sorted(set(errors))})
    ordered = sorted(sessions, key=lambda r: (r["date"], r["start_time"]))
    for before, after in itertools.pairwise(ordered):
        if before["date"] == after["date"] and after["start_time"] < before["end_time"]:
            errors.append(
                f"Two sessions on {after['date']:%b %-d, %Y} overlap "
                f"({before['start_time']:%H:%M}-{before['end_time']:%H:%M} and "
                f"{after['start_time']:%H:%M}-{after['end_time']:%H:%M})."
            )
    if errors:
        raise ValidationError({"sessions": errors})
    return ordered


def _derive(workshop: Workshop, data: dict[str, Any]) -> dict[str, list[str]]:
    """Apply `data` and derive the time zone (from the venue ZIP for in-person workshops);
    returns what is wrong with the place, keyed by field."""
    for name, value in data.items():
        setattr(workshop, name, value)
    for name in ("title", "description", "venue", "address", "city", "online_url"):
        setattr(workshop, name, (getattr(workshop, name) or "").strip())
    errors: dict[str, list[str]] = defaultdict(list)
    if workshop.is_online:
        workshop.zip_code = None
        workshop.venue = workshop.address = workshop.city = ""
        if not workshop.time_zone:
            errors["time_zone"].append("Choose the time zone of an online workshop.")
    else:
        workshop.online_url = ""
        if workshop.zip_code is None:
            errors["zip_code"].append("Enter the venue's ZIP code: it decides the time zone.")
        elif not workshop.zip_code.timezone:
            errors["zip_code"].append(
                f"The time zone of ZIP code {workshop.zip_code.code} is not known; "
                "choose another ZIP code near the venue."
            )
        else:
            workshop.time_zone = workshop.zip_code.timezone
        if not workshop.venue:
            errors["venue"].append("Name the venue of an in-person workshop.")
    return errors


def _validate(
    workshop: Workshop,
    sessions: list[dict],
    facilitators: list[User],
    *,
    publishing: bool,
    now: datetime.datetime,
    errors: dict[str, list[str]],
) -> None:
    """Everything a workshop must satisfy beyond its fields (see the module and the issue),
    added to `errors`. `sessions` are clean (see _clean_sessions)."""
    partner = workshop.partner
    if workshop.course_id and not partner.courses.filter(pk=workshop.course_id).exists():
        errors["course"].append(f"{partner.name} does not offer {workshop.course.name}.")
    if workshop.kind_id and workshop.course_id and workshop.kind.course_id != workshop.course_id:
        errors["kind"].append(
            f"“{workshop.kind.name}” is not a kind of {workshop.course.name} workshop."
        )
    if (
        workshop.reserved_for_id
        and not DistrictPartnership.objects.filter(
            partner=partner, district_id=workshop.reserved_for_id
        ).exists()
    ):
        errors["reserved_for"].append(
            f"{partner.name} has no partnership with {workshop.reserved_for.name}."
        )
    if workshop.pk and workshop.capacity:
        enrolled = workshop.enrollments.filter(status=EnrollmentStatus.ENROLLED).count()
        if workshop.capacity < enrolled:
            errors["capacity"].append(
                f"{enrolled} teachers are enrolled: the capacity cannot be below that."
            )
    if workshop.course_id and facilitators and workshop.program_year:
        allowed = set(
            accredited_facilitators(workshop.course_id, workshop.program_year).values_list(
                "pk", flat=True
            )
        )
        for person in facilitators:
            if person.pk not in allowed:
                errors["facilitators"].append(
                    f"{_person(person)} is not accredited for {workshop.course.name} in "
                    f"{workshop.program_year}."
                )
    if workshop.is_online and publishing and not workshop.online_url:
        errors["online_url"].append("Add the online link before publishing.")
    try:
        validate_time_zone(workshop.time_zone)
    except ValidationError:
        return  # said already: the ZIP code or the zone is missing
    if not sessions:
        return
    zone = workshop.zone
    starts = [datetime.datetime.combine(s["date"], s["start_time"], tzinfo=zone) for s in sessions]
    ends = [datetime.datetime.combine(s["date"], s["end_time"], tzinfo=zone) for s in sessions]
    if publishing and min(starts) <= now:
        errors["sessions"].append("A published workshop's sessions must all be in the future.")
    opens, closes = workshop.enrollment_opens_at, workshop.enrollment_closes_at
    if opens and closes and closes <= opens:
        errors["enrollment_closes_at"].append("Enrollment must close after it opens.")
    if opens and opens >= min(starts):
        errors["enrollment_opens_at"].append("Enrollment must open before the first session.")
    if closes and closes > max(ends):
        errors["enrollment_closes_at"].append(
            "Enrollment must close by the end of the last session."
        )


def _save_sessions(workshop: Workshop, sessions: list[dict]) -> None:
    """Make the stored sessions the given ones: rows with an `id` are changed in place (their
    attendance code stays), others created, missing ones removed unless attendance was kept."""
    existing = {s.pk: s for s in workshop.sessions.all()}
    keep = {row["id"] for row in sessions if row.get("id") in existing}
    unknown = [row["id"] for row in sessions if row.get("id") and row["id"] not in existing]
    if unknown:
        raise ValidationError({"sessions": "A session was removed meanwhile; reload the page."})
    removed = [s for pk, s in existing.items() if pk not in keep]
    if any(s.attendances.exists() for s in removed):
        raise ValidationError({"sessions": "A session with attendance cannot be removed."})
    for session in removed:
        session.delete()
    # A kept session moving to the (date, start) another kept one leaves would trip the unique
    # constraint mid-way: park those first (a day no workshop uses; the new values follow).
    taken = {(s.date, s.start_time): pk for pk, s in existing.items() if pk in keep}
    for row in sessions:
        owner = taken.get((row["date"], row["start_time"]))
        if owner is not None and owner != row.get("id"):
            WorkshopSession.objects.filter(pk=owner).update(
                date=datetime.date(1901, 1, 1) + datetime.timedelta(days=owner % 20000)
            )
    for row in sessions:
        session = existing.get(row.get("id")) or WorkshopSession(workshop=workshop)
        for name in SESSION_FIELDS:
            setattr(session, name, row[name])
        session.save()


def _save_facilitators(workshop: Workshop, facilitators: list[User]) -> None:
    wanted = {p.pk for p in facilitators}
    links = workshop.facilitator_links.all()
    for link in links:
        if link.facilitator_id not in wanted:
            link.delete()
    have = {link.facilitator_id for link in links}
    for pk in sorted(wanted - have):
        WorkshopFacilitator.objects.create(workshop=workshop, facilitator_id=pk)


def _merge(errors: dict[str, list[str]], error: ValidationError) -> None:
    for name, messages in error.message_dict.items():
        for message in messages:
            if message not in errors[name]:
                errors[name].append(message)


def _check(
    workshop: Workshop,
    sessions: list[dict],
    facilitators: list[User],
    *,
    publishing: bool,
    errors: dict[str, list[str]] | None = None,
) -> tuple[dict[str, list[str]], list[dict]]:
    """Everything wrong with the workshop, its sessions and facilitators at once (so a form
    shows every problem in one go), keyed by field; and the sessions in order."""
    errors = defaultdict(list, errors or {})
    ordered: list[dict] = []
    try:
        ordered = _clean_sessions(sessions)
    except ValidationError as error:
        _merge(errors, error)
    # The checks below (window, sessions ahead) still run on the rows that are whole, so a
    # form shows those problems along with the overlap or the bad row.
    usable = ordered or sorted(
        (
            row
            for row in sessions
            if all(row.get(name) is not None for name in SESSION_FIELDS)
            and row["end_time"] > row["start_time"]
        ),
        key=lambda r: (r["date"], r["start_time"]),
    )
    # The program year even when a session is wrong, so the other checks still run.
    days = [row["date"] for row in sessions if row.get("date")]
    if days:
        workshop.program_year = program_year_for(min(days))
    try:
        zone = ZoneInfo(workshop.time_zone)
    except (ValueError, KeyError):
        zone = None
    if zone is not None:
        workshop.enrollment_opens_at = _aware(workshop.enrollment_opens_at, zone)
        workshop.enrollment_closes_at = _aware(workshop.enrollment_closes_at, zone)
    # Constraints are checked below with clearer words; a missing zone is said already.
    exclude = ["time_zone"] if {"zip_code", "time_zone"} & set(errors) else []
    try:
        workshop.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        _merge(errors, error)
    _validate(
        workshop,
        usable,
        facilitators,
        publishing=publishing,
        now=timezone.now(),
        errors=errors,
    )
    return dict(errors), ordered


def _save(
    workshop: Workshop,
    sessions: list[dict],
    facilitators: list[User],
    *,
    publishing: bool,
    errors: dict[str, list[str]] | None = None,
) -> Workshop:
    """Validate everything at once (see _check), then save the workshop, its sessions and
    facilitators."""
    errors, ordered = _check(workshop, sessions, facilitators, publishing=publishing, errors=errors)
    if errors:
        raise ValidationError(errors)
    workshop.save()
    _save_sessions(workshop, ordered)
    _save_facilitators(workshop, facilitators)
    return workshop


@transaction.atomic
def workshop_create(
    *,
    partner: Partner,
    user: User,
    data: dict[str, Any],
    sessions: list[dict],
    facilitators: Iterable[User] = (),
) -> Workshop:
    """A draft workshop of `partner`, with its sessions and facilitators.

    `data` holds WORKSHOP_FIELDS (model values: Course, ZipCode, District instances); naive
    enrollment datetimes are wall-clock times in the workshop's zone. `sessions` are dicts of
    date, start_time, end_time. Raises ValidationError keyed by field (`sessions` and
    `facilitators` for those) or PermissionDenied.
    """
    _check_may_manage(user, partner)
    _check_fields(data)
    workshop = Workshop(partner=partner, created_by=user, state=WorkshopState.DRAFT)
    errors = _derive(workshop, data)
    with _audited(user):
        return _save(workshop, sessions, list(facilitators), publishing=False, errors=errors)


def workshop_check(
    *,
    partner: Partner,
    user: User,
    data: dict[str, Any],
    sessions: list[dict],
    facilitators: Iterable[User] | None = None,
    workshop: Workshop | None = None,
) -> dict[str, list[str]]:
    """What `workshop_create` (or, given `workshop`, `workshop_update`) would refuse, without
    saving anything: every problem at once, keyed by field ({} when none).

    For a form whose own fields already have errors: it runs the cross-field checks (venue and
    zone, enrollment window, overlapping sessions, accreditation, capacity below enrollment)
    on what did validate, so the page reports every problem in one pass. `data` may leave
    out fields (a new workshop then has them empty; an existing one keeps its stored values);
    `facilitators` None keeps an existing workshop's. Raises PermissionDenied as they do.
    """
    _check_may_manage(user, partner)
    _check_fields(data)
    if workshop is None:
        current = Workshop(partner=partner, created_by=user, state=WorkshopState.DRAFT)
        facilitators = list(facilitators or [])
    else:
        # A fresh copy: the checks set the data on it, and nothing here is saved.
        current = Workshop.objects.select_related("partner").get(pk=workshop.pk)
        if facilitators is None:
            facilitators = list(current.facilitators.all())
    errors = _derive(current, data)
    found, _ordered = _check(
        current,
        sessions,
        list(facilitators),
        publishing=current.state == WorkshopState.PUBLISHED,
        errors=errors,
    )
    return found


def _lock(workshop: Workshop) -> Workshop:
    return Workshop.objects.select_for_update().get(pk=workshop.pk)


def _check_changeable(workshop: Workshop, now: datetime.datetime) -> None:
    state = effective_state(workshop, now)
    if state not in CHANGEABLE_STATES:
        label = effective_state_label(state).lower()
        raise ValidationError(f"This workshop is {label}: it can no longer be changed.")


@transaction.atomic
def workshop_update(
    *,
    workshop: Workshop,
    user: User,
    data: dict[str, Any],
    sessions: list[dict] | None = None,
    facilitators: Iterable[User] | None = None,
) -> Workshop:
    """Change a draft or published (not yet started) workshop. `sessions` (dicts; `id` for
    existing ones, which keep their attendance code) and `facilitators` replace the current
    ones when given. A published workshop stays valid for publishing (sessions ahead)."""
    _check_may_manage(user, workshop.partner)
    _check_fields(data)
    current = _lock(workshop)
    _check_changeable(current, timezone.now())
    if sessions is None:
        sessions = _sessions_of(current)
    if facilitators is None:
        facilitators = list(current.facilitators.all())
    errors = _derive(current, data)
    with _audited(user):
        saved = _save(
            current,
            sessions,
            list(facilitators),
            publishing=current.state == WorkshopState.PUBLISHED,
            errors=errors,
        )
        if saved.state == WorkshopState.PUBLISHED:
            # A raised capacity gives its new places to the waitlist at once, in order.
            waitlist_promote(workshop=saved)
    return saved


def _sessions_of(workshop: Workshop) -> list[dict]:
    return [
        {"id": s.pk, **{n: getattr(s, n) for n in SESSION_FIELDS}} for s in workshop.sessions.all()
    ]


@transaction.atomic
def workshop_publish(*, workshop: Workshop, user: User) -> Workshop:
    """Publish a draft: it shows on /workshops/ and teachers may enroll (within its window).

    Checks everything again (sessions ahead, facilitators still accredited, the link of an
    online workshop); publishing twice is refused with a message, not an error page.
    """
    _check_may_manage(user, workshop.partner)
    current = _lock(workshop)
    if current.state != WorkshopState.DRAFT:
        raise ValidationError(
            f"Only a draft can be published; this workshop is {current.get_state_display()}."
        )
    current.state = WorkshopState.PUBLISHED
    with _audited(user):
        return _save(
            current,
            _sessions_of(current),
            list(current.facilitators.all()),
            publishing=True,
        )


def _enqueue_cancellation_emails(enrollment_ids: list[int], reason: str) -> None:
    """One email task per person enrolled or waitlisted (workshops.tasks): a mail failure
    fails that task, never the program manager's request."""
    from .tasks import send_workshop_cancellation  # tasks imports this app's modules

    for enrollment_id in enrollment_ids:
        send_workshop_cancellation.enqueue(enrollment_id, reason)


@transaction.atomic
def workshop_cancel(*, workshop: Workshop, user: User, reason: str = "") -> Workshop:
    """Cancel a draft or a published workshop that has not started (by the clock); everyone
    enrolled or waitlisted gets an email (a django-tasks task each, enqueued once the change
    is committed)."""
    _check_may_manage(user, workshop.partner)
    current = _lock(workshop)
    if current.state == WorkshopState.CANCELLED:
        raise ValidationError("This workshop is already cancelled.")
    _check_changeable(current, timezone.now())
    reason = (reason or "").strip()[:1000]
    current.state = WorkshopState.CANCELLED
    with _audited(user):
        current.full_clean()
        current.save(update_fields=["state", "updated_at"])
    recipients = list(
        current.enrollments.filter(
            status__in=[EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED]
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: _enqueue_cancellation_emails(recipients, reason))
    return current


# --- Showing times -------------------------------------------------------------------------


def format_time(moment: datetime.datetime) -> str:
    """ "9:00 AM HST": the wall-clock time with its zone's abbreviation."""
    return f"{time_format(moment, 'g:i A')} {moment.tzname()}"


def session_text(session: WorkshopSession, zone: ZoneInfo) -> str:
    start = datetime.datetime.combine(session.date, session.start_time, tzinfo=zone)
    end = datetime.datetime.combine(session.date, session.end_time, tzinfo=zone)
    return f"{date_format(start, 'D, M j, Y')}, {time_format(start, 'g:i A')} - {format_time(end)}"


@dataclass
class SessionTimes:
    """One session as shown: in the workshop's zone, and in the viewer's when it differs."""

    session: WorkshopSession
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    day: str
    times: str  # "9:00 AM - 3:00 PM HST"
    viewer_times: str = ""  # "12:00 PM - 6:00 PM PDT for you"


def session_times(workshop: Workshop, viewer_zone: str | None = None) -> list[SessionTimes]:
    """The workshop's sessions (prefetched) for display, with the viewer's own times when
    they are in another zone."""
    zone = workshop.zone
    other = None
    if viewer_zone and viewer_zone != workshop.time_zone:
        try:
            other = ZoneInfo(viewer_zone)
        except (ValueError, KeyError):
            other = None
    rows = []
    for session in workshop.sessions.all():
        start = datetime.datetime.combine(session.date, session.start_time, tzinfo=zone)
        end = datetime.datetime.combine(session.date, session.end_time, tzinfo=zone)
        row = SessionTimes(
            session=session,
            starts_at=start,
            ends_at=end,
            day=date_format(start, "l, F j, Y"),
            times=f"{time_format(start, 'g:i A')} - {format_time(end)}",
        )
        if other is not None:
            mine_start, mine_end = start.astimezone(other), end.astimezone(other)
            day = ""
            if mine_start.date() != start.date():
                day = f"{date_format(mine_start, 'D, M j')}, "
            row.viewer_times = (
                f"{day}{time_format(mine_start, 'g:i A')} - {format_time(mine_end)} for you"
            )
        rows.append(row)
    return rows


def viewer_time_zone(user) -> str | None:
    """The zone of a signed-in person's school ZIP (or the ZIP they gave), if known."""
    if not getattr(user, "is_authenticated", False):
        return None
    zip_id = user.home_zip_id
    if zip_id is None:
        return None
    return ZipCode.objects.filter(pk=zip_id).values_list("timezone", flat=True).first() or None


def schedule_summary(workshop: Workshop) -> str:
    """One line for lists: "Mon, Jul 13, 2026, 9:00 AM - 3:00 PM HST (+4 more sessions)"."""
    sessions = list(workshop.sessions.all())
    if not sessions:
        return "No sessions yet"
    text = session_text(sessions[0], workshop.zone)
    if len(sessions) > 1:
        more = len(sessions) - 1
        text += f" (+{more} more session{'s' if more != 1 else ''})"
    return text


# --- Selectors -----------------------------------------------------------------------------


def _enrollment_count(status: str) -> Coalesce:
    # A subquery, not Count over a join: joined with sessions it would count each row twice.
    counted = (
        Enrollment.objects.filter(workshop=OuterRef("pk"), status=status)
        .order_by()
        .values("workshop")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _first_day() -> Subquery:
    first = WorkshopSession.objects.filter(workshop=OuterRef("pk")).order_by("date")
    return Subquery(first.values("date")[:1])


def _for_lists(queryset: QuerySet[Workshop]) -> QuerySet[Workshop]:
    return (
        queryset.select_related("partner", "course", "kind", "zip_code__state")
        .prefetch_related("sessions", "facilitators")
        .annotate(
            enrolled_count=_enrollment_count(EnrollmentStatus.ENROLLED), first_day=_first_day()
        )
    )


def places_left(workshop: Workshop) -> int:
    """Capacity minus enrolled (annotated `enrolled_count` when the list has it)."""
    enrolled = getattr(workshop, "enrolled_count", None)
    if enrolled is None:
        enrolled = workshop.enrollments.filter(status=EnrollmentStatus.ENROLLED).count()
    return max(workshop.capacity - enrolled, 0)


def public_workshops(
    filters: dict[str, Any] | None = None,
    *,
    queryset: QuerySet[Workshop] | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Workshop]:
    """Public workshops for /workshops/, the calendars and the API, soonest first.

    `filters` (all optional): `state` (published = open, not started; in_progress; ended;
    "all"; default published), `course` (Course or slug), `partner` (Partner or slug),
    `date_from` / `date_to` (a session on or between), `zip_code` (ZipCode) with `miles`.
    `queryset` narrows the start (always intersected with the public ones).
    """
    filters = filters or {}
    now = now or timezone.now()
    queryset = (Workshop.objects.all() if queryset is None else queryset).public()
    state = filters.get("state") or WorkshopState.PUBLISHED
    if state != "all":
        queryset = queryset.filter(state_q(state, now))
    course = filters.get("course")
    if course:
        queryset = queryset.filter(course__slug=course if isinstance(course, str) else course.slug)
    partner = filters.get("partner")
    if partner:
        queryset = queryset.filter(
            partner__slug=partner if isinstance(partner, str) else partner.slug
        )
    day_from, day_to = filters.get("date_from"), filters.get("date_to")
    if day_from or day_to:
        sessions = WorkshopSession.objects.filter(workshop=OuterRef("pk"))
        if day_from:
            sessions = sessions.filter(date__gte=day_from)
        if day_to:
            sessions = sessions.filter(date__lte=day_to)
        queryset = queryset.filter(Exists(sessions))
    queryset = _for_lists(queryset)
    if filters.get("zip_code") is not None:
        queryset = workshops_near(filters["zip_code"], filters.get("miles") or 50, queryset)
        return queryset.order_by("distance_miles", "first_day", "pk")
    if state == WorkshopState.ENDED:
        return queryset.order_by("-first_day", "pk")
    return queryset.order_by("first_day", "pk")


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def workshops_near(
    zip_code: ZipCode, miles: float, queryset: QuerySet[Workshop] | None = None
) -> QuerySet[Workshop]:
    """In-person workshops whose venue ZIP is within `miles` of `zip_code`, annotated with
    `distance_miles` (rounded to a tenth).

    How: a bounding box around the ZIP (a degree of latitude is ~69 miles, a degree of
    longitude 69 * cos(latitude)) narrows the candidates in SQL on any database, without
    trigonometry there; the exact great-circle (haversine) distance of those few candidates is
    computed in Python, and the ones in range come back as a queryset filtered by id with the
    distance as a CASE annotation, so the caller can still order, count and paginate in SQL.
    Online workshops have no place and never match; neither does a ZIP without coordinates.
    (The box does not wrap at the antimeridian: no US ZIP has a positive longitude.)
    """
    queryset = Workshop.objects.all() if queryset is None else queryset
    if zip_code.latitude is None or zip_code.longitude is None or miles <= 0:
        return queryset.none().annotate(distance_miles=Value(0.0, output_field=FloatField()))
    lat, lon = float(zip_code.latitude), float(zip_code.longitude)
    dlat = miles / MILES_PER_DEGREE_LATITUDE
    dlon = miles / (MILES_PER_DEGREE_LATITUDE * max(math.cos(math.radians(lat)), 0.01))
    candidates = (
        queryset.filter(
            is_online=False,
            zip_code__latitude__gte=lat - dlat,
            zip_code__latitude__lte=lat + dlat,
            zip_code__longitude__gte=lon - dlon,
            zip_code__longitude__lte=lon + dlon,
        )
        .order_by()
        .values_list("pk", "zip_code__latitude", "zip_code__longitude")
    )
    distances = {}
    for pk, wlat, wlon in candidates:
        distance = haversine_miles(lat, lon, float(wlat), float(wlon))
        if distance <= miles:
            distances[pk] = round(distance, 1)
    if not distances:
        return queryset.none().annotate(distance_miles=Value(0.0, output_field=FloatField()))
    return queryset.filter(pk__in=distances).annotate(
        distance_miles=Case(
            *[When(pk=pk, then=Value(d)) for pk, d in distances.items()],
            output_field=FloatField(),
        )
    )


def partner_workshops(partner: Partner, program_year: str | None = None) -> QuerySet[Workshop]:
    """A partner's workshops (all states) for its workspace, with enrolled and waitlisted
    counts and sessions prefetched; one program year when given."""
    queryset = partner.workshops.all()
    if program_year:
        queryset = queryset.filter(program_year=program_year)
    return (
        _for_lists(queryset)
        .annotate(waitlisted_count=_enrollment_count(EnrollmentStatus.WAITLISTED))
        .order_by("first_day", "pk")
    )


def workshop_counts(
    partner_ids: Iterable[int], program_year: str, *, now: datetime.datetime | None = None
) -> dict[int, dict[str, int]]:
    """{partner_id: {"held": n, "scheduled": n}} for one program year, in two queries.

    Held: public workshops whose last session has ended. Scheduled: public ones still to
    come or running. Drafts and cancelled ones count in neither. Every id asked about is in
    the answer (zeros when it has none).
    """
    ids = list(partner_ids)
    result = {pk: {"held": 0, "scheduled": 0} for pk in ids}
    if not ids:
        return result
    now = now or timezone.now()
    still_open = open_q(now)
    rows = (
        Workshop.objects.filter(partner_id__in=ids, program_year=program_year)
        .public()
        .annotate(is_open=Case(When(still_open, then=Value(1)), default=Value(0)))
        .order_by()
        .values_list("partner_id", "is_open")
        .annotate(n=Count("pk"))
    )
    for partner_id, is_open, n in rows:
        result[partner_id]["scheduled" if is_open else "held"] += n
    return result


def workshop_for_page(pk: int, user) -> Workshop | None:
    """One workshop as its public page shows it: public ones for everyone; drafts and
    cancelled ones only for the partner's people (and its facilitators)."""
    return (
        Workshop.objects.visible_to(user)
        .select_related("partner", "course", "kind", "zip_code__state", "reserved_for")
        .prefetch_related("sessions", "facilitators")
        .annotate(enrolled_count=_enrollment_count(EnrollmentStatus.ENROLLED))
        .filter(pk=pk)
        .first()
    )
