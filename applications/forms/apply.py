"""The applicant's forms: one per section of the application.

Every field is optional, because a draft is saved a piece at a time; completeness is judged
by `selectors.application_completeness` and at submit. Each form's `service_data()` is the
`data` that `services.application_save` takes, so the rules stay in the service and model.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from core.forms import ModelMultipleChoiceField
from funding.models import BudgetCategory
from geography.fields import ZipCodeField
from geography.models import Region, State
from geography.zips import MalformedZip, normalize_zip
from partners.models import OrganizationType
from workshops.models import Course

from ..models import (
    COMMITMENTS,
    TEXT_MAX,
    Application,
    ApplicationProgramManager,
    DistrictRelationship,
    Reference,
)
from ..services import MAX_REFERENCES

# The program page's commitments, each in full, for the applicant to agree to one by one.
COMMITMENT_WORDING = {
    "summits_sept_feb": (
        "Attend the Regional Partner Summits in September and February, where our program "
        "manager takes full part in program-manager onboarding and ongoing program management."
    ),
    "teacher_conference": ("Attend the 5-day teacher conference with teachers from our region."),
    "local_workshops_accredited": (
        "Organize and host quality, local workshops for districts and schools implementing the "
        "program's middle school and high school courses, led by facilitators accredited by "
        "the program office."
    ),
    "community_building": (
        "Build, grow and sustain a local community of computer science educators, or join an "
        "existing community."
    ),
    "independent_funding": (
        "Develop independent funding sources for the long-term sustainability of the work, "
        "with the program office's support."
    ),
    "metrics": (
        "Establish and meet detailed metrics on: growth in the number of participating teachers "
        "and students in our region, implementation of courses, diversity, and the quality of "
        "workshops."
    ),
}


# --- Widgets and fields --------------------------------------------------------------------


class CountedTextarea(forms.Textarea):
    """A textarea with a "N characters left" counter (static/js/apply.js keeps it live)."""

    template_name = "applications/apply/widgets/counted_textarea.html"

    def __init__(self, attrs=None):
        super().__init__({"rows": 6, "data-counter": "", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        limit = context["widget"]["attrs"].get("maxlength")
        if limit:
            used = len((value or "").replace("\r\n", "\n"))
            context["widget"]["remaining"] = int(limit) - used
        return context


class LongTextField(forms.CharField):
    """Free text capped at the model's TEXT_MAX, counting a line break as one character.

    Browsers count a line break as one character against `maxlength` but send it as two
    (CRLF), so a text that fits in the browser would otherwise be refused here.
    """

    def __init__(self, *, label: str, help_text: str = "", **kwargs):
        hint = f"Up to {TEXT_MAX:,} characters."
        super().__init__(
            label=label,
            max_length=TEXT_MAX,
            required=False,
            widget=CountedTextarea,
            help_text=f"{help_text} {hint}".strip(),
            **kwargs,
        )

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


class MoneyField(forms.DecimalField):
    """Dollars and cents, zero or more. Accepts "$1,250.50" as people write it."""

    default_error_messages = {
        "invalid": "Enter an amount in dollars, e.g. 1250 or 1250.50.",
        "min_value": "Enter zero or more: a budget line cannot be negative.",
        "max_decimal_places": "Use at most two decimal places (whole cents), e.g. 1250.50.",
        "max_whole_digits": "That amount is too large.",
        "max_digits": "That amount is too large.",
    }

    def __init__(self, **kwargs):
        super().__init__(
            max_digits=12,
            decimal_places=2,
            min_value=Decimal("0"),
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "").removeprefix("$").strip()
        return super().to_python(value)


def _yes_no(value: str) -> bool:
    return value == "True"


# --- Sections ------------------------------------------------------------------------------


class OrganizationForm(forms.ModelForm):
    organization_type = forms.ChoiceField(
        label="Kind of organization",
        choices=OrganizationType.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    is_us_based = forms.TypedChoiceField(
        label="Is your organization based in the United States?",
        choices=[("True", "Yes"), ("False", "No")],
        coerce=_yes_no,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    state = forms.ModelChoiceField(
        queryset=State.objects.all(), required=False, empty_label="Choose a state"
    )
    zip_code = ZipCodeField(required=False, max_length=10)
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Application
        fields = [
            "legal_name",
            "organization_type",
            "tax_id",
            "is_us_based",
            "street",
            "city",
            "state",
            "zip_code",
            "website",
        ]
        labels = {"legal_name": "Legal name", "tax_id": "Tax id (EIN)", "street": "Street address"}
        help_texts = {"tax_id": "Two digits, a dash and seven digits, e.g. 12-3456789."}
        widgets = {
            "legal_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.zip_code_id:
            self.initial["zip_code"] = self.instance.zip_code.code
        if not self.is_bound and self.instance.is_us_based is not None:
            self.initial["is_us_based"] = str(self.instance.is_us_based)

    def clean_tax_id(self):
        value = self.cleaned_data["tax_id"].strip()
        digits = value.replace("-", "").replace(" ", "")
        # "123456789" is how many people type an EIN: store it the way the IRS writes it.
        return f"{digits[:2]}-{digits[2:]}" if len(digits) == 9 and digits.isdigit() else value

    def clean(self):
        cleaned = super().clean()
        place, state = cleaned.get("zip_code"), cleaned.get("state")
        if place and state and place.state_id != state.pk:
            self.add_error(
                "zip_code", f"{place.code} is in {place.state.name}, not in {state.name}."
            )
        elif place and not state and "state" not in self.errors:
            cleaned["state"] = place.state
        return cleaned

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RegionChoiceForm(forms.Form):
    region = forms.ModelChoiceField(
        label="Choose your region",
        queryset=Region.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "That region is not taking applications now; choose one listed."
        },
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions

    def service_data(self) -> dict:
        # Saving without a choice keeps the region already chosen.
        region = self.cleaned_data["region"]
        return {"region": region} if region else {}


class ZipFindForm(forms.Form):
    zip = forms.CharField(
        label="Find your region by ZIP code",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )

    def clean_zip(self):
        try:
            return normalize_zip(self.cleaned_data["zip"])
        except MalformedZip as error:
            raise forms.ValidationError(str(error)) from error


class ProgramManagerForm(forms.ModelForm):
    fte_share = forms.DecimalField(
        label="Share of a full-time position (FTE)",
        help_text="e.g. 0.5 for half time",
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0.05"),
        max_value=Decimal("1"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "invalid": "Enter a share between 0.05 and 1, e.g. 0.5.",
            "min_value": "Enter a share of at least 0.05.",
            "max_value": "Enter a share of at most 1 (a full-time position).",
            "max_decimal_places": "Use at most two decimal places, e.g. 0.25.",
            "max_digits": "Enter a share between 0.05 and 1, e.g. 0.5.",
            "max_whole_digits": "Enter a share of at most 1 (a full-time position).",
        },
    )

    class Meta:
        model = ApplicationProgramManager
        fields = ["name", "email", "fte_share"]
        labels = {"name": "Name", "email": "Email address"}


class DistrictRelationshipForm(forms.ModelForm):
    class Meta:
        model = DistrictRelationship
        fields = ["district_name", "relationship"]
        labels = {"district_name": "School district", "relationship": "Your relationship"}
        help_texts = {"relationship": "e.g. professional-learning provider since 2019"}


class ReferenceForm(forms.ModelForm):
    class Meta:
        model = Reference
        fields = ["name", "organization", "email", "phone"]
        labels = {"email": "Email address", "phone": "Phone number"}
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})}


class RowsFormSet(forms.BaseFormSet):
    """Rows that replace a whole child section; blank extra rows and removed rows drop out."""

    def rows(self) -> list[dict]:
        return [
            {name: value for name, value in form.cleaned_data.items() if name != "DELETE"}
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]


class ProgramManagerFormSet(RowsFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            email = (form.cleaned_data.get("email") or "").strip().lower()
            if not email or self._should_delete_form(form):
                continue
            if email in seen:
                form.add_error("email", "This person is already listed above.")
            seen.add(email)


ProgramManagerFormSetClass = forms.formset_factory(
    ProgramManagerForm,
    formset=ProgramManagerFormSet,
    extra=1,
    can_delete=True,
    can_delete_extra=False,
    max_num=10,
)
DistrictFormSetClass = forms.formset_factory(
    DistrictRelationshipForm,
    formset=RowsFormSet,
    extra=1,
    can_delete=True,
    can_delete_extra=False,
    max_num=30,
)
ReferenceFormSetClass = forms.formset_factory(
    ReferenceForm,
    formset=RowsFormSet,
    extra=MAX_REFERENCES,
    can_delete=True,
    can_delete_extra=False,
    max_num=MAX_REFERENCES,
    validate_max=True,
)


def teachers_field(year: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=f"Teachers to reach in year {year}",
        min_value=1,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": "Enter a whole number of teachers, e.g. 25.",
            "min_value": "Enter 1 or more teachers.",
        },
    )


class PlansForm(forms.ModelForm):
    courses = ModelMultipleChoiceField(
        label="Courses you plan to offer",
        queryset=Course.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    workshop_venues = LongTextField(
        label="Workshop venues",
        help_text="Where would you hold workshops? Rooms, capacity, accessibility.",
    )
    teachers_year1 = teachers_field(1)
    teachers_year2 = teachers_field(2)
    teachers_year3 = teachers_field(3)

    class Meta:
        model = Application
        fields = [
            "courses",
            "teachers_year1",
            "teachers_year2",
            "teachers_year3",
            "workshop_venues",
        ]

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CommitmentsForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = list(COMMITMENTS)
        labels = COMMITMENT_WORDING

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def budget_field_name(category: str) -> str:
    return f"budget_{category}"


class NeedForm(forms.ModelForm):
    need_justification = LongTextField(
        label="Why you need the funding",
        help_text="Your demonstrated need: the region, the schools, what is missing today.",
    )
    current_funding_sources = LongTextField(
        label="Your current funding sources",
        help_text="Grants, district contracts, donors: who funds this kind of work now.",
    )

    class Meta:
        model = Application
        fields = ["need_justification", "current_funding_sources"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        amounts = {line.category: line.amount for line in self.instance.budget_lines.all()}
        budget_fields = {}
        for category, label in BudgetCategory.choices:
            name = budget_field_name(category)
            budget_fields[name] = MoneyField(label=f"{label} ($)")
            if not self.is_bound and category in amounts:
                self.initial[name] = amounts[category]
        # The amounts first, then the texts about them.
        self.fields = {**budget_fields, **self.fields}

    @property
    def budget_fields(self):
        return [self[budget_field_name(category)] for category in BudgetCategory.values]

    @property
    def text_fields(self):
        return [self[name] for name in self.Meta.fields]

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["budget"] = {
            category: self.cleaned_data[budget_field_name(category)]
            for category in BudgetCategory.values
        }
        return data


class TermsForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["accepts_terms"]

    def __init__(self, *args, terms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.terms = terms
        version = f" (version {terms.version})" if terms else ""
        self.fields[
            "accepts_terms"
        ].label = f"On behalf of my organization, I have read and accept the term sheet{version}."

    def service_data(self) -> dict:
        return {"accepts_terms": self.cleaned_data["accepts_terms"]}


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="Why are you withdrawing? (optional)",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def add_service_errors(form: forms.BaseForm, error) -> list[str]:
    """Put a service's ValidationError beside the form's fields; return what fits nowhere."""
    leftover: list[str] = []
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    for field, errors in error.message_dict.items():
        if field in form.fields and field != NON_FIELD_ERRORS:
            form.add_error(field, errors)
        else:
            leftover.extend(errors)
    return leftover
