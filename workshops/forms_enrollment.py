"""Forms of enrollment: a teacher's school (picked from a list, or "not listed"), a school
search, and moving someone to another workshop."""

from django import forms

from districts.models import School

from .models import Workshop

NOT_LISTED = "other"


def school_label(school: School) -> str:
    place = school.city or (school.zip_code.city if school.zip_code_id else "")
    parts = [school.name]
    if place:
        parts.append(place)
    return f"{' · '.join(parts)} (NCES {school.nces_id})"


class SchoolSearchForm(forms.Form):
    """Find a school by name, city or its twelve-digit NCES id (a GET form)."""

    q = forms.CharField(
        label="Search for your school",
        required=False,
        max_length=100,
        help_text="Its name, its city, or its twelve-digit NCES id.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class EnrollmentForm(forms.Form):
    """The school a teacher comes from: one of `schools` (a radio list that works without
    JavaScript), or "my school is not listed" with its name and ZIP code."""

    school = forms.CharField(
        label="Your school",
        required=False,
        widget=forms.RadioSelect,
        help_text="Not in the list? Search for it, or choose “My school is not listed”.",
    )
    school_name = forms.CharField(
        label="School name",
        required=False,
        max_length=200,
        help_text="Only when your school is not listed.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    school_zip = forms.CharField(
        label="School ZIP code",
        required=False,
        max_length=10,
        help_text="Only when your school is not listed. Five digits, e.g. 98101.",
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "size": 10}
        ),
    )

    def __init__(self, *args, schools: list[School], allow_unlisted: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_unlisted = allow_unlisted
        choices = [(str(s.pk), school_label(s)) for s in schools]
        if allow_unlisted:
            choices.append((NOT_LISTED, "My school is not listed"))
        else:
            del self.fields["school_name"]
            del self.fields["school_zip"]
            self.fields["school"].help_text = "Not in the list? Search for it by name."
        self.fields["school"].widget.choices = choices

    def clean_school(self) -> School | str | None:
        value = (self.cleaned_data.get("school") or "").strip()
        if not value:
            return None
        if value == NOT_LISTED and self.allow_unlisted:
            return NOT_LISTED
        school = (
            School.objects.filter(pk=int(value), is_active=True).first()
            if value.isdigit() and len(value) < 12
            else None
        )
        if school is None:
            raise forms.ValidationError("Choose a school from the list.")
        return school

    def clean(self):
        data = super().clean()
        if "school" in data and data["school"] is None:
            self.add_error(
                "school",
                "Choose your school, or “My school is not listed” and give its name and ZIP code."
                if self.allow_unlisted
                else "Choose your school.",
            )
        return data

    def service_kwargs(self) -> dict:
        school = self.cleaned_data["school"]
        if isinstance(school, School):
            return {"school": school}
        return {
            "school_name": self.cleaned_data.get("school_name", ""),
            "school_zip": self.cleaned_data.get("school_zip", ""),
        }


class MoveForm(forms.Form):
    """Move someone to another workshop of the same partner."""

    to_workshop = forms.ModelChoiceField(
        label="Move to",
        queryset=Workshop.objects.none(),
        empty_label="Choose a workshop",
        help_text="They get a place if one is free there, else the back of its waitlist.",
    )

    def __init__(self, *args, workshops, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_workshop"].queryset = workshops
        self.fields["to_workshop"].label_from_instance = self._label

    @staticmethod
    def _label(workshop: Workshop) -> str:
        first = getattr(workshop, "first_date", None)
        when = f" · {first:%b %-d, %Y}" if first else ""
        return f"{workshop.display_title}{when} (#{workshop.pk})"
