"""The spending API under /api/v1/funding/: a partner's spending reports and their lines, its
independent funding and sustainability, and cost per teacher.

Partner routes (`partners/<partner_pk>/...`) take the workspace's scope (api.scoping): out of
scope is 404 for every method; regional managers read, and a write from them answers 403.
Services refuse with Django's ValidationError (400 here, keyed by field) or PermissionDenied
(403), so a refusal is never a 500.
"""

from decimal import Decimal

import django_filters
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ServiceErrorsMixin, field_errors_response
from api.scoping import PartnerScopedMixin, PartnerWritePermission
from core.program_years import program_year_for, validate_program_year
from partners.models import Partner
from workshops.models import Workshop

from . import selectors_spending as selectors
from . import services_spending as services
from .models import (
    BudgetCategory,
    FundingAward,
    FundingSourceKind,
    IndependentFunding,
    SpendingLine,
    SpendingReport,
)

FIELD_ERRORS = field_errors_response({"amount": ["The amount is more than zero."]})
MONEY = {"max_digits": 12, "decimal_places": 2}


# --- Serializers ----------------------------------------------------------------------------


def _inline_choices(choices, description: str):
    """A choice field documented inline, not as a shared enum component: other apps' fields
    named `status` or `kind` have other choices, and the component names would collide."""

    # A pattern, not an `enum`: drf-spectacular lifts every enum into a shared component.
    values = "|".join(value for value, _ in choices)

    @extend_schema_field({"type": "string", "pattern": f"^({values})$"})
    class InlineChoiceField(serializers.ChoiceField):
        pass

    return InlineChoiceField(choices=choices, help_text=description)


class SpendingLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpendingLine
        fields = ["id", "category", "workshop", "spent_on", "description", "amount"]
        read_only_fields = fields


class SpendingLineInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=BudgetCategory.choices)
    workshop = serializers.PrimaryKeyRelatedField(
        queryset=Workshop.objects.none(), required=False, allow_null=True, default=None
    )
    spent_on = serializers.DateField()
    description = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))

    def __init__(self, *args, partner: Partner | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if partner is not None:
            # Only the partner's workshops can be named: any other id is "does not exist".
            self.fields["workshop"].queryset = Workshop.objects.filter(partner=partner)


class OverLineSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=BudgetCategory.choices)
    awarded = serializers.DecimalField(**MONEY, allow_null=True)
    spent = serializers.DecimalField(**MONEY)
    over = serializers.DecimalField(**MONEY)


class SpendingReportSerializer(serializers.ModelSerializer):
    program_year = serializers.CharField(source="award.program_year", read_only=True)
    status = _inline_choices(SpendingReport.Status.choices, "draft, then submitted.")
    total = serializers.DecimalField(**MONEY, read_only=True)
    line_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = SpendingReport
        fields = [
            "id",
            "award",
            "program_year",
            "period_start",
            "period_end",
            "status",
            "note",
            "total",
            "line_count",
            "submitted_at",
            "created_at",
        ]
        read_only_fields = fields


class SpendingReportDetailSerializer(SpendingReportSerializer):
    lines = SpendingLineSerializer(many=True, read_only=True)
    over = serializers.SerializerMethodField(
        help_text="Budget lines over the awarded amount (with this report, while a draft)."
    )

    class Meta(SpendingReportSerializer.Meta):
        fields = [*SpendingReportSerializer.Meta.fields, "lines", "over"]
        read_only_fields = fields

    @extend_schema_field(OverLineSerializer(many=True))
    def get_over(self, report) -> list:
        including = report if report.status == SpendingReport.Status.DRAFT else None
        rows = selectors.award_line_spending(report.award, including=including)
        return OverLineSerializer([row for row in rows if row.is_over], many=True).data


class SpendingReportCreateSerializer(serializers.Serializer):
    award = serializers.PrimaryKeyRelatedField(queryset=FundingAward.objects.none())
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    note = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")

    def __init__(self, *args, partner: Partner | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if partner is not None:
            self.fields["award"].queryset = FundingAward.objects.filter(partner=partner)


class SubmitSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=3000,
        required=False,
        allow_blank=True,
        help_text="Replaces the report's note; required when a line goes over its award.",
    )


