"""FilterSets for funding lists: the program office's overview and the awards API."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from core.program_years import program_year_choices, program_year_for
from geography.models import State
from partners.models import Partner

from .models import FundingAward

NO_AWARD = "none"


def overview_year_choices() -> list[tuple[str, str]]:
    """Program years around today's, newest first (the overview's year picker)."""
    return list(reversed(program_year_choices(timezone.localdate(), before=4, after=1)))


class OverviewFilterSet(django_filters.FilterSet):
    """Filters over the partners of the overview; the year picks which awards count.

    Without a year the current program year is bound, so the page always shows one year.
    """

    program_year = django_filters.ChoiceFilter(
        choices=overview_year_choices,
        method="filter_nothing",
        empty_label=None,
        label="Program year",
    )
    status = django_filters.ChoiceFilter(
        choices=[*FundingAward.Status.choices, (NO_AWARD, "No award")],
        method="filter_award_status",
        empty_label="Any award status",
        label="Award status",
    )
    partner_status = django_filters.ChoiceFilter(
        field_name="status",
        choices=[
            (Partner.Status.ACTIVE, Partner.Status.ACTIVE.label),
            (Partner.Status.ONBOARDING, Partner.Status.ONBOARDING.label),
        ],
        empty_label="Active and onboarding",
        label="Partner status",
    )
    state = django_filters.ModelChoiceFilter(
        queryset=State.objects.order_by("name"),
        to_field_name="code",
        empty_label="Any state",
        label="State",
    )
    regional_manager = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(role=Role.REGIONAL_MANAGER).order_by(
            "first_name", "last_name", "pk"
        ),
        empty_label="Any regional manager",
        label="Regional manager",
    )
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Partner name", max_length=100
    )

    class Meta:
        model = Partner
        fields = ["program_year", "status", "partner_status", "state", "regional_manager", "q"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("program_year"):
            data = data.copy()
            data["program_year"] = program_year_for(timezone.localdate())
        super().__init__(data, *args, **kwargs)
        self.form.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    @property
    def year(self) -> str:
        """The year asked for when valid, else the current one."""
        if self.is_valid():
            return self.form.cleaned_data["program_year"]
        return program_year_for(timezone.localdate())

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset

    def filter_award_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        awards = FundingAward.objects.filter(partner=OuterRef("pk"), program_year=self.year)
        if value == NO_AWARD:
            return queryset.exclude(Exists(awards))
        return queryset.filter(Exists(awards.filter(status=value)))


class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number the database can hold (anything else is a 400, where a
    decimal field let 1e271 through to the database and a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class AwardFilterSet(django_filters.FilterSet):
    """Awards API: by program year, partner and status."""

    program_year = django_filters.CharFilter(max_length=7)
    partner = IdFilter(field_name="partner_id")
    status = django_filters.ChoiceFilter(choices=FundingAward.Status.choices)

    class Meta:
        model = FundingAward
        fields = ["program_year", "partner", "status"]
