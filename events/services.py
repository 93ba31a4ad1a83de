"""Writes for program events: events, registrations (with a waitlist) and attendance.

Every service that counts places locks the event row first (select_for_update), so two
people registering for the last place at once cannot both get it; the database's unique
constraint (one registration per person and event) backs the same rule. Emails are sent
after commit, so a rolled-back change never sends one.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from core.audit import audited
from geography.selectors import zip_lookup
from geography.zips import MalformedZip, normalize_zip
from partners.models import Partner

from .models import Event, EventKind, EventRegistration, RegistrationStatus
from .selectors import (
    ACTIVE,
    event_is_managed_by,
    event_schedule,
    managed_partner_ids,
)
from .selectors import eligibility as registration_eligibility

# What a form or the API may set on an event; everything else is the system's.
EVENT_FIELDS = frozenset(
    {
        "kind",
        "name",
        "description",
        "starts_on",
        "ends_on",
        "start_time",
        "end_time",
        "time_zone",
        "is_online",
        "venue",
        "address",
        "city",
        "state",
        "online_url",
        "capacity",
        "registration_closes_on",
        "host_partner",
    }
)


def _audited(user):
    return audited(user, label="event")


def _lock(event: Event) -> Event:
    """The event as stored, its row locked until the transaction ends."""
    # No select_related: PostgreSQL cannot lock the nullable side of an outer join.
    return Event.objects.select_for_update().get(pk=event.pk)


def _send_on_commit(*, subject: str, body: str, to: list[str]) -> None:
    message = EmailMessage(subject=subject, body=body, to=to)
    transaction.on_commit(message.send)


def _event_text(event: Event) -> str:
    schedule = event_schedule(event)
    where = "Online" if event.is_online else ", ".join(p for p in (event.venue, event.city) if p)
    lines = [event.name, schedule.days]
    if schedule.times:
        lines.append(f"{schedule.times} ({schedule.time_zone})")
    lines.append(where)
    return "\n".join(lines)


def _event_url(event: Event) -> str:
    return f"{settings.SITE_URL}{event.get_absolute_url()}"


def _check_fields(data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - EVENT_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be set: {', '.join(unknown)}.")


def _check_may_run(user: User, *, kind: str, host_partner: Partner | None) -> None:
    """Program admins run every event; program managers only meetups their partners host."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    if user.is_program_admin:
        return
    if (
        user.is_program_manager
        and kind == EventKind.MEETUP
        and host_partner is not None
        and host_partner.pk in managed_partner_ids(user)
    ):
        return
    raise PermissionDenied(
        "Only program admins, and the host partner's program managers for community meetups, "
        "can change this event."
    )


def _promote(event: Event, today: datetime.date) -> list[EventRegistration]:
    """Fill free places (event locked by the caller) from the waitlist, first come first.

    Only while registration is open and the event has not started: a place given later
    would reach people who stopped expecting one (and the waitlist is the record of who
    asked in time).
    """
    if not event.is_registration_open(today) or event.starts_on <= today:
        return []
    waiting = (
        event.registrations.filter(status=RegistrationStatus.WAITLISTED)
        .select_related("user")
        .order_by("registered_at", "pk")
    )
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - event.registrations.registered().count()
        if free <= 0:
            return []
    promoted = list(waiting[:free] if free is not None else waiting)
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.full_clean()
        registration.save()
        _send_on_commit(
            subject=f"You have a place at {event.name}",
            body=(
                f"Hello {registration.user},\n\nA place opened up and you are now registered "
                f"for:\n\n{_event_text(event)}\n\nDetails: {_event_url(event)}\n"
            ),
            to=[registration.user.email],
        )
    return promoted


# --- Events --------------------------------------------------------------------------------


def event_create(*, user: User, data: dict[str, Any]) -> Event:
    """Create an event. Program admins: any kind; program managers: meetups of their partners."""
    _check_fields(data)
    _check_may_run(user, kind=data.get("kind", ""), host_partner=data.get("host_partner"))
    with transaction.atomic(), _audited(user):
        event = Event(**data, created_by=user)
        event.full_clean()
        event.save()
    return event


