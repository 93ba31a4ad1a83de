"""Demo enrollments: local demo teachers in the demo workshops (made before by `demo_workshops`).

Each partner draws on its own teachers, as a real one does: people teaching at schools of its
regions (else of its state). A partner's teachers of a program year take a workshop or two
(`WORKSHOPS_PER_TEACHER`: an institute and its follow-up); some come back the year after
(`RETURNING`), the rest are new to it. The demo teachers made with the people (partners.demo)
join the partners' pools first, each placed at a school of the partner's region; the pools
are topped up with new teachers (`TEACHER_DOMAIN`, the one demo password hash, bulk-created).
A few seats of online workshops go to teachers of another partner of the same state (or of
any other), so the program's distinct teachers are a little fewer than the partners' sum.

Published, running and ended demo workshops of the given partners get teachers: most are
partly full, about a third are full with a waitlist behind them (upcoming ones), and a few
people cancelled. The demo teacher login (teacher@demo.test) is enrolled in one upcoming
workshop and one that has ended (the attendance demo, which runs next, gives the ended one
its attendance, so that teacher has a certificate to download).

Everything comes from the caller's seeded `random.Random` (same seed, same rows, including
the certificate codes) and is written with bulk_create; the rows go with their demo
workshops and teachers. A workshop that already has enrollments is left as it is.
"""

import datetime
import math
import random
import uuid
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Exists, Min, OuterRef
from django.utils import timezone

from accounts.models import Role, User
from core.demo_names import random_name
from districts.models import School
from partners.models import Partner

from .models import Enrollment, EnrollmentStatus, Workshop, WorkshopState

DEMO_TEACHER = "teacher@demo.test"
TEACHER_DOMAIN = "example.com"
FULL_SHARE = 0.35  # of upcoming workshops are full, with a waitlist
FILL = (0.3, 0.9)  # how full the others are
WAITLIST = (1, 5)
CANCELLED_SHARE = 0.06
UNLISTED_SHARE = 0.08  # teachers whose school is "not listed"
WORKSHOPS_PER_TEACHER = 1.6  # a teacher's workshops with their partner in a program year
RETURNING = 0.25  # of a partner's teachers in a year came in an earlier year
VISITING = 0.08  # of the seats of an online workshop: teachers of another partner


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def demo_enrollments(*, rng: random.Random, partners: list, today: datetime.date) -> int:
    """Enroll local demo teachers in the demo workshops (making the teachers the partners'
    pools lack); the number of rows created (teachers and enrollments)."""
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
    if not workshops:
        return 0
    demo_teacher = next((t for t in teachers if t.email == DEMO_TEACHER), None)
    others = [t for t in teachers if t.email != DEMO_TEACHER]
    places = _Places.load(workshops)

    # The demo teacher: one upcoming workshop, one ended one (unless reserved elsewhere).
    chosen = {}
    if demo_teacher is not None:
        open_ones = [w for w in workshops if not w.reserved_for_id]
        upcoming = [w for w in open_ones if w.first_day > today]
        ended = [w for w in open_ones if w.state == WorkshopState.ENDED]
        for group in (upcoming, ended):
            if group:
                chosen[group[0].pk] = demo_teacher

    # How many each workshop takes, then each partner's teachers by program year.
    plans = []
    for workshop in workshops:
        opened = workshop.first_day - datetime.timedelta(days=rng.randint(25, 60))
        upcoming = workshop.first_day > today
        full = upcoming and rng.random() < FULL_SHARE
        wanted = (
            workshop.capacity + rng.randint(*WAITLIST)
            if full
            else max(1, round(workshop.capacity * rng.uniform(*FILL)))
        )
        plans.append((workshop, opened, upcoming, wanted))
    pools = _Pools(rng, places, others, plans)
    if demo_teacher is not None and chosen and not demo_teacher.school_id:
        # At a school of the partner whose workshops she takes.
        home = next(w.partner_id for w in workshops if w.pk in chosen)
        pools.place(demo_teacher, home)
        pools.placed.append(demo_teacher)
    made = pools.write()

    latest = _aware(today, 0)  # nobody enrolled after the start of `today`
    rows: list[Enrollment] = []
    for workshop, opened, upcoming, wanted in plans:
        people = pools.draw(workshop, wanted)
        if workshop.pk in chosen:
            people = [chosen[workshop.pk], *[p for p in people if p is not demo_teacher]]
            people = people[: max(wanted, 1)]
        places_left = workshop.capacity
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
            _school(row, person, workshop, rng, places)
            if row.school_id is None and not (row.school_name and row.school_zip_id):
                continue  # nothing to say where they teach: leave them out
            if enrolled < places_left:
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
    Enrollment.objects.bulk_create(rows, batch_size=1_000)
    return made + len(rows)


