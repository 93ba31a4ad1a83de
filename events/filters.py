"""Filtering the public event list: by kind, US state, and upcoming or past."""

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from geography.models import State

from .models import Event, EventKind


class EventFilterSet(django_filters.FilterSet):
    """Upcoming events unless the person asks for past ones (or all)."""

    WHEN_CHOICES = (("upcoming", "Upcoming"), ("past", "Past"), ("all", "All"))

    kind = django_filters.ChoiceFilter(
        choices=EventKind.choices, empty_label="Any kind", label="Kind of event"
    )
    state = django_filters.ModelChoiceFilter(
        queryset=State.objects.order_by("name"),
        to_field_name="code",
        empty_label="Any state",
        label="State",
    )
    when = django_filters.ChoiceFilter(
        choices=WHEN_CHOICES, method="filter_when", empty_label=None, label="When"
    )

    class Meta:
        model = Event
        fields = ["kind", "state", "when"]

    def __init__(self, data=None, *args, **kwargs):
        # Without a choice the list shows what is coming up: bind the default.
        if data is not None and not data.get("when"):
            data = data.copy()
            data["when"] = "upcoming"
        super().__init__(data, *args, **kwargs)

    def filter_when(self, queryset: QuerySet[Event], name: str, value: str):
        today = timezone.localdate()
        if value == "past":
            return queryset.past(today).order_by("-starts_on", "name")
        if value == "upcoming":
            return queryset.upcoming(today)
        return queryset
