import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from surveys.models import QuestionKind, SurveyAnswer, SurveyQuestion, SurveyResponse
from surveys.selectors import SurveyState, survey_questions_for, survey_state
from surveys.services import (
    DEFAULT_QUESTIONS,
    TEXT_MAX_LENGTH,
    survey_invitations_send,
    survey_question_create,
    survey_question_deactivate,
    survey_question_update,
    survey_questions_ensure_defaults,
    survey_response_submit,
)
from workshops.models import WorkshopSession, WorkshopState
from workshops.tests.factories import CourseFactory, WorkshopFactory

from .factories import SurveyQuestionFactory, attendee, ended_workshop, enroll, respond

pytestmark = pytest.mark.django_db


def _full_answers(course, rating=4):
    answers = {}
    for question in survey_questions_for(course):
        answers[question.pk] = rating if question.kind == QuestionKind.LIKERT else ""
    return answers


@pytest.fixture
def defaults(db):
    survey_questions_ensure_defaults()


# --- Defaults and questions ----------------------------------------------------------------


def test_defaults_are_created_once():
    assert survey_questions_ensure_defaults() == len(DEFAULT_QUESTIONS)
    assert survey_questions_ensure_defaults() == 0
    keys = set(SurveyQuestion.objects.filter(course=None).values_list("key", flat=True))
    assert keys == {
        "facilitator_effectiveness",
        "overall_quality",
        "readiness",
        "recommend",
        "best",
        "improve",
    }
    assert SurveyQuestion.objects.get(key="best").kind == QuestionKind.TEXT
    assert not SurveyQuestion.objects.get(key="best").required


def test_defaults_leave_a_deactivated_question_deactivated(defaults):
    SurveyQuestion.objects.filter(key="recommend").update(is_active=False)
    assert survey_questions_ensure_defaults() == 0
    assert not SurveyQuestion.objects.get(key="recommend").is_active


def test_questions_for_a_course_are_its_own_and_every_courses_active_ones(defaults):
    course, other = CourseFactory(), CourseFactory()
    own = SurveyQuestionFactory(course=course, key="pacing", order=1)
    SurveyQuestionFactory(course=other, key="other_course")
    SurveyQuestionFactory(key="retired", is_active=False)
    # A course question with an every-course key replaces it for that course.
    replaced = SurveyQuestionFactory(course=course, key="readiness", text="Ready for CSD?")
    questions = survey_questions_for(course)
    keys = [q.key for q in questions]
    assert keys[0] == "pacing"
    assert own in questions and replaced in questions
    assert "other_course" not in keys and "retired" not in keys
    assert keys.count("readiness") == 1
    assert len(questions) == len(DEFAULT_QUESTIONS) + 1


def test_question_key_is_unique_per_course(program_admin, defaults):
    course = CourseFactory()
    data = {
        "course": None,
        "key": "readiness",
        "text": "Again",
        "kind": QuestionKind.LIKERT,
        "required": True,
        "order": 5,
        "is_active": True,
    }
    with pytest.raises(ValidationError) as error:
        survey_question_create(user=program_admin, data=data)
    assert "key" in error.value.message_dict
    # The same key for one course is fine, once.
    question = survey_question_create(user=program_admin, data={**data, "course": course})
    assert question.course == course
    with pytest.raises(ValidationError) as error:
        survey_question_create(user=program_admin, data={**data, "course": course})
    assert "key" in error.value.message_dict


def test_only_program_admins_manage_questions(program_manager, facilitator, defaults):
    question = SurveyQuestion.objects.get(key="readiness")
    for user in (program_manager, facilitator):
        with pytest.raises(PermissionDenied):
            survey_question_deactivate(user=user, question=question)
        with pytest.raises(PermissionDenied):
            survey_question_update(user=user, question=question, data={"text": "x"})


