"""core.forms: the shared form pieces."""

import pytest
from django import forms

from core.forms import ModelMultipleChoiceField
from workshops.models import Course
from workshops.tests.factories import CourseFactory


class CoursesForm(forms.Form):
    courses = ModelMultipleChoiceField(queryset=Course.objects.all(), required=False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["99999999999999999999", "-99999999999999999999", " 9223372036854775808 "]
)
def test_an_id_beyond_the_databases_range_is_not_one_of_the_choices(typed):
    course = CourseFactory()
    form = CoursesForm(data={"courses": [str(course.pk), typed]})
    assert not form.is_valid()
    assert "is not one of the available choices" in form.errors["courses"][0]


@pytest.mark.django_db
def test_real_choices_and_other_refusals_are_as_in_django():
    course = CourseFactory()
    assert CoursesForm(data={"courses": [str(course.pk)]}).is_valid()
    form = CoursesForm(data={"courses": ["x"]})
    assert not form.is_valid() and "is not a valid value" in form.errors["courses"][0]
    form = CoursesForm(data={"courses": [str(course.pk + 1000)]})
    assert "is not one of the available choices" in form.errors["courses"][0]
