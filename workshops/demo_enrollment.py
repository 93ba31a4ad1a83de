"""Demo enrollments: demo teachers in the demo workshops (made before by `demo_workshops`).

Published, running and ended demo workshops of the given partners get teachers: most are
partly full, about a third are full with a waitlist behind them (upcoming ones), and a few
people cancelled. The demo teacher login (teacher@demo.test) is enrolled in one upcoming
workshop and one that has ended (the attendance demo, which runs next, gives the ended one
its attendance, so that teacher has a certificate to download).

Everything comes from the caller's seeded `random.Random` (same seed, same rows, including
the certificate codes) and is written with one bulk_create; the rows go with their demo
workshops and teachers. A workshop that already has enrollments is left as it is.
"""

import datetime
import random
import uuid
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, Min, OuterRef
from django.utils import timezone

from accounts.models import Role, User
from districts.models import School

from .models import Enrollment, EnrollmentStatus, Workshop, WorkshopState

DEMO_TEACHER = "teacher@demo.test"
FULL_SHARE = 0.35  # of upcoming workshops are full, with a waitlist
FILL = (0.3, 0.9)  # how full the others are
WAITLIST = (1, 5)
CANCELLED_SHARE = 0.06
UNLISTED_SHARE = 0.08  # teachers whose school is "not listed"


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def demo_enrollments(*, rng: random.Random, partners: list, today: datetime.date) -> int:
    """Enroll demo teachers in the demo workshops; the number of enrollments created."""
    workshops = list(
        Workshop.objects.filter(
            is_demo=True,
            partner__in=[p.pk for p in partners],
            state__in=[WorkshopState.PUBLISHED, WorkshopState.IN_PROGRESS, WorkshopState.ENDED],
        )
        .exclude(Exists(Enrollment.objects.filter(workshop=OuterRef("pk"))))
        .annotate(first_day=Min("sessions__date"))
        .filter(first_day__isnull=False)
        .select_related("zip_code")
        .order_by("pk")
    )
    teachers = list(
        User.objects.filter(is_demo=True, role=Role.TEACHER, is_active=True)
        .select_related("school")
        .order_by("pk")
    )
    if not workshops or not teachers:
        return 0
    demo_teacher = next((t for t in teachers if t.email == DEMO_TEACHER), None)
    others = [t for t in teachers if t.email != DEMO_TEACHER]

    # Schools to give teachers without one: by state, and by district for reserved workshops.
    by_state: dict[int, list[int]] = defaultdict(list)
    by_district: dict[int, list[int]] = defaultdict(list)
    for pk, state_id, district_id in (
        School.objects.filter(is_active=True, district__is_demo=True)
        .values_list("pk", "state_id", "district_id")
        .order_by("pk")
    ):
        by_state[state_id].append(pk)
        by_district[district_id].append(pk)
    any_school = [pk for pks in by_state.values() for pk in pks]

    # The demo teacher: one upcoming workshop, one ended one (unless reserved elsewhere).
    chosen = {}
    if demo_teacher is not None:
        open_ones = [w for w in workshops if not w.reserved_for_id]
        upcoming = [w for w in open_ones if w.first_day > today]
        ended = [w for w in open_ones if w.state == WorkshopState.ENDED]
        for group in (upcoming, ended):
            if group:
                chosen[group[0].pk] = demo_teacher

    latest = _aware(today, 0)  # nobody enrolled after the start of `today`
    rows: list[Enrollment] = []
    for workshop in workshops:
        opened = workshop.first_day - datetime.timedelta(days=rng.randint(25, 60))
        upcoming = workshop.first_day > today
        full = upcoming and rng.random() < FULL_SHARE
        places = workshop.capacity
        wanted = places + rng.randint(*WAITLIST) if full else round(places * rng.uniform(*FILL))
        wanted = max(1, min(wanted, len(others)))
        people = rng.sample(others, wanted)
        if workshop.pk in chosen:
            people = [chosen[workshop.pk], *people[: max(wanted - 1, 0)]]
        enrolled = 0
        for number, person in enumerate(people):
            # Enrolled in the weeks after enrollment opened, in order, never in the future.
            moment = min(
                _aware(opened + datetime.timedelta(days=number // 3), 8 + number % 10),
                latest - datetime.timedelta(minutes=len(people) - number),
            )
            row = Enrollment(
                workshop=workshop,
                teacher=person,
                certificate_code=uuid.UUID(int=rng.getrandbits(128), version=4),
            )
            _school(row, person, workshop, rng, by_state, by_district, any_school)
            if row.school_id is None and not (row.school_name and row.school_zip_id):
                continue  # nothing to say where they teach: leave them out
            if enrolled < places:
                row.status = EnrollmentStatus.ENROLLED
                row.enrolled_at = moment
                enrolled += 1
                if person is not demo_teacher and rng.random() < CANCELLED_SHARE and upcoming:
                    row.status = EnrollmentStatus.CANCELLED
                    row.cancelled_at = moment + datetime.timedelta(days=2)
                    enrolled -= 1
            elif upcoming:
                row.status = EnrollmentStatus.WAITLISTED
                row.waitlisted_at = moment
            else:
                continue  # a waitlist does not outlive the workshop
            rows.append(row)
    Enrollment.objects.bulk_create(rows)
    return len(rows)


def _school(row, person, workshop, rng, by_state, by_district, any_school) -> None:
    """Where a demo teacher comes from: their own school, else one near the workshop (or of the
    district it is reserved for), sometimes a school that is "not listed"."""
    if workshop.reserved_for_id:
        if person.school_id and person.school.district_id == workshop.reserved_for_id:
            row.school_id = person.school_id
        elif by_district.get(workshop.reserved_for_id):
            row.school_id = rng.choice(by_district[workshop.reserved_for_id])
        return
    if person.school_id:
        row.school_id = person.school_id
        return
    near = by_state.get(workshop.zip_code.state_id) if workshop.zip_code_id else None
    zip_id = workshop.zip_code_id or person.school_zip_id
    if (rng.random() < UNLISTED_SHARE or not (near or any_school)) and zip_id:
        row.school_name = f"{rng.choice(UNLISTED_NAMES)} {rng.choice(UNLISTED_KINDS)}"
        row.school_zip_id = zip_id
        return
    pool = near or any_school
    if pool:
        row.school_id = rng.choice(pool)


UNLISTED_NAMES = ("Harbor", "Summit", "Cedar", "Riverbend", "Pioneer", "Meadowlark", "Lakeview")
UNLISTED_KINDS = ("Charter School", "Academy", "Montessori School", "Learning Center")
