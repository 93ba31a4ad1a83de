"""Forms for events: the event itself, registering, attendance, and the report's year."""

from django import forms

from core.program_years import program_year_choices, program_year_for
from geography.models import State
from geography.zips import ZIP_HELP, MalformedZip, normalize_zip
from partners.models import Partner

from .models import Event, EventKind

# The zones the program's events happen in; an event saved with another keeps its own.
TIME_ZONES = (
    ("America/New_York", "Eastern (America/New_York)"),
    ("America/Chicago", "Central (America/Chicago)"),
    ("America/Denver", "Mountain (America/Denver)"),
    ("America/Phoenix", "Arizona (America/Phoenix)"),
    ("America/Los_Angeles", "Pacific (America/Los_Angeles)"),
    ("America/Anchorage", "Alaska (America/Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Pacific/Honolulu)"),
    ("America/Puerto_Rico", "Atlantic (America/Puerto_Rico)"),
    ("Pacific/Guam", "Chamorro (Pacific/Guam)"),
    ("Pacific/Pago_Pago", "Samoa (Pacific/Pago_Pago)"),
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class EventForm(forms.ModelForm):
    """An event. Program managers make and edit only meetups of the partners they manage:
    for them the kind is fixed and the host is one of their partners."""

    time_zone = forms.ChoiceField(choices=TIME_ZONES, initial="America/New_York")
    online_url = forms.URLField(
        label="Online link",
        required=False,
        assume_scheme="https",
        help_text="Shown only to people who are registered.",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    state = forms.ModelChoiceField(
        queryset=State.objects.order_by("name"), required=False, empty_label="—"
    )
    # The model refuses 0 too (a validator and a constraint); here it is said next to the field.
    capacity = forms.IntegerField(
        required=False,
        min_value=1,
        help_text="Empty: no limit.",
        error_messages={"min_value": "Give at least 1 place, or leave it empty for no limit."},
    )

    class Meta:
        model = Event
        fields = [
            "kind",
            "name",
            "host_partner",
            "description",
            "starts_on",
            "ends_on",
            "start_time",
            "end_time",
            "time_zone",
            "is_online",
            "online_url",
            "venue",
            "address",
            "city",
            "state",
            "capacity",
            "registration_closes_on",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "registration_closes_on": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }
        help_texts = {
            "start_time": "Local time at the event, in its time zone.",
            "host_partner": "Community meetups only: the partner hosting it.",
        }

    def __init__(self, *args, user, host_partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_admin = user.is_program_admin
        self.fields["host_partner"].queryset = host_partners
        self.fields["host_partner"].empty_label = "—"
        zone = self.instance.time_zone if self.instance.pk else None
        if zone and zone not in dict(TIME_ZONES):
            self.fields["time_zone"].choices = [*TIME_ZONES, (zone, zone)]
        if not self.is_admin:
            # A program manager's event is a meetup of one of their partners.
            del self.fields["kind"]
            self.instance.kind = EventKind.MEETUP
            self.fields["host_partner"].required = True
            self.fields["host_partner"].empty_label = None
            self.fields["host_partner"].help_text = "The partner hosting the meetup."

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.fields}
        if not self.is_admin:
            data["kind"] = EventKind.MEETUP
        return data


class RegistrationForm(forms.Form):
    """Registering: which partner (program managers of several) and, for people without a
    school or home ZIP, the ZIP of their school."""

    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        label="Partner you come with",
        empty_label="Choose a partner",
    )
    zip_code = forms.CharField(
        label="Your school's ZIP code",
        max_length=10,
        help_text="Places you in a Regional Partner's region. " + ZIP_HELP,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "size": 10}
        ),
    )

    def __init__(self, *args, partners=(), needs_zip: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if len(partners) > 1:
            self.fields["partner"].queryset = Partner.objects.filter(
                pk__in=[p.pk for p in partners]
            ).order_by("name")
        else:
            del self.fields["partner"]
        if not needs_zip:
            del self.fields["zip_code"]

    def clean_zip_code(self) -> str:
        try:
            return normalize_zip(self.cleaned_data["zip_code"])
        except MalformedZip as error:
            raise forms.ValidationError(str(error)) from None


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label="Attended",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick everyone who came; people left unticked are recorded as absent.",
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = list(registrations)
        self.fields["attended"].choices = [
            (str(r.pk), f"{r.user} ({r.partner})" if r.partner_id else str(r.user))
            for r in self.registrations
        ]
        if not self.is_bound:
            self.initial["attended"] = [str(r.pk) for r in self.registrations if r.attended]

    def attended_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["attended"]]


class ReportYearForm(forms.Form):
    program_year = forms.ChoiceField(label="Program year")

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program_year"].choices = program_year_choices(today, before=3, after=1)
        self.fields["program_year"].initial = program_year_for(today)

    def year(self, today) -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["program_year"]
        return program_year_for(today)
