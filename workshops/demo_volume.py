"""The partnerships' history at volume: `seed_demo --activity N` (N above 1).

The scale-1 demo (workshops.demo and the steps after it) shows a little of everything. This
step adds the volume a program of a few hundred partners has after some years, so the
dashboards and the benchmarks meet realistic numbers: for each active demo partner,
`WORKSHOPS_PER_ACTIVITY * (N - 1)` more workshops over the current program year and the
`YEARS - 1` before it (each partner growing or shrinking at its own pace), larger summer
institutes and school-year meetings, and a pool of its own demo teachers (about one for
`ENROLLMENTS_PER_TEACHER_YEAR` enrollments a year, each at a school of the
partner's region) who enroll in a few workshops a year, most of them returning the next.
Ended workshops get attendance per session (most teachers complete), survey responses with
answers for a share of attendees, and teaching reports (school, students, female and URM
students) for a share of the teachers who attended. Workshops still to come have enrollments only.

Each partner has its own `random.Random` (seed and the partner's place), so the rows are the
same for the same seed and database. Rows are streamed partner by partner through
`workshops.demo_rows` (COPY on PostgreSQL), so memory stays bounded whatever N is.
"""

import datetime
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Role, User
from core.program_years import program_year_for, program_year_label, program_year_start
from districts.models import School
from facilitators.models import Accreditation, AccreditationStatus, RosterMember
from partners.models import Partner
from surveys.models import QuestionKind, SurveyAnswer, SurveyResponse
from surveys.selectors import survey_questions_for
from surveys.services import survey_questions_ensure_defaults

from .demo import FOLLOW_UP, ONE_DAY, ONLINE_ZONES, SUMMER, _ensure_kinds, _sessions
from .demo_rows import Rows, finish, foreign_keys_checked_after
from .models import (
    Attendance,
    Course,
    Enrollment,
    EnrollmentStatus,
    TeachingReport,
    Workshop,
    WorkshopFacilitator,
    WorkshopSession,
    WorkshopState,
)

WORKSHOPS_PER_ACTIVITY = 5  # more workshops per active partner for each step of --activity
YEARS = 4  # the current program year and three before it: the dashboards' trend
KIND_WEIGHTS = ((SUMMER, 35), (FOLLOW_UP, 40), (ONE_DAY, 25))
CAPACITIES = (30, 40, 50, 60, 75, 90, 100)
FILL_ENDED = (0.75, 1.0)
FILL_UPCOMING = (0.3, 0.9)
CANCELLED_SHARE = 0.06
ENROLLMENTS_PER_TEACHER_YEAR = 2.5  # a teacher's workshops in a year (institute, follow-ups)
RETURNING = 0.6  # of a year's teachers came in an earlier year
GROWTH = (-0.12, 0.30)  # a partner's yearly growth in workshops
ATTEND_ALL = (0.66, 0.88)  # per partner: share of enrolled teachers at every session
ATTEND_NONE = 0.07
REPORTING = (0.35, 0.6)  # per partner: share of attending teachers who report teaching
RESPONSES = (0.5, 0.8)  # per partner: share of attendees who answer the survey
FEMALE_SHARE = (0.3, 0.6)
URM_SHARE = (0.1, 0.7)
POSITIVE = (0.02, 0.04, 0.12, 0.42, 0.40)
CRITICAL = (0.20, 0.35, 0.30, 0.10, 0.05)
TEXTS = {
    "best": (0.15, ("Planning the first unit with colleagues.", "The unplugged activities.")),
    "improve": (0.10, ("More hands-on time.", "Send the materials a week before.")),
}
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BULK_DELETE = 50_000  # demo enrollments from which the reset checks foreign keys once
TEACHER_DOMAIN = "teachers.example.com"
# Rows one workshop brings on average (enrollments, attendance, surveys, reports, teachers):
# the progress bar's total until each partner's exact count is known. Measured at N=20.
ROWS_PER_WORKSHOP = 330

Progress = Callable[[int], None]

