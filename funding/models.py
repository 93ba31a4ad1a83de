"""Need-based funding and the path to sustainability.

Per partner per program year: an award with budget lines (requested and awarded), dated
disbursements against an approved award (never more than awarded), the partner's spending
reports (per line and per workshop, with receipts), and its independent funding sources,
from which the sustainability share (independent over all funding) follows. Money is
Decimal with two places everywhere; never float.
"""

import os
from decimal import Decimal

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum

from core.program_years import (
    PROGRAM_YEAR_RE,
    program_year_field,
    program_year_for,
    program_year_validator,
)

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


class Disbursement(models.Model):
    """A dated payment to the partner against an approved award."""

    award = models.ForeignKey(FundingAward, on_delete=models.PROTECT, related_name="disbursements")
    paid_on = models.DateField("paid on")
    amount = money_field("amount")
    reference = models.CharField(
        max_length=100, blank=True, help_text="Payment or check number, for the books."
    )
    note = models.CharField(max_length=300, blank=True)
    # Empty once the person's account is deleted: the record stays editable then.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="funding_disbursement_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} to {self.award} on {self.paid_on}"


class SpendingReport(models.Model):
    """A program manager's report of what was spent from an award over a period."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    award = models.ForeignKey(
        FundingAward, on_delete=models.PROTECT, related_name="spending_reports"
    )
    period_start = models.DateField("from")
    period_end = models.DateField("to")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(
        blank=True, max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    # Empty once the person's account is deleted: the record stays editable then.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="funding_report_period_order",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"]), name="funding_report_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Spending of {self.award.partner}, {self.period_start} to {self.period_end}"


class SpendingLine(models.Model):
    """One expense of a report: a budget line, optionally a workshop, an amount."""

    report = models.ForeignKey(SpendingReport, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(max_length=32, choices=BudgetCategory.choices)
    workshop = models.ForeignKey(
        "workshops.Workshop",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spending_lines",
        help_text="The workshop the money was spent on, when it was for one.",
    )
    spent_on = models.DateField("date")
    description = models.CharField(max_length=200)
    amount = money_field("amount")

    class Meta:
        ordering = ["spent_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="funding_spending_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(category__in=BudgetCategory.values),
                name="funding_spending_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT, read at each use (so tests can move it).

    No base_url: receipts have no public address; funding views stream them after a scope
    check.
    """

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def _private_storage():
    return PrivateStorage(base_url=None)


def _receipt_path(instance, filename: str) -> str:
    import uuid

    # Never the uploaded name on disk: a random one, under the report.
    suffix = "".join(c for c in filename.rsplit(".", 1)[-1].lower() if c.isalnum())[:5]
    return f"receipts/{instance.line.report_id}/{uuid.uuid4().hex}.{suffix or 'bin'}"


class Receipt(models.Model):
    """A receipt for a spending line: a PDF or an image, size-limited, stored privately."""

    line = models.ForeignKey(SpendingLine, on_delete=models.CASCADE, related_name="receipts")
    file = models.FileField(upload_to=_receipt_path, storage=_private_storage, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class FundingSourceKind(models.TextChoices):
    DISTRICT_FEES = "district_fees", "District fees"
    STATE_GRANT = "state_grant", "State grant"
    FOUNDATION = "foundation", "Foundation"
    CORPORATE = "corporate", "Corporate"
    OTHER = "other", "Other"


class IndependentFunding(models.Model):
    """Money a partner raised itself in a program year: the way to sustainability."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="independent_funding"
    )
    program_year = program_year_field()
    kind = models.CharField(max_length=16, choices=FundingSourceKind.choices)
    source = models.CharField("from", max_length=200, help_text="Who gives it.")
    amount = money_field("amount")
    note = models.CharField(max_length=300, blank=True)
    # Empty once the person's account is deleted: the record stays editable then.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-program_year", "kind", "source"]
        indexes = [
            models.Index(fields=["partner", "program_year"], name="funding_independent_year"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="funding_independent_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=FundingSourceKind.values),
                name="funding_independent_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} ({self.get_kind_display()}) {self.program_year}: {self.amount}"


auditlog.register(FundingAward, exclude_fields=["updated_at"])
auditlog.register(AwardLine)
auditlog.register(Disbursement)
auditlog.register(SpendingReport, exclude_fields=["updated_at"])
auditlog.register(SpendingLine)
auditlog.register(Receipt)
auditlog.register(IndependentFunding, exclude_fields=["updated_at"])
