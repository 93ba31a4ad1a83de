"""Public program content: the program page's editable blocks and the versioned term sheet."""

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse


class ContentBlock(models.Model):
    """A section of the public program page, written in Markdown by program admins.

    The page renders blocks in `order`; the Markdown is sanitized on render, so whatever
    an editor types can never run as script.
    """

    key = models.SlugField(max_length=50, unique=True, help_text="Stable name used by the page.")
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown. HTML is stripped to a safe subset.")
    link_url = models.URLField(
        blank=True, help_text="Optional link, e.g. the program video for the video slot."
    )
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pages:program") + f"#{self.key}"


class TermSheetQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=TermSheet.Status.PUBLISHED)

    def current(self):
        """The term sheet in force: the most recently published version."""
        return self.published().order_by("-published_at", "-pk").first()


version_validator = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$",
    "Use letters, digits, dots and dashes, e.g. 2026.1.",
)


class TermSheet(models.Model):
    """One version of the partnership term sheet. Once published it never changes."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    version = models.CharField(max_length=20, unique=True, validators=[version_validator])
    title = models.CharField(max_length=200, default="Regional Partner Program term sheet")
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="Markdown.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TermSheetQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="pages_termsheet_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Term sheet {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("pages:terms_version", kwargs={"version": self.version})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def clean(self):
        if self.pk and self.is_published:
            stored = TermSheet.objects.filter(pk=self.pk).values("body", "version").first()
            if stored and (stored["body"] != self.body or stored["version"] != self.version):
                raise ValidationError(
                    "A published term sheet cannot be changed; publish a new version instead."
                )


auditlog.register(ContentBlock, exclude_fields=["updated_at"])
auditlog.register(TermSheet, exclude_fields=["updated_at"])