FIRST = (
    "Aaliyah", "Adriana", "Ahmed", "Alejandro", "Amara", "Andre", "Anika", "Beatriz",
    "Benjamin", "Bianca", "Camila", "Carlos", "Chloe", "Colin", "Daniela", "Darius",
    "Desmond", "Elena", "Elijah", "Emeka", "Farah", "Gabriel", "Grace", "Hannah", "Hector",
    "Imani", "Isaac", "Jamal", "Jasmine", "Javier", "Julia", "Kai", "Keisha", "Kenji",
    "Laila", "Liam", "Lucia", "Malik", "Maria", "Marcus", "Maya", "Mei", "Miguel", "Nadia",
    "Naomi", "Nia", "Noah", "Olivia", "Omar", "Paloma", "Quinn", "Rafael", "Rosa", "Samir",
    "Sofia", "Tariq", "Theo", "Tiana", "Valeria", "Wen", "Xavier", "Yasmin", "Zoe",
)  # fmt: skip
LAST = (
    "Abernathy", "Alvarado", "Bergstrom", "Brennan", "Calloway", "Castillo", "Delacroix",
    "Donovan", "Espinoza", "Fitzgerald", "Galloway", "Haddad", "Hargrove", "Ibarra",
    "Jablonski", "Kaminski", "Kealoha", "Lindgren", "Mahoney", "Marquez", "Montgomery",
    "Nakamura", "Okonkwo", "Pemberton", "Quintero", "Ramanathan", "Rosenthal", "Sandoval",
    "Takahashi", "Underwood", "Vasquez", "Villanueva", "Whitcomb", "Yamamoto", "Zielinski",
)  # fmt: skip


def volume_workshops(activity: int) -> int:
    """Workshops this step adds per active partner at an --activity level."""
    return WORKSHOPS_PER_ACTIVITY * max(activity - 1, 0)


def volume_estimate(active_partners: int, activity: int) -> int:
    """Rows the step will write, about (the progress bar's first total)."""
    return active_partners * volume_workshops(activity) * ROWS_PER_WORKSHOP


