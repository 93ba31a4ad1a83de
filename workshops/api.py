"""/api/v1/workshops/: public workshops for anyone (filters as the page, incl. `zip` and
`miles`), and scheduling for the partner's program managers and program admins.

Reads: public workshops, plus the drafts and cancelled ones of partners the user may see.
Writes go through the services (workshops.scheduling). Scope as the pages: a workshop of a
partner outside the user's scope is 404; a regional manager of the partner reads only (403);
anonymous writes are 403. Service refusals are 400, keyed by field.
"""

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from accounts.models import User
from api.errors import ServiceErrorsMixin, field_errors_response
from districts.models import District
from geography.models import ZipCode
from partners.models import Partner
from partners.serializers import PartnerRefSerializer

from .filters import WorkshopFilterSet
from .models import Course, Workshop, WorkshopKind, WorkshopSession
from .scheduling import (
    effective_state,
    places_left,
    workshop_cancel,
    workshop_create,
    workshop_for_page,
    workshop_publish,
    workshop_update,
)

FIELD_ERRORS = field_errors_response(
    {"facilitators": ["Ada Lovelace is not accredited for CS Principles."]}
)


class SessionSerializer(serializers.ModelSerializer):
    """A session: date and wall-clock times in the workshop's zone; `starts_at` and `ends_at`
    as ISO 8601 with that zone's offset (e.g. 2027-01-11T09:00:00-10:00)."""

    starts_at = serializers.SerializerMethodField()
    ends_at = serializers.SerializerMethodField()

    class Meta:
        model = WorkshopSession
        fields = ["id", "date", "start_time", "end_time", "starts_at", "ends_at"]
        read_only_fields = ["starts_at", "ends_at"]
        extra_kwargs = {"id": {"read_only": False, "required": False}}

    def get_starts_at(self, session) -> datetime.datetime:
        return session.starts_at.isoformat()

    def get_ends_at(self, session) -> datetime.datetime:
        return session.ends_at.isoformat()


class WorkshopSerializer(serializers.ModelSerializer):
    """A workshop as anyone may read it (the online link stays with enrolled teachers)."""

    partner = PartnerRefSerializer(read_only=True)
    course = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    kind = serializers.CharField(source="kind.name", read_only=True)
    title = serializers.CharField(source="display_title", read_only=True)
    state = serializers.SerializerMethodField()
    zip_code = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    sessions = SessionSerializer(many=True, read_only=True)
    facilitators = serializers.SerializerMethodField()
    places_left = serializers.SerializerMethodField()
    distance_miles = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Workshop
        fields = [
            "id",
            "partner",
            "course",
            "kind",
            "title",
            "description",
            "state",
            "program_year",
            "is_online",
            "venue",
            "address",
            "city",
            "zip_code",
            "time_zone",
            "capacity",
            "places_left",
            "enrollment_opens_at",
            "enrollment_closes_at",
            "reserved_for",
            "sessions",
            "facilitators",
            "distance_miles",
            "url",
        ]
        read_only_fields = fields

    def get_state(self, workshop) -> str:
        """The state by the clock: published, in_progress, ended (or draft, cancelled)."""
        return effective_state(workshop, self.context.get("now"))

    def get_facilitators(self, workshop) -> list[str]:
        return [p.get_full_name() or "A facilitator" for p in workshop.facilitators.all()]

    def get_places_left(self, workshop) -> int:
        return places_left(workshop)

    def get_distance_miles(self, workshop) -> float | None:
        """Miles from the `zip` asked about, when the list was filtered by one."""
        return getattr(workshop, "distance_miles", None)