class IndependentFundingSerializer(serializers.ModelSerializer):
    program_year = serializers.CharField(max_length=7, validators=[validate_program_year])
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    kind = _inline_choices(FundingSourceKind.choices, "The kind of source.")

    class Meta:
        model = IndependentFunding
        fields = ["id", "program_year", "kind", "source", "amount", "note", "updated_at"]
        read_only_fields = ["id", "updated_at"]


class YearShareSerializer(serializers.Serializer):
    program_year = serializers.CharField()
    awarded = serializers.DecimalField(**MONEY)
    independent = serializers.DecimalField(**MONEY)
    share = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text="Percent, one decimal."
    )
    trend = serializers.ChoiceField(
        choices=["up", "down", "flat"], allow_null=True, help_text="Against the year before."
    )


class CostSerializer(serializers.Serializer):
    spent = serializers.DecimalField(max_digits=14, decimal_places=2)
    teachers = serializers.IntegerField()
    per_teacher = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class CourseCostSerializer(CostSerializer):
    course = serializers.IntegerField()
    course_name = serializers.CharField()


class PartnerCostSerializer(CostSerializer):
    partner = serializers.IntegerField()
    partner_name = serializers.CharField()
    courses = CourseCostSerializer(many=True)


class WorkshopCostSerializer(CostSerializer):
    workshop = serializers.IntegerField()
    title = serializers.CharField()
    partner = serializers.IntegerField()
    course = serializers.IntegerField()


class CostPerTeacherSerializer(serializers.Serializer):
    program_year = serializers.CharField()
    program = CostSerializer(help_text="Every partner of the program together.")
    partners = PartnerCostSerializer(many=True)
    workshops = WorkshopCostSerializer(many=True)