def test_an_answered_questions_key_and_kind_stay(program_admin, defaults):
    workshop = ended_workshop()
    respond(attendee(workshop), ratings={"readiness": 4})
    question = SurveyQuestion.objects.get(key="readiness")
    with pytest.raises(ValidationError) as error:
        survey_question_update(
            user=program_admin, question=question, data={"kind": QuestionKind.TEXT}
        )
    assert "kind" in error.value.message_dict
    updated = survey_question_update(
        user=program_admin, question=question, data={"text": "I am ready to teach it"}
    )
    assert updated.text == "I am ready to teach it"
    survey_question_deactivate(user=program_admin, question=question)
    question.refresh_from_db()
    assert not question.is_active


# --- Responding ----------------------------------------------------------------------------


def test_attendee_answers_once_after_the_end(defaults):
    workshop = ended_workshop()
    enrollment = attendee(workshop)
    answers = _full_answers(workshop.course)
    best = SurveyQuestion.objects.get(key="best")
    answers[best.pk] = "  The pair programming.  "
    response = survey_response_submit(
        enrollment=enrollment, user=enrollment.teacher, answers=answers
    )
    assert response.answers.filter(rating=4).count() == 4
    assert response.answers.get(question=best).text == "The pair programming."
    # Blank optional text makes no answer row.
    assert not response.answers.filter(question__key="improve").exists()
    assert survey_state(enrollment) == SurveyState.ANSWERED

    with pytest.raises(ValidationError) as error:
        survey_response_submit(enrollment=enrollment, user=enrollment.teacher, answers=answers)
    assert error.value.code == "answered"
    assert SurveyResponse.objects.count() == 1


def test_only_the_enrollments_teacher_may_answer(defaults, teacher):
    workshop = ended_workshop()
    enrollment = attendee(workshop)
    with pytest.raises(PermissionDenied):
        survey_response_submit(
            enrollment=enrollment, user=teacher, answers=_full_answers(workshop.course)
        )
    assert not SurveyResponse.objects.exists()


def test_absentees_may_not_answer(defaults):
    workshop = ended_workshop()
    enrollment = enroll(workshop)
    assert survey_state(enrollment) == SurveyState.NOT_ATTENDED
    with pytest.raises(ValidationError) as error:
        survey_response_submit(
            enrollment=enrollment,
            user=enrollment.teacher,
            answers=_full_answers(workshop.course),
        )
    assert error.value.code == "not_attended"


def test_not_before_the_last_session_has_ended(defaults):
    # Attended the first of three sessions; the last is tomorrow.
    workshop = ended_workshop(days_ago=1, sessions=3, state=WorkshopState.IN_PROGRESS)
    enrollment = attendee(workshop)
    assert survey_state(enrollment) == SurveyState.NOT_ENDED
    with pytest.raises(ValidationError) as error:
        survey_response_submit(
            enrollment=enrollment,
            user=enrollment.teacher,
            answers=_full_answers(workshop.course),
        )
    assert error.value.code == "not_ended"


def test_open_once_the_last_sessions_end_passed_even_if_the_state_lags(defaults):
    workshop = ended_workshop(days_ago=3, state=WorkshopState.PUBLISHED)
    assert survey_state(attendee(workshop)) == SurveyState.OPEN


def test_open_when_marked_ended_early(defaults):
    workshop = WorkshopFactory(state=WorkshopState.ENDED)  # its session is in 30 days
    # Attendance is recorded directly: the model does not check dates.
    assert survey_state(attendee(workshop)) == SurveyState.OPEN


def test_cancelled_workshops_have_no_survey(defaults):
    workshop = ended_workshop(state=WorkshopState.CANCELLED)
    assert survey_state(attendee(workshop)) == SurveyState.CLOSED


