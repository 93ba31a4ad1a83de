"""Enrollment in workshops: the services that enroll, cancel, move and promote, and the
selectors the pages and the API read with.

Capacity is exact under concurrency: every service that counts places first locks the
workshop row (`select_for_update`) inside its transaction, so two teachers asking for the last
place at once are served one after the other; the second finds the workshop full and joins the
waitlist. The database's unique constraint (one row per teacher and workshop) backs the "no
double enrollment" rule; a lost race answers a clear message, never an error page.

The waitlist is ordered by `waitlisted_at` (then pk). A freed place (a cancellation, a move,
a larger capacity) goes to the first person waiting, who is told by email. Emails are
django-tasks tasks (workshops.tasks) enqueued after commit, so a rolled-back change sends none.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Abs
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format

from accounts.models import Role, User
from core.audit import audited
from core.time_zones import US_TIME_ZONES
from districts.models import School
from geography.models import ZipCode
from geography.selectors import zip_lookup
from geography.zips import MalformedZip, normalize_zip
from partners.models import Partner

from .clock import effective_state
from .models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Workshop,
    WorkshopSession,
    WorkshopState,
)

ACTIVE = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)
# States (by the clock: `effective_state`) in which a freed place still goes to the waitlist,
# and people may be moved in.
RUNNING = (WorkshopState.PUBLISHED, WorkshopState.IN_PROGRESS)
SCHOOL_CHOICES = 25  # schools offered in the picker at once
NEAR_DEGREES = 0.5  # the box searched for schools near a venue (about 35 miles)
DASH = "\u2013"
ZONE_LABELS = dict(US_TIME_ZONES)


# --- Selectors -----------------------------------------------------------------------------


def first_session(workshop: Workshop) -> WorkshopSession | None:
    """The earliest session (uses prefetched sessions when there are any)."""
    sessions = list(workshop.sessions.all())
    return min(sessions, key=lambda s: (s.date, s.start_time)) if sessions else None


def last_session(workshop: Workshop) -> WorkshopSession | None:
    sessions = list(workshop.sessions.all())
    return max(sessions, key=lambda s: (s.date, s.end_time)) if sessions else None


def enrollment_window(
    workshop: Workshop,
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """When enrollment opens and closes; it closes when the first session starts by default."""
    closes = workshop.enrollment_closes_at
    if closes is None:
        first = first_session(workshop)
        closes = first.starts_at if first is not None else None
    return workshop.enrollment_opens_at, closes


def enrollment_closed_reason(workshop: Workshop, *, now: datetime.datetime | None = None) -> str:
    """Why teachers cannot enroll now ("" when they can). Started or ended by the clock
    (`effective_state`), not only as stored."""
    now = now or timezone.now()
    state = effective_state(workshop, now)
    if state == WorkshopState.CANCELLED:
        return "This workshop is cancelled."
    if state not in RUNNING and state != WorkshopState.ENDED:
        return "This workshop is not open for enrollment."
    opens, closes = enrollment_window(workshop)
    if closes is not None and now >= closes:
        return f"Enrollment closed on {_moment(closes, workshop)}."
    if state != WorkshopState.PUBLISHED:
        return "This workshop has started: enrollment is closed."
    if opens is not None and now < opens:
        return f"Enrollment opens on {_moment(opens, workshop)}."
    return ""


def _moment(value: datetime.datetime, workshop: Workshop) -> str:
    local = value.astimezone(workshop.zone)
    return f"{date_format(local, 'N j, Y')} at {time_format(local, 'TIME_FORMAT')} {local.tzname()}"


def zone_label(workshop: Workshop) -> str:
    """The workshop's zone named for people: "Pacific (Los Angeles) time, America/Los_Angeles"."""
    label = ZONE_LABELS.get(workshop.time_zone)
    return f"{label} time, {workshop.time_zone}" if label else workshop.time_zone


def session_lines(workshop: Workshop) -> list[str]:
    """Each session's date and times in the workshop's own zone, the zone's abbreviation named:
    "Mon, Sept 14, 2026, 9 a.m. to 3 p.m. (an en dash) PDT"."""
    lines = []
    for session in sorted(workshop.sessions.all(), key=lambda s: (s.date, s.start_time)):
        start = session.starts_at
        lines.append(
            f"{date_format(session.date, 'D, N j, Y')}, {time_format(session.start_time)} "
            f"{DASH} {time_format(session.end_time)} {start.tzname()}"
        )
    return lines


