"""The dashboards' forms: which year, metric, order and grouping a page shows, and the targets.

Every query-string choice goes through a form, so a hand-edited address falls back to the
default instead of failing. The targets form has one field per metric in the unit people
think in: whole numbers for counts, percent for shares (stored as fractions), the 1-5 scale
for the survey mean, full-time equivalents for staffing. Its inputs are text inputs with a
numeric keyboard, not number inputs: a browser sends a number input it cannot read ("2e")
as blank, and blank means "no target", so a typo would delete the target; as text, the
server sees what was typed, refuses it next to the field and shows it again.
"""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from core.program_years import program_year_choices, program_year_for
from workshops.models import Course

from .models import Metric
from .selectors import METRICS, MetricSpec, Unit

# Shares are typed as whole percents: a target has two decimal places, so 45% is 0.45.
# Growth may pass 100% (tripling is +200%), up to the service's limit of +1000%.
GROWTH_MAX_PERCENT = 1000
# Targets are set for the current program year and the next one; the partner's pages show
# every year targets can be set for, so saving next year's lands on next year's dashboard.
YEARS_AHEAD = 1


def year_choices(today: date, *, before: int = 4, after: int = 0) -> list[tuple[str, str]]:
    """Program years around today's, newest first."""
    return list(reversed(program_year_choices(today, before=before, after=after)))


