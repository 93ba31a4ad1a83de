from django import forms

from geography.models import InterestSignup
from geography.zips import MalformedZip, normalize_zip


class ZipLookupForm(forms.Form):
    zip = forms.CharField(
        label="Your school's ZIP code",
        max_length=20,
        required=False,  # clean_zip explains what a ZIP looks like, blank included
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "postal-code", "placeholder": "98101"}
        ),
    )

    def clean_zip(self):
        try:
            return normalize_zip(self.cleaned_data["zip"])
        except MalformedZip as error:
            raise forms.ValidationError(str(error)) from error


class InterestForm(forms.Form):
    """ "Tell me when a partner serves my area"."""

    email = forms.EmailField(
        label="Your email address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    role = forms.ChoiceField(label="You are", choices=InterestSignup.Role.choices)
    zip = forms.CharField(label="ZIP code", max_length=20)

    def clean_zip(self):
        try:
            return normalize_zip(self.cleaned_data["zip"])
        except MalformedZip as error:
            raise forms.ValidationError(str(error)) from error
