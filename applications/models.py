"""The partner application: intake for a region, review on a rubric, decision, onboarding.

An application is filled and saved in sections while `draft`; completeness is checked only at
submit. Its status moves only along `TRANSITIONS` (below), and every move leaves an
`ApplicationEvent`: the timeline.
"""

import secrets
from decimal import Decimal

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.utils import timezone

from funding.models import BudgetCategory
from partners.models import OrganizationType, fte_share_field

TEXT_MAX = 3000

ein_validator = RegexValidator(
    r"^\d{2}-\d{7}$", "Enter the EIN as two digits, a dash and seven digits, e.g. 12-3456789."
)


def long_text(verbose_name: str = "", **kwargs) -> models.TextField:
    """A free-text answer capped at TEXT_MAX characters (forms read max_length; models validate)."""
    return models.TextField(
        verbose_name or None,
        max_length=TEXT_MAX,
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX)],
        **kwargs,
    )


def _token() -> str:
    return secrets.token_urlsafe(32)


# --- Application rounds, windows and who reviews which region -------------------------------


class ApplicationRound(models.Model):
    """A recruiting round, e.g. "2026 spring". Regions open inside it through RegionWindows."""

    name = models.CharField(max_length=120, unique=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="applications_round_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RegionWindowQuerySet(models.QuerySet):
    def current(self, at=None):
        at = at or timezone.now()
        return self.filter(opens_at__lte=at, closes_at__gt=at)


class RegionWindow(models.Model):
    """When a region takes applications within a round. Program admins open and close them."""

    round = models.ForeignKey(ApplicationRound, on_delete=models.CASCADE, related_name="windows")
    region = models.ForeignKey(
        "geography.Region", on_delete=models.CASCADE, related_name="application_windows"
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()

    objects = RegionWindowQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "region"], name="applications_window_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="applications_window_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} in {self.round}"

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "A window must close after it opens."})


class RegionReviewer(models.Model):
    """This regional manager reviews the applications for this region (their review scope)."""

    region = models.ForeignKey(
        "geography.Region", on_delete=models.CASCADE, related_name="application_reviewers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviewed_regions",
        limit_choices_to={"role": "regional_manager"},
    )

    class Meta:
        ordering = ["region__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["region", "user"], name="applications_reviewer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} reviews {self.region}"

    def clean(self):
        if self.user_id and self.user.role != "regional_manager":
            raise ValidationError({"user": "Only a regional manager reviews a region."})


class RegionWaitlist(models.Model):
    """Someone who wants to partner in a region that already has a partner (or is not open)."""

    region = models.ForeignKey(
        "geography.Region", on_delete=models.CASCADE, related_name="application_waitlist"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="region_waitlists"
    )
    application = models.ForeignKey(
        "Application", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organization_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["region", "user"], name="applications_waitlist_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_name} waiting for {self.region}"


# --- The application ---------------------------------------------------------------------


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    INTERVIEW = "interview", "Interview"
    REFERENCE_CHECK = "reference_check", "Reference check"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WAITLISTED = "waitlisted", "Waitlisted"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The one table of allowed moves: from-status -> the statuses it may move to. Anything not
# listed is refused by applications.services.application_transition.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.IN_REVIEW, Status.DECLINED, Status.WITHDRAWN}),
    Status.IN_REVIEW: frozenset(
        {
            Status.INTERVIEW,
            Status.REFERENCE_CHECK,
            Status.ACCEPTED,
            Status.DECLINED,
            Status.WAITLISTED,
            Status.WITHDRAWN,
        }
    ),
    Status.INTERVIEW: frozenset(
        {
            Status.REFERENCE_CHECK,
            Status.ACCEPTED,
            Status.DECLINED,
            Status.WAITLISTED,
            Status.WITHDRAWN,
        }
    ),
    Status.REFERENCE_CHECK: frozenset(
        {
            Status.INTERVIEW,
            Status.ACCEPTED,
            Status.DECLINED,
            Status.WAITLISTED,
            Status.WITHDRAWN,
        }
    ),
    # A waitlisted application may be taken up again when a place opens.
    Status.WAITLISTED: frozenset({Status.IN_REVIEW, Status.ACCEPTED, Status.DECLINED}),
    Status.ACCEPTED: frozenset(),
    Status.DECLINED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}