def test_time_zone_decides_the_end(defaults):
    """A session ending at 17:00 in Honolulu ends at 03:00 UTC the next day."""
    today = timezone.localdate()
    workshop = WorkshopFactory(
        state=WorkshopState.PUBLISHED, time_zone="Pacific/Honolulu", sessions=0
    )
    WorkshopSession.objects.create(
        workshop=workshop, date=today, start_time=datetime.time(9), end_time=datetime.time(17)
    )
    enrollment = attendee(workshop)
    end = datetime.datetime(today.year, today.month, today.day, 17, tzinfo=workshop.zone)
    assert survey_state(enrollment, now=end - datetime.timedelta(minutes=1)) == (
        SurveyState.NOT_ENDED
    )
    assert survey_state(enrollment, now=end) == SurveyState.OPEN


def test_required_answers_and_ranges(defaults):
    workshop = ended_workshop()
    enrollment = attendee(workshop)
    readiness = SurveyQuestion.objects.get(key="readiness")
    quality = SurveyQuestion.objects.get(key="overall_quality")
    improve = SurveyQuestion.objects.get(key="improve")
    answers = _full_answers(workshop.course)
    del answers[readiness.pk]
    answers[quality.pk] = 6
    answers[improve.pk] = "x" * (TEXT_MAX_LENGTH + 1)
    answers[999_999] = 3
    with pytest.raises(ValidationError) as error:
        survey_response_submit(enrollment=enrollment, user=enrollment.teacher, answers=answers)
    errors = error.value.message_dict
    assert errors[f"q{readiness.pk}"] == ["Please answer this question."]
    assert "from 1 to 5" in errors[f"q{quality.pk}"][0]
    assert "characters" in errors[f"q{improve.pk}"][0]
    assert "not a question" in errors["__all__"][0]
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("bad", [0, "5.5", True, None, "", "three", [4]])
def test_ratings_must_be_1_to_5(defaults, bad):
    workshop = ended_workshop()
    enrollment = attendee(workshop)
    answers = _full_answers(workshop.course)
    quality = SurveyQuestion.objects.get(key="overall_quality")
    answers[quality.pk] = bad
    with pytest.raises(ValidationError) as error:
        survey_response_submit(enrollment=enrollment, user=enrollment.teacher, answers=answers)
    assert f"q{quality.pk}" in error.value.message_dict


def test_optional_likert_may_stay_blank(defaults):
    workshop = ended_workshop()
    SurveyQuestionFactory(course=workshop.course, key="pace", required=False)
    enrollment = attendee(workshop)
    answers = _full_answers(workshop.course)
    answers[SurveyQuestion.objects.get(key="pace").pk] = ""
    response = survey_response_submit(
        enrollment=enrollment, user=enrollment.teacher, answers=answers
    )
    assert not SurveyAnswer.objects.filter(response=response, question__key="pace").exists()


def test_a_racing_second_submit_gets_a_message_not_an_error(defaults, monkeypatch):
    """The check passed for both; the one-to-one lets only the first in."""
    workshop = ended_workshop()
    enrollment = attendee(workshop)
    answers = _full_answers(workshop.course)
    survey_response_submit(enrollment=enrollment, user=enrollment.teacher, answers=answers)
    monkeypatch.setattr("surveys.services.survey_state", lambda enrollment: SurveyState.OPEN)
    with pytest.raises(ValidationError) as error:
        survey_response_submit(enrollment=enrollment, user=enrollment.teacher, answers=answers)
    assert error.value.code == "answered"
    assert SurveyResponse.objects.count() == 1


# --- Invitations ---------------------------------------------------------------------------


@pytest.fixture
def recent(defaults):
    """A workshop (in UTC, to keep the arithmetic plain) whose session ended 2-3 hours ago."""
    end = (timezone.now().astimezone(datetime.UTC) - datetime.timedelta(hours=2)).replace(
        microsecond=0
    )
    if end.hour == 0:  # keep the one-hour session within one day
        end -= datetime.timedelta(hours=1)
    workshop = WorkshopFactory(state=WorkshopState.IN_PROGRESS, time_zone="UTC", sessions=0)
    WorkshopSession.objects.create(
        workshop=workshop,
        date=end.date(),
        start_time=(end - datetime.timedelta(hours=1)).time(),
        end_time=end.time(),
    )
    return workshop