class _Places:
    """Schools: each partner's (of its regions, else its state's) and each district's."""

    @classmethod
    def load(cls, workshops: list[Workshop]) -> "_Places":
        self = cls()
        ids = sorted({w.partner_id for w in workshops})
        self.partner_state = dict(Partner.objects.filter(pk__in=ids).values_list("pk", "state_id"))
        self.partner_zip = dict(Partner.objects.filter(pk__in=ids).values_list("pk", "zip_code_id"))
        self.by_partner: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
        for partner_id, pk, zip_id in (
            School.objects.filter(is_active=True, zip_code__region__partner_id__in=ids)
            .order_by("zip_code__region__partner_id", "pk")
            .values_list("zip_code__region__partner_id", "pk", "zip_code_id")
        ):
            self.by_partner[partner_id].append((pk, zip_id))
        self.by_state: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
        self.by_district: dict[int, list[int]] = defaultdict(list)
        self.district: dict[int, int] = {}
        for pk, state_id, district_id, zip_id in (
            School.objects.filter(is_active=True)
            .order_by("pk")
            .values_list("pk", "state_id", "district_id", "zip_code_id")
        ):
            self.by_state[state_id].append((pk, zip_id))
            self.by_district[district_id].append(pk)
            self.district[pk] = district_id
        self.everywhere = [school for schools in self.by_state.values() for school in schools]
        self.home: dict[int, int] = {}  # school -> partner whose region it is in
        for partner_id, schools in self.by_partner.items():
            for pk, _ in schools:
                self.home.setdefault(pk, partner_id)
        return self

    def schools_of(self, partner_id: int) -> list[tuple[int, int | None]]:
        """The schools of the partner's regions, else of its state, else any."""
        return (
            self.by_partner.get(partner_id)
            or self.by_state.get(self.partner_state.get(partner_id))
            or self.everywhere
        )