DECISIONS = frozenset({Status.ACCEPTED, Status.DECLINED, Status.WAITLISTED})
REVIEWABLE = frozenset(
    {Status.SUBMITTED, Status.IN_REVIEW, Status.INTERVIEW, Status.REFERENCE_CHECK}
)
COMMITMENTS = (
    "summits_sept_feb",
    "teacher_conference",
    "local_workshops_accredited",
    "community_building",
    "independent_funding",
    "metrics",
)


class Application(models.Model):
    """An organization's application to become the Regional Partner for one region."""

    Status = Status

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partner_applications"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    region = models.ForeignKey(
        "geography.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        help_text="The region applied for.",
    )

    # Organization
    legal_name = models.CharField(max_length=200, blank=True)
    organization_type = models.CharField(
        max_length=16, choices=OrganizationType.choices, blank=True
    )
    tax_id = models.CharField("tax id (EIN)", max_length=10, blank=True, validators=[ein_validator])
    is_us_based = models.BooleanField(
        "based in the US", null=True, blank=True, help_text="Unanswered until the applicant says."
    )
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.ForeignKey(
        "geography.State", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    zip_code = models.ForeignKey(
        "geography.ZipCode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ZIP code",
    )
    website = models.URLField(blank=True)

    # Plans
    courses = models.ManyToManyField("workshops.Course", blank=True, related_name="+")
    teachers_year1 = models.PositiveIntegerField(
        "teachers to reach in year 1", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    teachers_year2 = models.PositiveIntegerField(
        "teachers to reach in year 2", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    teachers_year3 = models.PositiveIntegerField(
        "teachers to reach in year 3", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    workshop_venues = long_text("workshop venues")

    # Program commitments: each an explicit yes.
    summits_sept_feb = models.BooleanField(
        "attends the September and February summits", default=False
    )
    teacher_conference = models.BooleanField(
        "sends teachers to the 5-day conference", default=False
    )
    local_workshops_accredited = models.BooleanField(
        "runs local workshops with accredited facilitators", default=False
    )
    community_building = models.BooleanField("builds the local teacher community", default=False)
    independent_funding = models.BooleanField("works toward independent funding", default=False)
    metrics = models.BooleanField("reports the program metrics", default=False)

    # Demonstrated need (the amounts are BudgetRequestLine rows)
    need_justification = long_text("why the funding is needed")
    current_funding_sources = long_text("current funding sources")

    # Terms: the applicant ticks acceptance while drafting; submit records the version.
    accepts_terms = models.BooleanField("accepts the current term sheet", default=False)
    term_sheet = models.ForeignKey(
        "pages.TermSheet", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    terms_accepted_at = models.DateTimeField(null=True, blank=True)

    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    partner = models.OneToOneField(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
        help_text="The partner created when this application was accepted.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status"], name="applications_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="applications_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(organization_type="")
                | Q(organization_type__in=OrganizationType.values),
                name="applications_org_type_valid",
            ),
            models.CheckConstraint(
                condition=(
                    (Q(teachers_year1__isnull=True) | Q(teachers_year1__gt=0))
                    & (Q(teachers_year2__isnull=True) | Q(teachers_year2__gt=0))
                    & (Q(teachers_year3__isnull=True) | Q(teachers_year3__gt=0))
                ),
                name="applications_teachers_positive",
            ),
            # Past draft, an application carries the term sheet it accepted and when.
            models.CheckConstraint(
                condition=Q(status__in=["draft", "withdrawn"])
                | Q(
                    term_sheet__isnull=False,
                    terms_accepted_at__isnull=False,
                    submitted_at__isnull=False,
                ),
                name="applications_submitted_has_terms",
            ),
            # Acceptance and the partner it creates are one change.
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(partner__isnull=False),
                name="applications_accepted_has_partner",
            ),
        ]

    def __str__(self) -> str:
        name = self.legal_name or "Unnamed organization"
        return f"{name} for {self.region}" if self.region_id else name

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_decided(self) -> bool:
        return self.status in DECISIONS

    def can_move_to(self, to_status: str) -> bool:
        return to_status in TRANSITIONS.get(self.status, frozenset())

    def program_manager_fte(self) -> Decimal:
        return sum((pm.fte_share for pm in self.program_managers.all()), Decimal("0"))


class ApplicationProgramManager(models.Model):
    """A program manager the applicant names, with their share of a full-time position."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="program_managers"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    fte_share = fte_share_field()

    class Meta:
        ordering = ["application", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "email"], name="applications_pm_email_once"
            ),
            models.CheckConstraint(
                condition=Q(fte_share__gte=Decimal("0.05")) & Q(fte_share__lte=1),
                name="applications_pm_fte_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.fte_share} FTE)"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def clean(self):
        # Lower-cased before the uniqueness checks, so "Ana@x.org" and "ana@x.org" clash.
        self.email = (self.email or "").strip().lower()


class DistrictRelationship(models.Model):
    """An existing relationship with a school district."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="district_relationships"
    )
    district_name = models.CharField(max_length=200)
    relationship = models.CharField("kind of relationship", max_length=500)

    class Meta:
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return self.district_name


class BudgetRequestLine(models.Model):
    """One line of the budget request: an amount per category."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(max_length=32, choices=BudgetCategory.choices)
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["application", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "category"], name="applications_budget_line_once"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="applications_budget_amount_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(category__in=BudgetCategory.values),
                name="applications_budget_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.amount}"


class Reference(models.Model):
    """A reference the program office may call. Exactly two are required at submit."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="references"
    )
    name = models.CharField(max_length=200)
    organization = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=32)

    class Meta:
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return f"{self.name}, {self.organization}"


