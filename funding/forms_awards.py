"""Forms of the program office's award pages: open an award, its line amounts, workflow
reasons and disbursements. The services decide; these only shape the input."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone

from core.program_years import program_year_choices, program_year_for
from partners.models import Partner

from .models import TEXT_MAX, BudgetCategory, FundingAward
from .services_awards import REASON_MAX, can_manage_award


def _money_field(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


class AwardCreateForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.filter(
            status__in=[Partner.Status.ACTIVE, Partner.Status.ONBOARDING]
        ).order_by("name"),
        empty_label="Choose a partner",
    )
    program_year = forms.ChoiceField(help_text="July to June.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["program_year"].choices = program_year_choices(today, before=1, after=1)
        self.fields["program_year"].initial = program_year_for(today)


class AwardLinesForm(forms.Form):
    """One requested and one awarded field per budget line, as far as the user may change them.

    Requested amounts and the justification: the partner's program managers and admins, in a
    draft. Awarded amounts: admins, in a draft or proposed award. Fields the user may not
    change are left out (the page shows those amounts as text).
    """

    def __init__(self, *args, award: FundingAward, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.award = award
        draft = award.status == FundingAward.Status.DRAFT
        self.edit_requested = draft and can_manage_award(user, award)
        self.edit_awarded = user.is_program_admin and award.status in (
            FundingAward.Status.DRAFT,
            FundingAward.Status.PROPOSED,
        )
        lines = {line.category: line for line in award.lines.all()}
        for category, label in BudgetCategory.choices:
            line = lines.get(category)
            if self.edit_requested:
                name = f"{category}_requested"
                self.fields[name] = _money_field(
                    f"{label}: requested", "In dollars. Leave empty for no line."
                )
                self.initial.setdefault(name, line.requested if line else None)
            if self.edit_awarded:
                name = f"{category}_awarded"
                self.fields[name] = _money_field(f"{label}: awarded", "In dollars.")
                self.initial.setdefault(name, line.awarded if line else None)
        if self.edit_requested:
            self.fields["need_justification"] = forms.CharField(
                label="Need justification",
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text="Why the partner needs this funding.",
            )
            self.initial.setdefault("need_justification", award.need_justification)

    @property
    def has_fields(self) -> bool:
        return bool(self.fields)

    def rows(self):
        """(category label, requested field or None, awarded field or None) per line."""
        for category, label in BudgetCategory.choices:
            requested = f"{category}_requested"
            awarded = f"{category}_awarded"
            yield (
                category,
                label,
                self[requested] if requested in self.fields else None,
                self[awarded] if awarded in self.fields else None,
            )

    def service_kwargs(self) -> dict:
        """`lines` and `need_justification` for `award_lines_update`."""
        data = self.cleaned_data
        lines: dict[str, dict] = {}
        for category in BudgetCategory.values:
            amounts = {}
            if self.edit_requested:
                amounts["requested"] = data.get(f"{category}_requested")
            if self.edit_awarded:
                amounts["awarded"] = data.get(f"{category}_awarded")
            if amounts:
                lines[category] = amounts
        return {
            "lines": lines,
            "need_justification": data.get("need_justification") if self.edit_requested else None,
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the award's history.",
    )


class DisbursementForm(forms.Form):
    paid_on = forms.DateField(
        label="Paid on", widget=forms.DateInput(attrs={"type": "date"}), initial=datetime.date.today
    )
    amount = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text="In dollars.",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )
    reference = forms.CharField(
        max_length=100,
        required=False,
        help_text="Payment or check number, for the books.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    note = forms.CharField(max_length=300, required=False)
