"""Filtering and sorting the review queue (/manage/applications/)."""

import django_filters
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When

from accounts.models import Role, User
from geography.models import Region, State
from geography.selectors import touching_state

from .models import Application, ApplicationRound, RegionWindow, Review, ReviewerAssignment, Status
from .selectors import regions_reviewed_by

# Drafts are the applicant's business: the queue never lists them.
QUEUE_STATUSES = [(value, label) for value, label in Status.choices if value != Status.DRAFT]
# Sorting by status follows the workflow, not the alphabet.
STATUS_ORDER = Case(
    *(When(status=value, then=Value(n)) for n, (value, _) in enumerate(Status.choices)),
    output_field=IntegerField(),
)
SORTS = [
    ("-submitted", "Newest submitted first"),
    ("submitted", "Oldest submitted first"),
    ("name", "Organization, A to Z"),
    ("-name", "Organization, Z to A"),
    ("-mean", "Highest mean score first"),
    ("mean", "Lowest mean score first"),
    ("status", "Status, in workflow order"),
    ("-status", "Status, reverse workflow order"),
]
DEFAULT_SORT = SORTS[0][0]
SORT_EXPRESSIONS = {
    "submitted": F("submitted_at"),
    "name": F("legal_name"),
    # `mean_score` is annotated by the view (views.review._queue_queryset).
    "mean": F("mean_score"),
    "status": STATUS_ORDER,
}


def _regions(request) -> QuerySet[Region]:
    return regions_reviewed_by(request.user).order_by("name") if request else Region.objects.none()


class ApplicationQueueFilterSet(django_filters.FilterSet):
    """The queue's filters. Pass `request`: the region choices follow the user's scope."""

    q = django_filters.CharFilter(
        method="search", label="Search", help_text="Organization name, legal name or city."
    )
    status = django_filters.ChoiceFilter(
        choices=QUEUE_STATUSES, empty_label="Any status", label="Status"
    )
    region = django_filters.ModelChoiceFilter(
        queryset=_regions, to_field_name="slug", empty_label="Any region", label="Region"
    )
    state = django_filters.ModelChoiceFilter(
        queryset=State.objects.all(),
        to_field_name="code",
        method="in_state",
        empty_label="Any state",
        label="State",
    )
    round = django_filters.ModelChoiceFilter(
        queryset=ApplicationRound.objects.all(),
        method="in_round",
        empty_label="Any round",
        label="Round",
    )
    reviewer = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(
            is_active=True, role__in=[Role.PROGRAM_ADMIN, Role.REGIONAL_MANAGER]
        ),
        method="by_reviewer",
        empty_label="Any reviewer",
        label="Reviewer",
    )
    sort = django_filters.ChoiceFilter(
        choices=SORTS, method="sort_by", empty_label=None, label="Sort by"
    )

    class Meta:
        model = Application
        fields = ["q", "status", "region", "state", "round", "reviewer", "sort"]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        # The sort applies also when none is chosen (or the one given is not valid).
        if not self.form.cleaned_data.get("sort"):
            queryset = self.sort_by(queryset, "sort", DEFAULT_SORT)
        return queryset

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(legal_name__icontains=value)
            | Q(partner__name__icontains=value)
            | Q(city__icontains=value)
        )

    def in_state(self, queryset: QuerySet, name: str, state: State) -> QuerySet:
        """The organization is in the state, or its region has a part there."""
        return queryset.filter(
            Q(state=state) | Q(region__in=Region.objects.filter(touching_state(state.code)))
        )

    def in_round(self, queryset: QuerySet, name: str, round: ApplicationRound) -> QuerySet:
        """Submitted while the region's window of that round was open."""
        return queryset.filter(
            Exists(
                RegionWindow.objects.filter(
                    round=round,
                    region=OuterRef("region"),
                    opens_at__lte=OuterRef("submitted_at"),
                    closes_at__gt=OuterRef("submitted_at"),
                )
            )
        )

    def by_reviewer(self, queryset: QuerySet, name: str, reviewer: User) -> QuerySet:
        """Assigned to the reviewer, or already reviewed by them."""
        return queryset.filter(
            Exists(ReviewerAssignment.objects.filter(application=OuterRef("pk"), reviewer=reviewer))
            | Exists(Review.objects.filter(application=OuterRef("pk"), reviewer=reviewer))
        )

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        key = value.lstrip("-")
        expression = SORT_EXPRESSIONS[key]
        descending = value.startswith("-")
        # Unscored (or unsubmitted) applications sort last either way; pk keeps pages stable.
        ordered = (
            expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        )
        return queryset.order_by(ordered, "-pk" if descending else "pk")
