"""A partner's districts and district partnerships in the API, under /api/v1/partners/<pk>/.

Scope is the workspace's (api.scoping): a partner outside the user's scope, or a partnership
or commitment of another partner, answers 404 like a missing one. Writes are for the
partner's program managers and program admins (403 for a regional manager) and go through
districts.services; a service's refusal answers 400 keyed by field.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api.errors import ServiceErrorsMixin, error_response, field_errors_response
from api.scoping import PartnerScopedMixin, PartnerWritePermission

from . import services
from .models import District, DistrictCommitment, DistrictPartnership
from .selectors import partner_districts
from .serializers import (
    CommitmentInputSerializer,
    CommitmentSerializer,
    DistrictSerializer,
    PartnershipCreateSerializer,
    PartnershipSerializer,
    PartnershipUpdateSerializer,
)

FIELD_ERRORS = field_errors_response(
    {"district": ["You already have a partnership with this district."]}
)
NOT_FOUND = error_response("No such record in your scope.")
FORBIDDEN = error_response("Not signed in, or not allowed to change this partner.")


class _PartnerScoped(ServiceErrorsMixin, PartnerScopedMixin):
    permission_classes = [IsAuthenticated, PartnerWritePermission]

    def _input(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def _partnerships(partner) -> "QuerySet[DistrictPartnership]":  # noqa: F821
    return (
        DistrictPartnership.objects.filter(partner=partner)
        .select_related("district__state")
        .prefetch_related(
            Prefetch("commitments", DistrictCommitment.objects.select_related("course"))
        )
        .order_by("district__name", "pk")
    )


@extend_schema_view(
    list=extend_schema(summary="The districts the partner has partnerships with"),
    retrieve=extend_schema(
        summary="One of the partner's districts",
        responses={200: DistrictSerializer, 404: NOT_FOUND},
    ),
)
class PartnerDistrictViewSet(_PartnerScoped, viewsets.ReadOnlyModelViewSet):
    """The districts a partner works with, with their open schools counted."""

    queryset = District.objects.none()
    serializer_class = DistrictSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return District.objects.none()
        return partner_districts(self.partner)


@extend_schema_view(
    list=extend_schema(summary="The partner's district partnerships, with commitments"),
    retrieve=extend_schema(
        summary="One district partnership", responses={200: PartnershipSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary="Start a partnership with a district in the partner's regions",
        request=PartnershipCreateSerializer,
        responses={201: PartnershipSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
    update=extend_schema(
        summary="Change a partnership's date, contact and notes",
        request=PartnershipUpdateSerializer,
        responses={200: PartnershipSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Change some of a partnership's date, contact and notes",
        request=PartnershipUpdateSerializer,
        responses={200: PartnershipSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Delete a partnership and its commitments",
        description="Refused (400) while it has commitments from a past program year: they "
        "are the record of those years.",
        responses={204: None, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class PartnershipViewSet(_PartnerScoped, viewsets.ModelViewSet):
    """A partner's district partnerships; writes through districts.services."""

    queryset = DistrictPartnership.objects.none()
    serializer_class = PartnershipSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DistrictPartnership.objects.none()
        return _partnerships(self.partner)

    def _read(self, partnership: DistrictPartnership, code=status.HTTP_200_OK) -> Response:
        fresh = _partnerships(self.partner).get(pk=partnership.pk)
        return Response(PartnershipSerializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        data = self._input(PartnershipCreateSerializer)
        partnership = services.partnership_create(partner=self.partner, user=request.user, **data)
        return self._read(partnership, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partnership = self.get_object()
        data = self._input(PartnershipUpdateSerializer, partial=kwargs.get("partial", False))
        services.partnership_update(partnership=partnership, user=request.user, data=data)
        return self._read(partnership)

    def destroy(self, request, *args, **kwargs):
        services.partnership_delete(partnership=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="A partnership's commitments, newest year first"),
    retrieve=extend_schema(
        summary="One commitment", responses={200: CommitmentSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary="Set the teachers committed for a program year and course",
        description="Creates the commitment (201), or updates the one of that year and "
        "course (200).",
        request=CommitmentInputSerializer,
        responses={
            200: CommitmentSerializer,
            201: CommitmentSerializer,
            400: FIELD_ERRORS,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    ),
    destroy=extend_schema(
        summary="Remove a commitment of last, this or next program year",
        responses={204: None, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class CommitmentViewSet(
    _PartnerScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The commitments of one of the partner's district partnerships."""

    queryset = DistrictCommitment.objects.none()
    serializer_class = CommitmentSerializer
    lookup_value_regex = r"[0-9]+"

    @property
    def partnership(self) -> DistrictPartnership:
        if not hasattr(self, "_partnership"):
            self._partnership = get_object_or_404(
                DistrictPartnership.objects.filter(partner=self.partner).select_related("partner"),
                pk=self.kwargs["partnership_pk"],
            )
        return self._partnership

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not getattr(self, "swagger_fake_view", False):
            self.partnership  # noqa: B018 - raises Http404 for another partner's partnership

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DistrictCommitment.objects.none()
        return (
            DistrictCommitment.objects.filter(partnership=self.partnership)
            .select_related("course", "partnership__partner")
            .order_by("-program_year", "course__order", "course__name", "pk")
        )

    def create(self, request, *args, **kwargs):
        data = self._input(CommitmentInputSerializer)
        exists = (
            self.get_queryset()
            .filter(program_year=data["program_year"], course=data["course"])
            .exists()
        )
        commitment = services.commitment_set(
            partnership=self.partnership, user=request.user, **data
        )
        return Response(
            CommitmentSerializer(commitment).data,
            status=status.HTTP_200_OK if exists else status.HTTP_201_CREATED,
        )

    def destroy(self, request, *args, **kwargs):
        services.commitment_delete(commitment=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
