"""Forms of the review pages: scoring, assigning reviewers, moves and decisions.

They validate input only; the rules live in applications.services, whose errors the views
put back beside these forms (`add_service_error`).
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Q, QuerySet

from accounts.models import Role, User

from ..models import DECISIONS, TEXT_MAX, Application, Criterion, Review, Rubric, Status

REVIEW_MOVES = (Status.IN_REVIEW, Status.INTERVIEW, Status.REFERENCE_CHECK)
DECISION_CHOICES = [(value, label) for value, label in Status.choices if value in DECISIONS]
DECISION_VERBS = {
    Status.ACCEPTED: "Accept",
    Status.DECLINED: "Decline",
    Status.WAITLISTED: "Waitlist",
}
NOT_ALLOWED = "You are not allowed to do this."


def add_service_error(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    """Put a service's refusal beside the field it names, or above the form."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or NOT_ALLOWED)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = field if field in form.fields else None
        if field in (NON_FIELD_ERRORS, "scores"):
            name = None
        form.add_error(name, ValidationError(errors))


def _number(value: Decimal) -> str:
    """2.00 → "2", 1.50 → "1.5": a weight as people write it."""
    return f"{value.normalize():f}"


class ScoreForm(forms.Form):
    """The current reviewer's scores, one field per criterion of the rubric, and a comment."""

    comment = forms.CharField(
        label="Internal comment",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For the program office only; the applicant never sees it.",
    )

    def __init__(self, *args, rubric: Rubric, review: Review | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        self.criteria: list[Criterion] = list(rubric.criteria.all())
        saved = {score.criterion_id: score.value for score in review.scores.all()} if review else {}
        self.saved = saved
        comment = self.fields.pop("comment")
        for criterion in self.criteria:
            description = criterion.description.strip()
            scale = f"0 to {rubric.scale_max}, weight {_number(criterion.weight)}."
            self.fields[self.field_name(criterion)] = forms.IntegerField(
                label=criterion.name,
                required=False,
                min_value=0,
                max_value=rubric.scale_max,
                initial=saved.get(criterion.pk),
                help_text=f"{description} ({scale})" if description else scale.capitalize(),
                widget=forms.NumberInput(
                    attrs={
                        "step": 1,
                        "inputmode": "numeric",
                        "class": "score-input",
                        "data-weight": f"{criterion.weight:.2f}",
                    }
                ),
            )
        self.fields["comment"] = comment
        if review is not None:
            self.fields["comment"].initial = review.comment_internal

    @staticmethod
    def field_name(criterion: Criterion) -> str:
        return f"criterion_{criterion.pk}"

    def clean(self):
        cleaned = super().clean()
        for criterion in self.criteria:
            name = self.field_name(criterion)
            if criterion.pk in self.saved and cleaned.get(name) is None and name not in self.errors:
                self.add_error(
                    name,
                    f"You scored this {self.saved[criterion.pk]}; a score cannot be taken back, "
                    f"only changed: give a score from 0 to {self.rubric.scale_max}.",
                )
        return cleaned

    def scores(self) -> dict[int, int]:
        return {
            criterion.pk: self.cleaned_data[self.field_name(criterion)]
            for criterion in self.criteria
            if self.cleaned_data.get(self.field_name(criterion)) is not None
        }


def reviewers_for(application: Application) -> QuerySet[User]:
    """Who may be asked to review: program admins and the region's regional managers."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.PROGRAM_ADMIN)
            | Q(role=Role.REGIONAL_MANAGER, reviewed_regions__region=application.region_id)
        )
        .exclude(review_assignments__application=application)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


class AssignReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(queryset=User.objects.none(), label="Reviewer")

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers_for(application)
        self.fields["reviewer"].empty_label = "Choose a reviewer"


class MoveForm(forms.Form):
    """A review-stage move; each allowed move is its own submit button (`to_status`)."""

    to_status = forms.ChoiceField(
        choices=[(value, Status(value).label) for value in REVIEW_MOVES], widget=forms.HiddenInput
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Goes on the timeline.",
    )
    share_with_applicant = forms.BooleanField(
        label="The applicant may read this note", required=False
    )


class DecisionForm(forms.Form):
    """A decision with its reason and the email to the applicant, pre-filled and editable.

    The view pre-fills the email for the decision chosen; review.js swaps in another
    decision's default while the person has not edited it. For many applications at once
    the email is a template: {organization} and {region} are filled in per application.
    """

    decision = forms.ChoiceField(choices=DECISION_CHOICES, widget=forms.RadioSelect)
    reason = forms.CharField(
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded on the internal timeline; the applicant does not see it.",
    )
    email_subject = forms.CharField(label="Email subject", max_length=200)
    email_body = forms.CharField(
        label="Email to the applicant", max_length=10_000, widget=forms.Textarea(attrs={"rows": 12})
    )
