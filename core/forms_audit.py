"""The audit trail's filters (/manage/audit/): by kind of record, record, person, action, dates.

Every filter is a GET field with a label, so a filtered trail is a link people can share; the
object and person filters also take the numbers that other pages' links carry (`?type=` with
`?object=`, and `?actor=` from a person's name in the trail).
"""

import django_filters
from auditlog.models import LogEntry
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from accounts.models import User
from facilitators.selectors import name_or_email_q

from .audit import ACTIONS, audited_models, type_key, type_label

TEXT_MAX = 300
DATE_ERRORS = {"invalid": "Enter a date as YYYY-MM-DD, for example 2025-03-31."}


class AuditFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        if self.has_error("actor"):
            # The number comes from a link, never typed: say so next to the person search.
            del self._errors["actor"]
            self.add_error(
                "person",
                "The person in that link is not known here. Search by name or email instead.",
            )
        if data.get("object") and not data.get("type") and not self.has_error("type"):
            self.add_error("type", "Choose the record's type: a record number alone names none.")
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return data


class AuditFilterSet(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        label="Record type",
        empty_label="Any type",
        method="filter_type",
        error_messages={"invalid_choice": "Choose a record type from the list."},
    )
    object = django_filters.NumberFilter(
        label="Record number",
        method="filter_object",
        # Text, not type=number: a browser empties a number box holding "abc", and the
        # person would not see what was wrong in the link they followed.
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        min_value=1,
        max_digits=18,
        decimal_places=0,
        help_text="The record's id, as in links from its page.",
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_digits", "max_decimal_places", "max_whole_digits"),
            "Enter the record's number, for example 42.",
        ),
    )
    q = django_filters.CharFilter(
        label="Record name contains", method="filter_text", max_length=TEXT_MAX
    )
    person = django_filters.CharFilter(
        label="Person (name or email)", method="filter_person", max_length=TEXT_MAX
    )
    actor = django_filters.ModelChoiceFilter(
        queryset=User.objects.all(), widget=forms.HiddenInput, method="filter_actor"
    )
    action = django_filters.ChoiceFilter(
        label="Action",
        choices=[(word, word.capitalize()) for word in ACTIONS],
        empty_label="Any action",
        method="filter_action",
        error_messages={"invalid_choice": "Choose created, changed or deleted."},
    )
    date_from = django_filters.DateFilter(
        label="From",
        field_name="timestamp",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=DATE_ERRORS,
    )
    date_to = django_filters.DateFilter(
        label="To",
        field_name="timestamp",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=DATE_ERRORS,
    )

    class Meta:
        model = LogEntry
        fields: list[str] = []
        form = AuditFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.models = {type_key(model): model for model in audited_models()}
        self.filters["type"].extra["choices"] = [
            (key, type_label(model)) for key, model in self.models.items()
        ]

    @property
    def chosen_actor(self) -> User | None:
        """The person a link filters by, once the filters are valid."""
        return self.form.cleaned_data.get("actor") if self.is_valid() else None

    def filter_type(self, queryset: QuerySet[LogEntry], name: str, value: str):
        model = self.models.get(value)
        if model is None:
            return queryset
        return queryset.filter(content_type=ContentType.objects.get_for_model(model))

    def filter_object(self, queryset: QuerySet[LogEntry], name: str, value):
        return queryset.filter(object_pk=str(int(value))) if value is not None else queryset

    def filter_text(self, queryset: QuerySet[LogEntry], name: str, value: str):
        value = value.strip()
        return queryset.filter(object_repr__icontains=value) if value else queryset

    def filter_person(self, queryset: QuerySet[LogEntry], name: str, value: str):
        value = value.strip()
        if not value:
            return queryset
        # The email kept in the entry names someone whose account has gone since.
        people = Q(actor__in=User.objects.filter(name_or_email_q(value))) | Q(
            actor_email__icontains=value
        )
        if value.casefold() in "system":
            # Changes by no one (commands, scheduled work) are shown as "System".
            people |= Q(actor__isnull=True) & (Q(actor_email__isnull=True) | Q(actor_email=""))
        return queryset.filter(people)

    def filter_actor(self, queryset: QuerySet[LogEntry], name: str, value: User | None):
        return queryset.filter(actor=value) if value is not None else queryset

    def filter_action(self, queryset: QuerySet[LogEntry], name: str, value: str):
        return queryset.filter(action=ACTIONS[value]) if value in ACTIONS else queryset
