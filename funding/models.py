"""Need-based funding: per partner per program year, an award with budget lines.

Only what onboarding needs for now: the award an accepted application opens, with the
lines the applicant requested. Spending reports come with the funding issue.
"""

from decimal import Decimal

from auditlog.registry import auditlog
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum

from core.program_years import PROGRAM_YEAR_RE, program_year_for, program_year_validator

__all__ = ["PROGRAM_YEAR_RE", "program_year_for", "program_year_validator"]

TEXT_MAX = 3000


class BudgetCategory(models.TextChoices):
    """Budget lines of a request and of an award (shared with applications)."""

    ONSITE_STAFFER = "onsite_staffer", "Onsite staffer"
    FACILITATOR_COMPENSATION = "facilitator_compensation", "Facilitator compensation"
    FOOD = "food", "Food"
    VENUE = "venue", "Venue"
    OTHER = "other", "Other"


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        **kwargs,
    )


class FundingAward(models.Model):
    """A partner's need-based award for one program year."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        CLOSED = "closed", "Closed"

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="funding_awards"
    )
    program_year = models.CharField(
        max_length=7, validators=[program_year_validator], help_text="July to June, e.g. 2026-27."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    need_justification = models.TextField(
        max_length=TEXT_MAX, blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    created_from = models.ForeignKey(
        "applications.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funding_awards",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-program_year", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "program_year"], name="funding_award_once_per_partner_year"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "proposed", "approved", "closed"]),
                name="funding_award_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.program_year}"

    def clean(self):
        match = PROGRAM_YEAR_RE.match(self.program_year or "")
        if match and (int(match.group(1)) + 1) % 100 != int(match.group(2)):
            raise ValidationError(
                {"program_year": "The second year must follow the first, e.g. 2026-27."}
            )

    def total_requested(self) -> Decimal:
        return self.lines.aggregate(total=Sum("requested"))["total"] or Decimal("0.00")


class AwardLine(models.Model):
    """One budget line of an award: what was requested and, once decided, awarded."""

    award = models.ForeignKey(FundingAward, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(max_length=32, choices=BudgetCategory.choices)
    requested = money_field("requested")
    awarded = money_field("awarded", null=True, blank=True)

    class Meta:
        ordering = ["award", "category"]
        constraints = [
            models.UniqueConstraint(fields=["award", "category"], name="funding_line_once"),
            models.CheckConstraint(
                condition=Q(requested__gte=0), name="funding_line_requested_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(awarded__isnull=True) | Q(awarded__gte=0),
                name="funding_line_awarded_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(category__in=BudgetCategory.values), name="funding_line_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award}: {self.get_category_display()}"


auditlog.register(FundingAward, exclude_fields=["updated_at"])
auditlog.register(AwardLine)