# --- Spending reports -----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The partner's spending reports"),
    retrieve=extend_schema(summary="One spending report, with its lines and over-spent lines"),
    create=extend_schema(
        summary="Open a draft spending report on an approved award",
        request=SpendingReportCreateSerializer,
        responses={201: SpendingReportDetailSerializer, 400: FIELD_ERRORS},
    ),
)
class SpendingReportViewSet(
    ServiceErrorsMixin,
    PartnerScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsAuthenticated, PartnerWritePermission]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SpendingReport.objects.none()
        reports = selectors.spending_reports_for(self.partner)
        if self.action == "retrieve":
            reports = reports.prefetch_related("lines")
        return reports

    def get_serializer_class(self):
        if self.action == "list":
            return SpendingReportSerializer
        return SpendingReportDetailSerializer

    def _fresh(self, pk: int) -> dict:
        report = self.get_queryset().prefetch_related("lines").get(pk=pk)
        return SpendingReportDetailSerializer(report).data

    def create(self, request, *args, **kwargs):
        data = SpendingReportCreateSerializer(data=request.data, partner=self.partner)
        data.is_valid(raise_exception=True)
        report = services.spending_report_create(user=request.user, **data.validated_data)
        return Response(self._fresh(report.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="The report's lines",
        responses=SpendingLineSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a line to a draft report",
        request=SpendingLineInputSerializer,
        responses={201: SpendingLineSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def lines(self, request, *args, **kwargs):
        report = self.get_object()
        if request.method == "GET":
            lines = report.lines.order_by("spent_on", "pk")
            return Response(SpendingLineSerializer(lines, many=True).data)
        data = SpendingLineInputSerializer(data=request.data, partner=self.partner)
        data.is_valid(raise_exception=True)
        line = services.spending_line_add(report=report, user=request.user, **data.validated_data)
        return Response(SpendingLineSerializer(line).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Submit a draft report (an explanation is needed when a line goes over)",
        request=SubmitSerializer,
        responses={200: SpendingReportDetailSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        report = self.get_object()
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.spending_report_submit(
            report=report, user=request.user, note=data.validated_data.get("note")
        )
        return Response(self._fresh(report.pk))


# --- Independent funding --------------------------------------------------------------------


class IndependentFundingFilter(django_filters.FilterSet):
    program_year = django_filters.CharFilter()
    kind = django_filters.ChoiceFilter(choices=FundingSourceKind.choices)

    class Meta:
        model = IndependentFunding
        fields = ["program_year", "kind"]


@extend_schema_view(
    list=extend_schema(summary="The partner's independent funding sources"),
    retrieve=extend_schema(summary="One independent funding source"),
    create=extend_schema(
        summary="Record an independent funding source",
        responses={201: IndependentFundingSerializer, 400: FIELD_ERRORS},
    ),
    update=extend_schema(summary="Correct an independent funding source"),
    partial_update=extend_schema(summary="Correct part of an independent funding source"),
    destroy=extend_schema(summary="Remove an independent funding source"),
)
class IndependentFundingViewSet(ServiceErrorsMixin, PartnerScopedMixin, viewsets.ModelViewSet):
    serializer_class = IndependentFundingSerializer
    filterset_class = IndependentFundingFilter
    permission_classes = [IsAuthenticated, PartnerWritePermission]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return IndependentFunding.objects.none()
        return selectors.independent_funding_for(self.partner)

    def perform_create(self, serializer):
        serializer.instance = services.independent_funding_add(
            partner=self.partner, user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        fields = {
            name: serializer.validated_data.get(name, getattr(serializer.instance, name))
            for name in ("program_year", "kind", "source", "amount", "note")
        }
        serializer.instance = services.independent_funding_update(
            funding=serializer.instance, user=self.request.user, **fields
        )

    def perform_destroy(self, instance):
        services.independent_funding_delete(funding=instance, user=self.request.user)


# --- Sustainability and cost per teacher ----------------------------------------------------


class SustainabilityViewSet(PartnerScopedMixin, viewsets.GenericViewSet):
    serializer_class = YearShareSerializer
    pagination_class = None

    def get_queryset(self):  # no model rows: the shares are computed
        return IndependentFunding.objects.none()

    @extend_schema(
        summary="The partner's sustainability share per program year, with its trend",
        responses=YearShareSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        return Response(YearShareSerializer(selectors.sustainability(self.partner), many=True).data)


class CostPerTeacherQuery(serializers.Serializer):
    program_year = serializers.CharField(
        required=False, validators=[validate_program_year], help_text="Default: this year."
    )


def _cost(cost: selectors.Cost) -> dict:
    return {"spent": cost.spent, "teachers": cost.teachers, "per_teacher": cost.per_teacher}


class CostPerTeacherView(APIView):
    """Cost per teacher per partner in scope (admins: all partners; regional managers: their
    partners; program managers: their own), per course and per workshop, beside the program's
    figure for every partner together."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Cost per teacher by partner, course and workshop",
        parameters=[OpenApiParameter("program_year", str, description="e.g. 2026-27")],
        responses={200: CostPerTeacherSerializer, 400: FIELD_ERRORS},
    )
    def get(self, request):
        user = request.user
        if not (user.is_program_admin or user.is_regional_manager or user.is_program_manager):
            raise PermissionDenied("Only program staff and program managers see funding.")
        query = CostPerTeacherQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("program_year") or program_year_for(timezone.localdate())
        partners = {p.pk: p for p in Partner.objects.visible_to(user).only("pk", "name")}
        costs = selectors.cost_per_teacher(list(partners), year)
        program = selectors.cost_per_teacher(None, year, workshops=False)
        data = {
            "program_year": year,
            "program": _cost(program.total),
            "partners": [
                {
                    "partner": pid,
                    "partner_name": partners[pid].name,
                    **_cost(cost),
                    "courses": [
                        {"course": cid, "course_name": name, **_cost(course_cost)}
                        for cid, name, course_cost in costs.courses_of(pid)
                    ],
                }
                for pid, cost in sorted(costs.partners.items(), key=lambda i: partners[i[0]].name)
            ],
            "workshops": [
                {
                    "workshop": row.workshop.pk,
                    "title": row.workshop.display_title,
                    "partner": row.partner_id,
                    "course": row.course_id,
                    **_cost(row),
                }
                for row in costs.workshops
            ],
        }
        return Response(CostPerTeacherSerializer(data).data)
