"""Filtering the region list: by name, status and state."""

import django_filters
from django.db.models import QuerySet

from .models import Region, State
from .selectors import touching_state


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_name", label="Name contains")
    status = django_filters.ChoiceFilter(
        choices=Region.Status.choices, empty_label="Any status", label="Status"
    )
    state = django_filters.ModelChoiceFilter(
        queryset=State.objects.all(),
        method="filter_state",
        empty_label="Any state",
        label="State",
        to_field_name="code",
    )

    class Meta:
        model = Region
        fields = ["q", "status", "state"]

    def filter_name(self, queryset: QuerySet[Region], name: str, value: str):
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset

    def filter_state(self, queryset: QuerySet[Region], name: str, value: State):
        """Regions with any part in the state: the whole state, a county of it or a ZIP in it."""
        return queryset.filter(touching_state(value.code)) if value else queryset
