"""Filters: the program office's accreditation list, and the roster API's program year."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from core.program_years import program_year_choices, validate_program_year
from workshops.models import Course

from .models import Accreditation, AccreditationStatus, RosterMember
from .selectors import current_program_year, name_or_email_q, year_accreditations

NO_ACCREDITATION = "none"


def _year_choices():
    return program_year_choices(timezone.localdate(), before=3, after=1)


class AccreditationListFilterSet(django_filters.FilterSet):
    """The list at /manage/facilitators/: a program year, and who to show for it.

    `year` picks the year whose accreditations are shown; `course` and `status` then keep the
    people with an accreditation of that course and/or status in that year. Without a
    course, "no accreditation" keeps those with none at all that year.
    """

    year = django_filters.ChoiceFilter(
        choices=_year_choices, empty_label=None, label="Program year", method="noop"
    )
    course = django_filters.ModelChoiceFilter(
        queryset=Course.objects.order_by("order", "name"),
        to_field_name="slug",
        empty_label="Any course",
        label="Course",
        method="noop",
    )
    status = django_filters.ChoiceFilter(
        choices=[*AccreditationStatus.choices, (NO_ACCREDITATION, "No accreditation")],
        empty_label="Any status",
        label="Status",
        method="noop",
    )
    q = django_filters.CharFilter(
        label="Name or email",
        method="noop",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, data=None, *args, **kwargs):
        # The year is always set: the current one unless chosen.
        if data is not None:
            data = data.copy()
            if not data.get("year"):
                data["year"] = current_program_year()
        super().__init__(data, *args, **kwargs)

    def noop(self, queryset, name, value):
        return queryset  # the filters work together in filter_queryset

    @property
    def program_year(self) -> str:
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data["year"]
        return current_program_year()

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        year, course, status = data["year"], data.get("course"), data.get("status")
        if data.get("q", "").strip():
            queryset = queryset.filter(name_or_email_q(data["q"].strip()))
        rows = Accreditation.objects.filter(facilitator=OuterRef("pk"), program_year=year)
        if course is not None:
            rows = rows.filter(course=course)
        if status == NO_ACCREDITATION:
            return queryset.exclude(Exists(rows))
        if status:
            rows = rows.filter(status=status)
        if course is not None or status:
            queryset = queryset.filter(Exists(rows))
        return queryset


class RosterApiFilterSet(django_filters.FilterSet):
    """`?program_year=2026-27`: whose accreditations come with each roster member."""

    program_year = django_filters.CharFilter(
        method="noop",
        validators=[validate_program_year],
        help_text="The program year of the accreditations listed (default: the current one).",
    )

    class Meta:
        model = RosterMember
        fields = ["program_year"]

    def noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        year = self.form.cleaned_data.get("program_year") or current_program_year()
        return queryset.prefetch_related(year_accreditations(year, "facilitator__accreditations"))
