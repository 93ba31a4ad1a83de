"""Helpers for the HTML forms of every app."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, models


def add_service_errors(
    form: forms.BaseForm,
    error: ValidationError | PermissionDenied,
    *,
    denied: str = "You cannot make this change.",
) -> None:
    """A service's refusal on the form: next to its field when the form has it, else on top.

    A PermissionDenied goes on top with its message (`denied` when it has none), so what
    was typed is kept and the page says why.
    """
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or denied)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing an id beyond the database's integer range as "not one of the
    choices": Django checks each id's type but not its size, and an `__in` lookup with
    99999999999999999999 fails in the database (SQLite: OverflowError; PostgreSQL: out of
    range), a 500 instead of a message next to the field. Found by the form fuzzing."""

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        model = self.queryset.model
        field = model._meta.pk if key == "pk" else model._meta.get_field(key)
        if isinstance(field, models.IntegerField):
            ops = connections[self.queryset.db].ops
            low, high = ops.integer_field_range(field.get_internal_type())
            for pk in value:
                try:
                    number = int(str(pk).strip())
                except ValueError:
                    continue  # not a number at all: Django's own check says so
                if (low is not None and number < low) or (high is not None and number > high):
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": pk},
                    )
        return super()._check_values(value)
