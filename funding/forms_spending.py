"""Forms of the partner's funding pages: spending reports, their lines and receipts, and
independent funding. They only shape input; the services decide what is allowed."""

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from core.program_years import PROGRAM_YEAR_RE, program_year_bounds, program_year_choices

from .models import BudgetCategory, FundingAward, FundingSourceKind, SpendingReport
from .services_spending import RECEIPT_TYPES_TEXT

DATE = forms.DateInput(attrs={"type": "date"})


def money_field(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text=help_text or "In dollars and cents, e.g. 1250.00.",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )


class YearForm(forms.Form):
    """Which program year the funding page shows."""

    year = forms.ChoiceField(label="Program year")

    def __init__(self, *args, years: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]


class SpendingReportForm(forms.Form):
    award = forms.ModelChoiceField(
        queryset=FundingAward.objects.none(),
        label="Award",
        empty_label=None,
        help_text="Spending is reported on an approved award.",
    )
    period_start = forms.DateField(label="From", widget=DATE)
    period_end = forms.DateField(label="To", widget=DATE)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: anything the program office should know about this period.",
    )

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].queryset = FundingAward.objects.filter(
            partner=partner, status=FundingAward.Status.APPROVED
        ).order_by("-program_year")
        self.fields["award"].label_from_instance = lambda award: f"{award.program_year} award"


def report_period_initial(award: FundingAward | None) -> dict:
    if award is None:
        return {}
    first, last = program_year_bounds(award.program_year)
    return {"award": award, "period_start": first, "period_end": last}


class SpendingLineForm(forms.Form):
    category = forms.ChoiceField(label="Budget line", choices=BudgetCategory.choices)
    workshop = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Workshop",
        empty_label="Not for one workshop",
        help_text="When the money went to one of your workshops: it counts in cost per teacher.",
    )
    spent_on = forms.DateField(label="Date", widget=DATE)
    description = forms.CharField(
        label="Description", max_length=200, help_text="What it paid for, e.g. lunch, day 1."
    )
    amount = money_field("Amount")

    def __init__(self, *args, report: SpendingReport, **kwargs):
        from workshops.models import Workshop

        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = (
            Workshop.objects.filter(
                partner_id=report.award.partner_id, program_year=report.award.program_year
            )
            .select_related("course", "kind")
            .order_by("course__name", "pk")
        )
        self.fields["workshop"].label_from_instance = lambda w: f"{w.display_title} (#{w.pk})"
        self.fields[
            "spent_on"
        ].help_text = (
            f"Between {report.period_start:%b %-d, %Y} and {report.period_end:%b %-d, %Y}."
        )


class ReceiptForm(forms.Form):
    file = forms.FileField(
        label="Receipt",
        help_text=(
            f"{RECEIPT_TYPES_TEXT[0].upper()}{RECEIPT_TYPES_TEXT[1:]}, at most "
            f"{filesizeformat(settings.RECEIPT_MAX_BYTES)}."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/png,image/jpeg,image/gif,image/webp"}
        ),
    )

    def __init__(self, *args, line_pk: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if line_pk is not None:
            # Several receipt forms share a page: each field needs its own id.
            self.auto_id = f"id_receipt_{line_pk}_%s"


class SubmitForm(forms.Form):
    note = forms.CharField(
        label="Note to the program office",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, explain: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if explain:
            self.fields["note"].required = True
            self.fields["note"].label = "Why the spending is over the awarded amount"
            self.fields["note"].help_text = "Required: a line is over what was awarded."


class IndependentFundingForm(forms.Form):
    program_year = forms.ChoiceField(label="Program year")
    kind = forms.ChoiceField(label="Kind of source", choices=FundingSourceKind.choices)
    source = forms.CharField(
        label="From", max_length=200, help_text="Who gives it, e.g. the district or foundation."
    )
    amount = money_field("Amount")
    note = forms.CharField(label="Note", required=False, max_length=300)

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program_year"].choices = program_year_choices(today, before=3, after=1)
        # An older source keeps its year among the choices (only a well-formed one).
        current = self.initial.get("program_year")
        choices = self.fields["program_year"].choices
        if current and (current, current) not in choices and PROGRAM_YEAR_RE.match(current):
            self.fields["program_year"].choices = [(current, current), *choices]
