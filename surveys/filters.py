"""Filtering survey results: how to group them, which program year and course."""

import django_filters
from django.utils import timezone

from core.program_years import program_year_choices
from workshops.models import Course, Workshop

from .selectors import GROUP_CHOICES, Group


class ResultsFilterSet(django_filters.FilterSet):
    """Filters the workshops (already in the reader's scope) whose results are shown; `group`
    only chooses the grouping of the rows."""

    group = django_filters.ChoiceFilter(
        choices=GROUP_CHOICES,
        method="keep",
        empty_label=None,
        label="Results by",
    )
    program_year = django_filters.ChoiceFilter(
        choices=[], empty_label="Every program year", label="Program year"
    )
    course = django_filters.ModelChoiceFilter(
        queryset=Course.objects.order_by("order", "name"), empty_label="Every course"
    )

    class Meta:
        model = Workshop
        fields = ["group", "program_year", "course"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("group"):
            data = data.copy()
            data["group"] = Group.WORKSHOP.value
        super().__init__(data, *args, **kwargs)
        self.filters["program_year"].extra["choices"] = program_year_choices(
            timezone.localdate(), before=4, after=1
        )[::-1]

    def keep(self, queryset, name, value):
        return queryset

    @property
    def grouping(self) -> Group:
        if self.is_bound and self.is_valid():
            return Group(self.form.cleaned_data.get("group") or Group.WORKSHOP)
        return Group.WORKSHOP
