"""Post-workshop surveys: questions per course (program admins), one response per attendee.

Only teachers who attended at least one session of a workshop that has ended may answer,
once. Results are compared per workshop, partner, facilitator and course; a facilitator sees
only the results of workshops they led, a program manager their partner's, admins all.
"""

from auditlog.registry import auditlog
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

LIKERT_MIN, LIKERT_MAX = 1, 5
LIKERT_LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}


class QuestionKind(models.TextChoices):
    LIKERT = "likert", "Agreement (1-5)"
    TEXT = "text", "Free text"


class SurveyQuestion(models.Model):
    """A question asked after every workshop of a course (or of every course, if none)."""

    course = models.ForeignKey(
        "workshops.Course",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_questions",
        help_text="Empty: asked after every course's workshops.",
    )
    key = models.SlugField(
        max_length=60,
        help_text="Stable name for comparing results, e.g. facilitator_effectiveness.",
    )
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=8, choices=QuestionKind.choices)
    required = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "key"],
                condition=Q(course__isnull=False),
                name="surveys_question_key_per_course",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(course__isnull=True),
                name="surveys_question_key_for_all_courses",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="surveys_question_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    """An attendee's one response to their workshop's survey."""

    enrollment = models.OneToOneField(
        "workshops.Enrollment", on_delete=models.CASCADE, related_name="survey_response"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"Survey of {self.enrollment}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    rating = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(LIKERT_MIN), MaxValueValidator(LIKERT_MAX)],
    )
    text = models.TextField(blank=True, max_length=4000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="surveys_answer_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True)
                | Q(rating__gte=LIKERT_MIN, rating__lte=LIKERT_MAX),
                name="surveys_answer_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.key}: {self.rating or self.text[:40]}"


auditlog.register(SurveyQuestion)