def enrolled_count(workshop: Workshop) -> int:
    return workshop.enrollments.filter(status=EnrollmentStatus.ENROLLED).count()


def places_left(workshop: Workshop) -> int:
    return max(workshop.capacity - enrolled_count(workshop), 0)


def waitlist_position(enrollment: Enrollment) -> int | None:
    """1 for the first person waiting; None when not on the waitlist."""
    if enrollment.status != EnrollmentStatus.WAITLISTED:
        return None
    ahead = Enrollment.objects.filter(
        workshop_id=enrollment.workshop_id, status=EnrollmentStatus.WAITLISTED
    ).filter(
        Q(waitlisted_at__lt=enrollment.waitlisted_at)
        | Q(waitlisted_at=enrollment.waitlisted_at, pk__lt=enrollment.pk)
    )
    return ahead.count() + 1


def is_teacher(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.TEACHER)


def may_manage_enrollments(workshop: Workshop, user) -> bool:
    """The partner's program managers and program admins change enrollments."""
    return Partner.objects.editable_by(user).filter(pk=workshop.partner_id).exists()


def may_read_enrollments(workshop: Workshop, user) -> bool:
    """Who sees a workshop's roster: everyone who sees its partner in the workspace."""
    return Partner.objects.visible_to(user).filter(pk=workshop.partner_id).exists()


def roster(workshop: Workshop) -> list[Enrollment]:
    """Enrolled (in the order they got their place), then the waitlist in its order, each
    waitlisted row with its `position`."""
    rows = list(
        workshop.enrollments.filter(status__in=ACTIVE)
        .select_related("teacher", "school", "school_zip")
        .order_by(F("enrolled_at").asc(nulls_last=True), F("waitlisted_at").asc(), "pk")
    )
    enrolled = [r for r in rows if r.status == EnrollmentStatus.ENROLLED]
    waiting = sorted(
        (r for r in rows if r.status == EnrollmentStatus.WAITLISTED),
        key=lambda r: (r.waitlisted_at, r.pk),
    )
    for position, row in enumerate(waiting, start=1):
        row.position = position
    for row in enrolled:
        row.position = None
    return enrolled + waiting


def enrollments_visible_to(user, workshop: Workshop) -> QuerySet[Enrollment]:
    """A workshop's enrollments a user may read: all of them for those who see the partner
    (program managers, its regional manager, admins), a teacher's own for everyone else."""
    qs = workshop.enrollments.select_related("teacher", "school", "school_zip")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if may_read_enrollments(workshop, user):
        return qs
    return qs.filter(teacher=user)


def teacher_enrollments(user) -> QuerySet[Enrollment]:
    """A teacher's enrollments, with what the "mine" page shows. Cancelled ones are left out,
    except those with attendance: a teacher who attended and cancelled later still attended
    (and still gets the certificate, see workshops.certificates)."""
    attended = Exists(Attendance.objects.filter(enrollment=OuterRef("pk")))
    return (
        Enrollment.objects.filter(teacher=user)
        .filter(Q(status__in=ACTIVE) | attended)
        # A cancelled workshop told them by email; it is not one of "their workshops" now.
        .exclude(workshop__state=WorkshopState.CANCELLED)
        .select_related("workshop__course", "workshop__kind", "workshop__partner", "school")
        .prefetch_related("workshop__sessions")
        .annotate(sessions_attended=Count("attendances", distinct=True))
    )


@dataclass
class TeacherWorkshops:
    upcoming: list[Enrollment] = field(default_factory=list)
    waitlisted: list[Enrollment] = field(default_factory=list)
    past: list[Enrollment] = field(default_factory=list)


