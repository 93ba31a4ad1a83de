import random

import pytest
from django.utils import timezone

from surveys.demo import demo_surveys
from surveys.models import SurveyAnswer, SurveyQuestion, SurveyResponse
from workshops.tests.factories import WorkshopFactory

from .factories import attendee, ended_workshop, enroll

pytestmark = pytest.mark.django_db


def test_demo_answers_for_most_attendees_of_ended_demo_workshops():
    workshop = ended_workshop(is_demo=True)
    attendees = [attendee(workshop) for _ in range(30)]
    absent = enroll(workshop)
    upcoming = WorkshopFactory(is_demo=True, partner=workshop.partner)
    early = attendee(upcoming)
    not_demo = ended_workshop(partner=workshop.partner)
    outsider = attendee(not_demo)

    rows = demo_surveys(
        rng=random.Random(7), partners=[workshop.partner], today=timezone.localdate()
    )

    assert SurveyQuestion.objects.filter(course=None).count() == 6
    responses = SurveyResponse.objects.all()
    assert 15 <= responses.count() <= 27  # about 70% of 30
    assert set(responses.values_list("enrollment__workshop", flat=True)) == {workshop.pk}
    answered = set(responses.values_list("enrollment", flat=True))
    assert absent.pk not in answered and early.pk not in answered
    assert outsider.pk not in answered
    assert answered <= {a.pk for a in attendees}
    ratings = list(
        SurveyAnswer.objects.filter(rating__isnull=False).values_list("rating", flat=True)
    )
    assert set(ratings) <= {1, 2, 3, 4, 5}
    assert sum(ratings) / len(ratings) > 3.3  # skewed positive
    assert rows == 6 + responses.count() + SurveyAnswer.objects.count()
    assert all(r.submitted_at <= timezone.now() for r in responses)

    # A second run adds nothing for those who answered.
    again = demo_surveys(
        rng=random.Random(7), partners=[workshop.partner], today=timezone.localdate()
    )
    assert SurveyResponse.objects.filter(enrollment__in=answered).count() == len(answered)
    assert again == SurveyResponse.objects.count() - len(answered) + (
        SurveyAnswer.objects.exclude(response__enrollment__in=answered).count()
    )


def test_demo_is_deterministic():
    def run():
        workshop = ended_workshop(is_demo=True)
        for _ in range(12):
            attendee(workshop)
        demo_surveys(rng=random.Random(3), partners=[workshop.partner], today=timezone.localdate())
        result = list(
            SurveyAnswer.objects.filter(response__enrollment__workshop=workshop)
            .order_by("response__enrollment__pk", "question__key")
            .values_list("question__key", "rating", "text")
        )
        return result

    first = run()
    second = run()
    assert first and first == second
