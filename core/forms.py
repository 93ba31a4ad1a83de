"""Helpers for the HTML forms of every app."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError


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