class YearForm(forms.Form):
    """`?year=`: a program year among the recent ones; the current one when missing or wrong.

    A wrong value in the query string (an old bookmark, a hand edit) falls back to the
    default for that one value, quietly: no error is shown, the others still apply, and the
    form shows the value the page uses.
    """

    year = forms.ChoiceField(label="Program year", required=False)

    def __init__(self, data=None, *, today: date, after: int = 0, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today
        self.fields["year"].choices = year_choices(today, after=after)
        self.fields["year"].initial = program_year_for(today)

    def full_clean(self):
        """Validate with every missing or wrong value replaced by its field's default."""
        if self.is_bound:
            data = self.data.copy()
            for name, field in self.fields.items():
                value = data.get(name)
                try:
                    valid = value not in field.empty_values and field.clean(value) is not None
                except ValidationError:
                    valid = False
                if valid:
                    continue
                default = self.get_initial_for_field(field, name)
                if default is None:
                    data.pop(name, None)
                else:
                    data[name] = str(default)
            self.data = data
        super().full_clean()

    def value(self, name: str, default):
        if self.is_bound:
            self.is_valid()
            if self.cleaned_data.get(name):
                return self.cleaned_data[name]
        return default

    @property
    def program_year(self) -> str:
        return self.value("year", program_year_for(self.today))


class EvidenceForm(YearForm):
    """`?year=&course=` of an evidence page: the course narrows the records to that course's
    (the per-course rows of the dashboard link here); kept when another year is chosen."""

    course = forms.ModelChoiceField(
        queryset=Course.objects.all(), required=False, widget=forms.HiddenInput
    )

    @property
    def chosen_course(self) -> Course | None:
        return self.value("course", None)


SORT_FIXED = {
    "partner": "Partner",
    "met": "Met",
    "on_track": "On track",
    "at_risk": "At risk",
    "missed": "Missed",
}


def sort_choices() -> list[tuple[str, str]]:
    keys = [*SORT_FIXED, *(str(metric) for metric in METRICS)]
    return [(f"{sign}{key}", f"{sign}{key}") for key in keys for sign in ("", "-")]


class ProgramDashboardForm(YearForm):
    """`?year=&metric=&sort=` of the program dashboard."""

    DEFAULT_METRIC = Metric.TEACHERS_ATTENDED

    metric = forms.ChoiceField(
        label="Colour the map by",
        choices=[(str(key), spec.label) for key, spec in METRICS.items()],
        required=False,
    )
    # Kept through the form, so choosing another year or map metric keeps the order.
    sort = forms.ChoiceField(choices=sort_choices, required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["metric"].initial = str(self.DEFAULT_METRIC)

    @property
    def chosen_metric(self) -> Metric:
        return Metric(self.value("metric", self.DEFAULT_METRIC))

    @property
    def chosen_sort(self) -> str:
        return self.value("sort", "partner")


class QualityForm(YearForm):
    """`?year=&by=` of the workshop quality breakdown."""

    BY_CHOICES = [
        ("workshop", "Workshop"),
        ("facilitator", "Facilitator"),
        ("course", "Course"),
        ("partner", "Partner"),
    ]
    by = forms.ChoiceField(label="Break down by", choices=BY_CHOICES, required=False)

    @property
    def grouping(self) -> str:
        return self.value("by", "workshop")


# --- Targets ---------------------------------------------------------------------------------


class TypedIntegerField(forms.IntegerField):
    """A whole number typed in a text input; thousands separators ("1,200") are fine."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "")
        return super().to_python(value)


class TypedDecimalField(forms.DecimalField):
    """A decimal number typed in a text input (a numeric keyboard with a decimal point)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def target_field(spec: MetricSpec) -> forms.Field:
    """The field for one metric's target, in the unit it is read in, as precise as the stored
    target (two decimal places), so a stored target always fits its field unchanged."""
    common = {"label": spec.label, "required": False, "help_text": spec.definition}
    if spec.unit == Unit.COUNT:
        return TypedIntegerField(min_value=0, max_value=99_999_999, **common)
    if spec.unit == Unit.SHARE:
        return TypedIntegerField(
            min_value=0,
            max_value=GROWTH_MAX_PERCENT if spec.key == Metric.TEACHER_GROWTH else 100,
            **common,
        )
    if spec.unit == Unit.MEAN:
        return TypedDecimalField(
            min_value=Decimal("1"),
            max_value=Decimal("5"),
            decimal_places=2,
            max_digits=3,
            **common,
        )
    return TypedDecimalField(
        min_value=Decimal("0"),
        max_value=Decimal("10"),
        decimal_places=2,
        max_digits=4,
        **common,
    )


def unit_suffix(spec: MetricSpec) -> str:
    return {Unit.SHARE: "%", Unit.MEAN: "on 1 to 5", Unit.FTE: "FTE"}.get(spec.unit, "")


class TargetsForm(forms.Form):
    """One optional field per metric; blank means no target (the service deletes it)."""

    def __init__(self, *args, targets: dict[Metric, Decimal] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        targets = targets or {}
        for key, spec in METRICS.items():
            field = target_field(spec)
            name = str(key)
            self.fields[name] = field
            if key in targets:
                self.initial[name] = self.to_field(spec, targets[key])

    @staticmethod
    def to_field(spec: MetricSpec, value: Decimal):
        """A stored target as typed: 0.45 -> 45 (percent), 1200.00 -> 1200, 4.20 -> 4.2,
        4.47 -> 4.47 (every field takes what it shows, so saving unchanged changes nothing)."""
        if spec.unit == Unit.SHARE:
            value = value * 100
        if value == value.to_integral_value():
            return int(value)
        return value.normalize()

    def groups(self) -> list[tuple[str, list[tuple[forms.BoundField, str]]]]:
        """The fields by the metrics' groups, each with its unit, in display order."""
        grouped: dict[str, list] = {}
        for key, spec in METRICS.items():
            grouped.setdefault(spec.group, []).append((self[str(key)], unit_suffix(spec)))
        return list(grouped.items())

    def values(self) -> dict[Metric, Decimal | None]:
        """Cleaned values in the stored unit: percents become fractions."""
        values: dict[Metric, Decimal | None] = {}
        for key, spec in METRICS.items():
            value = self.cleaned_data.get(str(key))
            if value is None:
                values[key] = None
            elif spec.unit == Unit.SHARE:
                values[key] = Decimal(value) / 100
            else:
                values[key] = Decimal(value)
        return values
