"""Facilitators: accreditation per course and program year, and each partner's roster.

The program office accredits facilitators to lead one course's workshops in a program year.
A partner's roster names the facilitators it works with; only those accredited for a course
(in the workshop's program year) may be assigned to that course's workshops.
"""

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q

from core.program_years import program_year_field


class AccreditationStatus(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    IN_TRAINING = "in_training", "In training"
    ACCREDITED = "accredited", "Accredited"
    LAPSED = "lapsed", "Lapsed"


class AccreditationQuerySet(models.QuerySet):
    def accredited(self):
        return self.filter(status=AccreditationStatus.ACCREDITED)

    def for_year(self, program_year: str):
        return self.filter(program_year=program_year)


class Accreditation(models.Model):
    """A facilitator's standing for one course in one program year."""

    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="accreditations",
        limit_choices_to={"role": "facilitator"},
    )
    course = models.ForeignKey(
        "workshops.Course", on_delete=models.PROTECT, related_name="accreditations"
    )
    program_year = program_year_field()
    status = models.CharField(
        max_length=16, choices=AccreditationStatus.choices, default=AccreditationStatus.CANDIDATE
    )
    note = models.CharField(max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccreditationQuerySet.as_manager()

    class Meta:
        ordering = ["-program_year", "course__order", "facilitator__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["facilitator", "course", "program_year"],
                name="facilitators_accreditation_once",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AccreditationStatus.values),
                name="facilitators_accreditation_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["program_year", "course", "status"],
                name="facilitators_accr_year_course",
            )
        ]

    def __str__(self) -> str:
        status = self.get_status_display()
        return f"{self.facilitator}: {self.course} {self.program_year} ({status})"


class RosterMemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        from partners.models import Partner

        return self.filter(partner__in=Partner.objects.visible_to(user))


class RosterMember(models.Model):
    """A facilitator a partner works with."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="roster")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="rosters",
        limit_choices_to={"role": "facilitator"},
    )
    since = models.DateField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RosterMemberQuerySet.as_manager()

    class Meta:
        ordering = ["facilitator__last_name", "facilitator__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "facilitator"], name="facilitators_roster_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facilitator} on {self.partner}'s roster"


auditlog.register(Accreditation, exclude_fields=["updated_at"])
auditlog.register(RosterMember)