def teacher_workshops(user, *, now: datetime.datetime | None = None) -> TeacherWorkshops:
    """A teacher's enrollments sorted into upcoming, waitlisted and past (ended by the clock)
    workshops. Past ones are those the teacher had a place in or attended; each row says
    whether it was `attended` and whether its certificate is available (ended and attended:
    the rule of workshops.certificates)."""
    now = now or timezone.now()
    result = TeacherWorkshops()
    positions = _waitlist_positions(user)
    for enrollment in teacher_enrollments(user):
        workshop = enrollment.workshop
        first = first_session(workshop)
        enrollment.first_session = first
        ended = effective_state(workshop, now) == WorkshopState.ENDED
        enrollment.attended = enrollment.sessions_attended > 0
        enrollment.certificate_available = ended and enrollment.attended
        if ended:
            if enrollment.status == EnrollmentStatus.ENROLLED or enrollment.attended:
                result.past.append(enrollment)
        elif enrollment.status == EnrollmentStatus.CANCELLED:
            continue  # attended a session, cancelled after: shown once the workshop has ended
        elif enrollment.status == EnrollmentStatus.WAITLISTED:
            enrollment.position = positions.get(enrollment.pk)
            result.waitlisted.append(enrollment)
        else:
            result.upcoming.append(enrollment)

    def start(e):
        return e.first_session.starts_at if e.first_session else now

    result.upcoming.sort(key=start)
    result.waitlisted.sort(key=start)
    result.past.sort(key=start, reverse=True)
    return result


def _waitlist_positions(user) -> dict[int, int]:
    """Each of a teacher's waitlist spots with its position, in one query."""
    mine = list(
        Enrollment.objects.filter(teacher=user, status=EnrollmentStatus.WAITLISTED).values(
            "pk", "workshop_id", "waitlisted_at"
        )
    )
    if not mine:
        return {}
    waiting = Enrollment.objects.filter(
        workshop_id__in=[m["workshop_id"] for m in mine], status=EnrollmentStatus.WAITLISTED
    ).values_list("pk", "workshop_id", "waitlisted_at")
    by_workshop: dict[int, list[tuple]] = {}
    for pk, workshop_id, at in waiting:
        by_workshop.setdefault(workshop_id, []).append((at, pk))
    positions = {}
    for m in mine:
        queue = sorted(by_workshop.get(m["workshop_id"], []))
        positions[m["pk"]] = queue.index((m["waitlisted_at"], m["pk"])) + 1
    return positions


# --- Schools for the picker ------------------------------------------------------------------


def active_schools() -> QuerySet[School]:
    return School.objects.filter(is_active=True).select_related("zip_code", "district")


def schools_near(workshop: Workshop, user=None, *, limit: int = SCHOOL_CHOICES) -> list[School]:
    """Schools a teacher probably comes from: the reserved district's, else those nearest the
    venue (or, online, nearest the teacher's school ZIP)."""
    schools = active_schools()
    if workshop.reserved_for_id:
        return list(schools.filter(district_id=workshop.reserved_for_id).order_by("name")[:limit])
    centre = workshop.zip_code if workshop.zip_code_id else None
    if centre is None and user is not None and getattr(user, "school_zip_id", None):
        centre = user.school_zip
    if centre is None or centre.latitude is None or centre.longitude is None:
        return []
    lat, lon = centre.latitude, centre.longitude
    # A box first, then the nearest inside it; degrees of longitude shrink with latitude, so
    # the box widens with it. (Degrees, not miles: close enough to order nearby schools.)
    tall = Decimal(str(NEAR_DEGREES))
    wide = Decimal(str(round(NEAR_DEGREES / max(math.cos(math.radians(float(lat))), 0.2), 4)))
    return list(
        schools.filter(
            zip_code__latitude__range=(lat - tall, lat + tall),
            zip_code__longitude__range=(lon - wide, lon + wide),
        )
        .annotate(
            _distance=ExpressionWrapper(
                Abs(F("zip_code__latitude") - Value(lat))
                + Abs(F("zip_code__longitude") - Value(lon)),
                output_field=DecimalField(max_digits=10, decimal_places=4),
            )
        )
        .order_by("_distance", "name", "pk")[:limit]
    )


