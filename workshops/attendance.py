"""Attendance per session: who may take it, when, and what it adds up to.

Two ways in:

- the checklist (`attendance_mark`): the workshop's facilitators, the partner's program
  managers and program admins tick who is present;
- self check-in (`attendance_check_in`): an enrolled teacher types the code the facilitator
  announces, while the session is open.

Only enrolled teachers (an `Enrollment` with status enrolled) can be recorded as attending.
The selectors below read attendance for the pages, the certificates and the metrics.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format, time_format

from core.audit import audited
from partners.models import Partner

from .models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Workshop,
    WorkshopFacilitator,
    WorkshopSession,
    WorkshopState,
)

# The checklist opens a little before the start, so a facilitator can tick early arrivals,
# and stays open a week after the end, so someone who could not get to it on the day (no
# signal in the venue, a paper sign-in sheet) can still enter it. Program admins correct
# records at any time.
CHECKLIST_OPENS_BEFORE = datetime.timedelta(minutes=30)
CHECKLIST_CLOSES_AFTER = datetime.timedelta(days=7)
# Self check-in proves presence, so it is only open around the session itself.
CHECK_IN_OPENS_BEFORE = datetime.timedelta(minutes=15)
CHECK_IN_CLOSES_AFTER = datetime.timedelta(minutes=30)

# Workshops whose attendance can be taken: not drafts, not cancelled ones. Checking the stored
# state is enough here: the clock (workshops.clock.effective_state) only moves a workshop
# among these three, and when attendance may be taken follows the session windows below.
TAKES_ATTENDANCE = (WorkshopState.PUBLISHED, WorkshopState.IN_PROGRESS, WorkshopState.ENDED)


# --- Scope ----------------------------------------------------------------------------------


def _is_active_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def attendance_workshops(user) -> QuerySet[Workshop]:
    """Workshops whose attendance `user` may see: the ones they facilitate, their partners'
    (program managers, and regional managers read only) and, for program admins, all."""
    if not _is_active_user(user):
        return Workshop.objects.none()
    return Workshop.objects.filter(
        Q(partner__in=Partner.objects.visible_to(user))
        | Q(pk__in=WorkshopFacilitator.objects.filter(facilitator=user).values("workshop"))
    )


def attendance_markable_workshops(user) -> QuerySet[Workshop]:
    """Workshops whose attendance `user` may take: the ones they facilitate, their partners'
    (program managers) and, for program admins, all. Regional managers only read."""
    if not _is_active_user(user):
        return Workshop.objects.none()
    return Workshop.objects.filter(
        Q(partner__in=Partner.objects.editable_by(user))
        | Q(pk__in=WorkshopFacilitator.objects.filter(facilitator=user).values("workshop"))
    )


def can_mark_attendance(workshop: Workshop, user) -> bool:
    return attendance_markable_workshops(user).filter(pk=workshop.pk).exists()


# --- Windows --------------------------------------------------------------------------------


def _local(moment: datetime.datetime, workshop: Workshop) -> str:
    local = moment.astimezone(workshop.zone)
    return (
        f"{date_format(local, 'l, N j')} at {time_format(local, 'g:i A')} "
        f"{local.tzname()} ({workshop.time_zone})"
    )


def checklist_window(session: WorkshopSession) -> tuple[datetime.datetime, datetime.datetime]:
    """When the checklist can be saved: from 30 minutes before the start to 7 days after
    the end (see the constants above for why)."""
    return session.starts_at - CHECKLIST_OPENS_BEFORE, session.ends_at + CHECKLIST_CLOSES_AFTER


def check_in_window(session: WorkshopSession) -> tuple[datetime.datetime, datetime.datetime]:
    """When teachers can check in with the code: 15 minutes before the start to 30 after the
    end, in the workshop's time zone (the datetimes are aware, so any `now` compares)."""
    return session.starts_at - CHECK_IN_OPENS_BEFORE, session.ends_at + CHECK_IN_CLOSES_AFTER


