from django import forms

from core.forms import ModelMultipleChoiceField
from geography.fields import ZipCodeField
from workshops.models import Course

from .models import Partner


class PartnerProfileForm(forms.ModelForm):
    """The public fields of a partner's profile, edited by its program managers."""

    zip = ZipCodeField(
        required=False,
        max_length=10,
        help_text="Where your organization is; it places you on the map.",
    )
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)
    courses = ModelMultipleChoiceField(
        queryset=Course.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Programs offered",
    )

    class Meta:
        model = Partner
        fields = ["description", "website", "contact_email", "phone", "address", "city", "courses"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6, "maxlength": 2000})}
        help_texts = {
            "description": "Shown on your public profile. Plain text, up to 2,000 characters."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.zip_code_id and not self.is_bound:
            self.initial["zip"] = self.instance.zip_code.code

    def clean_description(self):
        description = self.cleaned_data["description"]
        if len(description) > 2000:
            raise forms.ValidationError("Keep the description to 2,000 characters or fewer.")
        return description


class ContactForm(forms.Form):
    """A message from a visitor to a partner's program managers, or to the program office."""

    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label="Your email address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    message = forms.CharField(
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 3000}),
        help_text="Up to 3,000 characters.",
    )
    partner = forms.SlugField(required=False, widget=forms.HiddenInput)
    zip = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)

    def clean_name(self):
        name = self.cleaned_data["name"]
        if any(ch in name for ch in "\r\n"):
            raise forms.ValidationError("Enter your name on one line.")
        return name

    def clean(self):
        cleaned = super().clean()
        # The hidden fields come from the page, not the person: a refused one has no place on
        # the page to be said, so it is said on top of the form instead.
        if [name for name in ("partner", "zip") if self._errors.pop(name, None)]:
            self.add_error(
                None, "This form was changed on its way here; reload the page and try again."
            )
        return cleaned
