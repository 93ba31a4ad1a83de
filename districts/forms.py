"""Forms of the district partnership pages. They type the input; the services judge it."""

from django import forms

from partners.models import Partner
from workshops.models import Course

from .models import District, DistrictCommitment, DistrictPartnership
from .selectors import DISTRICT_CHOICES_LIMIT, district_choices_for
from .services import commitment_year_choices, partnership_create_errors

# The contact is someone else: the browser must not fill in the user's own name and email.
CONTACT_WIDGETS = {
    "since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "contact_name": forms.TextInput(attrs={"autocomplete": "off"}),
    "contact_title": forms.TextInput(attrs={"autocomplete": "off"}),
    "contact_email": forms.EmailInput(attrs={"autocomplete": "off"}),
    "contact_phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    "notes": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
}
CONTACT_HELP = {
    "since": "The day the district joined the partnership.",
    "contact_name": "The person at the district you work with.",
    "contact_title": "For example: Director of Teaching and Learning.",
    "notes": "Only you, the program office and your regional manager see these. "
    "Up to 2,000 characters.",
}
CONTACT_FIELDS = ["since", "contact_name", "contact_title", "contact_email", "contact_phone"]


def district_label(district: District) -> str:
    place = ", ".join(part for part in (district.city, district.state.code) if part)
    return f"{district.name} — {place} (NCES {district.nces_id})"


def _course_field(partner: Partner, *, required: bool) -> forms.ModelChoiceField:
    """The partner's active courses to choose from; any course is accepted as input, so
    that the service can say in words why one the partner does not offer is refused."""
    field = forms.ModelChoiceField(
        queryset=Course.objects.all(), required=required, empty_label="Choose a course"
    )
    offered = partner.courses.filter(is_active=True).order_by("order", "name")
    field.widget.choices = [("", "Choose a course"), *((c.pk, c.name) for c in offered)]
    return field


class PartnershipCreateForm(forms.ModelForm):
    """A new partnership: the district (chosen from a search), the contact, and optionally the
    first commitment."""

    q = forms.CharField(required=False, widget=forms.HiddenInput)
    program_year = forms.ChoiceField(required=False, label="Program year")
    teachers = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=5000,
        label="Teachers committed",
        help_text="How many teachers the district will send to this course's workshops.",
    )

    class Meta:
        model = DistrictPartnership
        fields = ["district", *CONTACT_FIELDS, "notes"]
        widgets = {"district": forms.RadioSelect, **CONTACT_WIDGETS}
        help_texts = CONTACT_HELP

    def __init__(self, *args, partner: Partner, query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        self.query = query
        self.instance.partner = partner
        district = self.fields["district"]
        district.queryset = District.objects.select_related("state")
        district.empty_label = None
        district.help_text = (
            "Districts in your regions; search above by name or NCES id. Districts you "
            "already work with are not listed."
        )
        # Only a page of search results is offered; the one chosen stays listed after an error.
        matches = list(district_choices_for(partner, query)[: DISTRICT_CHOICES_LIMIT + 1])
        self.more_matches = len(matches) > DISTRICT_CHOICES_LIMIT
        matches = matches[:DISTRICT_CHOICES_LIMIT]
        chosen = self.data.get("district") if self.is_bound else None
        if chosen and str(chosen).isdigit() and all(str(d.pk) != chosen for d in matches):
            picked = District.objects.select_related("state").filter(pk=chosen).first()
            if picked is not None:
                matches.insert(0, picked)
        self.matches = matches
        district.widget.choices = [(d.pk, district_label(d)) for d in matches]
        self.fields["program_year"].choices = [
            ("", "No commitment yet"),
            *commitment_year_choices(),
        ]
        self.fields["course"] = _course_field(partner, required=False)
        self.order_fields([*self._meta.fields, "program_year", "course", "teachers"])

    @property
    def commitment_fields(self) -> list:
        return [self[name] for name in ("program_year", "course", "teachers")]

    @property
    def partnership_fields(self) -> list:
        return [self[name] for name in (*CONTACT_FIELDS, "notes")]

    def clean(self):
        data = super().clean()
        # The service's checks (area, duplicates, dates, the commitment) on what could be read,
        # now: a fault the form found must not hide the service's until the next submit.
        problems = partnership_create_errors(
            partner=self.partner,
            district=data.get("district"),
            since=data.get("since"),
            program_year=data.get("program_year") or "",
            course=data.get("course"),
            teachers=data.get("teachers"),
        )
        for name, errors in problems.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, errors)
        return data

    def _post_clean(self):
        # The service validates the partnership as a whole (area, duplicates, dates).
        pass

    @property
    def none_left(self) -> bool:
        """No district is left to add: every one in the partner's regions is a partner."""
        if self.matches:
            return False
        if not self.query:
            return True
        return not district_choices_for(self.partner).exists()

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "district": data["district"],
            **{name: data[name] for name in (*CONTACT_FIELDS, "notes")},
            "program_year": data.get("program_year") or "",
            "course": data.get("course"),
            "teachers": data.get("teachers"),
        }


class PartnershipUpdateForm(forms.ModelForm):
    """A partnership's date, contact and notes; the district stays."""

    class Meta:
        model = DistrictPartnership
        fields = [*CONTACT_FIELDS, "notes"]
        widgets = CONTACT_WIDGETS
        help_texts = CONTACT_HELP

    def _post_clean(self):
        # Leave the instance as stored: partnership_update applies and validates the change.
        pass


class CommitmentForm(forms.Form):
    """Teachers a district commits for a course in a program year (creates or updates)."""

    program_year = forms.ChoiceField(label="Program year")
    teachers = forms.IntegerField(
        min_value=1,
        max_value=5000,
        label="Teachers committed",
        help_text="How many teachers the district will send to this course's workshops.",
    )

    confirm_replace = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label="Replace the number committed before",
    )

    def __init__(self, *args, partner: Partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program_year"].choices = commitment_year_choices()
        self.fields["course"] = _course_field(partner, required=True)
        self.order_fields(["program_year", "course", "teachers", "confirm_replace"])

    def ask_confirmation(self) -> None:
        """Show the confirmation checkbox (after a save was refused as a replacement)."""
        self.fields["confirm_replace"].widget = forms.CheckboxInput()


class CommitmentTeachersForm(forms.ModelForm):
    """Changing the number of teachers of one commitment; its year and course stay."""

    class Meta:
        model = DistrictCommitment
        fields = ["teachers"]
        help_texts = {
            "teachers": "How many teachers the district will send to this course's workshops."
        }

    def _post_clean(self):
        pass