def checklist_is_open(session: WorkshopSession, user, *, now: datetime.datetime | None = None):
    if getattr(user, "is_program_admin", False):
        return True
    opens, closes = checklist_window(session)
    return opens <= (now or timezone.now()) <= closes


def check_in_is_open(session: WorkshopSession, *, now: datetime.datetime | None = None) -> bool:
    opens, closes = check_in_window(session)
    return opens <= (now or timezone.now()) <= closes


def normalize_code(code: str) -> str:
    """Codes are typed on phones: any case, spaces anywhere."""
    return "".join((code or "").split()).upper()


# --- Services -------------------------------------------------------------------------------


def attendance_mark(
    *,
    session: WorkshopSession,
    user,
    enrollment_ids: Iterable[int],
    now: datetime.datetime | None = None,
) -> int:
    """Set the session's attendance to exactly `enrollment_ids`: those enrolled teachers were
    there, the workshop's other enrolled teachers were not (rows are added and removed).
    Returns the number of rows changed.

    Allowed for the workshop's facilitators, the partner's program managers and program
    admins (anyone else: PermissionDenied). Only the workshop's enrolled teachers can be
    marked. The window runs from 30 minutes before the session starts (early arrivals) until
    7 days after it ends (records entered later from a paper list); program admins may
    correct attendance at any time. Self check-ins that stay in the set keep their method.
    """
    now = now or timezone.now()
    wanted = {int(pk) for pk in enrollment_ids}
    with transaction.atomic(), audited(user, label="attendance-mark"):
        # Lock the session: two people saving the checklist at once apply one after the other.
        session = (
            WorkshopSession.objects.select_for_update()
            .select_related("workshop")
            .get(pk=session.pk)
        )
        workshop = session.workshop
        if not can_mark_attendance(workshop, user):
            raise PermissionDenied("Only the workshop's facilitators and program managers.")
        if workshop.state not in TAKES_ATTENDANCE:
            raise ValidationError(
                {
                    "enrollment_ids": f"A {workshop.get_state_display().lower()} workshop has "
                    "no attendance to take."
                }
            )
        if not checklist_is_open(session, user, now=now):
            opens, closes = checklist_window(session)
            if now < opens:
                message = (
                    f"Attendance for this session can be taken from {_local(opens, workshop)}."
                )
            else:
                message = (
                    f"Attendance for this session closed on {_local(closes, workshop)}. "
                    "Ask the program office to correct it."
                )
            raise ValidationError({"enrollment_ids": message})
        enrolled = set(
            Enrollment.objects.enrolled().filter(workshop=workshop).values_list("pk", flat=True)
        )
        if wanted - enrolled:
            raise ValidationError(
                {"enrollment_ids": "Only teachers enrolled in this workshop can be marked present."}
            )
        # Only the enrolled teachers' rows are the checklist's: a teacher who cancelled after
        # attending keeps the record of the sessions they came to.
        existing = {
            a.enrollment_id: a for a in session.attendances.filter(enrollment_id__in=enrolled)
        }
        removed = [a for pk, a in existing.items() if pk not in wanted]
        for attendance in removed:
            attendance.delete()
        added = 0
        for pk in sorted(wanted - existing.keys()):
            attendance = Attendance(
                session=session,
                enrollment_id=pk,
                method=Attendance.Method.CHECKLIST,
                marked_by=user,
            )
            # The session lock keeps out concurrent checklists; the constraint is checked by
            # the database on insert, not by an extra query per row.
            attendance.full_clean(validate_constraints=False)
            attendance.save()
            added += 1
    return added + len(removed)


