"""Writes for surveys: a teacher's one response, the invitations, and the questions.

Who may answer: only the enrollment's teacher, only once the workshop has ended (its state is
`ended`, or its last session's end has passed), only if they attended at least one session,
and only once (the one-to-one from response to enrollment backs that in the database, so a
double submit gets a message, never a 500).

Invitations are not recorded in a table (there is no model for them). They stay idempotent
in two ways, explained in `survey_invitations_send`.
"""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from core.audit import audited
from workshops.models import Enrollment, Workshop

from .models import (
    LIKERT_MAX,
    LIKERT_MIN,
    QuestionKind,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from .selectors import (
    SurveyState,
    attendees_of,
    survey_questions_for,
    survey_state,
    workshop_ends_at,
    workshop_has_ended,
)

TEXT_MAX_LENGTH = 2000
# Three days: the daily command then still invites after one or two missed runs (a weekend,
# an outage); `Enrollment.survey_invited_at` keeps the overlap from inviting anyone twice.
INVITATION_WINDOW = datetime.timedelta(hours=72)

# The program's standard questions, asked after every course's workshops.
DEFAULT_QUESTIONS = (
    ("facilitator_effectiveness", "The facilitators were effective", QuestionKind.LIKERT, True),
    ("overall_quality", "Overall, the workshop was high quality", QuestionKind.LIKERT, True),
    ("readiness", "I feel ready to teach this course", QuestionKind.LIKERT, True),
    ("recommend", "I would recommend this workshop to a colleague", QuestionKind.LIKERT, True),
    ("best", "What was the best part?", QuestionKind.TEXT, False),
    ("improve", "What should we improve?", QuestionKind.TEXT, False),
)

STATE_MESSAGES = {
    SurveyState.ANSWERED: "You have already answered this survey. Thank you!",
    SurveyState.NOT_ENDED: "The survey opens when the workshop has ended.",
    SurveyState.NOT_ATTENDED: "The survey is for teachers who attended the workshop.",
    SurveyState.CLOSED: "This workshop has no survey.",
}

QUESTION_FIELDS = frozenset({"course", "key", "text", "kind", "required", "order", "is_active"})


def answer_field(question_pk: int) -> str:
    """The name an answer goes by in forms and in error messages: `q<question id>`."""
    return f"q{question_pk}"


def _clean_rating(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    rating = int(str(value).strip())
    if not LIKERT_MIN <= rating <= LIKERT_MAX:
        raise ValueError
    return rating


def _clean_answers(questions: list[SurveyQuestion], answers: dict[Any, Any]) -> list[SurveyAnswer]:
    """Answers checked against the questions; ValidationError keyed `q<id>` per question."""
    by_pk = {q.pk: q for q in questions}
    errors: dict[str, list[str]] = {}
    given: dict[int, Any] = {}
    for raw_key, value in (answers or {}).items():
        try:
            pk = int(str(raw_key).removeprefix("q"))
        except ValueError:
            pk = None
        if pk not in by_pk:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                f"“{str(raw_key)[:20]}” is not a question of this survey."
            )
            continue
        given[pk] = value
    cleaned = []
    for question in questions:
        value = given.get(question.pk)
        blank = value is None or (isinstance(value, str) and not value.strip())
        name = answer_field(question.pk)
        if blank:
            if question.required:
                errors[name] = ["Please answer this question."]
            continue
        if question.kind == QuestionKind.LIKERT:
            try:
                rating = _clean_rating(value)
            except (TypeError, ValueError):
                errors[name] = [f"Choose a rating from {LIKERT_MIN} to {LIKERT_MAX}."]
                continue
            cleaned.append(SurveyAnswer(question=question, rating=rating))
        else:
            if not isinstance(value, str):
                errors[name] = ["Write your answer as text."]
                continue
            text = value.strip()
            if len(text) > TEXT_MAX_LENGTH:
                errors[name] = [f"Keep it to {TEXT_MAX_LENGTH} characters (this is {len(text)})."]
                continue
            cleaned.append(SurveyAnswer(question=question, text=text))
    if errors:
        raise ValidationError(errors)
    return cleaned


def survey_response_submit(
    *, enrollment: Enrollment, user: User, answers: dict[Any, Any]
) -> SurveyResponse:
    """Record the enrollment's teacher's one response to the workshop's survey.

    `answers` maps question ids (or `q<id>`) to a rating 1-5 (Likert) or text. Raises
    PermissionDenied for anyone but the enrollment's teacher, and ValidationError when the
    survey is not open to them (not ended, not attended, already answered) or an answer is
    missing or invalid (keyed `q<question id>`).
    """
    if not user.is_authenticated or enrollment.teacher_id != user.pk:
        raise PermissionDenied("Only the teacher of this enrollment can answer its survey.")
    state = survey_state(enrollment)
    if state != SurveyState.OPEN:
        raise ValidationError(STATE_MESSAGES[state], code=state.value)
    questions = survey_questions_for(enrollment.workshop.course)
    cleaned = _clean_answers(questions, answers)
    try:
        with transaction.atomic():
            response = SurveyResponse(enrollment=enrollment)
            # The unique check is the database's (below): a race must not pass full_clean
            # and then fail, and the message must be ours.
            response.full_clean(validate_unique=False, validate_constraints=False)
            response.save()
            for answer in cleaned:
                answer.response = response
                answer.full_clean(exclude=["response"], validate_constraints=False)
            SurveyAnswer.objects.bulk_create(cleaned)
    except IntegrityError:
        # Two submits at once: the one-to-one let only the first in.
        raise ValidationError(
            STATE_MESSAGES[SurveyState.ANSWERED], code=SurveyState.ANSWERED.value
        ) from None
    return response


# --- Invitations ---------------------------------------------------------------------------


def survey_invitations_send(
    *,
    workshop: Workshop,
    now: datetime.datetime | None = None,
    window: datetime.timedelta = INVITATION_WINDOW,
) -> int:
    """Invite the workshop's attendees to its survey by email; the number of invitations.

    Who: teachers who attended at least one session and have not answered yet (absentees
    never). Each email is a django-tasks task (surveys.tasks.send_survey_invitation),
    enqueued when the transaction commits.

    Once each: only a workshop that ended within `window` of `now` is invited (default 72
    hours, though the command `send_survey_invitations` runs daily: the overlap means a missed
    run or two loses no invitation), attendees already invited
    (`Enrollment.survey_invited_at`) are left out, and the task claims that field in one
    conditional UPDATE before it sends, so overlapping, concurrent or repeated runs send one
    email each.
    A teacher who answered meanwhile is skipped, at enqueue and again at send.
    """
    from .tasks import send_survey_invitation

    now = now or timezone.now()
    if not workshop_has_ended(workshop, now=now):
        return 0
    ends_at = workshop_ends_at(workshop)
    if ends_at is None or ends_at < now - window:
        return 0
    answered = SurveyResponse.objects.filter(enrollment=OuterRef("pk"))
    enrollment_ids = list(
        attendees_of(workshop)
        .exclude(Exists(answered))
        .filter(survey_invited_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    def enqueue() -> None:
        for enrollment_id in enrollment_ids:
            send_survey_invitation.enqueue(enrollment_id=enrollment_id)

    transaction.on_commit(enqueue)
    return len(enrollment_ids)


# --- Questions (program admins) ------------------------------------------------------------


def survey_questions_ensure_defaults() -> int:
    """Create the standard every-course questions that are missing; the number created.

    Not a data migration (the schema's migrations stay schema only): the demo seed and the
    questions page call it, so a fresh install has the questions before the first survey.
    A question an admin deactivated stays deactivated.
    """
    existing = set(SurveyQuestion.objects.filter(course__isnull=True).values_list("key", flat=True))
    created = 0
    for order, (key, text, kind, required) in enumerate(DEFAULT_QUESTIONS, start=1):
        if key in existing:
            continue
        # get_or_create: two first visits at once create each question once.
        _, made = SurveyQuestion.objects.get_or_create(
            course=None,
            key=key,
            defaults={"text": text, "kind": kind, "required": required, "order": order * 10},
        )
        created += made
    return created


def _check_admin(user: User) -> None:
    if not user.is_authenticated or not user.is_program_admin:
        raise PermissionDenied("Only program admins manage survey questions.")


def _check_fields(data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - QUESTION_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be set: {', '.join(unknown)}.")


def _save_question(question: SurveyQuestion) -> SurveyQuestion:
    same_key = SurveyQuestion.objects.filter(key=question.key, course=question.course_id)
    if question.course_id is None:
        same_key = SurveyQuestion.objects.filter(key=question.key, course__isnull=True)
    if same_key.exclude(pk=question.pk).exists():
        where = "for this course" if question.course_id else "for all courses"
        raise ValidationError({"key": [f"A question with this key already exists {where}."]})
    question.full_clean()
    try:
        with transaction.atomic():
            question.save()
    except IntegrityError:
        # Another admin saved the same key for the same course a moment earlier.
        raise ValidationError(
            {"key": ["A question with this key already exists for this course."]}
        ) from None
    return question


@transaction.atomic
def survey_question_create(*, user: User, data: dict[str, Any]) -> SurveyQuestion:
    """Add a question (a course's, or every course's when `course` is None)."""
    _check_admin(user)
    _check_fields(data)
    with audited(user, label="survey-question"):
        return _save_question(SurveyQuestion(**data))


@transaction.atomic
def survey_question_update(
    *, user: User, question: SurveyQuestion, data: dict[str, Any]
) -> SurveyQuestion:
    """Change a question. Once answered, its key, kind and course stay: results compare by key,
    and a rating answer under a free-text question (or the reverse) would mean nothing."""
    _check_admin(user)
    _check_fields(data)
    question = SurveyQuestion.objects.select_for_update().get(pk=question.pk)
    if question.answers.exists():
        errors = {
            name: ["This question has answers: this cannot change any more."]
            for name in ("key", "kind", "course")
            if name in data and _differs(getattr(question, name), data[name])
        }
        if errors:
            raise ValidationError(errors)
    for name, value in data.items():
        setattr(question, name, value)
    with audited(user, label="survey-question"):
        return _save_question(question)


def _differs(current: Any, new: Any) -> bool:
    current_pk = getattr(current, "pk", current)
    new_pk = getattr(new, "pk", new)
    return current_pk != new_pk


@transaction.atomic
def survey_question_deactivate(*, user: User, question: SurveyQuestion) -> SurveyQuestion:
    """Stop asking a question; its answers stay in the results."""
    _check_admin(user)
    question = SurveyQuestion.objects.select_for_update().get(pk=question.pk)
    question.is_active = False
    with audited(user, label="survey-question"):
        return _save_question(question)


def survey_link(enrollment_pk: int) -> str:
    """The survey's address, for emails (no request to build it from)."""
    from django.urls import reverse

    return f"{settings.SITE_URL}{reverse('surveys:respond', args=[enrollment_pk])}"
