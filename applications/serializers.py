"""Serializers of the applications API: what it shows, and what each workflow action takes.

Read serializers show an application with its sections; staff (program admins and the
region's reviewers) also get the review summary and the full timeline. Input serializers
only validate and type the input: every write goes through applications.services.
"""

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from funding.models import BudgetCategory
from geography.models import Region, State, ZipCode
from workshops.models import Course

from .models import (
    COMMITMENTS,
    TEXT_MAX,
    Application,
    ApplicationProgramManager,
    BudgetRequestLine,
    DistrictRelationship,
    Reference,
    Review,
    Score,
    Status,
)
from .selectors import (
    ReviewSummary,
    application_timeline,
    application_timeline_for_applicant,
    review_summary,
)
from .services import MAX_REFERENCES, SCALAR_FIELDS

# The moves the program office makes through /transition/. Submitting and withdrawing are
# the applicant's, each with its own endpoint.
STAFF_MOVES = [
    (status.value, status.label)
    for status in (
        Status.IN_REVIEW,
        Status.INTERVIEW,
        Status.REFERENCE_CHECK,
        Status.ACCEPTED,
        Status.DECLINED,
        Status.WAITLISTED,
    )
]


class StrictFieldsMixin:
    """Refuse keys the serializer does not know, instead of silently ignoring them.

    A client that sends `status` or a misspelt section name learns at once that nothing
    was changed by it.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    # The key is echoed back; make sure it is always encodable text.
                    {
                        str(name).encode("utf-8", "replace").decode("utf-8"): ["Unknown field."]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


# --- Read --------------------------------------------------------------------------------


class ApplicationRegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["slug", "name"]


class ProgramManagerSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = ApplicationProgramManager
        fields = ["name", "email", "fte_share"]


class DistrictRelationshipSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = DistrictRelationship
        fields = ["district_name", "relationship"]


class ReferenceSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Reference
        fields = ["name", "organization", "email", "phone"]


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetRequestLine
        fields = ["category", "amount"]


class ReviewSummarySerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Reviews with at least one score.")
    mean = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    median = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    pending_reviewers = serializers.ListField(
        child=serializers.EmailField(), help_text="Assigned reviewers who have not reviewed yet."
    )

    def to_representation(self, summary: ReviewSummary):
        return super().to_representation(
            {
                "count": summary.count,
                "mean": summary.mean,
                "median": summary.median,
                "pending_reviewers": [user.email for user in summary.pending_reviewers],
            }
        )


class TimelineEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    from_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True)
    to_status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(
        allow_blank=True, help_text="Blank for applicants when the note is internal."
    )
    actor = serializers.EmailField(
        allow_null=True, help_text="Staff only: who made the move (null for applicants)."
    )
    is_internal = serializers.BooleanField(
        allow_null=True,
        help_text="Staff only: the note is for the program office (null for applicants).",
    )


def timeline_rows(application: Application, *, staff: bool) -> list[dict]:
    """The timeline through the selector meant for the reader: internal notes never leak."""
    if staff:
        return [
            {
                "at": event.at,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
                "actor": event.actor.email if event.actor else None,
                "is_internal": event.is_internal,
            }
            for event in application_timeline(application)
        ]
    return [
        {
            "at": row["at"],
            "from_status": row["from_status"],
            "to_status": row["to_status"],
            "note": row["public_note"],
            "actor": None,
            "is_internal": None,
        }
        for row in application_timeline_for_applicant(application)
    ]


class ApplicationSerializer(serializers.ModelSerializer):
    """An application with its sections; `review_summary` is for staff and null for applicants.

    Context: `staff` (bool) and, on lists, `review_summaries` ({application id: summary}).
    """

    region = ApplicationRegionSerializer(read_only=True, allow_null=True)
    applicant = serializers.EmailField(source="applicant.email", read_only=True)
    state = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    zip_code = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    courses = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    program_managers = ProgramManagerSerializer(many=True, read_only=True)
    program_manager_fte = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True, help_text="Sum of the FTE shares."
    )
    district_relationships = DistrictRelationshipSerializer(many=True, read_only=True)
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    references = ReferenceSerializer(many=True, read_only=True)
    term_sheet_version = serializers.CharField(
        source="term_sheet.version",
        read_only=True,
        allow_null=True,
        help_text="The term sheet version accepted at submission.",
    )
    partner = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The partner created on acceptance.",
    )
    review_summary = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id", "status", "region", "applicant",
            "legal_name", "organization_type", "tax_id", "is_us_based", "street", "city",
            "state", "zip_code", "website",
            "courses", "teachers_year1", "teachers_year2", "teachers_year3", "workshop_venues",
            *COMMITMENTS,
            "need_justification", "current_funding_sources",
            "program_managers", "program_manager_fte", "district_relationships",
            "budget_lines", "references",
            "accepts_terms", "term_sheet_version", "terms_accepted_at",
            "submitted_at", "decided_at", "partner", "created_at", "updated_at",
            "review_summary",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ReviewSummarySerializer(allow_null=True))
    def get_review_summary(self, application) -> dict | None:
        if not self.context.get("staff"):
            return None
        summaries = self.context.get("review_summaries")
        summary = summaries[application.pk] if summaries is not None else None
        return ReviewSummarySerializer(summary or review_summary(application)).data


class ApplicationDetailSerializer(ApplicationSerializer):
    """One application, with its timeline (internal notes only for staff)."""

    timeline = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "timeline"]
        read_only_fields = fields

    @extend_schema_field(TimelineEventSerializer(many=True))
    def get_timeline(self, application) -> list[dict]:
        rows = timeline_rows(application, staff=bool(self.context.get("staff")))
        return TimelineEventSerializer(rows, many=True).data


class ScoreSerializer(serializers.ModelSerializer):
    criterion_name = serializers.CharField(source="criterion.name", read_only=True)

    class Meta:
        model = Score
        fields = ["criterion", "criterion_name", "value"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    """The reviewer's own review. The comment is internal: only staff ever get this."""

    reviewer = serializers.EmailField(source="reviewer.email", read_only=True)
    rubric = serializers.CharField(source="rubric.name", read_only=True)
    scale_max = serializers.IntegerField(source="rubric.scale_max", read_only=True)
    scores = ScoreSerializer(many=True, read_only=True)
    weighted_total = serializers.DecimalField(
        max_digits=7, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Review
        fields = [
            "id", "application", "reviewer", "rubric", "scale_max", "scores", "weighted_total",
            "comment_internal", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


# --- Input -------------------------------------------------------------------------------


class ApplicationCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    region = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Region.objects.all(),
        required=False,
        allow_null=True,
        help_text="Slug of the region applied for; it can be chosen later too.",
    )


BudgetInputSerializer = type(
    "BudgetInputSerializer",
    (StrictFieldsMixin, serializers.Serializer),
    {
        "__doc__": "Budget request amounts per category; null drops the line, absent keeps it.",
        "__module__": __name__,
        **{
            category: serializers.DecimalField(
                max_digits=12,
                decimal_places=2,
                min_value=0,
                required=False,
                allow_null=True,
                help_text=label,
            )
            for category, label in BudgetCategory.choices
        },
    },
)


class ApplicationDraftSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """Sections of a draft to save: only the keys sent change, nothing is required yet.

    `program_managers`, `district_relationships` and `references` replace their section;
    `budget` changes only the categories it names (null drops one).
    """

    region = serializers.SlugRelatedField(
        slug_field="slug", queryset=Region.objects.all(), allow_null=True
    )
    state = serializers.SlugRelatedField(
        slug_field="code", queryset=State.objects.all(), allow_null=True, help_text="e.g. HI."
    )
    zip_code = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ZipCode.objects.all(),
        allow_null=True,
        help_text="Five digits; sets the state too when `state` is not sent.",
    )
    courses = serializers.SlugRelatedField(
        slug_field="slug", queryset=Course.objects.filter(is_active=True), many=True
    )
    budget = BudgetInputSerializer()
    program_managers = ProgramManagerSerializer(many=True)
    district_relationships = DistrictRelationshipSerializer(many=True)
    references = ReferenceSerializer(many=True, max_length=MAX_REFERENCES)

    class Meta:
        model = Application
        fields = [
            *sorted(SCALAR_FIELDS),
            *("courses", "budget", "program_managers", "district_relationships", "references"),
        ]

    def get_fields(self):
        # A partial save: every top-level key is optional, while an entry of a section
        # still needs all its own fields (so this is not DRF's partial=True).
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


class WithdrawInputSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX, default="", help_text="Why."
    )


class TransitionInputSerializer(StrictFieldsMixin, serializers.Serializer):
    to_status = serializers.ChoiceField(choices=STAFF_MOVES)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_MAX,
        default="",
        help_text="For a decision (accepted, declined, waitlisted) the reason: required.",
    )
    is_internal = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Keep the note from the applicant. Decision reasons are always internal.",
    )


class ReviewInputSerializer(StrictFieldsMixin, serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=32767),
        required=False,
        default=dict,
        help_text="{criterion id: score}; criteria left out keep their score.",
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX, default="", help_text="Internal."
    )

    def validate_scores(self, scores: dict) -> dict[int, int]:
        by_id = {}
        for key, value in scores.items():
            if not str(key).isascii() or not str(key).isdigit():
                raise serializers.ValidationError("Key the scores by criterion id.")
            by_id[int(key)] = value
        return by_id