def attendance_check_in(
    *,
    session: WorkshopSession,
    user,
    code: str,
    now: datetime.datetime | None = None,
) -> Attendance:
    """An enrolled teacher records their own attendance with the session's code.

    The code is compared ignoring case and spaces. Only while the session is open for
    check-in: from 15 minutes before it starts to 30 minutes after it ends, in the workshop's
    time zone. Checking in twice is harmless (the first record stays). Refusals are
    ValidationErrors keyed by `code`.
    """
    now = now or timezone.now()
    workshop = session.workshop
    enrollment = (
        Enrollment.objects.enrolled().filter(workshop=workshop, teacher=user).first()
        if _is_active_user(user)
        else None
    )
    if enrollment is None or workshop.state not in TAKES_ATTENDANCE:
        raise ValidationError({"code": "Only teachers enrolled in this workshop can check in."})
    opens, closes = check_in_window(session)
    if now < opens:
        raise ValidationError(
            {"code": f"Check-in for this session opens {_local(opens, workshop)}."}
        )
    if now > closes:
        raise ValidationError(
            {
                "code": f"Check-in for this session closed {_local(closes, workshop)}. "
                "Ask your facilitator to mark you present."
            }
        )
    if normalize_code(code) != normalize_code(session.attendance_code):
        raise ValidationError(
            {"code": "That is not this session's code. Check it with your facilitator."}
        )
    with transaction.atomic(), audited(user, label="attendance-check-in"):
        existing = Attendance.objects.filter(session=session, enrollment=enrollment).first()
        if existing is not None:
            return existing
        attendance = Attendance(
            session=session, enrollment=enrollment, method=Attendance.Method.SELF, marked_by=user
        )
        attendance.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                attendance.save()
        except IntegrityError:
            # A double tap raced us: the first one recorded it.
            return Attendance.objects.get(session=session, enrollment=enrollment)
    return attendance


# --- Selectors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistRow:
    enrollment: Enrollment
    attended: bool
    method: str  # "" when absent

    @property
    def teacher(self):
        return self.enrollment.teacher


def session_checklist(session: WorkshopSession) -> list[ChecklistRow]:
    """The session's enrolled teachers (by name) with whether each attended. Two queries."""
    marks = dict(session.attendances.values_list("enrollment_id", "method"))
    enrollments = (
        Enrollment.objects.enrolled()
        .filter(workshop_id=session.workshop_id)
        .select_related("teacher", "school")
        .order_by("teacher__last_name", "teacher__first_name", "teacher__email", "pk")
    )
    return [
        ChecklistRow(enrollment=e, attended=e.pk in marks, method=marks.get(e.pk, ""))
        for e in enrollments
    ]


def session_for_now(
    sessions: list[WorkshopSession], *, now: datetime.datetime | None = None
) -> WorkshopSession | None:
    """The session a checklist opens on: the one running (or about to), else the next, else
    the last one."""
    if not sessions:
        return None
    now = now or timezone.now()
    for session in sessions:
        opens, _ = checklist_window(session)
        if now < session.ends_at + CHECK_IN_CLOSES_AFTER and now >= opens:
            return session
    upcoming = [s for s in sessions if s.starts_at > now]
    return upcoming[0] if upcoming else sessions[-1]


def check_in_session(
    workshop: Workshop, code: str, *, now: datetime.datetime | None = None
) -> WorkshopSession | None:
    """Which session a typed code is for: the session with that code, else the one open for
    check-in, else the nearest one (so the service explains why it is refused)."""
    sessions = list(workshop.sessions.select_related("workshop"))
    if not sessions:
        return None
    typed = normalize_code(code)
    for session in sessions:
        if typed and normalize_code(session.attendance_code) == typed:
            return session
    now = now or timezone.now()
    for session in sessions:
        if check_in_is_open(session, now=now):
            return session
    return min(sessions, key=lambda s: abs((s.starts_at - now).total_seconds()))


def _hours(sessions: Iterable[WorkshopSession]) -> Decimal:
    return sum((s.hours for s in sessions), Decimal("0.00"))


def attended_sessions(enrollment: Enrollment) -> list[WorkshopSession]:
    return list(
        WorkshopSession.objects.filter(attendances__enrollment=enrollment)
        .select_related("workshop")
        .order_by("date", "start_time")
    )


def attended_hours(enrollment: Enrollment) -> Decimal:
    """Hours of the sessions the teacher attended (each session's start to end). One query."""
    return _hours(attended_sessions(enrollment))


@dataclass(frozen=True)
class SessionSummary:
    session: WorkshopSession
    present: int
    enrolled: int

    @property
    def share(self) -> int:
        """Percentage present, of the enrolled teachers."""
        return round(100 * self.present / self.enrolled) if self.enrolled else 0


