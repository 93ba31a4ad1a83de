from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role, User
from core.program_years import previous_program_year, program_year_choices, validate_program_year
from workshops.models import Course

from .models import AccreditationStatus
from .selectors import current_program_year


def _facilitators():
    return User.objects.filter(role=Role.FACILITATOR, is_active=True).order_by(
        "last_name", "first_name", "email"
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else obj.email


class AccreditationSetForm(forms.Form):
    """A program admin sets one facilitator's status for a course and program year."""

    facilitator = PersonChoiceField(
        queryset=_facilitators(),
        required=False,
        empty_label="Choose a facilitator",
        help_text="Or give their email address below.",
    )
    email = forms.EmailField(
        label="Or their email address",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text="Finds the person whatever their role; only facilitators can be accredited.",
    )
    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(is_active=True).order_by("order", "name"),
        empty_label="Choose a course",
    )
    program_year = forms.ChoiceField(label="Program year")
    status = forms.ChoiceField(choices=AccreditationStatus.choices)
    note = forms.CharField(
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"maxlength": 300, "autocomplete": "off"}),
        help_text="Optional, up to 300 characters; shown to program office staff only.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["program_year"].choices = program_year_choices(today, before=1, after=1)
        self.fields["program_year"].initial = current_program_year(today)
        self.person: User | None = None
        self.person_field = "facilitator"

    def clean(self):
        data = super().clean()
        chosen, email = data.get("facilitator"), data.get("email")
        if "email" in self.errors or "facilitator" in self.errors:
            return data
        if chosen and email and chosen.email != email.strip().lower():
            self.add_error("email", "This address is not the chosen facilitator's. Give one.")
        elif chosen:
            self.person = chosen
        elif email:
            self.person_field = "email"
            self.person = User.objects.filter(email__iexact=email.strip()).first()
            if self.person is None:
                self.add_error("email", "No one has an account with this email address.")
        else:
            self.add_error("facilitator", "Choose a facilitator or give their email address.")
        return data


class FindPersonForm(forms.Form):
    """Find people by email (or name) to see their role before accrediting them."""

    find = forms.CharField(
        label="Find a person by email or name",
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class RenewForm(forms.Form):
    """Copy one year's accredited rows into the next (the July renewal)."""

    from_year = forms.ChoiceField(label="Copy the accredited facilitators of")
    to_year = forms.ChoiceField(label="Into")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        choices = program_year_choices(today, before=3, after=1)
        self.fields["from_year"].choices = choices[:-1]
        self.fields["to_year"].choices = choices[1:]
        current = current_program_year(today)
        self.fields["from_year"].initial = previous_program_year(current)
        self.fields["to_year"].initial = current


class RosterSearchForm(forms.Form):
    q = forms.CharField(
        label="Name or email",
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Facilitators with an accreditation this year or next, other than lapsed.",
    )


class RosterAddForm(forms.Form):
    facilitator = forms.ModelChoiceField(
        queryset=User.objects.filter(role=Role.FACILITATOR),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That facilitator is not available. Search again."},
    )


class ProgramYearForm(forms.Form):
    program_year = forms.ChoiceField(label="Program year", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["program_year"].choices = program_year_choices(today, before=1, after=1)
        self.fields["program_year"].initial = current_program_year(today)

    @property
    def year(self) -> str:
        if self.is_valid() and self.cleaned_data.get("program_year"):
            return self.cleaned_data["program_year"]
        return current_program_year()


class AccreditationKeyForm(forms.Form):
    """Reads `?facilitator=&course=&program_year=` to prefill the set form from a list cell."""

    facilitator = forms.ModelChoiceField(queryset=_facilitators())
    course = forms.ModelChoiceField(queryset=Course.objects.all())
    program_year = forms.CharField(max_length=7, validators=[validate_program_year])


def add_service_error(
    form: forms.Form, error: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """Put a service's refusal beside the field it names (renamed if the form calls it
    otherwise), or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = (rename or {}).get(field, field)
        form.add_error(name if name in form.fields else None, ValidationError(errors))
