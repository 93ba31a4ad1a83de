"""Demo workshops for the demo partners (called by seed_demo after the facilitators).

For each active demo partner: workshops of the courses it offers in this and last program
year (none before it became the region's partner, `active_since`); ended ones (summer
institutes, follow-ups, one-day introductions: enrollments and attendance are filled in later
by their own demo steps), a school-year series of follow-up meetings under way, upcoming
published ones, and a draft now and then. In person at the partner's ZIP code (its
zone) or online in a rotation of zones that includes Hawaii, Alaska and Pacific time.
Facilitators come only from the partner's roster, and only those accredited for the course
in the workshop's program year. Deterministic for a given `rng`; rows are bulk-created.
"""

import datetime
import random
from collections import defaultdict

from core.program_years import program_year_for, program_year_start
from facilitators.models import Accreditation, AccreditationStatus, RosterMember
from partners.models import Partner

from .models import (
    Course,
    Workshop,
    WorkshopFacilitator,
    WorkshopKind,
    WorkshopSession,
    WorkshopState,
)

SUMMER = "Summer intensive (5 days)"
FOLLOW_UP = "Academic-year follow-up"
ONE_DAY = "One-day introduction"
DEMO_KINDS = (
    (SUMMER, "Five full days in the summer before teaching the course."),
    (FOLLOW_UP, "Half-day meetings during the school year."),
    (ONE_DAY, "A first taste of the course for teachers deciding to teach it."),
)
ONLINE_ZONES = (
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Chicago",
    "America/New_York",
)
DRAFT_EVERY = 3


def _ensure_kinds(courses: list[Course]) -> dict[int, dict[str, WorkshopKind]]:
    """Every demo course gets the three kinds (existing ones are kept)."""
    have = defaultdict(dict)
    for kind in WorkshopKind.objects.filter(course__in=courses):
        have[kind.course_id][kind.name] = kind
    missing = [
        WorkshopKind(course=course, name=name, description=text, order=order)
        for course in courses
        for order, (name, text) in enumerate(DEMO_KINDS)
        if name not in have[course.pk]
    ]
    WorkshopKind.objects.bulk_create(missing, ignore_conflicts=True)
    have = defaultdict(dict)
    for kind in WorkshopKind.objects.filter(course__in=courses):
        have[kind.course_id][kind.name] = kind
    return have


