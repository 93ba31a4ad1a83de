"""The public REST API: regions, the ZIP lookup, and partners (public fields only)."""

import django_filters
from django.db.models import Exists, OuterRef
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from geography.models import Region
from geography.selectors import region_states, touching_state, zip_resolve
from geography.serializers import LookupErrorSerializer, RegionSerializer, ZipLookupSerializer
from geography.zips import MalformedZip, normalize_zip
from partners.models import Partner
from partners.serializers import PublicPartnerSerializer


class RegionFilter(django_filters.FilterSet):
    state = django_filters.CharFilter(
        method="in_state", help_text="Two-letter state code: regions touching that state."
    )
    status = django_filters.ChoiceFilter(choices=Region.Status.choices)

    class Meta:
        model = Region
        fields = ["state", "status"]

    def in_state(self, queryset, name, value):
        return queryset.filter(touching_state(value))


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Regions of the program with their status and, when served, their partner."""

    queryset = Region.objects.select_related("partner").order_by("name")
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    permission_classes = [AllowAny]
    lookup_field = "slug"

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["region_states"] = {
            region_id: {state.code for state in states}
            for region_id, states in region_states().items()
        }
        return context


class NotFoundView(APIView):
    """An address under /api/v1/ that names no endpoint: 404 with the API's JSON body."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    schema = None  # not an endpoint

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound

    def get(self, request, *args, **kwargs):
        raise NotFound


class ZipLookupView(APIView):
    """Who serves a ZIP code: the most specific region (ZIP, then county, then state).

    Public and stateless: no session or authentication work, JSON only, one indexed query.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="regions_lookup",
        parameters=[
            OpenApiParameter(
                "zip", str, required=True, description="98101, 98101-1234 or 98101 1234."
            )
        ],
        responses={
            200: ZipLookupSerializer,
            400: LookupErrorSerializer,
            404: LookupErrorSerializer,
        },
    )
    def get(self, request):
        try:
            code = normalize_zip(request.query_params.get("zip"))
        except MalformedZip as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        place = zip_resolve(code)
        if place is None:
            return Response(
                {"detail": f"There is no ZIP code {code} in the United States."},
                status=status.HTTP_404_NOT_FOUND,
            )
        served = place.region_status == Region.Status.SERVED and place.partner_slug
        # Built as a plain dict: ZipLookupSerializer documents this shape (tests hold them equal).
        return Response(
            {
                "zip": place.code,
                "city": place.city,
                "state": place.state,
                "county": place.county,
                "region": (
                    {
                        "id": place.region_id,
                        "name": place.region_name,
                        "status": place.region_status,
                    }
                    if place.region_id
                    else None
                ),
                "partner": (
                    {
                        "name": place.partner_name,
                        "slug": place.partner_slug,
                        "url": reverse("partners:profile", kwargs={"slug": place.partner_slug}),
                    }
                    if served
                    else None
                ),
                "matched_on": place.matched_on,
            }
        )


class PartnerFilter(django_filters.FilterSet):
    state = django_filters.CharFilter(
        method="in_state", help_text="Two-letter state code: partners serving it."
    )
    status = django_filters.ChoiceFilter(choices=Partner.Status.choices)

    class Meta:
        model = Partner
        fields = ["state", "status"]

    def in_state(self, queryset, name, value):
        regions = Region.objects.filter(touching_state(value), partner=OuterRef("pk"))
        return queryset.filter(Exists(regions))


class PartnerViewSet(viewsets.ReadOnlyModelViewSet):
    """Regional Partners that are active or onboarding, with their public fields."""

    queryset = (
        Partner.objects.filter(status__in=[Partner.Status.ACTIVE, Partner.Status.ONBOARDING])
        .select_related("state", "zip_code")
        .prefetch_related("regions", "courses")
        .order_by("name")
    )
    serializer_class = PublicPartnerSerializer
    filterset_class = PartnerFilter
    permission_classes = [AllowAny]
    lookup_field = "slug"
