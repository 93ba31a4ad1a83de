"""Public school districts and schools, keyed by their NCES ids (from the Common Core of Data).

Demographic shares are stored as fractions between 0 and 1 with four decimal places:

- `frl_share`: students qualified for free or reduced-price lunch, of the enrollment.
- `urm_share`: students of an under-represented minority, of the students counted by
  race/ethnicity and sex (adult education excluded). An under-represented minority here means
  the CCD race/ethnicity categories Black or African American, Hispanic/Latino, American
  Indian or Alaska Native, Native Hawaiian or Other Pacific Islander, and Two or more races:
  every category but White and Asian. `URM_RACES` below is that list, the one definition.
- `female_share`: female students, of the same students counted by race/ethnicity and sex.
"""

from decimal import Decimal

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact

from core.program_years import program_year_field
from workshops.models import Course

# CCD RACE_ETHNICITY values counted as under-represented minorities (see the module docstring).
URM_RACES = frozenset(
    {
        "Black or African American",
        "Hispanic/Latino",
        "American Indian or Alaska Native",
        "Native Hawaiian or Other Pacific Islander",
        "Two or more races",
    }
)
HIGH_NEED_FRL_SHARE = Decimal("0.5")

_SHARE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


class Grade(models.TextChoices):
    """CCD grade codes, as in the directory file's GSLO and GSHI columns."""

    PK = "PK", "Pre-kindergarten"
    KG = "KG", "Kindergarten"
    G01 = "01", "Grade 1"
    G02 = "02", "Grade 2"
    G03 = "03", "Grade 3"
    G04 = "04", "Grade 4"
    G05 = "05", "Grade 5"
    G06 = "06", "Grade 6"
    G07 = "07", "Grade 7"
    G08 = "08", "Grade 8"
    G09 = "09", "Grade 9"
    G10 = "10", "Grade 10"
    G11 = "11", "Grade 11"
    G12 = "12", "Grade 12"
    G13 = "13", "Grade 13"
    UG = "UG", "Ungraded"
    AE = "AE", "Adult education"
    N = "N", "No grades offered"


# Grades in order; UG, AE and N have no place on the scale.
GRADE_ORDER = {"PK": -1, "KG": 0, **{f"{n:02d}": n for n in range(1, 14)}}
# The grades each course band covers (kindergarten is 0).
BAND_GRADES = {
    Course.GradeBand.ELEMENTARY: (0, 5),
    Course.GradeBand.MIDDLE: (6, 8),
    Course.GradeBand.HIGH: (9, 12),
}


class Locale(models.TextChoices):
    """The NCES locale's first digit: 1 city, 2 suburb, 3 town, 4 rural."""

    CITY = "city", "City"
    SUBURB = "suburb", "Suburb"
    TOWN = "town", "Town"
    RURAL = "rural", "Rural"


LOCALE_CODES = {
    11: "City: Large",
    12: "City: Midsize",
    13: "City: Small",
    21: "Suburb: Large",
    22: "Suburb: Midsize",
    23: "Suburb: Small",
    31: "Town: Fringe",
    32: "Town: Distant",
    33: "Town: Remote",
    41: "Rural: Fringe",
    42: "Rural: Distant",
    43: "Rural: Remote",
}
_LOCALE_BY_DIGIT = {1: Locale.CITY, 2: Locale.SUBURB, 3: Locale.TOWN, 4: Locale.RURAL}


