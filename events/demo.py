"""Fictional, deterministic program events for the demo (`is_demo=True`).

For the current and the previous program year: a September and a February Regional Partner
Summit and the 5-day teacher conference (late June), plus one or two community meetups for
some partners. Past events have registrations and attendance: most partners' program
managers attended each summit, a few did not (so the office's report shows met and missed
commitments); upcoming ones have registrations from about half the partners. Demo teachers
without a school get a school ZIP in a partner's region, and some went to the conference.

Called by the demo seed (partners.demo) after partners, regions and the ZIP index exist.
Everything is written with bulk_create from one `random.Random`, so two runs on the same
database write the same rows.
"""

import datetime
import random
import zoneinfo
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from core.program_years import program_year_for, program_year_start
from geography.models import State, ZipCode
from partners.models import Partner, ProgramManager

from .models import Event, EventKind, EventRegistration, RegistrationStatus

# Where the program office holds its events: (city, state code, venue, time zone).
VENUES = (
    ("Chicago", "IL", "Lakeside Conference Center", "America/Chicago"),
    ("Denver", "CO", "Front Range Convention Hall", "America/Denver"),
    ("Atlanta", "GA", "Peachtree Learning Center", "America/New_York"),
    ("Seattle", "WA", "Sound Conference Center", "America/Los_Angeles"),
    ("Philadelphia", "PA", "Independence Learning Hall", "America/New_York"),
)
MEETUP_TOPICS = (
    "CS teachers' meetup",
    "Computer science educators' evening",
    "Elementary CS share-out",
    "Counselors and CS pathways meetup",
    "Unplugged activities swap",
    "CS Principles study group",
)
MEETUP_SHARE = 0.45  # of partners host meetups
SUMMIT_ATTENDANCE = 0.85  # past summits: a program manager came
UPCOMING_SHARE = 0.5  # upcoming summits and conference: partners already registered
TEACHERS_AT_CONFERENCE = 0.45


def demo_events_delete() -> int:
    """Delete the demo events (their registrations go with them); the number of rows."""
    count, _ = Event.objects.filter(is_demo=True).delete()
    return count


