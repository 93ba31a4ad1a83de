"""The enrollments API under /api/v1/workshops/<workshop_pk>/enrollments/.

Scope is the pages': the workshop must be one the user may see (else 404, as if missing).
The partner's program managers, its regional manager and program admins read every
enrollment of it; anyone else (a teacher) only their own. Teachers enroll themselves (POST);
cancelling is one endpoint per action (POST .../<pk>/cancel/), for the teacher or the
partner's program managers and program admins. The services refuse with Django's
ValidationError (400, keyed by field) or PermissionDenied (403), never a 500.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api.errors import ServiceErrorsMixin, field_errors_response
from districts.models import School

from . import enrollment as services
from .models import Enrollment, EnrollmentStatus, Workshop

FIELD_ERRORS = field_errors_response({"school_zip": ["99999 is not a ZIP code we know. Check it."]})


class EnrollmentTeacherSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)
    email = serializers.EmailField(read_only=True)


class EnrollmentSerializer(serializers.ModelSerializer):
    """An enrollment: who, from which school, enrolled or waitlisted (with the position)."""

    teacher = EnrollmentTeacherSerializer(read_only=True)
    school_name = serializers.CharField(source="school_display", read_only=True)
    school_nces_id = serializers.SerializerMethodField()
    school_zip = serializers.SerializerMethodField()
    waitlist_position = serializers.SerializerMethodField()

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "workshop",
            "teacher",
            "status",
            "school",
            "school_name",
            "school_nces_id",
            "school_zip",
            "enrolled_at",
            "waitlisted_at",
            "cancelled_at",
            "waitlist_position",
        ]
        read_only_fields = fields

    def get_school_nces_id(self, obj) -> str | None:
        return obj.school.nces_id if obj.school_id else None

    def get_school_zip(self, obj) -> str | None:
        return obj.school_zip.code if obj.school_zip_id else None

    def get_waitlist_position(self, obj) -> int | None:
        positions = self.context.get("positions")
        if positions is not None:
            return positions.get(obj.pk)
        return services.waitlist_position(obj)


class EnrollmentCreateSerializer(serializers.Serializer):
    """Enroll yourself (teachers): a listed `school`, or `school_name` with `school_zip`."""

    school = serializers.PrimaryKeyRelatedField(
        queryset=School.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="A school from the schools list (its id).",
    )
    school_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="When it is not listed."
    )
    school_zip = serializers.CharField(
        required=False, allow_blank=True, max_length=10, help_text="When it is not listed."
    )

    def validate(self, attrs):
        if attrs.get("school") is None and not (
            attrs.get("school_name") or attrs.get("school_zip")
        ):
            raise ValidationError(
                {"school": ["Give a school id, or the school's name and ZIP code."]}
            )
        return attrs


@extend_schema_view(
    list=extend_schema(
        summary="A workshop's enrollments (all for its partner's staff; your own otherwise)"
    ),
    retrieve=extend_schema(summary="One enrollment"),
    create=extend_schema(
        summary="Enroll in the workshop (teachers); the waitlist when it is full",
        request=EnrollmentCreateSerializer,
        responses={201: EnrollmentSerializer, 400: FIELD_ERRORS},
    ),
    cancel=extend_schema(
        summary="Cancel an enrollment (the first on the waitlist gets the place)",
        request=None,
        responses={200: EnrollmentSerializer, 400: FIELD_ERRORS},
    ),
)
class WorkshopEnrollmentViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = EnrollmentSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"
    filterset_fields = ["status"]

    @property
    def workshop(self) -> Workshop:
        if not hasattr(self, "_workshop"):
            self._workshop = get_object_or_404(
                Workshop.objects.visible_to(self.request.user).select_related("partner"),
                pk=self.kwargs["workshop_pk"],
            )
        return self._workshop

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(self, "swagger_fake_view", False):
            return
        self.workshop  # noqa: B018 - raises Http404 outside the user's scope

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrollment.objects.none()
        return (
            services.enrollments_visible_to(self.request.user, self.workshop)
            .filter(workshop=self.workshop)
            .order_by("status", "enrolled_at", "waitlisted_at", "pk")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "list" and not getattr(self, "swagger_fake_view", False):
            waiting = self.workshop.enrollments.waitlisted().values_list("pk", flat=True)
            context["positions"] = {pk: n for n, pk in enumerate(waiting, start=1)}
        return context

    def get_serializer_class(self):
        if self.action == "create":
            return EnrollmentCreateSerializer
        return EnrollmentSerializer

    def create(self, request, *args, **kwargs):
        data = EnrollmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        school = data.validated_data.get("school")
        kwargs = (
            {"school": school}
            if school is not None
            else {
                "school_name": data.validated_data.get("school_name", ""),
                "school_zip": data.validated_data.get("school_zip", ""),
            }
        )
        enrollment = services.enrollment_create(
            workshop=self.workshop, teacher=request.user, **kwargs
        )
        fresh = self.get_queryset().get(pk=enrollment.pk)
        return Response(EnrollmentSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        enrollment = self.get_object()
        if enrollment.status == EnrollmentStatus.CANCELLED:
            raise ValidationError({"non_field_errors": ["This enrollment is already cancelled."]})
        enrollment = services.enrollment_cancel(enrollment=enrollment, user=request.user)
        fresh = self.get_queryset().get(pk=enrollment.pk)
        return Response(EnrollmentSerializer(fresh).data)