def demo_volume(
    *,
    seed: int,
    partners: list[Partner],
    today: datetime.date,
    activity: int,
    tick: Progress,
    expect: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the history of the active demo partners at `activity`; rows written per model.

    `tick` gets the rows as they are written; `expect` (if given) the rows still to come,
    re-estimated after each partner, and 0 at the end.
    """
    per_partner = volume_workshops(activity)
    active = sorted(
        (p for p in partners if p.status == Partner.Status.ACTIVE and p.is_demo),
        key=lambda p: p.pk,
    )
    if not per_partner or not active:
        return {}
    context = _Context.load(active, today)
    now = timezone.now()
    rows = {
        label: Rows(model, columns.split(), tick=tick, now=now)
        for label, (model, columns) in _columns().items()
    }
    with foreign_keys_checked_after(w.model for w in rows.values()):
        for number, partner in enumerate(active):
            rng = random.Random(seed * 1_000 + number)
            _Partner(context, partner, rng, rows, per_partner).write()
            if expect:
                made = sum(w.written + len(w.buffer) for w in rows.values())
                buffered = sum(len(w.buffer) for w in rows.values())
                expect(buffered + round(made / (number + 1) * (len(active) - number - 1)))
        finish(rows.values())
    if connection.vendor == "postgresql":
        # Fresh statistics for every table (small ones too: the survey questions, written a
        # moment ago, would otherwise be estimated at one row and the survey means planned as
        # nested loops over two million answers), so the first queries get good plans.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if expect:
        expect(0)
    return {label: writer.written for label, writer in rows.items()}


def _columns() -> dict[str, tuple[type, list[str]]]:
    """Each table written, with the columns its rows give (the rest: demo_rows.Rows)."""
    return {
        "teachers": (User, "id email first_name last_name role password is_demo school_id"),
        "workshops": (
            Workshop,
            "id partner_id course_id kind_id description state program_year is_online "
            "online_url venue city zip_code_id time_zone capacity is_demo created_at",
        ),
        "sessions": (WorkshopSession, "id workshop_id date start_time end_time attendance_code"),
        "facilitators": (WorkshopFacilitator, "id workshop_id facilitator_id"),
        "enrollments": (
            Enrollment,
            "id workshop_id teacher_id status school_id school_name school_zip_id enrolled_at "
            "cancelled_at certificate_code created_at",
        ),
        "attendance": (Attendance, "id session_id enrollment_id method marked_by_id marked_at"),
        "teaching reports": (
            TeachingReport,
            "id teacher_id program_year course_id workshop_id school_id school_name sections "
            "students female_students urm_students submitted_at",
        ),
        "survey responses": (SurveyResponse, "id enrollment_id submitted_at"),
        "survey answers": (SurveyAnswer, "id response_id question_id rating text"),
    }


class _Context:
    """What every partner's history needs, read once."""

    @classmethod
    def load(cls, active: list[Partner], today: datetime.date) -> "_Context":
        self = cls()
        self.today = today
        self.current = program_year_start(program_year_for(today))
        ids = [p.pk for p in active]
        self.offered: dict[int, list[int]] = defaultdict(list)
        for partner_id, course_id in (
            Partner.courses.through.objects.filter(partner_id__in=ids)
            .order_by("partner_id", "course__order", "course_id")
            .values_list("partner_id", "course_id")
        ):
            self.offered[partner_id].append(course_id)
        courses = list(Course.objects.filter(pk__in={c for v in self.offered.values() for c in v}))
        self.kinds = {
            course_id: {name: kind.pk for name, kind in by_name.items()}
            for course_id, by_name in _ensure_kinds(courses).items()
        }
        self.course_names = {c.pk: c.name for c in courses}
        survey_questions_ensure_defaults()
        self.questions = {
            c.pk: [(q.pk, q.key, q.kind == QuestionKind.LIKERT) for q in survey_questions_for(c)]
            for c in courses
        }
        self.roster: dict[int, list[int]] = defaultdict(list)
        for partner_id, person in (
            RosterMember.objects.filter(partner_id__in=ids)
            .order_by("partner_id", "facilitator_id")
            .values_list("partner_id", "facilitator_id")
        ):
            self.roster[partner_id].append(person)
        self.accredited = set(
            Accreditation.objects.filter(status=AccreditationStatus.ACCREDITED).values_list(
                "facilitator_id", "course_id"
            )
        )
        self.zones = dict(
            Partner.objects.filter(pk__in=ids).values_list("pk", "zip_code__timezone")
        )
        # Schools of each partner's regions (School -> ZIP -> region -> partner), else its state's.
        self.schools: dict[int, list[int]] = defaultdict(list)
        for partner_id, school_id in (
            School.objects.filter(is_active=True, zip_code__region__partner_id__in=ids)
            .order_by("zip_code__region__partner_id", "pk")
            .values_list("zip_code__region__partner_id", "pk")
        ):
            self.schools[partner_id].append(school_id)
        self.state_schools: dict[int, list[int]] = defaultdict(list)
        for state_id, school_id in (
            School.objects.filter(is_active=True).order_by("pk").values_list("state_id", "pk")
        ):
            self.state_schools[state_id].append(school_id)
        self.any_school = [pk for pks in self.state_schools.values() for pk in pks][:1]
        self.password = make_password(settings.DEMO_PASSWORD)  # one hash for every teacher
        self.emails: dict[str, int] = defaultdict(int)
        for email in User.objects.filter(email__endswith=f"@{TEACHER_DOMAIN}").values_list(
            "email", flat=True
        ):
            self.emails[email.split("@")[0]] += 1
        return self

    def email(self, first: str, last: str) -> str:
        local = f"{first}.{last}".lower()
        self.emails[local] += 1
        n = self.emails[local]
        return f"{local}{n if n > 1 else ''}@{TEACHER_DOMAIN}"


def _aware(day: datetime.date, time: datetime.time = datetime.time(9)) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


class _Partner:
    """One partner's history: planned, then written row by row."""

    def __init__(self, ctx: _Context, partner: Partner, rng: random.Random, rows, n: int):
        self.ctx, self.partner, self.rng, self.rows, self.n = ctx, partner, rng, rows, n

    def write(self) -> None:
        ctx, rng, partner = self.ctx, self.rng, self.partner
        courses = ctx.offered.get(partner.pk, [])
        if not courses:
            return
        growth = rng.uniform(*GROWTH)
        attend_all = rng.uniform(*ATTEND_ALL)
        reporting = rng.uniform(*REPORTING)
        responding = rng.uniform(*RESPONSES)
        female, urm = rng.uniform(*FEMALE_SHARE), rng.uniform(*URM_SHARE)
        years = [
            program_year_start(program_year_for(ctx.today)) - YEARS + 1 + i for i in range(YEARS)
        ]
        weights = [(1 + growth) ** i for i in range(YEARS)]
        counts = _share_out(self.n, weights)
        plans = [
            self._plan(year, courses)
            for year, k in zip(years, counts, strict=True)
            for _ in range(k)
        ]

        # Each year's teachers: some return from the years before, the rest are new, each
        # at a school of the partner's regions (else of its state).
        schools = (
            ctx.schools.get(partner.pk) or ctx.state_schools.get(partner.state_id) or ctx.any_school
        )
        teachers: list[tuple[int, int | None]] = []  # (id, school id), everyone so far
        active_in: dict[int, list[tuple[int, int | None]]] = {}
        for year in years:
            year_plans = [p["enrolled"] for p in plans if p["start"] == year]
            size = max([math.ceil(sum(year_plans) / ENROLLMENTS_PER_TEACHER_YEAR), *year_plans])
            returning = rng.sample(teachers, min(len(teachers), round(size * RETURNING)))
            new = []
            for _ in range(size - len(returning)):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                pk = self.rows["teachers"].next_id()
                school = rng.choice(schools) if schools else None
                self.rows["teachers"].add(
                    (
                        pk,
                        ctx.email(first, last),
                        first,
                        last,
                        Role.TEACHER,
                        ctx.password,
                        True,
                        school,
                    )
                )
                new.append((pk, school))
            teachers.extend(new)
            active_in[year] = returning + new

        reported: set[tuple[int, int, int]] = set()
        roster = ctx.roster.get(partner.pk, [])
        for index, plan in enumerate(plans):
            self._workshop(index, plan, active_in[plan["start"]], roster, reported,
                           attend_all, reporting, responding, female, urm)  # fmt: skip

    def _plan(self, year: int, courses: list[int]) -> dict:
        rng = self.rng
        kind = rng.choices([k for k, _ in KIND_WEIGHTS], [w for _, w in KIND_WEIGHTS])[0]
        if kind == SUMMER:
            first = datetime.date(year, 7, 6) + datetime.timedelta(days=rng.randint(0, 35))
        else:
            first = datetime.date(year, 9, 1) + datetime.timedelta(days=rng.randint(0, 270))
        sessions = _sessions(kind, first)
        ended = sessions[-1][0] < self.ctx.today
        capacity = rng.choice(CAPACITIES)
        fill = FILL_ENDED if ended else FILL_UPCOMING
        return {
            "start": year,
            "kind": kind,
            "course": rng.choice(courses),
            "sessions": sessions,
            "ended": ended,
            "capacity": capacity,
            "enrolled": max(1, round(capacity * rng.uniform(*fill))),
        }

    def _workshop(self, index, plan, pool, roster, reported, attend_all, reporting, responding,
                  female, urm) -> None:  # fmt: skip
        ctx, rng, rows, partner = self.ctx, self.rng, self.rows, self.partner
        zone = ctx.zones.get(partner.pk) or ""
        online = not zone or index % 2 == 1
        course = plan["course"]
        year = program_year_label(plan["start"])
        workshop = rows["workshops"].next_id()
        first_day = plan["sessions"][0][0]
        rows["workshops"].add(
            (
                workshop, partner.pk, course, ctx.kinds[course][plan["kind"]],
                f"{plan['kind']} for teachers of {ctx.course_names[course]}.",
                WorkshopState.ENDED if plan["ended"] else WorkshopState.PUBLISHED,
                year, online, "https://meet.example.org/demo-workshop" if online else "",
                "" if online else f"{partner.name} learning center",
                "" if online else (partner.city or ""),
                None if online else partner.zip_code_id,
                ONLINE_ZONES[index % len(ONLINE_ZONES)] if online else zone,
                plan["capacity"], True, _aware(first_day) - datetime.timedelta(days=70),
            )
        )  # fmt: skip
        sessions = []
        for day, start, end in plan["sessions"]:
            pk = rows["sessions"].next_id()
            code = "".join(rng.choices(CODE_ALPHABET, k=6))
            rows["sessions"].add((pk, workshop, day, start, end, code))
            sessions.append((pk, _aware(day, start)))
        eligible = [p for p in roster if (p, course) in ctx.accredited] or roster
        lead = sorted(rng.sample(eligible, min(len(eligible), rng.choice((1, 2)))))
        for person in lead:
            rows["facilitators"].add((rows["facilitators"].next_id(), workshop, person))

        wanted = min(plan["enrolled"], len(pool))
        opened = first_day - datetime.timedelta(days=rng.randint(25, 60))
        questions = ctx.questions.get(course, [])
        tone = rng.choice((-1, 0, 0, 0, 1))
        ends_at = sessions[-1][1] + datetime.timedelta(hours=6)
        for number, (teacher, school) in enumerate(rng.sample(pool, wanted)):
            if school is None and partner.zip_code_id is None:
                continue  # nothing to say where they teach
            enrolled_at = _aware(
                opened + datetime.timedelta(days=number // 4), datetime.time(8 + number % 10)
            )
            cancelled = rng.random() < CANCELLED_SHARE
            enrollment = rows["enrollments"].next_id()
            rows["enrollments"].add(
                (
                    enrollment, workshop, teacher,
                    EnrollmentStatus.CANCELLED if cancelled else EnrollmentStatus.ENROLLED,
                    school, "" if school else "Harbor Academy",
                    None if school else partner.zip_code_id,
                    enrolled_at,
                    enrolled_at + datetime.timedelta(days=3) if cancelled else None,
                    uuid.UUID(int=rng.getrandbits(128), version=4), enrolled_at,
                )
            )  # fmt: skip
            if cancelled or not plan["ended"]:
                continue
            draw = rng.random()
            if draw < ATTEND_NONE:
                continue
            if draw < ATTEND_NONE + attend_all or len(sessions) == 1:
                came = sessions
            else:
                came = sorted(rng.sample(sessions, rng.randint(1, len(sessions) - 1)))
            staff = lead[0] if lead else teacher
            for session, starts in came:
                self_marked = rng.random() < 0.25
                rows["attendance"].add(
                    (
                        rows["attendance"].next_id(), session, enrollment,
                        Attendance.Method.SELF if self_marked else Attendance.Method.CHECKLIST,
                        teacher if self_marked else staff, starts,
                    )
                )  # fmt: skip
            key = (teacher, plan["start"], course)
            if key not in reported and rng.random() < reporting:
                reported.add(key)
                sections = rng.randint(1, 5)
                students = sections * rng.randint(18, 32)
                rows["teaching reports"].add(
                    (
                        rows["teaching reports"].next_id(), teacher, year, course, workshop, school,
                        "" if school else "Harbor Academy", sections, students,
                        round(students * min(1.0, max(0.0, rng.gauss(female, 0.08)))),
                        round(students * min(1.0, max(0.0, rng.gauss(urm, 0.1)))),
                        ends_at + datetime.timedelta(days=rng.randint(30, 200)),
                    )
                )  # fmt: skip
            if questions and rng.random() < responding:
                critical = rng.random() < 0.08
                response = rows["survey responses"].next_id()
                rows["survey responses"].add(
                    (response, enrollment, ends_at + datetime.timedelta(hours=rng.randint(2, 144)))
                )
                weights = CRITICAL if critical else POSITIVE
                for question, key_, likert in questions:
                    if likert:
                        rating = rng.choices((1, 2, 3, 4, 5), weights)[0] + tone
                        rows["survey answers"].add(
                            (rows["survey answers"].next_id(), response, question,
                             max(1, min(5, rating)), "")
                        )  # fmt: skip
                    elif key_ in TEXTS and rng.random() < TEXTS[key_][0]:
                        rows["survey answers"].add(
                            (rows["survey answers"].next_id(), response, question, None,
                             rng.choice(TEXTS[key_][1]))
                        )  # fmt: skip


def _share_out(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, in whole numbers that add up to it."""
    exact = [total * w / sum(weights) for w in weights]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def demo_volume_delete() -> int:
    """Delete the rows under the demo workshops, table by table, one statement each.

    Deleting the workshops alone would have Django collect their enrollments, attendance and
    survey answers in memory first (millions at --activity); with those gone, it has little
    left to collect. Children first, so nothing still points at a deleted row; the foreign
    keys are checked once at the end (`demo_rows.foreign_keys_checked_after`).
    """
    demo = {"workshop__is_demo": True}
    steps = [
        (SurveyAnswer, {"response__enrollment__workshop__is_demo": True}),
        (SurveyResponse, {"enrollment__workshop__is_demo": True}),
        (Attendance, {"enrollment__workshop__is_demo": True}),
        (TeachingReport, demo),
        (Enrollment, demo),
        (WorkshopSession, demo),
        (WorkshopFacilitator, demo),
    ]
    enrollments = Enrollment.objects.filter(**demo).count()
    if not enrollments:
        return 0
    deleted = 0
    # Only at volume: the keys' drop and re-add lock the tables till the seed commits.
    checked_after = (
        foreign_keys_checked_after([model for model, _ in steps] + [User], incoming=True)
        if enrollments >= BULK_DELETE
        else nullcontext()
    )
    with checked_after:
        for model, scope in steps:
            deleted += _delete(model.objects.filter(**scope))
        # The history's teachers, in one statement too (Django's delete takes minutes for
        # 200,000 users): those nothing points at any more; any other (who signed in,
        # registered for an event...) is left to the demo users' own deletion.
        free = User.objects.filter(is_demo=True, email__endswith=f"@{TEACHER_DOMAIN}")
        for relation in User._meta.get_fields(include_hidden=True):
            if relation.auto_created and not relation.concrete and relation.one_to_many:
                pointing = relation.related_model._base_manager.filter(
                    **{relation.field.name: OuterRef("pk")}
                )
                free = free.filter(~Exists(pointing))
        deleted += _delete(free)
    return deleted


def _delete(queryset) -> int:
    """DELETE the queryset's rows in one statement: no signals, no cascades (callers delete
    what points at them first)."""
    sql, params = queryset.values("pk").query.sql_with_params()
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({sql})", params)  # noqa: S608
        return cursor.rowcount
