"""US geography (loaded from packages by `load_geography`) and the program's regions."""

from auditlog.registry import auditlog
from django.db import models
from django.urls import reverse

from core.slugs import unique_slug


class State(models.Model):
    """A US state, DC or territory (from the `us` package)."""

    code = models.CharField(max_length=2, unique=True, help_text="USPS abbreviation, e.g. WA.")
    fips = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=64, unique=True)
    is_territory = models.BooleanField(default=False)
    is_contiguous = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    """A county or county-equivalent, keyed by its five-digit FIPS code."""

    fips = models.CharField(max_length=5, unique=True)
    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="counties")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["state__name", "name"]
        verbose_name_plural = "counties"
        indexes = [models.Index(fields=["state", "name"], name="geography_county_state_name")]

    def __str__(self) -> str:
        return f"{self.name}, {self.state.code}"


class MatchLevel(models.TextChoices):
    ZIP = "zip", "ZIP code"
    COUNTY = "county", "County"
    STATE = "state", "State"


class ZipCode(models.Model):
    """A five-digit ZIP code with its place (from the `zipcodes` package)."""

    class Kind(models.TextChoices):
        STANDARD = "standard", "Standard"
        PO_BOX = "po_box", "PO box"
        UNIQUE = "unique", "Unique (one organization)"
        MILITARY = "military", "Military"

    code = models.CharField(max_length=5, unique=True)
    city = models.CharField(max_length=100)
    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="zip_codes")
    county = models.ForeignKey(
        County, on_delete=models.SET_NULL, null=True, blank=True, related_name="zip_codes"
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.STANDARD)
    is_active = models.BooleanField(default=True)
    # The lookup index: the region this ZIP resolves to (most specific of ZIP, county, state),
    # kept fresh by geography.services.regions_reindex whenever region membership changes, so
    # a lookup is one indexed read instead of three scans of the link tables.
    region = models.ForeignKey(
        "Region", on_delete=models.SET_NULL, null=True, blank=True, related_name="covered_zips"
    )
    matched_on = models.CharField(max_length=8, choices=MatchLevel.choices, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "ZIP code"

    def __str__(self) -> str:
        return f"{self.code} {self.city}, {self.state.code}"


class Region(models.Model):
    """A named service area made of whole states, counties and/or ZIP codes.

    A ZIP resolves to the most specific match: ZIP, then county, then state. Two regions
    never claim the same unit at the same level (unique constraints on the link tables).
    """

    class Status(models.TextChoices):
        SERVED = "served", "Served"
        ONBOARDING = "onboarding", "Onboarding"
        OPEN = "open", "Open: needs a partner"
        CLOSED = "closed", "Closed: not recruiting"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    description = models.TextField(blank=True)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="regions",
    )
    states = models.ManyToManyField(State, through="RegionState", blank=True, related_name="+")
    counties = models.ManyToManyField(County, through="RegionCounty", blank=True, related_name="+")
    zip_codes = models.ManyToManyField(ZipCode, through="RegionZip", blank=True, related_name="+")
    is_demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status"], name="geography_region_status")]
        constraints = [
            # A served or onboarding region has its partner; an open or closed one has none.
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=["served", "onboarding"], partner__isnull=False)
                    | models.Q(status__in=["open", "closed"], partner__isnull=True)
                ),
                name="geography_region_partner_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Region, self.name, max_length=140)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("pages:program") + f"#region-{self.slug}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remembered so a save can tell that a partner just started serving the region.
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    @property
    def became_served(self) -> bool:
        """True after a save that moved the region into `served`."""
        return self.status == self.Status.SERVED and (
            getattr(self, "_loaded_status", None) != self.Status.SERVED
        )


class RegionState(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="state_links")
    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="region_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["state"], name="geography_state_in_one_region"),
        ]

    def __str__(self) -> str:
        return f"{self.region}: {self.state}"


class RegionCounty(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="county_links")
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="region_links")

    class Meta:
        verbose_name_plural = "region counties"
        constraints = [
            models.UniqueConstraint(fields=["county"], name="geography_county_in_one_region"),
        ]

    def __str__(self) -> str:
        return f"{self.region}: {self.county}"


class RegionZip(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="zip_links")
    zip_code = models.ForeignKey(ZipCode, on_delete=models.CASCADE, related_name="region_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["zip_code"], name="geography_zip_in_one_region"),
        ]

    def __str__(self) -> str:
        return f"{self.region}: {self.zip_code}"


auditlog.register(Region, exclude_fields=["updated_at"])
auditlog.register(RegionState)
auditlog.register(RegionCounty)
auditlog.register(RegionZip)


class InterestSignup(models.Model):
    """ "Tell me when a partner serves my area": demand where no partner is yet."""

    class Role(models.TextChoices):
        TEACHER = "teacher", "Teacher"
        SCHOOL = "school", "School leader or staff"
        DISTRICT = "district", "District leader or staff"
        PARENT = "parent", "Parent or community member"
        OTHER = "other", "Other"

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    zip_code = models.ForeignKey(ZipCode, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="interest"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "zip_code"], name="geography_interest_once_per_zip"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()}) in {self.zip_code_id}"
