"""Fictional, deterministic survey responses for the demo.

Makes sure the standard questions exist (there is no data migration for them), then answers
the survey for about 70% of the attendees of the demo workshops that have ended: ratings lean
positive, a few respondents are critical, each workshop has its own tone (so comparisons show
differences), and a handful write a sentence or two.

Called by the demo seed after the attendance demo (it needs attendance rows). Responses go
with their enrollments when the demo workshops are deleted. Everything comes from one
`random.Random`, so two runs on the same data write the same answers.
"""

import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from workshops.models import Attendance, Enrollment, Workshop

from .models import QuestionKind, SurveyAnswer, SurveyResponse
from .selectors import survey_questions_for, workshop_ends_at, workshop_has_ended
from .services import survey_questions_ensure_defaults

RESPONSE_SHARE = 0.7
CRITICAL_SHARE = 0.08
TEXT_SHARE = {"best": 0.18, "improve": 0.12}
# Weights for ratings 1-5: most agree; a critical respondent mostly does not.
POSITIVE = (0.02, 0.04, 0.12, 0.42, 0.40)
CRITICAL = (0.20, 0.35, 0.30, 0.10, 0.05)

BEST = (
    "Pair programming with teachers from other districts.",
    "The unplugged activities: I will use them the first week.",
    "Our facilitators modeled every lesson, so I know what it looks like in class.",
    "Time to plan the first unit with colleagues who teach the same grade.",
    "Seeing the whole curriculum before the school year starts.",
    "The debugging strategies and how to teach them.",
)
IMPROVE = (
    "More time for planning; the afternoons felt rushed.",
    "The room was cold and the wifi kept dropping.",
    "Send the materials a week before, so we can read ahead.",
    "More examples for students who are new to English.",
    "Shorter lectures, more hands-on time.",
    "A session on grading projects would help.",
)


def _rating(rng: random.Random, tone: int, critical: bool) -> int:
    weights = CRITICAL if critical else POSITIVE
    rating = rng.choices((1, 2, 3, 4, 5), weights=weights)[0] + tone
    return max(1, min(5, rating))


@transaction.atomic
def demo_surveys(*, rng: random.Random, partners: list, today: datetime.date) -> int:
    """Answer the surveys of ended demo workshops for ~70% of attendees; rows created."""
    created = survey_questions_ensure_defaults()
    now = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    workshops = [
        w
        for w in Workshop.objects.filter(is_demo=True, partner__in=[p.pk for p in partners])
        .select_related("course")
        .prefetch_related("sessions")
        .order_by("pk")
        if workshop_has_ended(w, now=now)
    ]
    if not workshops:
        return created
    attended = Exists(Attendance.objects.filter(enrollment=OuterRef("pk")))
    answered = Exists(SurveyResponse.objects.filter(enrollment=OuterRef("pk")))
    attendees: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in (
        Enrollment.objects.filter(attended, workshop__in=workshops)
        .exclude(answered)
        .order_by("workshop_id", "pk")
    ):
        attendees[enrollment.workshop_id].append(enrollment)

    questions_by_course: dict[int, list] = {}
    responses: list[SurveyResponse] = []
    pending: list[tuple[SurveyResponse, list[SurveyAnswer]]] = []
    for workshop in workshops:
        if workshop.course_id not in questions_by_course:
            questions_by_course[workshop.course_id] = survey_questions_for(workshop.course)
        questions = questions_by_course[workshop.course_id]
        # A workshop's tone: most are fine, some a notch better or worse than the rest.
        tone = rng.choices((-1, 0, 0, 0, 1), k=1)[0]
        ended = workshop_ends_at(workshop) or now
        for enrollment in attendees.get(workshop.pk, []):
            if rng.random() >= RESPONSE_SHARE:
                continue
            critical = rng.random() < CRITICAL_SHARE
            response = SurveyResponse(enrollment=enrollment)
            response._submitted = min(now, ended + datetime.timedelta(hours=rng.randint(2, 24 * 6)))
            answers = []
            for question in questions:
                if question.kind == QuestionKind.LIKERT:
                    answers.append(
                        SurveyAnswer(question=question, rating=_rating(rng, tone, critical))
                    )
                elif rng.random() < TEXT_SHARE.get(question.key, 0.05):
                    pool = IMPROVE if (critical or question.key == "improve") else BEST
                    answers.append(SurveyAnswer(question=question, text=rng.choice(pool)))
            responses.append(response)
            pending.append((response, answers))

    SurveyResponse.objects.bulk_create(responses)
    # submitted_at is set on insert; give each the day it was (plausibly) answered.
    for response in responses:
        response.submitted_at = response._submitted
    SurveyResponse.objects.bulk_update(responses, ["submitted_at"], batch_size=500)
    answers = []
    for response, items in pending:
        for answer in items:
            answer.response = response
            answers.append(answer)
    SurveyAnswer.objects.bulk_create(answers, batch_size=1000)
    return created + len(responses) + len(answers)
