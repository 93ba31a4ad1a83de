"""/api/v1/metrics/: partners' figures, targets and statuses, scoped like the dashboards.

Scope: program admins every partner, regional managers their partners, program managers
their own (`Partner.objects.visible_to`); a partner out of scope answers 404, as a missing
one; people with no partner to see (teachers, facilitators) get 404 for the list too.
Setting targets is for program admins: anyone else in scope gets 403.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api.errors import ServiceErrorsMixin, field_errors_response
from core.db_routers import reporting_reads
from core.program_years import program_year_for, validate_program_year
from partners.models import Partner

from . import selectors, services
from .serializers import PartnerDashboardSerializer, PartnerMetricsSerializer, TargetsSerializer

YEAR = OpenApiParameter(
    "year", str, required=False, description="Program year, e.g. 2026-27 (default: the current)."
)
FIELD_ERRORS = field_errors_response({"teachers_attended": ["A count is a whole number."]})


def _metric(spec, actual, target, status, region) -> dict:
    return {
        "metric": spec.key.value,
        "label": spec.label,
        "unit": spec.unit.value,
        "actual": actual,
        "target": target,
        "status": status.value if status else None,
        "region": region,
    }


class MetricsScopeMixin(ServiceErrorsMixin):
    permission_classes = [IsAuthenticated]
    queryset = Partner.objects.none()  # for the schema; scope is `partners()`
    permission_denied_message = True

    def partners(self):
        user = self.request.user
        if not (user.is_program_admin or user.is_regional_manager or user.is_program_manager):
            raise Http404
        return Partner.objects.visible_to(user)

    def partner(self) -> Partner:
        return get_object_or_404(self.partners(), pk=self.kwargs["pk"])

    def program_year(self) -> str:
        year = self.request.query_params.get("year") or program_year_for(timezone.localdate())
        try:
            validate_program_year(year)
        except DjangoValidationError as error:
            raise ValidationError({"year": error.messages}) from None
        return year


class PartnerMetricsListView(MetricsScopeMixin, GenericAPIView):
    serializer_class = PartnerMetricsSerializer
    # One row per partner in scope (a few hundred at most): the whole year in one answer.
    pagination_class = None

    @extend_schema(
        tags=["metrics"],
        summary="Every partner in scope with its figures, targets and statuses for a year",
        parameters=[YEAR],
        responses={200: PartnerMetricsSerializer(many=True), 400: FIELD_ERRORS},
    )
    def get(self, request):
        year = self.program_year()
        with reporting_reads():
            rows = selectors.program_dashboard(
                self.partners().order_by("name"), year, today=timezone.localdate()
            )
        data = [
            {
                "partner": row.partner,
                "program_year": year,
                "metrics": [
                    _metric(
                        spec,
                        row.figures.values.get(key),
                        row.targets.get(key),
                        row.statuses.get(key),
                        row.figures.region.get(key) if spec.region_compare else None,
                    )
                    for key, spec in selectors.METRICS.items()
                ],
            }
            for row in rows
        ]
        return Response(PartnerMetricsSerializer(data, many=True).data)


class PartnerMetricsDetailView(MetricsScopeMixin, GenericAPIView):
    serializer_class = PartnerDashboardSerializer

    @extend_schema(
        tags=["metrics"],
        summary="One partner's figures, targets and statuses for a year, with the trend",
        parameters=[YEAR],
        responses={200: PartnerDashboardSerializer, 400: FIELD_ERRORS},
    )
    def get(self, request, pk: int):
        partner = self.partner()
        year = self.program_year()
        with reporting_reads():
            dashboard = selectors.partner_dashboard(partner, year, today=timezone.localdate())
        data = {
            "partner": partner,
            "program_year": year,
            "years": dashboard.years,
            "metrics": [
                {
                    **_metric(row.spec, row.actual, row.target, row.status, row.region),
                    "trend": [{"program_year": y, "value": v} for y, v in row.trend],
                }
                for row in dashboard.rows
            ],
            "by_course": dashboard.by_course,
            "survey_items": [
                {"key": key, "question": text, "mean": mean}
                for key, text, mean in dashboard.survey_items
            ],
        }
        return Response(PartnerDashboardSerializer(data).data)


class PartnerTargetsView(MetricsScopeMixin, GenericAPIView):
    serializer_class = TargetsSerializer

    def _answer(self, partner: Partner, year: str) -> Response:
        targets = selectors.targets_for([partner.pk], [year])[(partner.pk, year)]
        data = {
            "partner": partner,
            "program_year": year,
            "targets": {key.value: value for key, value in targets.items()},
        }
        return Response(TargetsSerializer(data).data)

    @extend_schema(
        tags=["metrics"],
        summary="A partner's targets for a year",
        parameters=[YEAR],
        responses={200: TargetsSerializer, 400: FIELD_ERRORS},
    )
    def get(self, request, pk: int):
        return self._answer(self.partner(), self.program_year())

    @extend_schema(
        tags=["metrics"],
        summary="Set a partner's targets for a year (program admins)",
        parameters=[YEAR],
        request=TargetsSerializer,
        responses={200: TargetsSerializer, 400: FIELD_ERRORS},
    )
    def put(self, request, pk: int):
        partner = self.partner()
        year = self.program_year()
        serializer = TargetsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.targets_save(
            partner=partner,
            program_year=year,
            values=serializer.validated_data["targets"],
            user=request.user,
        )
        return self._answer(partner, year)