class ApplicationEvent(models.Model):
    """One move on an application's timeline: who, when, from, to, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    note = long_text()
    is_internal = models.BooleanField(
        default=False, help_text="The note is for the program office only; applicants never see it."
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application}: {self.from_status or 'new'} → {self.to_status}"


class ReviewerAssignment(models.Model):
    """A reviewer asked to review an application (pending until their review exists)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reviewer_assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="applications_assignment_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.application}"


class Invitation(models.Model):
    """An invitation for a named program manager to link their account to the new partner."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="manager_invitations"
    )
    email = models.EmailField()
    fte_share = fte_share_field()
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["partner", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "email"], name="applications_invitation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.partner}"


# --- Review --------------------------------------------------------------------------------


class Rubric(models.Model):
    """The criteria reviewers score on. One rubric is active at a time."""

    name = models.CharField(max_length=120, unique=True)
    is_active = models.BooleanField(default=False)
    scale_max = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1)], help_text="Scores run from 0 to this."
    )

    class Meta:
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="applications_one_active_rubric",
            ),
            models.CheckConstraint(
                condition=Q(scale_max__gte=1), name="applications_rubric_scale_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rubric", "order", "pk"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["rubric", "name"], name="applications_criterion_once"),
            models.CheckConstraint(
                condition=Q(weight__gt=0), name="applications_criterion_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """One reviewer's review of one application. The comment is internal, always."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="application_reviews"
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="reviews")
    comment_internal = long_text("internal comment")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="applications_review_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.application}"

    def weighted_total(self) -> Decimal | None:
        """sum(weight * value) / sum(weight) over the criteria scored, to 2 places.

        On the rubric's own 0..scale_max scale; criteria left unscored do not count. None when
        nothing is scored yet.
        """
        from .selectors import weighted_total

        return weighted_total(
            (score.criterion.weight, score.value)
            for score in self.scores.select_related("criterion")
        )


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["review", "criterion__order", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="applications_score_once"),
            models.CheckConstraint(
                condition=Q(value__gte=0), name="applications_score_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"

    def clean(self):
        if self.review_id and self.criterion_id:
            rubric = self.review.rubric
            if self.criterion.rubric_id != rubric.pk:
                raise ValidationError(
                    {"criterion": "This criterion is not on the review's rubric."}
                )
            if self.value is not None and self.value > rubric.scale_max:
                raise ValidationError({"value": f"Scores run from 0 to {rubric.scale_max}."})


auditlog.register(Application, exclude_fields=["updated_at"], m2m_fields={"courses"})
auditlog.register(ApplicationProgramManager)
auditlog.register(BudgetRequestLine)
auditlog.register(ApplicationEvent)
auditlog.register(Review, exclude_fields=["updated_at"])
auditlog.register(Score)
auditlog.register(ReviewerAssignment)
auditlog.register(RegionReviewer)
auditlog.register(RegionWindow)
auditlog.register(Invitation, exclude_fields=["token"])
# The rest of an application and of how it is judged: rounds, rubrics and their criteria.
auditlog.register(Reference)
auditlog.register(DistrictRelationship)
auditlog.register(ApplicationRound)
auditlog.register(Rubric)
auditlog.register(Criterion)
