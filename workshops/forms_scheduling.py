"""Forms for scheduling a workshop in the partner workspace: the workshop, its sessions (a
formset) and the cancellation note. Services do the real checks; these shape the input."""

from django import forms
from django.db.models import Q

from accounts.models import Role, User
from core.forms import ModelMultipleChoiceField
from core.time_zones import US_TIME_ZONES
from districts.models import District
from geography.models import ZipCode
from geography.zips import MalformedZip, normalize_zip
from partners.models import Partner

from .models import Course, Workshop, WorkshopKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock date and time, kept naive: the service reads it in the workshop's zone
    (which the venue ZIP decides, in the same form), not in the site's zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        result = super().to_python(value)
        return result.replace(tzinfo=None) if result is not None else None


class KindChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: WorkshopKind) -> str:
        return f"{obj.course.name}: {obj.name}"


class FacilitatorChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.email


class WorkshopForm(forms.Form):
    """A workshop's details. Times are in the workshop's zone: the venue ZIP's, or the chosen
    one for an online workshop."""

    course = forms.ModelChoiceField(queryset=Course.objects.none(), empty_label=None)
    kind = KindChoiceField(
        queryset=WorkshopKind.objects.none(),
        label="Kind of workshop",
        help_text="One of the course's kinds.",
    )
    title = forms.CharField(
        max_length=200, required=False, help_text="Optional; the course and kind name it otherwise."
    )
    description = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_online = forms.BooleanField(label="Online workshop", required=False)
    venue = forms.CharField(
        max_length=200, required=False, help_text="In person: where it happens, e.g. a school."
    )
    address = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    city = forms.CharField(
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    zip_code = forms.CharField(
        label="Venue ZIP code",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
        help_text="In person: decides the time zone and the distance search.",
    )
    time_zone = forms.ChoiceField(
        choices=[("", "—"), *US_TIME_ZONES],
        required=False,
        help_text="Online workshops only; in person, the venue's ZIP code decides it.",
    )
    online_url = forms.URLField(
        label="Online link",
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
        help_text="Online workshops: shown only to enrolled teachers.",
    )
    capacity = forms.IntegerField(min_value=1, max_value=10000, initial=30)
    enrollment_opens_at = LocalDateTimeField(
        label="Enrollment opens",
        required=False,
        help_text="In the workshop's time zone. Empty: as soon as it is published.",
    )
    enrollment_closes_at = LocalDateTimeField(
        label="Enrollment closes",
        required=False,
        help_text="In the workshop's time zone. Empty: when the first session starts.",
    )
    reserved_for = forms.ModelChoiceField(
        queryset=District.objects.none(),
        required=False,
        empty_label="Open to every teacher",
        label="Reserved for district",
        help_text="Only teachers from this partner district's schools may enroll.",
    )
    facilitators = FacilitatorChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="From the partner's roster; each must be accredited for the course this "
        "program year.",
    )

    def __init__(self, *args, partner: Partner, workshop: Workshop | None = None, **kwargs):
        if workshop is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(workshop)
        super().__init__(*args, **kwargs)
        courses = partner.courses.filter(is_active=True)
        if workshop is not None:
            courses = Course.objects.filter(Q(pk__in=courses) | Q(pk=workshop.course_id))
        self.fields["course"].queryset = courses.order_by("order", "name")
        self.fields["kind"].queryset = (
            WorkshopKind.objects.filter(course__in=courses, is_active=True)
            .select_related("course")
            .order_by("course__order", "course__name", "order", "name")
        )
        self.fields["reserved_for"].queryset = District.objects.filter(
            partnerships__partner=partner
        ).order_by("name")
        assigned = Q(pk__in=workshop.facilitators.values("pk")) if workshop else Q(pk__in=[])
        self.fields["facilitators"].queryset = (
            User.objects.filter(Q(rosters__partner=partner, role=Role.FACILITATOR) | assigned)
            .distinct()
            .order_by("last_name", "first_name", "email")
        )

    @staticmethod
    def initial_for(workshop: Workshop) -> dict:
        zone = workshop.zone

        def local(value):
            return value.astimezone(zone).replace(tzinfo=None) if value else None

        return {
            "course": workshop.course_id,
            "kind": workshop.kind_id,
            "title": workshop.title,
            "description": workshop.description,
            "is_online": workshop.is_online,
            "venue": workshop.venue,
            "address": workshop.address,
            "city": workshop.city,
            "zip_code": workshop.zip_code.code if workshop.zip_code_id else "",
            "time_zone": workshop.time_zone if workshop.is_online else "",
            "online_url": workshop.online_url,
            "capacity": workshop.capacity,
            "enrollment_opens_at": local(workshop.enrollment_opens_at),
            "enrollment_closes_at": local(workshop.enrollment_closes_at),
            "reserved_for": workshop.reserved_for_id,
            "facilitators": [p.pk for p in workshop.facilitators.all()],
        }

    def clean_zip_code(self):
        raw = self.cleaned_data.get("zip_code")
        if not raw:
            return None
        try:
            code = normalize_zip(raw)
        except MalformedZip as error:
            raise forms.ValidationError(str(error)) from None
        zip_code = ZipCode.objects.filter(code=code).first()
        if zip_code is None:
            raise forms.ValidationError(f"We do not know the ZIP code {code}.")
        return zip_code

    def service_data(self) -> dict:
        """The workshop fields for workshop_create / workshop_update."""
        names = [name for name in self.fields if name != "facilitators"]
        return {name: self.cleaned_data.get(name) for name in names}

    def valid_data(self) -> dict:
        """The fields that validated, after is_valid() found errors (for workshop_check)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name: cleaned[name]
            for name in self.fields
            if name != "facilitators" and name in cleaned and name not in self.errors
        }

    def chosen_facilitators(self) -> list[User]:
        return list(self.cleaned_data.get("facilitators") or [])


class SessionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    date = forms.DateField(widget=DateInput())
    start_time = forms.TimeField(label="Starts", widget=TimeInput())
    end_time = forms.TimeField(label="Ends", widget=TimeInput())


class BaseSessionFormSet(forms.BaseFormSet):
    """The sessions; blank extra rows are ignored, rows ticked "Delete" are removed."""

    def sessions(self, *, valid_only: bool = False) -> list[dict]:
        """The rows as dicts for the services; `valid_only` leaves out rows with errors (for
        checking the rest while the formset has errors, see workshop_check)."""
        rows = []
        for form in self.forms:
            if valid_only and form.errors:
                continue
            if not form.has_changed() and not form.cleaned_data.get("id"):
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            row = {name: data.get(name) for name in ("date", "start_time", "end_time")}
            if data.get("id"):
                row["id"] = data["id"]
            rows.append(row)
        return rows


def session_formset(data=None, *, workshop: Workshop | None = None) -> BaseSessionFormSet:
    initial = None
    extra = 2
    if workshop is not None:
        initial = [
            {"id": s.pk, "date": s.date, "start_time": s.start_time, "end_time": s.end_time}
            for s in workshop.sessions.all()
        ]
        extra = 1
    formset_class = forms.formset_factory(
        SessionForm,
        formset=BaseSessionFormSet,
        extra=extra,
        can_delete=True,
        max_num=30,
        validate_max=True,
    )
    return formset_class(data, initial=initial, prefix="sessions")


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="A note for enrolled teachers",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional; it is in the email everyone enrolled or waitlisted gets.",
    )