def _weekday_on_or_after(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _sessions(kind_name: str, first: datetime.date, meetings: int = 1) -> list[tuple]:
    """The sessions of a workshop of the kind starting on or after `first`; a follow-up may
    be a series of `meetings` Saturdays four weeks apart."""
    if kind_name == SUMMER:
        monday = _weekday_on_or_after(first, 0)
        return [
            (monday + datetime.timedelta(days=n), datetime.time(9), datetime.time(15))
            for n in range(5)
        ]
    if kind_name == FOLLOW_UP:
        saturday = _weekday_on_or_after(first, 5)
        return [
            (saturday + datetime.timedelta(weeks=4 * n), datetime.time(9), datetime.time(12, 30))
            for n in range(meetings)
        ]
    return [(_weekday_on_or_after(first, 1), datetime.time(8, 30), datetime.time(15, 30))]


def _state(sessions: list[tuple], today: datetime.date) -> str:
    if sessions[-1][0] < today:
        return WorkshopState.ENDED
    return WorkshopState.IN_PROGRESS if sessions[0][0] < today else WorkshopState.PUBLISHED


def demo_workshops(*, rng: random.Random, partners: list, today: datetime.date) -> int:
    """Workshops, sessions and facilitator assignments for the active demo partners.

    Returns the number of rows created (kinds, workshops, sessions, facilitator links).
    """
    active = sorted(
        (p for p in partners if p.status == Partner.Status.ACTIVE and p.is_demo),
        key=lambda p: p.pk,
    )
    if not active:
        return 0
    offered: dict[int, list[int]] = defaultdict(list)
    for partner_id, course_id in (
        Partner.courses.through.objects.filter(partner_id__in=[p.pk for p in active])
        .order_by("partner_id", "course__order", "course_id")
        .values_list("partner_id", "course_id")
    ):
        offered[partner_id].append(course_id)
    courses = list(Course.objects.filter(pk__in={c for ids in offered.values() for c in ids}))
    by_pk = {c.pk: c for c in courses}
    kinds_before = WorkshopKind.objects.count()
    kinds = _ensure_kinds(courses)
    rows = WorkshopKind.objects.count() - kinds_before

    roster: dict[int, list[int]] = defaultdict(list)
    for partner_id, person_id in (
        RosterMember.objects.filter(partner__in=active)
        .order_by("partner_id", "facilitator_id")
        .values_list("partner_id", "facilitator_id")
    ):
        roster[partner_id].append(person_id)
    accredited = set(
        Accreditation.objects.filter(status=AccreditationStatus.ACCREDITED).values_list(
            "facilitator_id", "course_id", "program_year"
        )
    )
    zip_zones = dict(
        Partner.objects.filter(pk__in=[p.pk for p in active]).values_list(
            "pk", "zip_code__timezone"
        )
    )

    current = program_year_start(program_year_for(today))
    plans = []  # (workshop, sessions, facilitator ids)
    for number, partner in enumerate(active):
        course_ids = offered.get(partner.pk, [])[:2]
        if not course_ids:
            continue
        zone = zip_zones.get(partner.pk) or ""
        specs = []  # (course_id, kind name, first day, state, meetings)
        for course_id in course_ids:
            for start in (current - 1, current):
                summer = datetime.date(start, 7, 6 + rng.randint(0, 14))
                specs.append((course_id, SUMMER, summer, None, 1))
            specs.append(
                (course_id, FOLLOW_UP, datetime.date(current - 1, 10, rng.randint(1, 25)), None, 3)
            )
        course_id = course_ids[0]
        specs.append(
            (course_id, ONE_DAY, today - datetime.timedelta(days=rng.randint(7, 60)), None, 1)
        )
        # A school-year series under way: some meetings held, the rest to come.
        specs.append(
            (
                course_ids[-1],
                FOLLOW_UP,
                today - datetime.timedelta(days=rng.randint(20, 60)),
                None,
                rng.choice((4, 5)),
            )
        )
        specs.append(
            (course_id, FOLLOW_UP, today + datetime.timedelta(days=rng.randint(10, 45)), None, 1)
        )
        specs.append(
            (
                course_ids[-1],
                SUMMER,
                today + datetime.timedelta(days=rng.randint(50, 150)),
                None,
                1,
            )
        )
        if number % DRAFT_EVERY == 0:
            specs.append(
                (
                    course_id,
                    ONE_DAY,
                    today + datetime.timedelta(days=rng.randint(60, 120)),
                    WorkshopState.DRAFT,
                    1,
                )
            )
        for index, (course_id, kind_name, first, state, meetings) in enumerate(specs):
            sessions = _sessions(kind_name, first, meetings)
            if partner.active_since and sessions[0][0] < partner.active_since:
                continue  # nothing before the partner became the region's partner
            if state is None:
                state = _state(sessions, today)
            year = program_year_for(sessions[0][0])
            # Every other workshop online, in a rotation that reaches Hawaii and Alaska.
            online = not zone or (index + number) % 2 == 1
            workshop_zone = ONLINE_ZONES[(number + index) % len(ONLINE_ZONES)] if online else zone
            course = by_pk[course_id]
            workshop = Workshop(
                partner=partner,
                course=course,
                kind=kinds[course_id][kind_name],
                description=f"{kind_name} for teachers of {course.name}.",
                state=state,
                program_year=year,
                is_online=online,
                online_url="https://meet.example.org/demo-workshop" if online else "",
                venue="" if online else f"{partner.name} learning center",
                city="" if online else (partner.city or ""),
                zip_code_id=None if online else partner.zip_code_id,
                time_zone=workshop_zone,
                capacity=rng.choice((20, 24, 30, 36)),
                created_by=None,
                is_demo=True,
            )
            eligible = [p for p in roster[partner.pk] if (p, course_id, year) in accredited]
            chosen = rng.sample(eligible, min(len(eligible), rng.choice((1, 2))))
            plans.append((workshop, sessions, sorted(chosen)))

    Workshop.objects.bulk_create([plan[0] for plan in plans], batch_size=500)
    sessions = [
        WorkshopSession(workshop=workshop, date=day, start_time=start, end_time=end)
        for workshop, days, _people in plans
        for day, start, end in days
    ]
    links = [
        WorkshopFacilitator(workshop=workshop, facilitator_id=person)
        for workshop, _days, people in plans
        for person in people
    ]
    WorkshopSession.objects.bulk_create(sessions, batch_size=500)
    WorkshopFacilitator.objects.bulk_create(links, batch_size=500)
    return rows + len(plans) + len(sessions) + len(links)