@dataclass(frozen=True)
class AttendanceSummary:
    enrolled: int
    attended_any: int
    attended_all: int
    sessions: list[SessionSummary]


def workshop_attendance_summary(workshop: Workshop) -> AttendanceSummary:
    """Per session, how many enrolled teachers were present; over the workshop, how many came
    to at least one session and to all of them. Two queries."""
    enrolled = Enrollment.objects.enrolled().filter(workshop=workshop)
    sessions = list(
        workshop.sessions.select_related("workshop").annotate(
            present=Count(
                "attendances",
                filter=Q(attendances__enrollment__status=EnrollmentStatus.ENROLLED),
            )
        )
    )
    per_teacher = list(enrolled.annotate(n=Count("attendances")).values_list("n", flat=True))
    total = len(per_teacher)
    return AttendanceSummary(
        enrolled=total,
        attended_any=sum(1 for n in per_teacher if n > 0),
        attended_all=sum(1 for n in per_teacher if sessions and n >= len(sessions)),
        sessions=[SessionSummary(session=s, present=s.present, enrolled=total) for s in sessions],
    )


def facilitated_workshops(user) -> QuerySet[Workshop]:
    """The workshops `user` is assigned to facilitate (in any state), with the dates of their
    first and last sessions and the number of teachers enrolled."""
    if not _is_active_user(user):
        return Workshop.objects.none()
    return (
        Workshop.objects.filter(facilitator_links__facilitator=user)
        .select_related("partner", "course", "kind")
        .annotate(
            first_day=Min("sessions__date"),
            last_day=Max("sessions__date"),
            enrolled=Count(
                "enrollments",
                filter=Q(enrollments__status=EnrollmentStatus.ENROLLED),
                distinct=True,
            ),
        )
        .order_by("first_day", "pk")
    )


def teacher_attended(workshop: Workshop, user) -> Enrollment | None:
    """The user's enrollment in `workshop` if they attended at least one session."""
    if not _is_active_user(user):
        return None
    return (
        Enrollment.objects.filter(workshop=workshop, teacher=user)
        .filter(Exists(Attendance.objects.filter(enrollment=OuterRef("pk"))))
        .first()
    )


# --- Counts for the metrics -----------------------------------------------------------------


def teachers_attended(partner_ids: Iterable[int], program_year: str) -> dict[int, int]:
    """{partner id: distinct teachers who attended at least one session of the partner's
    workshops in the program year}. Partners without any are left out. One query.

    The definition is the metrics' (`metrics.selectors.teachers_attended_counts`); this is
    its one-year shape for the pages that read it here.
    """
    from metrics.selectors import teachers_attended_counts

    counts = teachers_attended_counts(partner_ids, [program_year])
    return {partner_id: n for (partner_id, _), n in counts.items() if n}


def attended_by_district_course(
    partner_ids: Iterable[int], program_year: str
) -> dict[tuple[int, int, int], int]:
    """{(partner id, district id, course id): distinct teachers who attended}: the district is
    that of the school the teacher enrolled with (teachers of unlisted schools have none and
    are not counted here). For district-commitment fulfilment. One query.

    The count is the metrics' (`metrics.selectors.district_course_attended`); this is its
    one-year shape for the pages that read it here.
    """
    from metrics.selectors import district_course_attended

    return {
        (partner_id, district_id, course_id): n
        for (partner_id, _, district_id, course_id), n in district_course_attended(
            partner_ids, [program_year]
        ).items()
    }


@dataclass(frozen=True)
class AttendanceCounts:
    teachers: dict[int, int]
    by_district_course: dict[tuple[int, int, int], int]


def attendance_counts(partner_ids: Iterable[int], program_year: str) -> AttendanceCounts:
    """Both counts above for the metrics, in two queries."""
    ids = list(partner_ids)
    return AttendanceCounts(
        teachers=teachers_attended(ids, program_year),
        by_district_course=attended_by_district_course(ids, program_year),
    )
