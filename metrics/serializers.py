"""API shapes for metrics: figures, targets and statuses per partner (see metrics.api)."""

from rest_framework import serializers

from partners.commitments import CommitmentState
from partners.serializers import PartnerRefSerializer

from .models import Metric
from .selectors import Unit


def _number(**kwargs) -> serializers.DecimalField:
    # Counts come out whole ("1204"), shares as fractions ("0.4500" -> "0.45").
    return serializers.DecimalField(
        max_digits=14, decimal_places=4, normalize_output=True, allow_null=True, **kwargs
    )


class TrendPointSerializer(serializers.Serializer):
    program_year = serializers.CharField()
    value = _number()


class MetricValueSerializer(serializers.Serializer):
    """One metric of a partner's year: the actual against the target, judged."""

    metric = serializers.ChoiceField(choices=Metric.choices)
    label = serializers.CharField()
    unit = serializers.ChoiceField(
        choices=[(u.value, u.value) for u in Unit],
        help_text="count: whole number; share: fraction (0.45 is 45%); mean: 1-5; fte.",
    )
    actual = _number(
        help_text="null: no figure (nothing to take a share of, no teachers in the year "
        "before to grow from, no funding, or program-manager FTE of a year that is over)."
    )
    target = _number(help_text="null: no target set.")
    # A plain string: the commitments' states (partners.commitments.CommitmentState) are
    # named elsewhere in the schema already.
    status = serializers.CharField(
        allow_null=True,
        help_text=f"{', '.join(CommitmentState.values)}; null: no target, or no figure to "
        "judge (actual null: shown as 'No data').",
    )
    region = _number(help_text="The region's own share (diversity metrics), else null.")


class MetricTrendSerializer(MetricValueSerializer):
    trend = TrendPointSerializer(many=True, help_text="Oldest year first.")


class CourseFiguresSerializer(serializers.Serializer):
    course_id = serializers.IntegerField()
    course_name = serializers.CharField()
    teachers_attended = serializers.IntegerField()
    teachers_implementing = serializers.IntegerField()
    schools_implementing = serializers.IntegerField()


class SurveyItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    question = serializers.CharField()
    mean = _number()


class PartnerMetricsSerializer(serializers.Serializer):
    """A partner's metrics for a program year."""

    partner = PartnerRefSerializer()
    program_year = serializers.CharField()
    metrics = MetricValueSerializer(many=True)


class PartnerDashboardSerializer(serializers.Serializer):
    """A partner's metrics for a program year with the trend over the years before."""

    partner = PartnerRefSerializer()
    program_year = serializers.CharField()
    years = serializers.ListField(child=serializers.CharField())
    metrics = MetricTrendSerializer(many=True)
    by_course = CourseFiguresSerializer(many=True)
    survey_items = SurveyItemSerializer(many=True)


class TargetsSerializer(serializers.Serializer):
    """A partner's targets for a year, by metric key (units as in the metrics)."""

    partner = PartnerRefSerializer(read_only=True)
    program_year = serializers.CharField(read_only=True)
    targets = serializers.DictField(
        child=_number(),
        help_text="{metric: value}. In a PUT, a metric set to null loses its target; metrics "
        "left out keep theirs.",
    )
