"""Form fields for geography, shared by every form that asks for a place."""

from django import forms

from .models import ZipCode
from .zips import MalformedZip, normalize_zip


class ZipCodeField(forms.CharField):
    """A ZIP code typed the ways people type them; cleans to the ZipCode (or None if blank).

    Says what a ZIP looks like when the value is malformed, and that it does not exist when
    it is well-formed but unknown.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", "ZIP code")
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        raw = super().clean(value)
        if not raw.strip():
            return None
        try:
            code = normalize_zip(raw)
        except MalformedZip as error:
            raise forms.ValidationError(str(error), code="malformed") from error
        place = ZipCode.objects.select_related("state").filter(code=code).first()
        if place is None:
            raise forms.ValidationError(
                f"There is no ZIP code {code} in the United States.", code="unknown"
            )
        return place