class WorkshopWriteSerializer(serializers.Serializer):
    """What a program manager sends. Times of sessions and a naive enrollment window are in
    the workshop's zone: the venue ZIP code's, or `time_zone` for an online workshop."""

    partner = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(), help_text="Create only: the partner it belongs to."
    )
    course = serializers.SlugRelatedField(slug_field="slug", queryset=Course.objects.all())
    kind = serializers.PrimaryKeyRelatedField(queryset=WorkshopKind.objects.all())
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    is_online = serializers.BooleanField(required=False, default=False)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    zip_code = serializers.SlugRelatedField(
        slug_field="code", queryset=ZipCode.objects.all(), required=False, allow_null=True
    )
    time_zone = serializers.CharField(max_length=64, required=False, allow_blank=True)
    online_url = serializers.URLField(required=False, allow_blank=True)
    capacity = serializers.IntegerField(min_value=1)
    enrollment_opens_at = serializers.DateTimeField(required=False, allow_null=True)
    enrollment_closes_at = serializers.DateTimeField(required=False, allow_null=True)
    reserved_for = serializers.PrimaryKeyRelatedField(
        queryset=District.objects.all(), required=False, allow_null=True
    )
    sessions = SessionSerializer(many=True)
    facilitators = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), many=True, required=False
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class ScheduleWritePermission(BasePermission):
    """Reads for anyone; writes for signed-in people (scope is checked per workshop)."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )


@extend_schema_view(
    list=extend_schema(summary="Public workshops (open ones by default), filterable"),
    retrieve=extend_schema(summary="One workshop"),
    create=extend_schema(
        summary="Schedule a workshop (a draft)",
        request=WorkshopWriteSerializer,
        responses={201: WorkshopSerializer, 400: FIELD_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a draft or published workshop that has not started",
        request=WorkshopWriteSerializer,
        responses={200: WorkshopSerializer, 400: FIELD_ERRORS},
    ),
)
class WorkshopViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WorkshopSerializer
    filterset_class = WorkshopFilterSet
    permission_classes = [ScheduleWritePermission]
    permission_denied_message = True
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Workshop.objects.none()
        # The list is the public one (the FilterSet narrows it); one workshop may also be a
        # draft or cancelled one of a partner the user sees.
        return Workshop.objects.all()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def get_object(self):
        workshop = workshop_for_page(self.kwargs["pk"], self.request.user)
        if workshop is None:
            raise Http404
        return workshop

    def _managed(self) -> Workshop:
        """The workshop to change: 404 outside the user's partners, 403 to read-only ones."""
        user = self.request.user
        workshop = get_object_or_404(
            Workshop.objects.filter(partner__in=Partner.objects.visible_to(user)),
            pk=self.kwargs["pk"],
        )
        if not Workshop.objects.managed_by(user).filter(pk=workshop.pk).exists():
            raise PermissionDenied("Only the partner's program managers can change it.")
        return workshop

    def _read(self, workshop: Workshop, code=status.HTTP_200_OK) -> Response:
        fresh = workshop_for_page(workshop.pk, self.request.user)
        return Response(self.get_serializer(fresh).data, status=code)

    @staticmethod
    def _service_args(data: dict) -> tuple[dict, list[dict] | None, list | None]:
        sessions = data.pop("sessions", None)
        facilitators = data.pop("facilitators", None)
        data.pop("partner", None)
        if sessions is not None:
            sessions = [dict(row) for row in sessions]
        return data, sessions, facilitators

    def create(self, request, *args, **kwargs):
        incoming = WorkshopWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        partner = incoming.validated_data["partner"]
        if not Partner.objects.visible_to(request.user).filter(pk=partner.pk).exists():
            raise Http404
        data, sessions, facilitators = self._service_args(dict(incoming.validated_data))
        workshop = workshop_create(
            partner=partner,
            user=request.user,
            data=data,
            sessions=sessions or [],
            facilitators=facilitators or [],
        )
        return self._read(workshop, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            self.http_method_not_allowed(request)
        workshop = self._managed()
        incoming = WorkshopWriteSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data, sessions, facilitators = self._service_args(dict(incoming.validated_data))
        workshop = workshop_update(
            workshop=workshop,
            user=request.user,
            data=data,
            sessions=sessions,
            facilitators=facilitators,
        )
        return self._read(workshop)

    @extend_schema(
        summary="Publish a draft",
        request=None,
        responses={200: WorkshopSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        workshop = workshop_publish(workshop=self._managed(), user=request.user)
        return self._read(workshop)

    @extend_schema(
        summary="Cancel (enrolled and waitlisted teachers are emailed)",
        request=CancelSerializer,
        responses={200: WorkshopSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        incoming = CancelSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        workshop = workshop_cancel(
            workshop=self._managed(),
            user=request.user,
            reason=incoming.validated_data.get("reason", ""),
        )
        return self._read(workshop)
