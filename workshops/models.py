"""The course catalogue and the workshops partners run for teachers.

A workshop belongs to a partner and a course (and one of the course's workshop kinds); it
has one or more sessions, each on a date with a start and end in the workshop's time zone
(the venue's, from its ZIP code; chosen for an online workshop). Teachers enroll up to the
capacity, then join the waitlist in order; attendance is kept per session. Teachers who
attended get a certificate with a public verification code, and report what they teach.
"""

import datetime
import secrets
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from core.program_years import program_year_field
from core.slugs import unique_slug
from core.time_zones import validate_time_zone


class Course(models.Model):
    """One of the program's curricula, e.g. a middle-school course. Program admins keep the list."""

    class GradeBand(models.TextChoices):
        ELEMENTARY = "elementary", "Elementary school (K-5)"
        MIDDLE = "middle", "Middle school (6-8)"
        HIGH = "high", "High school (9-12)"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    grade_band = models.CharField(max_length=16, choices=GradeBand.choices)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Course, self.name, max_length=140)
        super().save(*args, **kwargs)


class WorkshopKind(models.Model):
    """A kind of workshop a course offers: summer intensive, academic-year follow-up, ..."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="workshop_kinds")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["course__order", "course__name", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="workshops_kind_once"),
        ]

    def __str__(self) -> str:
        return f"{self.course}: {self.name}"


class WorkshopState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    IN_PROGRESS = "in_progress", "In progress"
    ENDED = "ended", "Ended"
    CANCELLED = "cancelled", "Cancelled"


class WorkshopQuerySet(models.QuerySet):
    def public(self):
        """Workshops anyone may see: published, running or ended (never drafts or cancelled)."""
        return self.filter(
            state__in=[WorkshopState.PUBLISHED, WorkshopState.IN_PROGRESS, WorkshopState.ENDED]
        )

    def managed_by(self, user):
        """Workshops a user may change: their partners' (program managers), or all (admins)."""
        from partners.models import Partner

        return self.filter(partner__in=Partner.objects.editable_by(user))

    def visible_to(self, user):
        """Workshops a user may see in the workspace: their partners' (incl. drafts), the ones
        they facilitate, and every public one."""
        from partners.models import Partner

        if not user.is_authenticated or not user.is_active:
            return self.public()
        return self.filter(
            Q(pk__in=self.public().values("pk"))
            | Q(partner__in=Partner.objects.visible_to(user))
            | Q(facilitators=user)
        ).distinct()


class Workshop(models.Model):
    """A professional-learning workshop a partner runs for one course."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="workshops"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="workshops")
    kind = models.ForeignKey(WorkshopKind, on_delete=models.PROTECT, related_name="workshops")
    title = models.CharField(
        max_length=200, blank=True, help_text="Optional; the course and kind name it otherwise."
    )
    description = models.TextField(blank=True, max_length=4000)
    state = models.CharField(
        max_length=16, choices=WorkshopState.choices, default=WorkshopState.DRAFT
    )
    program_year = program_year_field(
        blank=True, help_text="The program year of its first session (set when saved)."
    )
    is_online = models.BooleanField("online", default=False)
    venue = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    zip_code = models.ForeignKey(
        "geography.ZipCode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="venue ZIP code",
        help_text="Where it happens: decides the time zone and the distance search.",
    )
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="The venue's, from its ZIP code; chosen for an online workshop.",
    )
    online_url = models.URLField(
        "online link", blank=True, help_text="Shown only to enrolled teachers."
    )
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    enrollment_opens_at = models.DateTimeField(null=True, blank=True)
    enrollment_closes_at = models.DateTimeField(null=True, blank=True)
    reserved_for = models.ForeignKey(
        "districts.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reserved_workshops",
        verbose_name="reserved for district",
        help_text="Only teachers from this district's schools may enroll.",
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="WorkshopFacilitator",
        related_name="facilitated_workshops",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "program_year"], name="workshops_state_year"),
            models.Index(fields=["partner", "program_year"], name="workshops_partner_year"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="workshops_workshop_capacity_positive"
            ),
            models.CheckConstraint(
                condition=Q(state__in=WorkshopState.values), name="workshops_workshop_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(enrollment_opens_at__isnull=True)
                | Q(enrollment_closes_at__isnull=True)
                | Q(enrollment_closes_at__gt=F("enrollment_opens_at")),
                name="workshops_workshop_enrollment_window",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("workshops:detail", kwargs={"pk": self.pk})

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        if self.course_id and self.kind_id:
            return f"{self.course.name}: {self.kind.name}"
        return "Workshop"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class WorkshopFacilitator(models.Model):
    """A facilitator assigned to a workshop (accredited for its course and year)."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="facilitator_links"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workshop_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "facilitator"], name="workshops_facilitator_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facilitator} at {self.workshop}"


def _session_code() -> str:
    # Short, unambiguous, typed by teachers on a phone: no 0/O, 1/I/L.
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(6))