def school_search(
    query: str, *, workshop: Workshop | None = None, limit: int = SCHOOL_CHOICES
) -> list[School]:
    """Schools by a twelve-digit NCES id, or by words of their name (or city)."""
    query = " ".join((query or "").split())[:100]
    if not query:
        return []
    schools = active_schools()
    if workshop is not None and workshop.reserved_for_id:
        schools = schools.filter(district_id=workshop.reserved_for_id)
    if query.isdigit() and len(query) == 12:
        return list(schools.filter(nces_id=query))
    for word in query.split()[:6]:
        schools = schools.filter(Q(name__icontains=word) | Q(city__icontains=word))
    return list(schools.order_by("name", "pk")[:limit])


# --- The panel on a workshop's page ----------------------------------------------------------


@dataclass
class EnrollmentPanel:
    workshop: Workshop
    capacity: int
    enrolled: int
    places_left: int
    closed_reason: str
    enrollment: Enrollment | None = None
    position: int | None = None
    sign_in: bool = False
    not_teacher: bool = False
    form: object | None = None
    can_cancel: bool = False
    roster_url: str = ""


def enrollment_panel(workshop, user) -> dict:
    """The context of `workshops/enrollment/_panel.html` on a workshop's page."""
    from .forms_enrollment import EnrollmentForm

    count = enrolled_count(workshop)
    panel = EnrollmentPanel(
        workshop=workshop,
        capacity=workshop.capacity,
        enrolled=count,
        places_left=max(workshop.capacity - count, 0),
        closed_reason=enrollment_closed_reason(workshop),
    )
    if not user.is_authenticated:
        panel.sign_in = True
    else:
        panel.enrollment = (
            workshop.enrollments.filter(teacher=user, status__in=ACTIVE)
            .select_related("school")
            .first()
        )
        if panel.enrollment is not None:
            panel.position = waitlist_position(panel.enrollment)
            panel.can_cancel = effective_state(workshop) == WorkshopState.PUBLISHED
        elif not is_teacher(user):
            panel.not_teacher = True
        elif not panel.closed_reason:
            panel.form = EnrollmentForm(
                schools=school_choices(workshop, user),
                allow_unlisted=not workshop.reserved_for_id,
                initial=initial_school(user),
            )
        if may_read_enrollments(workshop, user):
            panel.roster_url = reverse(
                "partner_enrollments:roster",
                kwargs={"slug": workshop.partner.slug, "pk": workshop.pk},
            )
    return {"enrollment_panel": panel}


def school_choices(
    workshop: Workshop, user, *, query: str = "", include: School | None = None
) -> list[School]:
    """The schools offered in the picker: the teacher's own first, then search results (or
    schools near the workshop), and `include` (a school already chosen) kept in the list."""
    found = school_search(query, workshop=workshop) if query else schools_near(workshop, user)
    first = [s for s in (include, getattr(user, "school", None)) if s is not None]
    if workshop.reserved_for_id:
        first = [s for s in first if s.district_id == workshop.reserved_for_id]
    seen: set[int] = set()
    result = []
    for school in [*first, *found]:
        if school.pk not in seen:
            seen.add(school.pk)
            result.append(school)
    return result


def initial_school(user) -> dict:
    """What the form starts with: the school (or school ZIP) the teacher gave last time."""
    if getattr(user, "school_id", None):
        return {"school": str(user.school_id)}
    if getattr(user, "school_zip_id", None):
        return {"school_zip": user.school_zip.code}
    return {}


# --- Services ------------------------------------------------------------------------------


def _audited(user):
    return audited(user, label="enrollment")


def _lock(workshop: Workshop) -> Workshop:
    """The workshop as stored, its row locked until the transaction ends."""
    # No select_related: PostgreSQL cannot lock the nullable side of an outer join.
    return Workshop.objects.select_for_update().get(pk=workshop.pk)


def _enqueue(task_name: str, *args) -> None:
    """Enqueue one of workshops.tasks after commit (never for a rolled-back change)."""
    from . import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.enqueue(*args))


def _resolve_zip(value) -> ZipCode:
    if isinstance(value, ZipCode):
        return value
    try:
        code = normalize_zip(value)
    except MalformedZip as error:
        raise ValidationError({"school_zip": str(error)}) from None
    zip_code = zip_lookup(code)
    if zip_code is None:
        raise ValidationError({"school_zip": f"{code} is not a ZIP code we know. Check it."})
    return zip_code


