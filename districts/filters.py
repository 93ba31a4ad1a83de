"""Filtering a partner's district partnerships (/manage/partners/<slug>/districts/)."""

import datetime

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.program_years import program_year_for
from partners.models import Partner

from .models import DistrictPartnership
from .selectors import commitment_years_for, partnerships_for
from .services import commitment_year_choices

COMMITTED_CHOICES = [
    ("yes", "With commitments that year"),
    ("no", "Without commitments that year"),
]


class PartnershipFilterSet(django_filters.FilterSet):
    """The list's filters. The program year decides which year's commitments the rows show
    (the current one by default); the others narrow the rows.

    Pass `partner`: the year choices are the commitment window and the partner's past years.
    `program_year` is the year shown, once the filter set is made (a bad one is ignored and
    the form says so).
    """

    program_year = django_filters.ChoiceFilter(
        choices=[], method="for_year", empty_label=None, label="Program year"
    )
    committed = django_filters.ChoiceFilter(
        choices=COMMITTED_CHOICES,
        method="by_committed",
        empty_label="All partnerships",
        label="Commitments",
    )
    q = django_filters.CharFilter(
        method="search", label="District", help_text="Part of the name, or the NCES id."
    )

    class Meta:
        model = DistrictPartnership
        fields = ["program_year", "committed", "q"]

    def __init__(
        self, data=None, *, partner: Partner, today: datetime.date | None = None, **kwargs
    ):
        today = today or timezone.localdate()
        current = program_year_for(today)
        if data is not None and not data.get("program_year"):
            # The select shows the year the rows show: the current one unless chosen.
            data = data.copy()
            data["program_year"] = current
        super().__init__(data, queryset=DistrictPartnership.objects.none(), **kwargs)
        years = {year for year, _ in commitment_year_choices(today)}
        years.update(commitment_years_for(partner))
        choices = [(year, year) for year in sorted(years, reverse=True)]
        self.filters["program_year"].extra["choices"] = choices
        self.form.fields["program_year"].initial = current
        self.form.errors  # noqa: B018 - cleans the form: a bad year is dropped, others kept
        chosen = getattr(self.form, "cleaned_data", {}).get("program_year")
        self.program_year = chosen or current
        # The rows carry this year's commitments; the filters below only narrow them.
        self.queryset = partnerships_for(partner, self.program_year)

    def for_year(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied by the queryset itself (see __init__)

    def by_committed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "yes":
            return queryset.filter(teachers_committed__gt=0)
        return queryset.filter(teachers_committed=0)

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(district__name__icontains=value) | Q(district__nces_id__startswith=value)
        )