def locale_for_code(code: int | None) -> str:
    """The locale of an NCES locale code (11-43), or "" for none or an unknown code."""
    if code not in LOCALE_CODES:
        return ""
    return _LOCALE_BY_DIGIT[code // 10]


def _codes(locale: Locale) -> list[int]:
    return [code for code in LOCALE_CODES if _LOCALE_BY_DIGIT[code // 10] == locale]


def _share_range(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0, f"{field}__lte": 1})


class District(models.Model):
    """A local education agency (school district), keyed by its seven-digit NCES LEA id."""

    nces_id = models.CharField(
        "NCES LEA id",
        max_length=7,
        unique=True,
        validators=[RegexValidator(r"^\d{7}$", "An NCES LEA id is seven digits.")],
    )
    name = models.CharField(max_length=200)
    state = models.ForeignKey("geography.State", on_delete=models.PROTECT, related_name="districts")
    county = models.ForeignKey(
        "geography.County",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="districts",
    )
    city = models.CharField(max_length=100, blank=True)
    zip_code = models.ForeignKey(
        "geography.ZipCode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ZIP code",
    )
    is_demo = models.BooleanField(default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("nces_id"), 7), name="districts_district_nces_id_7_chars"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def high_need(self):
        return self.filter(frl_share__gte=HIGH_NEED_FRL_SHARE)

    def rural(self):
        return self.filter(locale=Locale.RURAL)


class School(models.Model):
    """A public school, keyed by its twelve-digit NCES school id (its LEA id and five digits).

    The shares are defined in this module's docstring.
    """

    nces_id = models.CharField(
        "NCES school id",
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{12}$", "An NCES school id is twelve digits.")],
    )
    name = models.CharField(max_length=200)
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="schools")
    state = models.ForeignKey(
        "geography.State", on_delete=models.PROTECT, related_name="schools", db_index=False
    )
    county = models.ForeignKey(
        "geography.County",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="schools",
        db_index=False,
    )
    zip_code = models.ForeignKey(
        "geography.ZipCode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="schools",
        db_index=False,
        verbose_name="ZIP code",
    )
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    lowest_grade = models.CharField(max_length=2, choices=Grade.choices, blank=True)
    highest_grade = models.CharField(max_length=2, choices=Grade.choices, blank=True)
    enrollment = models.PositiveIntegerField(null=True, blank=True)
    frl_share = models.DecimalField(
        "free or reduced-price lunch share",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=_SHARE_VALIDATORS,
    )
    urm_share = models.DecimalField(
        "under-represented minority share",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=_SHARE_VALIDATORS,
    )
    female_share = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True, validators=_SHARE_VALIDATORS
    )
    locale = models.CharField(max_length=8, choices=Locale.choices, blank=True)
    locale_code = models.PositiveSmallIntegerField(
        choices=sorted(LOCALE_CODES.items()), null=True, blank=True
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(default=True, help_text="Open in the latest directory file.")
    is_demo = models.BooleanField(default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["state"], name="districts_school_state"),
            models.Index(fields=["county"], name="districts_school_county"),
            models.Index(fields=["zip_code"], name="districts_school_zip_code"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("nces_id"), 12), name="districts_school_nces_id_12_chars"
            ),
            models.CheckConstraint(
                condition=_share_range("frl_share"), name="districts_school_frl_share_range"
            ),
            models.CheckConstraint(
                condition=_share_range("urm_share"), name="districts_school_urm_share_range"
            ),
            models.CheckConstraint(
                condition=_share_range("female_share"),
                name="districts_school_female_share_range",
            ),
            # A locale code decides the locale; without a code the locale may be set by hand.
            models.CheckConstraint(
                condition=Q(locale_code__isnull=True)
                | Q(locale=Locale.CITY, locale_code__in=_codes(Locale.CITY))
                | Q(locale=Locale.SUBURB, locale_code__in=_codes(Locale.SUBURB))
                | Q(locale=Locale.TOWN, locale_code__in=_codes(Locale.TOWN))
                | Q(locale=Locale.RURAL, locale_code__in=_codes(Locale.RURAL)),
                name="districts_school_locale_matches_code",
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90))
                & (Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180)),
                name="districts_school_coordinates_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.locale_code is not None:
            self.locale = locale_for_code(self.locale_code)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        low, high = self.grade_range
        if low is not None and high is not None and low > high:
            raise ValidationError(
                {"highest_grade": "The highest grade cannot be below the lowest grade."}
            )

    @property
    def grade_range(self) -> tuple[int | None, int | None]:
        """Lowest and highest grade on the PK (-1), KG (0), 1..13 scale; None off the scale."""
        return GRADE_ORDER.get(self.lowest_grade), GRADE_ORDER.get(self.highest_grade)

    @property
    def grade_span(self) -> str:
        """Short display of the grades, e.g. "K-5", "PK-8", "9-12"; "" when not known."""
        if not self.lowest_grade or not self.highest_grade:
            return ""

        def short(grade: str) -> str:
            return {"KG": "K"}.get(grade, grade.lstrip("0") or grade)

        if self.lowest_grade == self.highest_grade:
            return short(self.lowest_grade)
        return f"{short(self.lowest_grade)}-{short(self.highest_grade)}"

    @property
    def grade_bands(self) -> list[str]:
        """The course grade bands (elementary, middle, high) the school's grades reach into."""
        low, high = self.grade_range
        if low is None or high is None:
            return []
        overlapping = []
        for band, (first, last) in BAND_GRADES.items():
            if low <= last and high >= first:
                overlapping.append(band)
        return overlapping

    def serves_band(self, band: str) -> bool:
        return band in self.grade_bands

    @property
    def is_high_need(self) -> bool:
        """Half or more of its students qualify for free or reduced-price lunch."""
        return self.frl_share is not None and self.frl_share >= HIGH_NEED_FRL_SHARE

    @property
    def is_rural(self) -> bool:
        return self.locale == Locale.RURAL


class DistrictPartnershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Partnerships of the partners a user may see in the workspace."""
        from partners.models import Partner

        return self.filter(partner__in=Partner.objects.visible_to(user))

    def editable_by(self, user):
        """Partnerships a user may change: their own partners' (program managers), or any."""
        from partners.models import Partner

        return self.filter(partner__in=Partner.objects.editable_by(user))


class DistrictPartnership(models.Model):
    """A partner's agreement with a school district to send teachers to its workshops."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="district_partnerships"
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="partnerships")
    since = models.DateField(help_text="When the district joined the partnership.")
    contact_name = models.CharField("contact name", max_length=150)
    contact_title = models.CharField("contact's role", max_length=150, blank=True)
    contact_email = models.EmailField("contact email")
    contact_phone = models.CharField("contact phone", max_length=32, blank=True)
    notes = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DistrictPartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["district__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "district"], name="districts_partnership_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} with {self.district}"


class DistrictCommitment(models.Model):
    """Teachers a partner district commits to send to one course's workshops in a program year."""

    partnership = models.ForeignKey(
        DistrictPartnership, on_delete=models.CASCADE, related_name="commitments"
    )
    program_year = program_year_field()
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="commitments")
    teachers = models.PositiveSmallIntegerField(
        "teachers committed", validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-program_year", "course__order", "course__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "program_year", "course"],
                name="districts_commitment_once_per_year_course",
            ),
            models.CheckConstraint(
                condition=Q(teachers__gte=1), name="districts_commitment_teachers_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teachers} teachers for {self.course} in {self.program_year}"


auditlog.register(District, exclude_fields=["updated_at"])
auditlog.register(School, exclude_fields=["updated_at"])
auditlog.register(DistrictPartnership, exclude_fields=["updated_at"])
auditlog.register(DistrictCommitment, exclude_fields=["updated_at"])