def _check_school(
    workshop: Workshop, school: School | None, school_name: str, school_zip
) -> tuple[School | None, str, ZipCode | None]:
    """The school a teacher comes from, checked against the workshop's reserved district."""
    school_name = " ".join((school_name or "").split())
    if school is not None:
        if not school.is_active:
            raise ValidationError({"school": "This school is closed. Choose your school."})
        if workshop.reserved_for_id and school.district_id != workshop.reserved_for_id:
            raise ValidationError(
                {
                    "school": f"This workshop is reserved for teachers of "
                    f"{workshop.reserved_for.name}; {school.name} is not one of its schools."
                },
                code="reserved",
            )
        return school, "", None
    if workshop.reserved_for_id:
        raise ValidationError(
            {
                "school": f"This workshop is reserved for teachers of "
                f"{workshop.reserved_for.name}: choose your school from its list."
            },
            code="reserved",
        )
    errors = {}
    if not school_name:
        errors["school_name"] = "Enter the name of your school."
    zip_code = None
    try:
        zip_code = _resolve_zip(school_zip)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return None, school_name[:200], zip_code


def _promote(workshop: Workshop) -> list[Enrollment]:
    """Fill free places (the workshop locked by the caller) from the waitlist, in order; not
    once the workshop has ended by the clock (nobody is promoted into a past workshop)."""
    if effective_state(workshop) not in RUNNING:
        return []
    free = workshop.capacity - enrolled_count(workshop)
    if free <= 0:
        return []
    promoted = list(workshop.enrollments.waitlisted().select_for_update()[:free])
    now = timezone.now()
    for enrollment in promoted:
        enrollment.status = EnrollmentStatus.ENROLLED
        enrollment.enrolled_at = now
        enrollment.full_clean()
        enrollment.save()
        _enqueue("send_enrollment_promotion", enrollment.pk)
    return promoted


def _place(workshop: Workshop, enrollment: Enrollment) -> None:
    """Give `enrollment` a place if one is free, else the back of the waitlist."""
    now = timezone.now()
    if enrolled_count(workshop) < workshop.capacity:
        enrollment.status = EnrollmentStatus.ENROLLED
        enrollment.enrolled_at = now
        enrollment.waitlisted_at = None
    else:
        enrollment.status = EnrollmentStatus.WAITLISTED
        enrollment.enrolled_at = None
        enrollment.waitlisted_at = now
    enrollment.cancelled_at = None
    enrollment.reminded_7_days_at = None
    enrollment.reminded_1_day_at = None


def _already(enrollment: Enrollment, *, you: bool) -> ValidationError:
    who = "You are" if you else f"{enrollment.teacher} is"
    if enrollment.status == EnrollmentStatus.WAITLISTED:
        where = f"on the waitlist of this workshop (position {waitlist_position(enrollment)})"
    else:
        where = "enrolled in this workshop"
    return ValidationError(f"{who} already {where}.", code="already_enrolled")


def _save_row(enrollment: Enrollment, *, you: bool = True) -> None:
    """Save, turning a lost race on the unique constraint into a clear refusal."""
    enrollment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        existing = Enrollment.objects.filter(
            workshop_id=enrollment.workshop_id, teacher_id=enrollment.teacher_id
        ).first()
        if existing is not None:
            raise _already(existing, you=you) from None
        raise


