"""Filtering public workshops: the /workshops/ page and GET /api/v1/workshops/ share it."""

import django_filters
from django import forms
from django.db.models import QuerySet

from geography.models import ZipCode
from geography.zips import ZIP_HELP, MalformedZip, normalize_zip
from partners.models import Partner

from .models import Course, Workshop, WorkshopState
from .scheduling import public_workshops

STATE_CHOICES = (
    (WorkshopState.PUBLISHED.value, "Open (not started yet)"),
    (WorkshopState.IN_PROGRESS.value, "In progress"),
    (WorkshopState.ENDED.value, "Ended"),
    ("all", "Any"),
)
MILES_CHOICES = [(str(n), f"{n} miles") for n in (10, 25, 50, 100, 250, 500)]
DEFAULT_MILES = 50


class WorkshopFilterForm(forms.Form):
    """Checks the ZIP code against the geography tables: an unknown one is a clear error."""

    def clean_zip(self):
        raw = self.cleaned_data.get("zip")
        if not raw:
            return None
        try:
            code = normalize_zip(raw)
        except MalformedZip as error:
            raise forms.ValidationError(str(error)) from None
        zip_code = ZipCode.objects.filter(code=code).first()
        if zip_code is None:
            raise forms.ValidationError(f"We do not know the ZIP code {code}. {ZIP_HELP}")
        if zip_code.latitude is None or zip_code.longitude is None:
            raise forms.ValidationError(
                f"We do not know where ZIP code {code} is; try a nearby one."
            )
        return zip_code

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("miles") and not self.data.get("zip") and "zip" not in self.errors:
            self.add_error("zip", "Enter a ZIP code to search by distance.")
        day_from, day_to = cleaned.get("date_from"), cleaned.get("date_to")
        if day_from and day_to and day_from > day_to:
            # Said next to both fields: either one may be the mistake.
            message = (
                f"“From” ({day_from:%b %-d, %Y}) must not be after “To” ({day_to:%b %-d, %Y})."
            )
            self.add_error("date_from", message)
            self.add_error("date_to", message)
        return cleaned


class WorkshopFilterSet(django_filters.FilterSet):
    """Open workshops by default; by course, state, partner, dates and distance from a ZIP."""

    course = django_filters.ModelChoiceFilter(
        queryset=Course.objects.filter(is_active=True).order_by("order", "name"),
        to_field_name="slug",
        empty_label="Any course",
        label="Course",
    )
    state = django_filters.ChoiceFilter(
        choices=STATE_CHOICES, empty_label=None, label="State", null_label=None
    )
    partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.public().order_by("name"),
        to_field_name="slug",
        empty_label="Any partner",
        label="Regional Partner",
    )
    date_from = django_filters.DateFilter(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="A session on or after this day.",
    )
    date_to = django_filters.DateFilter(
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="A session on or before this day.",
    )
    zip = django_filters.CharFilter(
        label="Near ZIP code",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "size": 10}
        ),
        help_text="In-person workshops near this ZIP code.",
    )
    miles = django_filters.ChoiceFilter(
        choices=MILES_CHOICES, empty_label=f"{DEFAULT_MILES} miles", label="Within"
    )

    class Meta:
        model = Workshop
        fields: list[str] = []
        form = WorkshopFilterForm

    def __init__(self, data=None, *args, **kwargs):
        # Without a choice the list shows what teachers can still join: bind the default.
        if data is not None and not data.get("state"):
            data = data.copy()
            data["state"] = WorkshopState.PUBLISHED.value
        super().__init__(data, *args, **kwargs)

    def filter_queryset(self, queryset: QuerySet[Workshop]) -> QuerySet[Workshop]:
        data = self.form.cleaned_data
        return public_workshops(
            {
                "state": data.get("state"),
                "course": data.get("course"),
                "partner": data.get("partner"),
                "date_from": data.get("date_from"),
                "date_to": data.get("date_to"),
                "zip_code": data.get("zip"),
                "miles": int(data.get("miles") or DEFAULT_MILES),
            },
            queryset=queryset,
        )
