"""Bad input on a signed-in teacher's forms (issue 9): the profile, enrolling in a workshop
(with its school search), registering for an event, the survey, checking in, the teaching
report (and its ?edit=).

The list of every form is in test_fuzz_forms.py.
"""

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from events.models import EventRegistration
from events.tests.factories import ConferenceFactory, zip_code
from surveys.models import QuestionKind, SurveyAnswer
from surveys.tests.factories import SurveyQuestionFactory, attendee, ended_workshop, enroll
from workshops.models import Enrollment
from workshops.tests.factories import CourseFactory, WorkshopFactory

from .fuzz_support import (
    FUZZ,
    IMG,
    SCRIPT,
    assert_refused,
    fuzz_client,
    hostile_value,
    mixed,
    rolled_back,
    send,
    shown_escaped,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_limits")]


@pytest.fixture
def teacher(db):
    zip_code("98101")
    return UserFactory(role="teacher", email="teacher@example.org", first_name="Ada")


PROFILE = {"first_name": "Ada", "last_name": "Lovelace", "school_zip": "98101"}


@FUZZ
@given(data=mixed(PROFILE, first_name=SCRIPT, last_name=IMG))
@example(data={**PROFILE, "first_name": SCRIPT, "last_name": IMG})
@example(data={**PROFILE, "school_zip": "\x00"})
@example(data={**PROFILE, "first_name": "x" * 10_000})
def test_profile(teacher, data):
    with rolled_back():
        client = fuzz_client(teacher)
        outcome = send(client, "post", reverse("accounts:profile"), data)
        if not outcome.accepted:
            assert_refused(outcome, data)
            return
        teacher.refresh_from_db()
        home = send(client, "get", reverse("accounts:home")).html
        page = send(client, "get", reverse("accounts:profile")).html
        for stored in (teacher.first_name, teacher.last_name):
            if "<" in stored:
                assert shown_escaped(page, stored)
        if "<" in teacher.first_name:
            assert shown_escaped(home, teacher.first_name)


ENROLL = {"school": "other", "school_name": SCRIPT, "school_zip": "98101"}


@FUZZ
@given(data=mixed(ENROLL))
@example(data=ENROLL).via("stored markup")
@example(data={**ENROLL, "school": "99999999999999999999"})
@example(data={**ENROLL, "school_zip": "\x00"})
@example(data={**ENROLL, "school_name": "x" * 10_000})
def test_enroll(teacher, data):
    with rolled_back():
        workshop = WorkshopFactory()
        client = fuzz_client(teacher)
        url = reverse("workshops:enroll", kwargs={"pk": workshop.pk})
        outcome = send(client, "post", url, data)
        if not outcome.accepted:
            assert_refused(outcome, data)
            assert not Enrollment.objects.filter(teacher=teacher).exists()
            return
        enrollment = Enrollment.objects.get(teacher=teacher)
        mine = send(client, "get", reverse("workshops:mine")).html
        if "<" in enrollment.school_name:
            assert shown_escaped(mine, enrollment.school_name)


@FUZZ
@given(query=hostile_value)
@example(query="\x00")
@example(query="%")
@example(query="999999999999")
def test_enroll_school_search(teacher, query):
    with rolled_back():
        workshop = WorkshopFactory()
        url = reverse("workshops:enroll", kwargs={"pk": workshop.pk})
        outcome = send(fuzz_client(teacher), "get", url, {"q": query})
        assert outcome.response.status_code == 200
        assert not outcome.writes


@FUZZ
@given(data=mixed({"zip_code": "98101"}, partner=st.just("1")))
@example(data={"zip_code": "\x00"})
@example(data={"zip_code": "00000"})
def test_event_registration(teacher, data):
    with rolled_back():
        event = ConferenceFactory()
        url = reverse("events:register", kwargs={"pk": event.pk})
        outcome = send(fuzz_client(teacher), "post", url, data)
        if not outcome.accepted:
            assert_refused(outcome, data)
            assert not EventRegistration.objects.filter(user=teacher).exists()


@FUZZ
@given(rating=hostile_value, comment=hostile_value)
@example(rating="5", comment=SCRIPT)
@example(rating="6", comment="x" * 10_000)
@example(rating=["1", "5"], comment="\x00")
def test_survey(teacher, rating, comment):
    with rolled_back():
        course = CourseFactory()
        likert = SurveyQuestionFactory(course=course)
        text = SurveyQuestionFactory(course=course, kind=QuestionKind.TEXT, required=False)
        enrollment = attendee(ended_workshop(course=course), teacher)
        data = {f"q{likert.pk}": rating, f"q{text.pk}": comment}
        url = reverse("surveys:respond", kwargs={"enrollment_pk": enrollment.pk})
        outcome = send(fuzz_client(teacher), "post", url, data)
        if not outcome.accepted:
            assert_refused(outcome, data)
            assert not SurveyAnswer.objects.filter(response__enrollment=enrollment).exists()
            return
        stored = SurveyAnswer.objects.filter(question=text).first()
        if stored and "<" in stored.text:
            staff = UserFactory(role="program_admin")
            results = reverse(
                "surveys:workshop_results", kwargs={"workshop_pk": enrollment.workshop_id}
            )
            assert shown_escaped(send(fuzz_client(staff), "get", results).html, stored.text)


@FUZZ
@given(code=hostile_value)
@example(code="\x00")
@example(code="x" * 10_000)
def test_check_in(teacher, code):
    with rolled_back():
        workshop = WorkshopFactory(state="in_progress")
        enroll(workshop, teacher)
        url = reverse("workshops:check_in", kwargs={"pk": workshop.pk})
        outcome = send(fuzz_client(teacher), "post", url, {"code": code})
        if not outcome.accepted:
            assert_refused(outcome, {"code": code})


REPORT = {
    "course": "1",
    "program_year": "",
    "school": "other",
    "school_name": SCRIPT,
    "sections": "2",
    "students": "50",
    "female_students": "20",
    "urm_students": "10",
}


@FUZZ
@given(data=mixed(REPORT))
@example(data={**REPORT, "female_students": "99999999999999999999999"})
@example(data={**REPORT, "urm_students": "99999999999999999999999"})
@example(data={**REPORT, "female_students": "9223372036854775808"})
@example(data={**REPORT, "workshop": "99999999999999999999"})
def test_teaching_report(teacher, data):
    from django.utils import timezone

    from core.program_years import program_year_for

    with rolled_back():
        course = CourseFactory()
        if data.get("course") == "1":
            data["course"] = str(course.pk)
        if data.get("program_year") == "":
            data["program_year"] = program_year_for(timezone.localdate())
        client = fuzz_client(teacher)
        outcome = send(client, "post", reverse("workshops:teaching_report"), data)
        if not outcome.accepted:
            assert_refused(outcome, data)
            return
        page = send(client, "get", reverse("workshops:teaching_report")).html
        if isinstance(data.get("school_name"), str) and "<" in data["school_name"]:
            assert SCRIPT not in page


@FUZZ
@given(edit=hostile_value)
@example(edit="99999999999999999999")
@example(edit="9223372036854775808")
def test_teaching_report_edit_parameter(teacher, edit):
    outcome = send(
        fuzz_client(teacher), "get", reverse("workshops:teaching_report"), {"edit": edit}
    )
    assert outcome.response.status_code in (200, 404)
    assert not outcome.writes