def event_update(
    *, event: Event, user: User, data: dict[str, Any], today: datetime.date | None = None
) -> Event:
    """Change an event; a larger capacity gives waitlisted people their places, while
    registration is open and before the event starts."""
    _check_fields(data)
    today = today or timezone.localdate()
    with transaction.atomic(), _audited(user):
        event = _lock(event)
        _check_may_run(user, kind=event.kind, host_partner=event.host_partner)
        active = event.registrations.filter(status__in=ACTIVE).count()
        stored_kind = event.kind
        for name, value in data.items():
            setattr(event, name, value)
        # Program managers may not move a meetup to another partner or make it a summit.
        _check_may_run(user, kind=event.kind, host_partner=event.host_partner)
        errors: dict[str, str] = {}
        if active and event.kind != stored_kind:
            errors["kind"] = (
                "People have registered: the kind of event (and so who may come) cannot change."
            )
        registered = event.registrations.registered().count()
        if event.capacity is not None and event.capacity < registered:
            errors["capacity"] = (
                f"{registered} people have a place; the capacity cannot be less than that."
            )
        if errors:
            raise ValidationError(errors)
        event.full_clean()
        event.save()
        _promote(event, today)
    return event


def event_delete(*, event: Event, user: User) -> None:
    """Delete (cancel) an event nobody registered for; refuse once people have registered."""
    with transaction.atomic(), _audited(user):
        event = _lock(event)
        _check_may_run(user, kind=event.kind, host_partner=event.host_partner)
        active = event.registrations.filter(status__in=ACTIVE).count()
        if active:
            raise ValidationError(
                f"{active} {'person has' if active == 1 else 'people have'} registered, so the "
                "event cannot be deleted. Contact them first, or change its details instead.",
                code="has_registrations",
            )
        event.delete()


# --- Registration --------------------------------------------------------------------------


def _resolve_zip(raw: str | None):
    try:
        code = normalize_zip(raw)
    except MalformedZip as error:
        raise ValidationError({"zip_code": str(error)}) from None
    zip_code = zip_lookup(code)
    if zip_code is None:
        raise ValidationError({"zip_code": f"{code} is not a ZIP code we know. Check it."})
    return zip_code


def registration_create(
    *,
    event: Event,
    user: User,
    partner: Partner | None = None,
    zip_code: str | None = None,
    actor: User | None = None,
    today: datetime.date | None = None,
) -> EventRegistration:
    """Register `user` for `event` (by `actor`, default themselves); who may is in models.py.

    Program managers register for one of their partners (`partner`, required when they
    manage several). A person without a school or home ZIP gives one (`zip_code`), saved as
    their school ZIP. When the event is full the person is waitlisted. Registering again
    after cancelling takes the same row back.
    """
    actor = actor or user
    today = today or timezone.localdate()
    with transaction.atomic(), _audited(actor):
        event = _lock(event)
        if actor.pk != user.pk and not (
            actor.is_program_admin
            or (
                partner is not None
                and actor.is_program_manager
                and partner.pk in managed_partner_ids(actor)
            )
        ):
            # Someone else registers a person only for a partner they run (or as an admin).
            raise PermissionDenied
        decision = registration_eligibility(event, user, today=today)
        if decision.registration is not None and decision.registration.status in ACTIVE:
            raise ValidationError(
                f"{'You are' if actor.pk == user.pk else f'{user} is'} already "
                f"{decision.registration.get_status_display().lower()} for this event.",
                code="already_registered",
            )
        if not decision.allowed:
            raise ValidationError(decision.reason, code="not_eligible")

        record = decision.partner
        if decision.partners:
            if partner is not None:
                if partner.pk not in {p.pk for p in decision.partners}:
                    raise ValidationError(
                        {"partner": "Choose one of the partners you manage."}, code="partner"
                    )
                record = partner
            elif record is None:
                raise ValidationError(
                    {"partner": "You manage several partners: choose the one you come with."},
                    code="partner",
                )

        save_zip = None
        if decision.needs_zip:
            zip_obj = _resolve_zip(zip_code)
            region = zip_obj.region
            found = region.partner if region is not None else None
            if event.kind == EventKind.TEACHER_CONFERENCE and found is None:
                raise ValidationError(
                    {
                        "zip_code": f"{zip_obj.code} is not in a Regional Partner's region yet; "
                        "the teacher conference is for teachers of the partners' regions."
                    }
                )
            if event.kind == EventKind.MEETUP and (
                found is None or found.pk != event.host_partner_id
            ):
                raise ValidationError(
                    {"zip_code": f"{zip_obj.code} is not in {event.host_partner}'s region."}
                )
            record = found
            save_zip = zip_obj

        taken = event.registrations.registered().count()
        full = event.capacity is not None and taken >= event.capacity
        status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
        registration = decision.registration or EventRegistration(event=event, user=user)
        registration.partner = record
        registration.role = user.role
        registration.status = status
        registration.attended = False
        registration.attendance_marked_at = None
        registration.attendance_marked_by = None
        registration.registered_at = timezone.now()  # a returning person joins at the back
        registration.full_clean()
        registration.save()
        if save_zip is not None:
            user.school_zip = save_zip
            user.save(update_fields=["school_zip"])

        if status == RegistrationStatus.REGISTERED:
            subject = f"You are registered for {event.name}"
            lead = "You are registered for:"
        else:
            subject = f"You are on the waitlist for {event.name}"
            lead = (
                "The event is full, so you are on the waitlist. We will email you if a place "
                "opens up."
            )
        _send_on_commit(
            subject=subject,
            body=f"Hello {user},\n\n{lead}\n\n{_event_text(event)}\n\n"
            f"Details, and to cancel: {_event_url(event)}\n",
            to=[user.email],
        )
    return registration