def test_invitations_go_to_attendees_who_have_not_answered(recent, committed):
    first, second, answered = attendee(recent), attendee(recent), attendee(recent)
    enroll(recent)  # absent
    respond(answered, ratings={"readiness": 5})
    with committed():
        sent = survey_invitations_send(workshop=recent, window=datetime.timedelta(hours=24))
    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [first.teacher.email, second.teacher.email]
    )
    assert f"/surveys/{first.pk}/" in next(
        m.body for m in mail.outbox if m.to == [first.teacher.email]
    )


def test_invitations_are_idempotent(recent, committed):
    attendee(recent)
    attendee(recent)
    with committed():
        survey_invitations_send(workshop=recent)
    with committed():
        survey_invitations_send(workshop=recent)
    assert len(mail.outbox) == 2


def test_no_invitations_for_a_workshop_that_ended_long_ago_or_not_yet(defaults, committed):
    old = ended_workshop(days_ago=5)
    attendee(old)
    running = WorkshopFactory(state=WorkshopState.IN_PROGRESS)
    attendee(running)
    with committed():
        assert survey_invitations_send(workshop=old) == 0
        assert survey_invitations_send(workshop=running) == 0
    assert mail.outbox == []


def test_the_daily_command_invites_recently_ended_workshops_once(recent, defaults, committed):
    enrollment = attendee(recent)
    old = ended_workshop(days_ago=5)
    attendee(old)
    out = io.StringIO()
    with committed():
        call_command("send_survey_invitations", stdout=out)
    with committed():
        call_command("send_survey_invitations", stdout=out)
    assert "1 invitation(s) queued for 1 workshop(s)" in out.getvalue()
    assert [m.to for m in mail.outbox] == [[enrollment.teacher.email]]


def test_an_invitation_queued_before_the_answer_is_not_sent(recent, committed):
    enrollment = attendee(recent)
    with committed():
        survey_invitations_send(workshop=recent)
        # Answered before the queued email ran (on commit).
        respond(enrollment, ratings={"readiness": 4})
    assert mail.outbox == []


def _ended_hours_ago(hours: int):
    """A workshop (in UTC) whose one-hour session ended `hours` hours ago."""
    end = (timezone.now().astimezone(datetime.UTC) - datetime.timedelta(hours=hours)).replace(
        microsecond=0, second=0
    )
    if end.hour == 0:  # keep the one-hour session within one day
        end -= datetime.timedelta(hours=1)
    workshop = WorkshopFactory(state=WorkshopState.ENDED, time_zone="UTC", sessions=0)
    WorkshopSession.objects.create(
        workshop=workshop,
        date=end.date(),
        start_time=(end - datetime.timedelta(hours=1)).time(),
        end_time=end.time(),
    )
    return workshop


def test_the_default_window_covers_missed_runs(defaults, committed):
    """A daily run missed (or two): the workshop that ended 50 hours ago is still invited by
    default, by the service and the command alike, and only once."""
    late = attendee(_ended_hours_ago(50))
    with committed():
        assert survey_invitations_send(workshop=late.workshop) == 1
    assert [m.to for m in mail.outbox] == [[late.teacher.email]]
    missed = attendee(_ended_hours_ago(60))
    out = io.StringIO()
    with committed():
        call_command("send_survey_invitations", stdout=out)
    assert "1 invitation(s) queued" in out.getvalue()
    assert "last 72 hour(s)" in out.getvalue()
    assert [m.to for m in mail.outbox] == [[late.teacher.email], [missed.teacher.email]]


def test_the_window_still_ends(defaults, committed):
    old = attendee(_ended_hours_ago(80))
    with committed():
        assert survey_invitations_send(workshop=old.workshop) == 0
        call_command("send_survey_invitations", stdout=io.StringIO())
    assert mail.outbox == []
