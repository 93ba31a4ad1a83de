"""Regional Partners: the organizations that are the K-12 CS hub for their regions."""

from decimal import Decimal

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse

from core.slugs import unique_slug

MIN_PROGRAM_MANAGER_FTE = Decimal("0.5")
# Fixed paths beside /educate/regional-partner/partners/<slug>/ and /manage/partners/<slug>/.
RESERVED_SLUGS = frozenset({"switch", "new"})


def fte_share_field(**kwargs) -> models.DecimalField:
    """A person's share of a full-time position, 0.05 to 1.00, wherever it is recorded."""
    return models.DecimalField(
        "FTE share",
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1.00"))],
        **kwargs,
    )


class OrganizationType(models.TextChoices):
    REGIONAL_EDUCATION_UNIT = "reu", "Regional education unit"
    NONPROFIT = "nonprofit", "Nonprofit"
    UNIVERSITY = "university", "University"
    OTHER = "other", "Other"


class PartnerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Partner.Status.ACTIVE)

    def visible_to(self, user):
        """The partners a user may see in the workspace (public profiles are separate)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_program_admin:
            return self.all()
        if user.is_regional_manager:
            return self.filter(regional_manager=user)
        if user.is_program_manager:
            return self.filter(program_managers__user=user).distinct()
        return self.none()

    def editable_by(self, user):
        """Whose public profile a user may edit: their own partners', or any for admins."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_program_admin:
            return self.all()
        if user.is_program_manager:
            return self.filter(program_managers__user=user).distinct()
        return self.none()

    def public(self):
        """Partners with a public profile: active ones."""
        return self.filter(status=Partner.Status.ACTIVE)


class Partner(models.Model):
    """A Regional Partner organization."""

    class Status(models.TextChoices):
        ONBOARDING = "onboarding", "Onboarding"
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    organization_type = models.CharField(max_length=16, choices=OrganizationType.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ONBOARDING)
    description = models.TextField(blank=True, help_text="Shown on the public profile.")
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.ForeignKey(
        "geography.State", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    zip_code = models.ForeignKey(
        "geography.ZipCode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ZIP code",
        help_text="Where the partner is: places it on the map.",
    )
    courses = models.ManyToManyField(
        "workshops.Course", blank=True, related_name="partners", verbose_name="programs offered"
    )
    regional_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coached_partners",
        limit_choices_to={"role": "regional_manager"},
    )
    terms_version = models.ForeignKey(
        "pages.TermSheet", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    active_since = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status"], name="partners_partner_status")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Partner, self.name, max_length=200, reserved=RESERVED_SLUGS)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("partners:profile", kwargs={"slug": self.slug})

    def program_manager_fte(self) -> Decimal:
        total = self.program_managers.aggregate(total=Sum("fte_share"))["total"]
        return total or Decimal("0")


class ProgramManager(models.Model):
    """A person's share of a partner's program-manager role (0.5 FTE or more in total)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="program_managers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="managed_partners"
    )
    fte_share = fte_share_field()
    since = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["partner__name", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "user"], name="partners_program_manager_once"
            ),
            models.CheckConstraint(
                condition=Q(fte_share__gte=Decimal("0.05")) & Q(fte_share__lte=1),
                name="partners_program_manager_fte_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.fte_share} FTE) at {self.partner}"


class CheckInNoteQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Program office only: admins see every note, regional managers their partners'.

        Program managers never see check-in notes, not even their own partner's.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_program_admin:
            return self.all()
        if user.is_regional_manager:
            return self.filter(partner__regional_manager=user)
        return self.none()


class CheckInNote(models.Model):
    """A regional manager's dated note of a check-in with a partner; hidden from the partner."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="check_in_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    happened_on = models.DateField("date of the check-in")
    body = models.TextField("note", max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CheckInNoteQuerySet.as_manager()

    class Meta:
        verbose_name = "check-in note"
        ordering = ["-happened_on", "-created_at"]
        indexes = [
            models.Index(fields=["partner", "-happened_on"], name="partners_checkin_partner_day")
        ]

    def __str__(self) -> str:
        return f"Check-in with {self.partner} on {self.happened_on}"


auditlog.register(Partner, exclude_fields=["updated_at"])
auditlog.register(ProgramManager)
auditlog.register(CheckInNote, exclude_fields=["updated_at"])