class _Pools:
    """Each partner's teachers by program year: returning ones and new ones."""

    def __init__(self, rng: random.Random, places: _Places, existing: list[User], plans: list):
        self.rng, self.places = rng, places
        seats: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for workshop, _, _, wanted in plans:
            seats[workshop.partner_id][workshop.program_year].append(wanted)
        partner_ids = sorted(seats)
        # The demo teachers who exist: at their school's partner, else spread over the partners.
        free: dict[int, list[User]] = defaultdict(list)
        placed: list[User] = []
        for number, person in enumerate(existing):
            home = places.home.get(person.school_id)
            if home not in seats:
                home = partner_ids[number % len(partner_ids)]
                self.place(person, home)
                placed.append(person)
            free[home].append(person)
        self.placed = placed
        self.new: list[User] = []
        self.year_pool: dict[tuple[int, str], list[User]] = {}
        self.state_partners: dict[int, list[int]] = defaultdict(list)
        for pid in partner_ids:
            self.state_partners[places.partner_state.get(pid)].append(pid)
        self.partner_ids = partner_ids
        self.password = None
        self.existing_hash = next((p.password for p in existing if p.password), None)
        self.taken = None
        for pid in partner_ids:
            everyone: list[User] = []
            for year in sorted(seats[pid]):
                wanted = seats[pid][year]
                size = max([math.ceil(sum(wanted) / WORKSHOPS_PER_TEACHER), *wanted])
                back = rng.sample(everyone, min(len(everyone), round(size * RETURNING)))
                fresh = free[pid][: size - len(back)]
                free[pid] = free[pid][len(fresh) :]
                fresh += [self._teacher(pid) for _ in range(size - len(back) - len(fresh))]
                everyone += fresh
                self.year_pool[(pid, year)] = back + fresh

    def place(self, person: User, partner_id: int) -> None:
        """Give a teacher a school of the partner's region (a few: an unlisted one there)."""
        schools = self.places.schools_of(partner_id)
        if not schools:
            person.school_id, person.school_zip_id = None, self.places.partner_zip.get(partner_id)
            return
        unlisted = self.rng.random() < UNLISTED_SHARE
        school, zip_id = self.rng.choice(schools)
        if unlisted and zip_id:
            person.school_id, person.school_zip_id = None, zip_id
        else:
            person.school_id = school

    def _teacher(self, partner_id: int) -> User:
        if self.password is None:
            # One hash for all: the one the seed gave the demo people a moment ago (hashing
            # takes most of a second), else a new one.
            self.password = self.existing_hash or make_password(settings.DEMO_PASSWORD)
            self.taken = {e.lower() for e in User.objects.values_list("email", flat=True)}
        first, last = random_name(self.rng)
        local, n = f"{first}.{last}".lower(), 1
        email = f"{local}@{TEACHER_DOMAIN}"
        while email in self.taken:
            n += 1
            email = f"{local}{n}@{TEACHER_DOMAIN}"
        self.taken.add(email)
        person = User(
            email=email,
            first_name=first,
            last_name=last,
            role=Role.TEACHER,
            password=self.password,
            is_demo=True,
        )
        self.place(person, partner_id)
        self.new.append(person)
        return person

    def write(self) -> int:
        """Save the new teachers and the schools given to existing ones; rows created."""
        User.objects.bulk_create(self.new, batch_size=1_000)
        if self.placed:
            User.objects.bulk_update(self.placed, ["school", "school_zip"], batch_size=1_000)
        return len(self.new)

    def draw(self, workshop: Workshop, wanted: int) -> list[User]:
        """Teachers for a workshop: of its partner's pool of the year, and in an online one a
        few of another partner's (of the same state when there is one)."""
        rng = self.rng
        own = self.year_pool.get((workshop.partner_id, workshop.program_year), [])
        if workshop.reserved_for_id:
            # The reserved district's teachers first.
            district = self.places.district
            own = sorted(own, key=lambda p: district.get(p.school_id) != workshop.reserved_for_id)
            return own[:wanted]
        visitors = 0
        if workshop.is_online and len(self.partner_ids) > 1:
            visitors = sum(rng.random() < VISITING for _ in range(wanted))
        people = rng.sample(own, min(wanted - visitors, len(own)))
        if visitors:
            state = self.places.partner_state.get(workshop.partner_id)
            near = [p for p in self.state_partners[state] if p != workshop.partner_id]
            elsewhere = near or [p for p in self.partner_ids if p != workshop.partner_id]
            seen = {p.pk or id(p) for p in people}
            for _ in range(visitors):
                pool = self.year_pool.get((rng.choice(elsewhere), workshop.program_year), [])
                if pool:
                    person = rng.choice(pool)
                    if (person.pk or id(person)) not in seen:
                        seen.add(person.pk or id(person))
                        people.append(person)
        return people


def _school(row, person, workshop, rng, places: _Places) -> None:
    """Where a demo teacher teaches: their own school, else an unlisted school at their ZIP
    code; in a workshop reserved for a district, a school of that district."""
    if workshop.reserved_for_id:
        if person.school_id and places.district.get(person.school_id) == workshop.reserved_for_id:
            row.school_id = person.school_id
        elif places.by_district.get(workshop.reserved_for_id):
            row.school_id = rng.choice(places.by_district[workshop.reserved_for_id])
        return
    if person.school_id:
        row.school_id = person.school_id
        return
    zip_id = person.school_zip_id or workshop.zip_code_id
    if zip_id:
        # The same unlisted school every time for one teacher.
        key = sum(map(ord, person.email))
        row.school_name = (
            f"{UNLISTED_NAMES[key % len(UNLISTED_NAMES)]} "
            f"{UNLISTED_KINDS[key // len(UNLISTED_NAMES) % len(UNLISTED_KINDS)]}"
        )
        row.school_zip_id = zip_id


UNLISTED_NAMES = ("Harbor", "Summit", "Cedar", "Riverbend", "Pioneer", "Meadowlark", "Lakeview")
UNLISTED_KINDS = ("Charter School", "Academy", "Montessori School", "Learning Center")
