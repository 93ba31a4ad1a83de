"""/api/v1/funding/: awards, their workflow, disbursements, and the overview.

Scope as the pages: admins see every award, regional managers their partners', program
managers their partner's; anything else is 404. Workflow actions are one endpoint each. A
reader who may not make a change gets 403; service refusals are 400, keyed by field (line
amounts as `<category>_requested` / `<category>_awarded`).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ServiceErrorsMixin, field_errors_response
from core.program_years import validate_program_year
from partners.models import Partner
from partners.serializers import PartnerRefSerializer

from . import services_awards as services
from .filters import AwardFilterSet
from .models import AwardLine, BudgetCategory, Disbursement, FundingAward
from .selectors_awards import (
    awards_visible_to,
    funding_overview,
    overview_partners,
    with_totals,
)

FIELD_ERRORS = field_errors_response(
    {"amount": ["That is more than the award has left: $120.00 remains."]}
)


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class AwardLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = AwardLine
        fields = ["category", "requested", "awarded"]
        read_only_fields = fields


class AwardSerializer(serializers.ModelSerializer):
    """An award with its lines and totals (requested, awarded, disbursed, remaining)."""

    partner = PartnerRefSerializer(read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft, proposed, approved or closed.")
    lines = AwardLineSerializer(many=True, read_only=True)
    requested_total = _money(read_only=True)
    awarded_total = _money(read_only=True)
    disbursed_total = _money(read_only=True)
    remaining = serializers.SerializerMethodField()

    class Meta:
        model = FundingAward
        fields = [
            "id",
            "partner",
            "program_year",
            "status",
            "need_justification",
            "lines",
            "requested_total",
            "awarded_total",
            "disbursed_total",
            "remaining",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_remaining(self, award) -> str:
        """Awarded less disbursed, in dollars (a string with two decimals)."""
        return f"{award.awarded_total - award.disbursed_total:.2f}"


class AwardCreateSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    program_year = serializers.CharField(max_length=7)


class LineAmountsSerializer(serializers.Serializer):
    requested = _money(required=False, allow_null=True, min_value=0)
    awarded = _money(required=False, allow_null=True, min_value=0)


class LinesUpdateSerializer(serializers.Serializer):
    """Amounts per budget line; leave a key out to keep it. `requested: null` removes a line."""

    lines = serializers.DictField(child=LineAmountsSerializer(), required=False, default=dict)
    need_justification = serializers.CharField(
        required=False, allow_blank=True, max_length=3000, allow_null=True, default=None
    )

    def validate_lines(self, value: dict) -> dict:
        unknown = sorted(set(value) - set(BudgetCategory.values))
        if unknown:
            raise serializers.ValidationError(f"Unknown budget lines: {', '.join(unknown)}.")
        return value


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.REASON_MAX)


class DisbursementSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = Disbursement
        fields = ["id", "paid_on", "amount", "reference", "note", "created_by", "created_at"]
        read_only_fields = ["id", "created_by", "created_at"]
        extra_kwargs = {"amount": {"min_value": Decimal("0.01")}}

    def get_created_by(self, disbursement) -> str | None:
        user = disbursement.created_by
        return (user.get_full_name() or user.email) if user else None


class OverviewRowSerializer(serializers.Serializer):
    partner = PartnerRefSerializer(read_only=True)
    partner_status = serializers.CharField(source="partner.status")
    award_id = serializers.IntegerField(allow_null=True)
    award_status = serializers.CharField(allow_null=True)
    requested = _money()
    awarded = _money()
    disbursed = _money()
    spent = _money()
    independent = _money()
    sustainability_share = serializers.DecimalField(
        source="share", max_digits=4, decimal_places=1, allow_null=True
    )


class OverviewSerializer(serializers.Serializer):
    program_year = serializers.CharField()
    rows = OverviewRowSerializer(many=True)
    requested = _money()
    awarded = _money()
    disbursed = _money()
    spent = _money()
    independent = _money()
    sustainability_share = serializers.DecimalField(
        source="share", max_digits=4, decimal_places=1, allow_null=True
    )


@extend_schema(tags=["funding"])
class AwardViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Funding awards in the user's scope, filterable by program_year, partner and status."""

    serializer_class = AwardSerializer
    filterset_class = AwardFilterSet
    permission_classes = [IsAuthenticated]
    permission_denied_message = True
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FundingAward.objects.none()
        return (
            with_totals(awards_visible_to(self.request.user))
            .select_related("partner")
            .prefetch_related("lines")
            .order_by("-program_year", "partner__name", "pk")
        )

    def _read(self, award: FundingAward, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=award.pk)
        return Response(AwardSerializer(fresh, context=self.get_serializer_context()).data, code)

    @extend_schema(
        summary="Open a draft award (program admins)",
        request=AwardCreateSerializer,
        responses={201: AwardSerializer, 400: FIELD_ERRORS},
    )
    def create(self, request, *args, **kwargs):
        incoming = AwardCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        award = services.award_create(user=request.user, **incoming.validated_data)
        return self._read(award, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change line amounts and the need justification",
        request=LinesUpdateSerializer,
        responses={200: AwardSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="lines")
    def lines(self, request, pk=None):
        award = self.get_object()
        incoming = LinesUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        lines = {
            category: dict(amounts)
            for category, amounts in incoming.validated_data["lines"].items()
        }
        services.award_lines_update(
            award=award,
            user=request.user,
            lines=lines,
            need_justification=incoming.validated_data.get("need_justification"),
        )
        return self._read(award)

    @extend_schema(
        summary="Propose a draft (the partner's program managers, admins)",
        request=None,
        responses={200: AwardSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        return self._read(services.award_propose(award=self.get_object(), user=request.user))

    @extend_schema(
        summary="Approve a proposed award (program admins)",
        request=None,
        responses={200: AwardSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._read(services.award_approve(award=self.get_object(), user=request.user))

    @extend_schema(
        summary="Return a proposed or approved award to draft (program admins)",
        request=ReasonSerializer,
        responses={200: AwardSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="return-to-draft")
    def return_to_draft(self, request, pk=None):
        award = self.get_object()
        if not request.user.is_program_admin:
            raise PermissionDenied("Only program admins can return awards to draft.")
        incoming = ReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        award = services.award_return_to_draft(
            award=award, user=request.user, reason=incoming.validated_data["reason"]
        )
        return self._read(award)

    @extend_schema(
        summary="Close an approved award (program admins)",
        request=None,
        responses={200: AwardSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._read(services.award_close(award=self.get_object(), user=request.user))

    @extend_schema(
        methods=["GET"],
        summary="The award's payments",
        request=None,
        responses={200: DisbursementSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a payment (program admins; never beyond the award)",
        request=DisbursementSerializer,
        responses={201: DisbursementSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def disbursements(self, request, pk=None):
        award = self.get_object()
        if request.method == "GET":
            payments = award.disbursements.select_related("created_by")
            return Response(DisbursementSerializer(payments, many=True).data)
        if not request.user.is_program_admin:
            raise PermissionDenied("Only program admins record payments.")
        incoming = DisbursementSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        payment = services.disbursement_create(
            award=award, user=request.user, **incoming.validated_data
        )
        return Response(DisbursementSerializer(payment).data, status=status.HTTP_201_CREATED)


class OverviewView(APIView):
    """The overview for one program year: one row per active or onboarding partner in scope."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["funding"],
        summary="Funding per partner for a program year, with totals",
        parameters=[
            OpenApiParameter("program_year", str, required=True, description="e.g. 2026-27")
        ],
        responses={200: OverviewSerializer, 400: FIELD_ERRORS},
    )
    def get(self, request):
        year = request.query_params.get("program_year", "")
        try:
            validate_program_year(year)
        except DjangoValidationError as error:
            raise ValidationError({"program_year": error.messages}) from None
        data = funding_overview(
            user=request.user, program_year=year, partners=overview_partners(request.user)
        )
        return Response(OverviewSerializer(data).data)
