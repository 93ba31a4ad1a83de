"""Teaching reports: the service and the teacher's page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.program_years import program_year_for
from districts.tests.factories import SchoolFactory
from workshops.models import EnrollmentStatus, TeachingReport
from workshops.teaching import teaching_report_save

from .factories_attendance import (
    AttendanceFactory,
    CourseFactory,
    EnrollmentFactory,
    TeachingReportFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("workshops:teaching_report")


def numbers(**overrides):
    return {"sections": 3, "students": 80, "female_students": 38, "urm_students": 30} | overrides


@pytest.fixture
def attended():
    """An enrollment with attendance: the workshops a report may name are attended ones."""
    return AttendanceFactory().enrollment


def test_one_report_per_teacher_year_and_course_created_then_updated(attended):
    teacher, workshop = attended.teacher, attended.workshop
    report = teaching_report_save(
        teacher=teacher,
        program_year="2026-27",
        course=workshop.course,
        workshop=workshop,
        school=attended.school,
        **numbers(),
    )
    again = teaching_report_save(
        teacher=teacher,
        program_year="2026-27",
        course=workshop.course,
        school_name="Harbor Middle School",
        **numbers(students=90),
    )
    assert again.pk == report.pk
    report.refresh_from_db()
    assert (report.students, report.workshop, report.school, report.school_name) == (
        90,
        None,
        None,
        "Harbor Middle School",
    )
    teaching_report_save(
        teacher=teacher, program_year="2025-26", course=workshop.course, **numbers()
    )
    assert TeachingReport.objects.filter(teacher=teacher).count() == 2


@pytest.mark.parametrize("field", ["female_students", "urm_students"])
def test_counts_cannot_exceed_the_students(attended, field):
    with pytest.raises(ValidationError) as error:
        teaching_report_save(
            teacher=attended.teacher,
            program_year="2026-27",
            course=attended.workshop.course,
            **numbers(**{field: 81}),
        )
    assert list(error.value.message_dict) == [field]
    assert not TeachingReport.objects.exists()


def test_model_rules_come_back_as_field_errors(attended):
    with pytest.raises(ValidationError) as error:
        teaching_report_save(
            teacher=attended.teacher,
            program_year="2026-28",
            course=attended.workshop.course,
            **numbers(sections=0),
        )
    assert {"program_year", "sections"} <= set(error.value.message_dict)


def test_the_workshop_must_be_one_of_the_teachers_for_that_course(attended):
    other_course = CourseFactory()
    someone_elses = WorkshopFactory(course=attended.workshop.course)
    for course, workshop in (
        (other_course, attended.workshop),
        (attended.workshop.course, someone_elses),
    ):
        with pytest.raises(ValidationError) as error:
            teaching_report_save(
                teacher=attended.teacher,
                program_year="2026-27",
                course=course,
                workshop=workshop,
                **numbers(),
            )
        assert list(error.value.message_dict) == ["workshop"]


def _not_attended(teacher, course):
    """Workshops of `course` the teacher is linked to without having attended: a cancelled
    enrollment, a cancelled workshop, an upcoming one."""
    return [
        EnrollmentFactory(
            teacher=teacher,
            workshop=WorkshopFactory(course=course),
            status=EnrollmentStatus.CANCELLED,
        ).workshop,
        EnrollmentFactory(
            teacher=teacher, workshop=WorkshopFactory(course=course, state="cancelled")
        ).workshop,
        EnrollmentFactory(teacher=teacher, workshop=WorkshopFactory(course=course)).workshop,
    ]


def test_only_an_attended_workshop_can_be_named(attended):
    for workshop in _not_attended(attended.teacher, attended.workshop.course):
        with pytest.raises(ValidationError) as error:
            teaching_report_save(
                teacher=attended.teacher,
                program_year="2026-27",
                course=workshop.course,
                workshop=workshop,
                **numbers(),
            )
        assert "attended" in error.value.message_dict["workshop"][0]


def test_an_attended_then_cancelled_enrollment_still_counts(attended):
    attended.status = EnrollmentStatus.CANCELLED
    attended.save()
    report = teaching_report_save(
        teacher=attended.teacher,
        program_year="2026-27",
        course=attended.workshop.course,
        workshop=attended.workshop,
        **numbers(),
    )
    assert report.workshop == attended.workshop


def test_the_form_offers_only_attended_workshops(client, attended):
    others = _not_attended(attended.teacher, attended.workshop.course)
    client.force_login(attended.teacher)
    offered = list(client.get(URL).context["form"].fields["workshop"].queryset)
    assert offered == [attended.workshop]
    data = {
        "course": attended.workshop.course_id,
        "program_year": program_year_for(timezone.localdate()),
        "workshop": others[-1].pk,
        "school": str(attended.school_id),
        **numbers(),
    }
    response = client.post(URL, data)
    assert response.status_code == 200
    assert response.context["form"].errors["workshop"]
    assert not TeachingReport.objects.exists()


@pytest.mark.parametrize("role", ["facilitator", "program_manager", "program_admin"])
def test_teachers_only(make_user, role):
    with pytest.raises(PermissionDenied):
        teaching_report_save(
            teacher=make_user(role=role),
            program_year="2026-27",
            course=CourseFactory(),
            **numbers(),
        )


# --- The page ------------------------------------------------------------------------------


def test_the_page_is_for_signed_in_teachers(client, make_user):
    assert client.get(URL).status_code == 302
    for role in ("facilitator", "program_manager", "regional_manager", "program_admin"):
        client.force_login(make_user(role=role))
        assert client.get(URL).status_code == 404


def test_the_form_is_prefilled_with_the_teachers_school(client, teacher):
    school = SchoolFactory(name="Cascade Middle School")
    teacher.school = school
    teacher.save()
    client.force_login(teacher)
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["school"].value() == str(school.pk)
    assert form["program_year"].value() == program_year_for(timezone.localdate())
    page = response.content.decode()
    assert "Cascade Middle School" in page
    assert "two or more races" in page  # the URM definition is on the page


def test_a_teacher_saves_and_edits_a_report(client, attended):
    client.force_login(attended.teacher)
    course = attended.workshop.course
    year = program_year_for(timezone.localdate())
    data = {
        "course": course.pk,
        "program_year": year,
        "workshop": attended.workshop_id,
        "school": str(attended.school_id),
        **numbers(),
    }
    response = client.post(URL, data)
    assert response.status_code == 302
    report = TeachingReport.objects.get(teacher=attended.teacher)
    assert (report.school, report.workshop, report.students) == (
        attended.school,
        attended.workshop,
        80,
    )
    page = client.get(URL + f"?edit={report.pk}")
    assert page.context["form"]["students"].value() == 80
    assert client.post(URL, data | {"students": 100}).status_code == 302
    report.refresh_from_db()
    assert report.students == 100
    assert TeachingReport.objects.count() == 1


def test_an_unlisted_school_needs_its_name(client, attended):
    client.force_login(attended.teacher)
    data = {
        "course": attended.workshop.course_id,
        "program_year": program_year_for(timezone.localdate()),
        "school": "other",
        **numbers(),
    }
    response = client.post(URL, data)
    assert response.status_code == 200
    assert response.context["form"].errors["school_name"]
    assert client.post(URL, data | {"school_name": "Island School"}).status_code == 302
    assert TeachingReport.objects.get().school_name == "Island School"


def test_errors_show_next_to_the_field_and_keep_the_typing(client, attended):
    client.force_login(attended.teacher)
    data = {
        "course": attended.workshop.course_id,
        "program_year": program_year_for(timezone.localdate()),
        "school": str(attended.school_id),
        **numbers(female_students=200),
    }
    response = client.post(URL, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "More female students than students (80)" in form.errors["female_students"][0]
    assert form["students"].value() == "80"
    assert not TeachingReport.objects.exists()


def test_a_teacher_cannot_open_someone_elses_report(client, attended):
    other = TeachingReportFactory()
    client.force_login(attended.teacher)
    assert client.get(URL + f"?edit={other.pk}").status_code == 404
    assert client.get(URL + "?edit=nonsense").status_code == 200
    assert client.get(URL + "?edit=-3").status_code == 200


def test_reports_are_listed_by_year(client, attended, django_assert_max_num_queries):
    for year in ("2024-25", "2025-26", "2026-27"):
        TeachingReportFactory(teacher=attended.teacher, program_year=year)
    client.force_login(attended.teacher)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert [year for year, _ in response.context["years"]] == ["2026-27", "2025-26", "2024-25"]


def test_a_report_of_an_older_year_stays_editable(client, attended):
    old = TeachingReportFactory(
        teacher=attended.teacher, program_year="2019-20", course=attended.workshop.course
    )
    client.force_login(attended.teacher)
    edit = URL + f"?edit={old.pk}"
    assert "2019-20" in dict(client.get(edit).context["form"].fields["program_year"].choices)
    data = {
        "course": old.course_id,
        "program_year": "2019-20",
        "school": "other",
        "school_name": "Old School",
        **numbers(),
    }
    assert client.post(URL, data).status_code == 200  # not a year one can add a report for
    assert client.post(edit, data).status_code == 302
    old.refresh_from_db()
    assert (old.students, old.school_name) == (80, "Old School")