def _may_cancel_for(registration: EventRegistration, user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if registration.user_id == user.pk or user.is_program_admin:
        return True
    # A partner's program managers manage its registrations (the workspace and API).
    return user.is_program_manager and registration.partner_id in managed_partner_ids(user)


def registration_cancel(
    *, registration: EventRegistration, user: User, today: datetime.date | None = None
) -> EventRegistration:
    """Cancel a place (or waitlist spot); the first person waitlisted gets the freed place."""
    today = today or timezone.localdate()
    with transaction.atomic(), _audited(user):
        event = _lock(registration.event)
        registration = EventRegistration.objects.select_related("user").get(pk=registration.pk)
        if not _may_cancel_for(registration, user):
            raise PermissionDenied
        if registration.status == RegistrationStatus.CANCELLED:
            raise ValidationError("This registration is already cancelled.", code="cancelled")
        if event.starts_on <= today:
            raise ValidationError(
                "The event has started; registrations can no longer be cancelled.",
                code="started",
            )
        registration.status = RegistrationStatus.CANCELLED
        registration.attended = False
        registration.full_clean()
        registration.save()
        _promote(event, today)
    return registration


# --- Attendance ----------------------------------------------------------------------------


def attendance_mark(
    *,
    event: Event,
    user: User,
    attended_ids: Iterable[int],
    today: datetime.date | None = None,
) -> int:
    """Record who attended: the registrations in `attended_ids` did, the event's other
    confirmed registrations did not. Program admins for any event, the host partner's program
    managers for their meetups; from the event's first day on. Returns the rows changed."""
    today = today or timezone.localdate()
    with transaction.atomic(), _audited(user):
        event = _lock(event)
        if not event_is_managed_by(event, user):
            raise PermissionDenied
        if today < event.starts_on:
            first = date_format(event.starts_on, "N j, Y")
            raise ValidationError(
                {"attended": f"Attendance can be taken from the first day of the event ({first})."}
            )
        wanted = {int(pk) for pk in attended_ids}
        rows = list(event.registrations.registered().select_for_update())
        unknown = wanted - {r.pk for r in rows}
        if unknown:
            raise ValidationError(
                {"attended": "Only people with a confirmed place can be marked as attending."}
            )
        now = timezone.now()
        changed = 0
        for registration in rows:
            attended = registration.pk in wanted
            if registration.attended == attended and registration.attendance_marked_at:
                continue
            # Everyone unticked is stamped too: "attendance taken, nobody came" must read
            # differently from "not taken yet" (partners.commitments waits for it).
            if registration.attended != attended:
                changed += 1
            registration.attended = attended
            registration.attendance_marked_at = now
            registration.attendance_marked_by = user
            registration.full_clean()
            registration.save()
    return changed
