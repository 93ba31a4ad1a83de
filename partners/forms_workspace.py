"""Forms and filters of the partner workspace (/manage/partners/)."""

from datetime import date
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Q

from accounts.models import Role, User
from core.program_years import program_year_choices, program_year_for
from geography.models import State

from .models import MIN_PROGRAM_MANAGER_FTE, CheckInNote, Partner

SECTIONS = (
    "home",
    "metrics",
    "managers",
    "districts",
    "facilitators",
    "events",
    "workshops",
    "funding",
    "check_ins",
)

FTE_HELP = (
    f"Share of a full-time position, 0.05 to 1.00. The partner's program managers together "
    f"need at least {MIN_PROGRAM_MANAGER_FTE} FTE."
)


def _fte_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label="FTE share",
        min_value=Decimal("0.05"),
        max_value=Decimal("1.00"),
        max_digits=3,
        decimal_places=2,
        help_text=FTE_HELP,
        widget=forms.NumberInput(attrs={"step": "0.05", "inputmode": "decimal"}),
        **kwargs,
    )


class WorkspacePartnerFilter(django_filters.FilterSet):
    """Filters of the partner list (program office)."""

    q = django_filters.CharFilter(method="search", label="Name")
    status = django_filters.ChoiceFilter(
        choices=Partner.Status.choices, label="Status", empty_label="All statuses"
    )
    regional_manager = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(role=Role.REGIONAL_MANAGER, is_active=True),
        label="Regional manager",
        empty_label="Anyone",
    )
    state = django_filters.ModelChoiceFilter(
        queryset=State.objects.all(),
        to_field_name="code",
        # "State" alone reads as a commitment's state (Met, At risk) on the same page.
        label="US state",
        empty_label="All US states",
    )

    class Meta:
        model = Partner
        fields = ["q", "status", "regional_manager", "state"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None or not user.is_program_admin:
            # Everyone else sees only their own partners: choosing a coach would be noise.
            del self.filters["regional_manager"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(city__icontains=value))


class SwitchForm(forms.Form):
    """The partner switcher's query string: which partner, and which section to land on."""

    partner = forms.SlugField(max_length=200)
    section = forms.ChoiceField(choices=[(s, s) for s in SECTIONS], required=False)


class ProgramYearForm(forms.Form):
    """The overview's year selector: the current program year and the one before."""

    year = forms.ChoiceField(label="Program year")

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        choices = program_year_choices(today, before=1, after=0)
        self.fields["year"].choices = list(reversed(choices))
        self.fields["year"].initial = program_year_for(today)

    def program_year(self, today: date) -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year"]
        return program_year_for(today)


class InviteForm(forms.Form):
    """Invite a person to be one of the partner's program managers."""

    name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}), label="Name"
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="They sign in (or sign up) with this address to accept.",
    )
    fte_share = _fte_field()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if any(ch in name for ch in "\r\n"):
            raise forms.ValidationError("Enter the name on one line.")
        return name


class ShareForm(forms.Form):
    """Change one program manager's FTE share."""

    fte_share = _fte_field()
    confirm_below_minimum = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label=(
            f"I understand the partner will be below {MIN_PROGRAM_MANAGER_FTE} FTE and the "
            "program-manager commitment will show as missed"
        ),
    )

    def ask_confirmation(self) -> None:
        """Show the confirmation checkbox (after a change was refused as below the minimum)."""
        self.fields["confirm_below_minimum"].widget = forms.CheckboxInput()


class RemoveForm(forms.Form):
    """The confirmation step of removing a program manager."""

    confirm_below_minimum = forms.BooleanField(
        required=False,
        label=(
            f"I understand the partner will be below {MIN_PROGRAM_MANAGER_FTE} FTE and the "
            "program-manager commitment will show as missed"
        ),
    )


class CheckInNoteForm(forms.ModelForm):
    body = forms.CharField(
        label="Note",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
        help_text="Up to 4,000 characters. Program managers never see check-in notes.",
    )

    class Meta:
        model = CheckInNote
        fields = ["happened_on", "body"]
        widgets = {"happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
