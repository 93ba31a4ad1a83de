import django_filters
from django.db.models import Exists, OuterRef, Q

from geography.models import Region, State
from geography.selectors import touching_state
from workshops.models import Course

from .models import OrganizationType, Partner


class DirectoryFilter(django_filters.FilterSet):
    """Filters of the public partner directory."""

    q = django_filters.CharFilter(method="search", label="Name or city")
    state = django_filters.ModelChoiceFilter(
        queryset=State.objects.all(),
        to_field_name="code",
        method="in_state",
        label="State served",
        empty_label="All states",
    )
    course = django_filters.ModelChoiceFilter(
        queryset=Course.objects.filter(is_active=True),
        field_name="courses",
        to_field_name="slug",
        label="Program offered",
        empty_label="All programs",
    )
    organization_type = django_filters.ChoiceFilter(
        choices=OrganizationType.choices, label="Organization type", empty_label="All types"
    )

    class Meta:
        model = Partner
        fields = ["q", "state", "course", "organization_type"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(city__icontains=value))

    def in_state(self, queryset, name, state):
        # A partner serves a state through a whole-state, county or ZIP region there.
        return queryset.filter(
            Exists(Region.objects.filter(touching_state(state.code), partner=OuterRef("pk")))
        )