def _weekday_on_or_after(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _valid_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "America/New_York"
    return name


def _aware(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def demo_events(*, rng: random.Random, partners: list, today: datetime.date) -> int:
    """Create the demo events, registrations and attendance; the number of rows created."""
    partners = sorted(partners, key=lambda p: p.pk)
    states = dict(State.objects.filter(code__in=[v[1] for v in VENUES]).values_list("code", "pk"))
    current = program_year_start(program_year_for(today))
    events: list[Event] = []

    def office_event(kind, name, first, days, venue_index, capacity):
        city, code, venue, zone = VENUES[venue_index % len(VENUES)]
        last = first + datetime.timedelta(days=days - 1)
        events.append(
            Event(
                kind=kind,
                name=name,
                description=(
                    "Program managers of every Regional Partner meet the program office: "
                    "the year's results, plans and workshops on running the program."
                    if kind == EventKind.SUMMIT
                    else "Five days of professional learning for teachers from the partners' "
                    "regions, led by the program's facilitators."
                ),
                starts_on=first,
                ends_on=last,
                start_time=datetime.time(9),
                end_time=datetime.time(16, 30 if kind == EventKind.SUMMIT else 0),
                time_zone=zone,
                venue=venue,
                city=city,
                state_id=states.get(code),
                capacity=capacity,
                registration_closes_on=first - datetime.timedelta(days=14),
                is_demo=True,
            )
        )

    for offset, start in enumerate((current - 1, current)):
        september = _weekday_on_or_after(datetime.date(start, 9, 10), 3)  # a Thursday
        february = _weekday_on_or_after(datetime.date(start + 1, 2, 5), 3)
        conference = _weekday_on_or_after(datetime.date(start + 1, 6, 20), 0)  # a Monday
        office_event(
            EventKind.SUMMIT,
            f"Regional Partner Summit, September {start}",
            september,
            2,
            offset * 3,
            None,
        )
        office_event(
            EventKind.SUMMIT,
            f"Regional Partner Summit, February {start + 1}",
            february,
            2,
            offset * 3 + 1,
            None,
        )
        office_event(
            EventKind.TEACHER_CONFERENCE,
            f"Teacher Conference {start + 1}",
            conference,
            5,
            offset * 3 + 2,
            400,
        )

    # Meetups near the host, in its own time zone.
    zones = dict(
        ZipCode.objects.filter(pk__in=[p.zip_code_id for p in partners if p.zip_code_id])
        .exclude(timezone="")
        .values_list("pk", "timezone")
    )
    first_day = datetime.date(current - 1, 7, 1)
    span = (datetime.date(current + 1, 6, 30) - first_day).days
    active = [p for p in partners if p.status == Partner.Status.ACTIVE]
    hosts = [p for p in active if rng.random() < MEETUP_SHARE]
    for partner in hosts:
        for _ in range(rng.choice((1, 1, 2))):
            day = first_day + datetime.timedelta(days=rng.randrange(span))
            online = rng.random() < 0.3
            events.append(
                Event(
                    kind=EventKind.MEETUP,
                    name=f"{rng.choice(MEETUP_TOPICS)}: {partner.city or partner.name}",
                    description=f"An evening for CS educators in {partner.name}'s region.",
                    starts_on=day,
                    ends_on=day,
                    start_time=datetime.time(17, 30),
                    end_time=datetime.time(19, 30),
                    time_zone=_valid_zone(zones.get(partner.zip_code_id, "America/New_York")),
                    is_online=online,
                    online_url=f"https://meet.example.org/{partner.slug[:40]}-{day:%Y%m%d}"
                    if online
                    else "",
                    venue="" if online else f"{partner.name} offices",
                    city="" if online else partner.city,
                    state_id=None if online else partner.state_id,
                    capacity=rng.choice((25, 30, 40, None)),
                    registration_closes_on=day - datetime.timedelta(days=1),
                    host_partner=partner,
                    is_demo=True,
                )
            )
    Event.objects.bulk_create(events)

    # Who goes: each partner's first program manager; teachers placed in partners' regions.
    managers: dict[int, int] = {}
    for partner_id, user_id in (
        ProgramManager.objects.filter(partner__in=partners)
        .order_by("partner_id", "pk")
        .values_list("partner_id", "user_id")
    ):
        managers.setdefault(partner_id, user_id)
    # Its own stream: teachers placed by an earlier run draw nothing, and the rest stays the same.
    teachers_by_partner = _place_teachers(random.Random(rng.getrandbits(64)), partners)

    registrations: list[EventRegistration] = []

    def register(event, user_id, partner_id, role, attended):
        closes = event.registration_last_day
        registered_on = closes - datetime.timedelta(days=rng.randint(1, 60))
        held = event.ends_on < today
        registrations.append(
            EventRegistration(
                event=event,
                user_id=user_id,
                partner_id=partner_id,
                role=role,
                status=RegistrationStatus.REGISTERED,
                attended=attended and held,
                attendance_marked_at=_aware(event.ends_on, 17) if held else None,
                registered_at=_aware(min(registered_on, today)),
            )
        )

    for event in events:
        held = event.ends_on < today
        if event.kind == EventKind.MEETUP:
            if event.starts_on > today and rng.random() < 0.5:
                continue
            host = event.host_partner
            if host.pk in managers:
                register(event, managers[host.pk], host.pk, Role.PROGRAM_MANAGER, True)
            room = (event.capacity or 40) - 1
            for teacher_id in teachers_by_partner.get(host.pk, [])[: min(room, 6)]:
                register(event, teacher_id, host.pk, Role.TEACHER, rng.random() < 0.8)
            continue
        for partner in active:
            if partner.pk not in managers:
                continue
            if held:
                if rng.random() < SUMMIT_ATTENDANCE + 0.05:
                    register(
                        event,
                        managers[partner.pk],
                        partner.pk,
                        Role.PROGRAM_MANAGER,
                        rng.random() < SUMMIT_ATTENDANCE / (SUMMIT_ATTENDANCE + 0.05),
                    )
            elif rng.random() < UPCOMING_SHARE:
                register(event, managers[partner.pk], partner.pk, Role.PROGRAM_MANAGER, False)
        if event.kind == EventKind.TEACHER_CONFERENCE and (held or rng.random() < 0.8):
            for partner in active:
                for teacher_id in teachers_by_partner.get(partner.pk, []):
                    if rng.random() < TEACHERS_AT_CONFERENCE:
                        register(event, teacher_id, partner.pk, Role.TEACHER, rng.random() < 0.9)
    EventRegistration.objects.bulk_create(registrations, batch_size=500)
    return len(events) + len(registrations)


def _place_teachers(rng: random.Random, partners: list) -> dict[int, list[int]]:
    """Demo teachers by the partner whose region their school ZIP is in; those without a
    school or school ZIP get one in an active partner's region (round robin)."""
    active_ids = [p.pk for p in partners if p.status == Partner.Status.ACTIVE]
    zips: dict[int, list[int]] = defaultdict(list)
    for partner_id, zip_id in (
        ZipCode.objects.filter(region__partner_id__in=active_ids, kind=ZipCode.Kind.STANDARD)
        .order_by("region__partner_id", "code")
        .values_list("region__partner_id", "pk")
    ):
        if len(zips[partner_id]) < 20:
            zips[partner_id].append(zip_id)
    placed = [pk for pk in active_ids if zips[pk]]
    teachers = list(
        User.objects.filter(role=Role.TEACHER, is_demo=True, is_active=True)
        .select_related("school")
        .order_by("pk")
    )
    zip_partner = dict(
        ZipCode.objects.filter(
            pk__in={t.home_zip_id for t in teachers if t.home_zip_id}
        ).values_list("pk", "region__partner_id")
    )
    by_partner: dict[int, list[int]] = defaultdict(list)
    changed = []
    for number, teacher in enumerate(teachers):
        zip_id = teacher.home_zip_id
        if zip_id is None and placed:
            partner_id = placed[number % len(placed)]
            teacher.school_zip_id = rng.choice(zips[partner_id])
            changed.append(teacher)
            by_partner[partner_id].append(teacher.pk)
        elif zip_partner.get(zip_id) in active_ids:
            by_partner[zip_partner[zip_id]].append(teacher.pk)
    User.objects.bulk_update(changed, ["school_zip"], batch_size=500)
    return by_partner