def enrollment_create(
    *,
    workshop: Workshop,
    teacher: User,
    school: School | None = None,
    school_name: str = "",
    school_zip: ZipCode | str | None = None,
) -> Enrollment:
    """Enroll a teacher in a workshop, or put them on its waitlist when it is full.

    The teacher comes from a listed `school`, or names an unlisted one (`school_name` and
    `school_zip`, a ZipCode or a ZIP string); it is saved on their account for next time.
    Refused (ValidationError, keyed by field where it helps) unless the workshop is published
    and its enrollment window open, the school belongs to the district the workshop is
    reserved for, and the teacher is not already enrolled or waiting. Only teachers enroll
    (PermissionDenied). Enrolling again after cancelling takes the same row back, at the
    back of the waitlist when the workshop is full. The teacher is emailed after commit.
    """
    if not is_teacher(teacher):
        raise PermissionDenied(
            "Only teachers can enroll in workshops. Sign in with a teacher account."
        )
    with transaction.atomic(), _audited(teacher):
        workshop = _lock(workshop)
        existing = Enrollment.objects.filter(workshop=workshop, teacher=teacher).first()
        if existing is not None and existing.status in ACTIVE:
            raise _already(existing, you=True)
        reason = enrollment_closed_reason(workshop)
        if reason:
            raise ValidationError(reason, code="closed")
        school, school_name, zip_code = _check_school(workshop, school, school_name, school_zip)

        enrollment = existing or Enrollment(workshop=workshop, teacher=teacher)
        enrollment.school = school
        enrollment.school_name = school_name
        enrollment.school_zip = zip_code
        _place(workshop, enrollment)
        _save_row(enrollment)

        # Next time the form starts from this school.
        if school is not None and teacher.school_id != school.pk:
            teacher.school = school
            teacher.save(update_fields=["school"])
        elif school is None and (teacher.school_id or teacher.school_zip_id != zip_code.pk):
            teacher.school = None
            teacher.school_zip = zip_code
            teacher.save(update_fields=["school", "school_zip"])
        _enqueue("send_enrollment_confirmation", enrollment.pk)
    return enrollment


