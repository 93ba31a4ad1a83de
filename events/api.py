"""The events API under /api/v1/partners/<partner_pk>/: the partner's events and its
registrations.

Scope is the workspace's (api.scoping): outside it, 404 for every method. Reads for anyone
who sees the partner; registering and cancelling for its program managers and program admins
(a regional manager reads only: 403). Services refuse with Django's ValidationError (400 here,
keyed by field) or PermissionDenied (403), so a refusal is never a 500.
"""

import django_filters
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api.errors import ServiceErrorsMixin, field_errors_response
from api.scoping import PartnerScopedMixin, PartnerWritePermission

from .models import Event, EventKind, EventRegistration, RegistrationStatus
from .selectors import ACTIVE, registrations_for_partner
from .serializers import EventSerializer, RegistrationCreateSerializer, RegistrationSerializer
from .services import registration_cancel, registration_create

FIELD_ERRORS = field_errors_response(
    {"user": ["Only the partner's program managers can be registered here."]}
)


class PartnerEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EventKind.choices)
    starts_after = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte")
    starts_before = django_filters.DateFilter(field_name="starts_on", lookup_expr="lte")

    class Meta:
        model = Event
        fields = ["kind", "starts_after", "starts_before"]


class PartnerRegistrationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RegistrationStatus.choices)

    class Meta:
        model = EventRegistration
        fields = ["event", "status"]


@extend_schema_view(
    list=extend_schema(summary="Events the partner hosts or its people registered for"),
    retrieve=extend_schema(summary="One of the partner's events"),
)
class PartnerEventViewSet(PartnerScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = EventSerializer
    filterset_class = PartnerEventFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        came = EventRegistration.objects.filter(
            event=OuterRef("pk"), partner=self.partner, status__in=ACTIVE
        )
        return (
            Event.objects.filter(Q(host_partner=self.partner) | Q(Exists(came)))
            .select_related("state")
            .order_by("-starts_on", "name")
        )


@extend_schema_view(
    list=extend_schema(summary="The partner's registrations"),
    retrieve=extend_schema(summary="One of the partner's registrations"),
    create=extend_schema(
        summary="Register a program manager of the partner for an event",
        request=RegistrationCreateSerializer,
        responses={201: RegistrationSerializer, 400: FIELD_ERRORS},
    ),
    destroy=extend_schema(
        summary="Cancel a registration (the waitlist moves up)",
        responses={204: None, 400: FIELD_ERRORS},  # 400: already cancelled
    ),
)
class PartnerRegistrationViewSet(
    ServiceErrorsMixin,
    PartnerScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = RegistrationSerializer
    filterset_class = PartnerRegistrationFilter
    permission_classes = [IsAuthenticated, PartnerWritePermission]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EventRegistration.objects.none()
        return registrations_for_partner(self.partner)

    def get_serializer_class(self):
        if self.action == "create":
            return RegistrationCreateSerializer
        return RegistrationSerializer

    def create(self, request, *args, **kwargs):
        data = RegistrationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = data.validated_data.get("user") or request.user
        if not self.partner.program_managers.filter(user=person).exists():
            raise ValidationError(
                {"user": ["Only the partner's program managers can be registered here."]}
            )
        registration = registration_create(
            event=data.validated_data["event"],
            user=person,
            partner=self.partner,
            actor=request.user,
        )
        fresh = self.get_queryset().get(pk=registration.pk)
        return Response(RegistrationSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        registration_cancel(registration=instance, user=self.request.user)
