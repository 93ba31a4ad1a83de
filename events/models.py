"""Program events: the two summits, the 5-day teacher conference, and community meetups.

Who may register (see `services.registration_eligibility`):
- summits: program managers, for one of their partners;
- the teacher conference: program managers, and teachers whose school is in a served region
  (the registration records that region's partner);
- a meetup: its host partner's program managers, and anyone whose school or home ZIP is in
  one of the host partner's regions.
"""

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core.time_zones import validate_time_zone


class EventKind(models.TextChoices):
    SUMMIT = "summit", "Regional Partner Summit"
    TEACHER_CONFERENCE = "teacher_conference", "Teacher conference (5 days)"
    MEETUP = "meetup", "Community meetup"


class EventQuerySet(models.QuerySet):
    def upcoming(self, today=None):
        return self.filter(ends_on__gte=today or timezone.localdate())

    def past(self, today=None):
        return self.filter(ends_on__lt=today or timezone.localdate())

    def summits(self):
        return self.filter(kind=EventKind.SUMMIT)

    def in_program_year(self, program_year: str):
        from core.program_years import program_year_bounds

        first, last = program_year_bounds(program_year)
        return self.filter(starts_on__gte=first, starts_on__lte=last)


class Event(models.Model):
    """A program event, on one or more consecutive days."""

    kind = models.CharField(max_length=24, choices=EventKind.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=4000)
    starts_on = models.DateField("first day")
    ends_on = models.DateField("last day")
    start_time = models.TimeField("daily start", null=True, blank=True)
    end_time = models.TimeField("daily end", null=True, blank=True)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    is_online = models.BooleanField("online", default=False)
    venue = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.ForeignKey(
        "geography.State", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    online_url = models.URLField(
        "online link", blank=True, help_text="Shown only to people who are registered."
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Empty: no limit."
    )
    registration_closes_on = models.DateField(
        null=True, blank=True, help_text="Last day to register. Empty: until the first day."
    )
    host_partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="hosted_events",
        help_text="The partner hosting a community meetup.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "name"]
        indexes = [models.Index(fields=["kind", "starts_on"], name="events_event_kind_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="events_event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values), name="events_event_kind_valid"
            ),
            # Meetups are hosted by a partner; summits and the conference by the program office.
            models.CheckConstraint(
                condition=Q(kind=EventKind.MEETUP, host_partner__isnull=False)
                | (~Q(kind=EventKind.MEETUP) & Q(host_partner__isnull=True)),
                name="events_event_meetup_has_host",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="events_event_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The last day cannot be before the first day."
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = "The daily end must be after the daily start."
        if (
            self.registration_closes_on
            and self.ends_on
            and self.registration_closes_on > self.ends_on
        ):
            errors["registration_closes_on"] = "Registration cannot close after the event ends."
        if self.is_online and not self.online_url:
            errors["online_url"] = "An online event needs its link."
        if not self.is_online and not (self.venue or self.city):
            errors["venue"] = "Give the venue (or mark the event online)."
        if self.kind == EventKind.MEETUP and self.host_partner_id is None:
            errors["host_partner"] = "A community meetup needs its host partner."
        if self.kind and self.kind != EventKind.MEETUP and self.host_partner_id is not None:
            errors["host_partner"] = "Only community meetups have a host partner."
        if errors:
            raise ValidationError(errors)

    @property
    def season(self) -> str:
        """For a summit: "September" or "February" (by its month), else ""."""
        if self.kind != EventKind.SUMMIT or not self.starts_on:
            return ""
        return self.starts_on.strftime("%B")

    @property
    def registration_last_day(self):
        return self.registration_closes_on or self.starts_on

    def is_registration_open(self, today=None) -> bool:
        return (today or timezone.localdate()) <= self.registration_last_day


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", "Registered"
    WAITLISTED = "waitlisted", "Waitlisted"
    CANCELLED = "cancelled", "Cancelled"


class EventRegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=RegistrationStatus.CANCELLED)

    def registered(self):
        return self.filter(status=RegistrationStatus.REGISTERED)


class EventRegistration(models.Model):
    """A person's place at an event, on behalf of a partner where that matters."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="event_registrations",
        help_text="The partner the person comes with (program managers) or from (teachers).",
    )
    role = models.CharField(
        max_length=32, help_text="The person's role when they registered (accounts.Role)."
    )
    status = models.CharField(
        max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED
    )
    attended = models.BooleanField(default=False)
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventRegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="events_registration_once"),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values),
                name="events_registration_status_valid",
            ),
            # Only a confirmed place can be attended.
            models.CheckConstraint(
                condition=Q(attended=False) | Q(status=RegistrationStatus.REGISTERED),
                name="events_registration_attended_needs_place",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "event"], name="events_registration_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.event} ({self.get_status_display()})"


auditlog.register(Event, exclude_fields=["updated_at"])
auditlog.register(EventRegistration, exclude_fields=["updated_at"])
