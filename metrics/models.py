"""Targets: what each partner agreed to reach in a program year, one row per metric.

The metrics themselves are never stored: `metrics.selectors` computes every figure from the
records (attendance, teaching reports, surveys, funding...). A target is set by a program
admin; its history is the audit trail (django-auditlog), shown beside the targets.
"""

from decimal import Decimal

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from core.program_years import program_year_field


class Metric(models.TextChoices):
    """Every metric a target can be set for (definitions: metrics.selectors)."""

    TEACHERS_ATTENDED = "teachers_attended", "Teachers who attended"
    TEACHERS_COMPLETED = "teachers_completed", "Teachers who completed a workshop"
    TEACHER_GROWTH = "teacher_growth", "Growth in teachers over the year before"
    STUDENTS_REACHED = "students_reached", "Students reached"
    TEACHERS_IMPLEMENTING = "teachers_implementing", "Teachers teaching the course"
    SCHOOLS_IMPLEMENTING = "schools_implementing", "Schools teaching the course"
    DISTRICT_FULFILMENT = "district_fulfilment", "District commitments fulfilled"
    FEMALE_SHARE = "female_share", "Female students"
    URM_SHARE = "urm_share", "Students from under-represented groups"
    HIGH_NEED_SHARE = "high_need_share", "Teachers from high-need schools"
    RURAL_SHARE = "rural_share", "Teachers from rural schools"
    SURVEY_MEAN = "survey_mean", "Workshop survey mean"
    ATTENDANCE_RATE = "attendance_rate", "Attendance rate"
    COMPLETION_RATE = "completion_rate", "Completion rate"
    PM_FTE = "pm_fte", "Program manager FTE"
    SUMMITS_ATTENDED = "summits_attended", "Summits attended"
    SUSTAINABILITY_SHARE = "sustainability_share", "Sustainability share"


class Target(models.Model):
    """A partner's agreed target for one metric in one program year.

    Counts are whole numbers; shares and rates are fractions (0.45 is 45%); the survey mean
    is on the 1-5 scale; FTE is in full-time equivalents. `metrics.selectors.METRICS`
    says which unit each metric has, and the forms check the value against it.
    """

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="targets"
    )
    program_year = program_year_field()
    metric = models.CharField(max_length=32, choices=Metric.choices)
    value = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partner", "-program_year", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "program_year", "metric"], name="metrics_target_once"
            ),
        ]
        indexes = [models.Index(fields=["program_year", "metric"], name="metrics_target_year")]

    def __str__(self) -> str:
        return f"{self.partner} {self.program_year} {self.get_metric_display()}: {self.value}"


auditlog.register(Target, exclude_fields=["updated_at", "created_at"])
