"""/api/v1/partners/<partner_pk>/: program managers, commitments and (office only) check-ins.

Scope is the workspace's (api.scoping): a partner outside the user's scope answers 404 for
every method; writes are for the partner's program managers and program admins (403 for a
regional manager). Every write is one service call; a service's ValidationError answers 400
keyed by field, its PermissionDenied 403.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ServiceErrorsMixin, error_response
from api.scoping import PartnerScopedMixin, PartnerWritePermission
from applications.api import FIELD_ERRORS, FORBIDDEN
from core.program_years import program_year_for

from . import selectors, services
from .api_serializers import (
    CheckInNoteSerializer,
    PartnerCommitmentsQuerySerializer,
    PartnerCommitmentsSerializer,
    PartnerInvitationSerializer,
    PartnerProgramManagerSerializer,
    ProgramManagerInviteSerializer,
    ProgramManagerListSerializer,
    ProgramManagerRemoveQuerySerializer,
    ProgramManagerShareSerializer,
)
from .commitments import fte_state, partner_commitments, program_manager_fte_totals
from .models import MIN_PROGRAM_MANAGER_FTE, CheckInNote, ProgramManager

NOT_FOUND = error_response("No such partner (or record) in your scope.")


class ProgramManagerViewSet(
    ServiceErrorsMixin,
    PartnerScopedMixin,
    mixins.ListModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A partner's program managers, their FTE total against the 0.5 minimum, and invitations."""

    queryset = ProgramManager.objects.none()
    serializer_class = PartnerProgramManagerSerializer
    permission_classes = [IsAuthenticated, PartnerWritePermission]
    pagination_class = None
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProgramManager.objects.none()
        return ProgramManager.objects.filter(partner=self.partner).select_related("user")

    @extend_schema(
        summary="The partner's program managers, FTE total and state, pending invitations",
        responses={200: ProgramManagerListSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def list(self, request, *args, **kwargs):
        total = program_manager_fte_totals([self.partner.pk]).get(self.partner.pk, 0)
        data = {
            "total_fte": total,
            "minimum_fte": MIN_PROGRAM_MANAGER_FTE,
            "state": fte_state(total),
            "results": self.get_queryset().order_by("user__last_name", "user__first_name"),
            "pending_invitations": selectors.partner_pending_invitations(self.partner),
        }
        return Response(ProgramManagerListSerializer(data).data)

    @extend_schema(
        summary="Invite a program manager (emails them a link to accept)",
        request=ProgramManagerInviteSerializer,
        responses={
            201: PartnerInvitationSerializer,
            400: FIELD_ERRORS,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = ProgramManagerInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.program_manager_invite(
            partner=self.partner, user=request.user, **serializer.validated_data
        )
        return Response(
            PartnerInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Change a program manager's FTE share",
        description="Leaving the partner below 0.5 FTE needs `confirm_below_minimum: true`.",
        request=ProgramManagerShareSerializer,
        responses={
            200: PartnerProgramManagerSerializer,
            400: FIELD_ERRORS,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def partial_update(self, request, *args, **kwargs):
        manager = self.get_object()
        serializer = ProgramManagerShareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        manager = services.program_manager_update(
            manager=manager, user=request.user, **serializer.validated_data
        )
        return Response(PartnerProgramManagerSerializer(manager).data)

    @extend_schema(
        summary="Remove a program manager",
        description=(
            "Never the last one with an active account. Leaving the partner below 0.5 FTE "
            "needs `?confirm_below_minimum=true`; the commitment then shows as missed."
        ),
        parameters=[
            OpenApiParameter(
                "confirm_below_minimum",
                bool,
                description="Confirm a removal that leaves the partner below 0.5 FTE.",
            )
        ],
        responses={204: None, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def destroy(self, request, *args, **kwargs):
        manager = self.get_object()
        query = ProgramManagerRemoveQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        services.program_manager_remove(
            manager=manager,
            user=request.user,
            confirm_below_minimum=query.validated_data["confirm_below_minimum"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommitmentsView(PartnerScopedMixin, APIView):
    """The partner's commitments for a program year, each with its state."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The partner's commitments for a program year and their states",
        parameters=[PartnerCommitmentsQuerySerializer],
        responses={
            200: PartnerCommitmentsSerializer,
            400: FIELD_ERRORS,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        query = PartnerCommitmentsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        program_year = query.validated_data.get("program_year") or program_year_for(today)
        judged = partner_commitments([self.partner], program_year=program_year, today=today)
        data = {
            "partner": self.partner.pk,
            "program_year": program_year,
            "commitments": judged[self.partner.pk],
        }
        return Response(PartnerCommitmentsSerializer(data).data)


class CheckInNoteViewSet(PartnerScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Check-in notes: program office only. For anyone else they do not exist (404)."""

    queryset = CheckInNote.objects.none()
    serializer_class = CheckInNoteSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(self, "swagger_fake_view", False):
            return
        if not (request.user.is_program_admin or request.user.is_regional_manager):
            raise NotFound

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CheckInNote.objects.none()
        return selectors.check_in_notes_for(self.partner, self.request.user)

    @extend_schema(
        summary="The partner's check-in notes (program office only)",
        responses={200: CheckInNoteSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
