"""Survey test data. Workshops come from workshops.tests.factories (the scheduling helper's);
enrollments and attendance are made directly with the models, as their owners' factories may
not exist yet."""

import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from districts.tests.factories import SchoolFactory
from surveys.models import QuestionKind, SurveyAnswer, SurveyQuestion, SurveyResponse
from surveys.services import survey_questions_ensure_defaults
from workshops.models import Attendance, Enrollment, EnrollmentStatus, WorkshopState
from workshops.tests.factories import WorkshopFactory


class SurveyQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyQuestion

    course = None
    key = factory.Sequence(lambda n: f"question_{n}")
    text = factory.Sequence(lambda n: f"Statement number {n}")
    kind = QuestionKind.LIKERT
    required = True
    order = factory.Sequence(lambda n: 100 + n)


def ended_workshop(*, days_ago: int = 10, sessions: int = 1, **kwargs):
    """A workshop whose sessions all lie in the past (state `ended` unless given)."""
    kwargs.setdefault("state", WorkshopState.ENDED)
    return WorkshopFactory(
        starts_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        sessions=sessions,
        **kwargs,
    )


def enroll(workshop, teacher=None, *, status: str = EnrollmentStatus.ENROLLED) -> Enrollment:
    return Enrollment.objects.create(
        workshop=workshop,
        teacher=teacher or UserFactory(role="teacher"),
        status=status,
        school=SchoolFactory(),
        enrolled_at=timezone.now(),
    )


def attendee(workshop, teacher=None) -> Enrollment:
    """An enrollment whose teacher was at the workshop's first session."""
    enrollment = enroll(workshop, teacher)
    Attendance.objects.create(
        session=workshop.sessions.order_by("date").first(),
        enrollment=enrollment,
        method=Attendance.Method.CHECKLIST,
    )
    return enrollment


def respond(enrollment, ratings: dict[str, int] | None = None, texts: dict[str, str] | None = None):
    """A response with answers by question key (every-course questions made if missing)."""
    survey_questions_ensure_defaults()
    response = SurveyResponse.objects.create(enrollment=enrollment)
    for key, rating in (ratings or {}).items():
        SurveyAnswer.objects.create(
            response=response,
            question=SurveyQuestion.objects.get(key=key, course__isnull=True),
            rating=rating,
        )
    for key, text in (texts or {}).items():
        SurveyAnswer.objects.create(
            response=response,
            question=SurveyQuestion.objects.get(key=key, course__isnull=True),
            text=text,
        )
    return response