def _may_cancel(enrollment: Enrollment, user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return enrollment.teacher_id == user.pk or may_manage_enrollments(enrollment.workshop, user)


def enrollment_cancel(*, enrollment: Enrollment, user: User) -> Enrollment:
    """Cancel a place or a waitlist spot (the teacher, or the partner's program managers and
    program admins); the first person waiting gets the freed place and an email.

    A teacher cannot cancel once the workshop has started (staff still can, e.g. a no-show
    on the first day, while it runs); nobody can once it has ended. Started and ended are by
    the clock (`effective_state`), not the stored state, which the scheduled command moves
    later.
    """
    with transaction.atomic(), _audited(user):
        workshop = _lock(enrollment.workshop)
        enrollment = (
            Enrollment.objects.select_for_update().select_related("workshop").get(pk=enrollment.pk)
        )
        if not _may_cancel(enrollment, user):
            raise PermissionDenied("You cannot cancel this enrollment.")
        if enrollment.status == EnrollmentStatus.CANCELLED:
            raise ValidationError("This enrollment is already cancelled.", code="cancelled")
        staff = may_manage_enrollments(workshop, user)
        state = effective_state(workshop)
        if state not in RUNNING or (not staff and state != WorkshopState.PUBLISHED):
            raise ValidationError(
                "The workshop has started or is over: enrollments can no longer be cancelled.",
                code="started",
            )
        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment.cancelled_at = timezone.now()
        enrollment.full_clean(validate_constraints=False)
        enrollment.save()
        _promote(workshop)
    return enrollment


def enrollment_move(*, enrollment: Enrollment, to_workshop: Workshop, user: User) -> Enrollment:
    """Move a teacher to another workshop of the same partner (its program managers and
    program admins): a place there when one is free, else the back of its waitlist. The old
    enrollment is cancelled (its attendance stays with it) and its place goes to the first
    person waiting. The teacher is emailed. Returns the enrollment in `to_workshop`.

    Staff move people regardless of the target's enrollment window; the district a workshop
    is reserved for still holds. Neither workshop may have ended (by the clock): nobody is
    moved out of or into a past workshop.
    """
    with transaction.atomic(), _audited(user):
        # Lock both in pk order, so two opposite moves cannot deadlock.
        locked = {
            w.pk: w
            for w in Workshop.objects.select_for_update()
            .filter(pk__in=[enrollment.workshop_id, to_workshop.pk])
            .order_by("pk")
        }
        source = locked[enrollment.workshop_id]
        enrollment = (
            # Lock only the enrollment: PostgreSQL cannot lock the nullable school side.
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("teacher", "school")
            .get(pk=enrollment.pk)
        )
        if not may_manage_enrollments(source, user):
            raise PermissionDenied("Only the partner's program managers can move people.")
        if enrollment.status not in ACTIVE:
            raise ValidationError("This enrollment is cancelled; there is nobody to move.")
        if effective_state(source) not in RUNNING:
            raise ValidationError("This workshop is over: its enrollments can no longer change.")
        target = locked.get(to_workshop.pk)
        if target is None or target.partner_id != source.partner_id:
            raise ValidationError({"to_workshop": "Choose another workshop of this partner."})
        if target.pk == source.pk:
            raise ValidationError({"to_workshop": "Choose a different workshop."})
        if effective_state(target) not in RUNNING:
            raise ValidationError(
                {"to_workshop": "People can be moved only into published or running workshops."}
            )
        if target.reserved_for_id and (
            enrollment.school is None or enrollment.school.district_id != target.reserved_for_id
        ):
            raise ValidationError(
                {
                    "to_workshop": f"That workshop is reserved for teachers of "
                    f"{target.reserved_for.name}; {enrollment.teacher}'s school is not one "
                    "of its schools."
                }
            )
        moved = Enrollment.objects.filter(workshop=target, teacher=enrollment.teacher).first()
        if moved is not None and moved.status in ACTIVE:
            raise ValidationError(
                {
                    "to_workshop": f"{enrollment.teacher} is already "
                    f"{moved.get_status_display().lower()} in that workshop."
                }
            )
        moved = moved or Enrollment(workshop=target, teacher=enrollment.teacher)
        moved.school = enrollment.school
        moved.school_name = enrollment.school_name
        moved.school_zip = enrollment.school_zip
        _place(target, moved)
        _save_row(moved, you=False)

        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment.cancelled_at = timezone.now()
        enrollment.full_clean(validate_constraints=False)
        enrollment.save()
        _promote(source)
        _enqueue("send_enrollment_confirmation", moved.pk, True)
    return moved


def waitlist_promote(*, workshop: Workshop) -> list[Enrollment]:
    """Give free places to the waitlist, in order (after the capacity was raised, say); each
    promoted teacher is emailed. Call it inside the transaction that saved the workshop."""
    with transaction.atomic():
        return _promote(_lock(workshop))


# --- Reminders -----------------------------------------------------------------------------

# (days before the first session, the field that records it was sent). Each reminder has a
# one-day window ending where the next begins: 7 days = from 7 to 6 days before the start,
# 1 day = the last 24 hours. The hourly run sends each once, inside its window.
REMINDERS = ((7, "reminded_7_days_at"), (1, "reminded_1_day_at"))


def reminder_window(start: datetime.datetime, days: int) -> tuple[datetime.datetime, ...]:
    return start - datetime.timedelta(days=days), start - datetime.timedelta(days=days - 1)


def workshop_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Enqueue the reminders due now; the number enqueued. Safe to run any number of times.

    An enrolled teacher gets the 7-day reminder while the first session is 7 to 6 days away
    and the 1-day reminder in its last 24 hours, each once: the `reminded_*_at` field is set
    by a conditional update, so two overlapping runs cannot both send it. Someone who enrolled
    inside a window already has their confirmation and gets no reminder for it.
    """
    now = now or timezone.now()
    today = now.date()
    workshops = (
        Workshop.objects.filter(
            state__in=RUNNING,
            # A margin either side: session dates are local to each workshop's zone.
            sessions__date__range=(
                today - datetime.timedelta(days=2),
                today + datetime.timedelta(days=9),
            ),
        )
        .distinct()
        .prefetch_related("sessions")
    )
    sent = 0
    for workshop in workshops:
        first = first_session(workshop)
        if first is None:
            continue
        for days, field_name in REMINDERS:
            opens, closes = reminder_window(first.starts_at, days)
            if not opens <= now < closes:
                continue
            due = workshop.enrollments.filter(
                status=EnrollmentStatus.ENROLLED,
                enrolled_at__lt=opens,
                **{f"{field_name}__isnull": True},
            ).values_list("pk", flat=True)
            for pk in due:
                with transaction.atomic():
                    claimed = Enrollment.objects.filter(
                        pk=pk, status=EnrollmentStatus.ENROLLED, **{f"{field_name}__isnull": True}
                    ).update(**{field_name: now})
                    if claimed:
                        _enqueue("send_workshop_reminder", pk, days)
                        sent += 1
    return sent