class WorkshopSession(models.Model):
    """One meeting of a workshop: a date, a start and an end, in the workshop's time zone."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    start_time = models.TimeField("starts")
    end_time = models.TimeField("ends")
    attendance_code = models.CharField(
        max_length=8,
        default=_session_code,
        help_text="Teachers type it to record their own attendance while the session is open.",
    )

    class Meta:
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="workshops_session_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["workshop", "date", "start_time"], name="workshops_session_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workshop} on {self.date}"

    @property
    def starts_at(self) -> datetime.datetime:
        """The start as an aware datetime in the workshop's time zone."""
        return datetime.datetime.combine(self.date, self.start_time, tzinfo=self.workshop.zone)

    @property
    def ends_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.date, self.end_time, tzinfo=self.workshop.zone)

    @property
    def hours(self) -> Decimal:
        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled"
    WAITLISTED = "waitlisted", "Waitlisted"
    CANCELLED = "cancelled", "Cancelled"


class EnrollmentQuerySet(models.QuerySet):
    def enrolled(self):
        return self.filter(status=EnrollmentStatus.ENROLLED)

    def waitlisted(self):
        return self.filter(status=EnrollmentStatus.WAITLISTED).order_by("waitlisted_at", "pk")


class Enrollment(models.Model):
    """A teacher's place in a workshop (or on its waitlist), with the school they come from."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="enrollments")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    status = models.CharField(
        max_length=16, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ENROLLED
    )
    school = models.ForeignKey(
        "districts.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrollments",
    )
    school_name = models.CharField(
        "school name", max_length=200, blank=True, help_text="When the school is not listed."
    )
    school_zip = models.ForeignKey(
        "geography.ZipCode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="school ZIP code",
    )
    enrolled_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    certificate_code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reminded_7_days_at = models.DateTimeField(null=True, blank=True)
    reminded_1_day_at = models.DateTimeField(null=True, blank=True)
    survey_invited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["workshop", "status"], name="workshops_enrollment_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "teacher"], name="workshops_enrollment_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EnrollmentStatus.values),
                name="workshops_enrollment_status_valid",
            ),
            # A teacher comes from a listed school, or names theirs with its ZIP code.
            models.CheckConstraint(
                condition=Q(school__isnull=False)
                | (~Q(school_name="") & Q(school_zip__isnull=False)),
                name="workshops_enrollment_has_school",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} in {self.workshop} ({self.get_status_display()})"

    @property
    def school_display(self) -> str:
        return self.school.name if self.school_id else self.school_name


class Attendance(models.Model):
    """An enrolled teacher was at one session."""

    class Method(models.TextChoices):
        CHECKLIST = "checklist", "Marked by staff"
        SELF = "self", "Checked in with the session code"

    session = models.ForeignKey(
        WorkshopSession, on_delete=models.CASCADE, related_name="attendances"
    )
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attendances")
    method = models.CharField(max_length=16, choices=Method.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "enrollment"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrollment"], name="workshops_attendance_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment.teacher} at {self.session}"


class TeachingReport(models.Model):
    """What a teacher teaches after the workshop: one course in one program year.

    Feeds the metrics: students reached, course implementation and diversity.
    """

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teaching_reports"
    )
    program_year = program_year_field()
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="teaching_reports")
    workshop = models.ForeignKey(
        Workshop,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teaching_reports",
        help_text="The workshop that prepared them, when there was one.",
    )
    school = models.ForeignKey(
        "districts.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teaching_reports",
    )
    school_name = models.CharField(max_length=200, blank=True)
    sections = models.PositiveSmallIntegerField(
        "class sections", validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    students = models.PositiveIntegerField(
        "students", validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    female_students = models.PositiveIntegerField("female students")
    urm_students = models.PositiveIntegerField(
        "students from under-represented groups",
        help_text="Black, Hispanic/Latino, American Indian or Alaska Native, Native Hawaiian "
        "or Pacific Islander, or two or more races.",
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-program_year", "course__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "program_year", "course"], name="workshops_report_once"
            ),
            models.CheckConstraint(
                condition=Q(female_students__lte=F("students")),
                name="workshops_report_female_within_students",
            ),
            models.CheckConstraint(
                condition=Q(urm_students__lte=F("students")),
                name="workshops_report_urm_within_students",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher}: {self.course} {self.program_year}"


auditlog.register(Course, exclude_fields=["updated_at"])
auditlog.register(WorkshopKind)
auditlog.register(Workshop, exclude_fields=["updated_at"])
auditlog.register(WorkshopFacilitator)
auditlog.register(WorkshopSession)
auditlog.register(
    Enrollment,
    exclude_fields=["updated_at", "reminded_7_days_at", "reminded_1_day_at", "survey_invited_at"],
)
auditlog.register(Attendance)
auditlog.register(TeachingReport, exclude_fields=["updated_at"])
