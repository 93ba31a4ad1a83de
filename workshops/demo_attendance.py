"""Demo attendance and teaching reports for the demo workshops that have begun.

Runs after the enrollment demo: for each demo workshop of the given partners whose first
session is before `today`, its enrolled teachers attended the sessions held so far: most
every session, some only part (they missed a day, or dropped out after the first ones), a
few none; how many come to everything varies by partner (`ATTEND_ALL`). About half of those
who attended a workshop that has ended report what they teach in that program year.
Everything comes from the caller's seeded `random.Random` (same seed, same rows) and is
written with bulk_create; the rows go with their demo workshops and teachers.
"""

import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef

from accounts.models import Role

from .demo_enrollment import DEMO_TEACHER
from .models import (
    Attendance,
    Enrollment,
    TeachingReport,
    Workshop,
    WorkshopFacilitator,
    WorkshopSession,
    WorkshopState,
)

ATTEND_ALL = (0.62, 0.9)  # per partner: share of enrolled teachers at every session
ATTEND_NONE = 0.07  # never came; the rest came to some sessions
DROPPED_OUT = 0.5  # of those who came to some: the first sessions only (else a day missed)
REPORTING = 0.5  # of those who attended report what they teach
FEMALE_SHARE = (0.35, 0.6)
URM_SHARE = (0.1, 0.7)


@transaction.atomic
def demo_attendance(*, rng: random.Random, partners: list, today: datetime.date) -> int:
    """Create attendance for ended demo workshops and teaching reports for about half of the
    attendees; the number of rows created."""
    workshops = list(
        Workshop.objects.filter(is_demo=True, partner__in=[p.pk for p in partners])
        .exclude(state__in=[WorkshopState.DRAFT, WorkshopState.CANCELLED])
        .annotate(first_day=Min("sessions__date"), last_day=Max("sessions__date"))
        .filter(first_day__lt=today)
        # A workshop whose attendance exists (an earlier run) is left as it is.
        .exclude(Exists(Attendance.objects.filter(session__workshop=OuterRef("pk"))))
        .order_by("pk")
    )
    if not workshops:
        return 0
    ids = [w.pk for w in workshops]
    ended = {w.pk for w in workshops if w.last_day < today}
    sessions = defaultdict(list)  # (session, held before today)
    for workshop_id, session_id, day in (
        WorkshopSession.objects.filter(workshop_id__in=ids)
        .values_list("workshop_id", "pk", "date")
        .order_by("workshop_id", "date", "start_time")
    ):
        sessions[workshop_id].append((session_id, day < today))
    facilitator: dict[int, int] = {}
    for workshop_id, user_id in (
        WorkshopFacilitator.objects.filter(workshop_id__in=ids)
        .values_list("workshop_id", "facilitator_id")
        .order_by("workshop_id", "pk")
    ):
        facilitator.setdefault(workshop_id, user_id)
    enrollments = list(
        Enrollment.objects.enrolled()
        .filter(workshop_id__in=ids, teacher__role=Role.TEACHER)
        .select_related("workshop", "teacher")
        .order_by("workshop_id", "pk")
    )
    reported = set(
        TeachingReport.objects.filter(teacher__in=[e.teacher_id for e in enrollments]).values_list(
            "teacher_id", "program_year", "course_id"
        )
    )
    attendances: list[Attendance] = []
    reports: list[TeachingReport] = []
    attend_all: dict[int, float] = {}
    for enrollment in enrollments:
        own = sessions[enrollment.workshop_id]
        if not own:
            continue
        partner_id = enrollment.workshop.partner_id
        if partner_id not in attend_all:
            attend_all[partner_id] = rng.uniform(*ATTEND_ALL)
        draw = rng.random()
        if draw < ATTEND_NONE and enrollment.teacher.email != DEMO_TEACHER:
            came = []
        elif (
            draw < ATTEND_NONE + attend_all[partner_id]
            or len(own) == 1
            or enrollment.teacher.email == DEMO_TEACHER  # the login's certificate, complete
        ):
            came = own
        elif rng.random() < DROPPED_OUT:
            came = own[: rng.randint(1, len(own) - 1)]
        else:
            came = sorted(rng.sample(own, rng.randint(1, len(own) - 1)))
        # Only the sessions held so far.
        came = [session_id for session_id, held in came if held]
        for session_id in came:
            method = rng.choice([Attendance.Method.CHECKLIST] * 3 + [Attendance.Method.SELF])
            by_staff = facilitator.get(enrollment.workshop_id, enrollment.teacher_id)
            attendances.append(
                Attendance(
                    session_id=session_id,
                    enrollment=enrollment,
                    method=method,
                    marked_by_id=enrollment.teacher_id
                    if method == Attendance.Method.SELF
                    else by_staff,
                )
            )
        workshop = enrollment.workshop
        key = (enrollment.teacher_id, workshop.program_year, workshop.course_id)
        ended_here = workshop.pk in ended
        if came and ended_here and key not in reported and rng.random() < REPORTING:
            reported.add(key)
            sections = rng.randint(1, 5)
            students = sections * rng.randint(18, 32)
            reports.append(
                TeachingReport(
                    teacher_id=enrollment.teacher_id,
                    program_year=workshop.program_year,
                    course_id=workshop.course_id,
                    workshop=workshop,
                    school_id=enrollment.school_id,
                    school_name="" if enrollment.school_id else enrollment.school_name,
                    sections=sections,
                    students=students,
                    female_students=round(students * rng.uniform(*FEMALE_SHARE)),
                    urm_students=round(students * rng.uniform(*URM_SHARE)),
                )
            )
    Attendance.objects.bulk_create(attendances, batch_size=1000)
    TeachingReport.objects.bulk_create(reports, batch_size=1000)
    return len(attendances) + len(reports)
