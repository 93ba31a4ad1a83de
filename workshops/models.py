"""The course catalogue (and, with the workshops issue, workshops themselves)."""

from auditlog.registry import auditlog
from django.db import models

from core.slugs import unique_slug


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


auditlog.register(Course, exclude_fields=["updated_at"])
