"""Attendance API: /api/v1/workshops/<workshop_pk>/sessions/<session_pk>/attendance/.

GET reads the session's checklist (enrolled teachers and whether each attended); PUT sets
the session's attendance to the enrollment ids sent. Scope as on the checklist page: the
workshop's facilitators, the partner's program managers and program admins; a regional
manager of the partner reads only (403 on PUT); anyone else gets 404, as for a missing
workshop. Service refusals answer 400 keyed by field, never 500.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import field_errors_response, service_error_detail

from .attendance import (
    ChecklistRow,
    attendance_mark,
    attendance_workshops,
    checklist_is_open,
    session_checklist,
)
from .models import WorkshopSession


class ChecklistRowSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField(source="enrollment.pk")
    teacher = serializers.SerializerMethodField()
    school = serializers.CharField(source="enrollment.school_display")
    attended = serializers.BooleanField()
    method = serializers.CharField(help_text='"checklist", "self", or "" when absent.')

    def get_teacher(self, row: ChecklistRow) -> str:
        return row.teacher.get_full_name() or row.teacher.email


class ChecklistSerializer(serializers.Serializer):
    workshop = serializers.IntegerField(source="session.workshop_id")
    session = serializers.IntegerField(source="session.pk")
    date = serializers.DateField(source="session.date")
    start_time = serializers.TimeField(source="session.start_time")
    end_time = serializers.TimeField(source="session.end_time")
    time_zone = serializers.CharField(source="session.workshop.time_zone")
    is_open = serializers.BooleanField(help_text="Whether you can save the checklist now.")
    teachers = ChecklistRowSerializer(many=True)


class AttendancePutSerializer(serializers.Serializer):
    enrollment_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=True,
        help_text="The enrollments present; the workshop's other enrolled teachers are absent.",
    )


FIELD_ERRORS = field_errors_response(
    {"enrollment_ids": ["Only teachers enrolled in this workshop can be marked."]}
)


class SessionAttendanceView(APIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ChecklistSerializer

    def _session(self) -> WorkshopSession:
        workshop = get_object_or_404(
            attendance_workshops(self.request.user), pk=self.kwargs["workshop_pk"]
        )
        session = get_object_or_404(workshop.sessions.all(), pk=self.kwargs["session_pk"])
        session.workshop = workshop
        return session

    def _checklist(self, session: WorkshopSession) -> Response:
        data = {
            "session": session,
            "is_open": checklist_is_open(session, self.request.user),
            "teachers": session_checklist(session),
        }
        return Response(ChecklistSerializer(data).data)

    @extend_schema(summary="A session's attendance checklist", responses={200: ChecklistSerializer})
    def get(self, request, workshop_pk: int, session_pk: int):
        return self._checklist(self._session())

    @extend_schema(
        summary="Set who attended a session",
        request=AttendancePutSerializer,
        responses={200: ChecklistSerializer, 400: FIELD_ERRORS},
    )
    def put(self, request, workshop_pk: int, session_pk: int):
        session = self._session()
        data = AttendancePutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            attendance_mark(
                session=session,
                user=request.user,
                enrollment_ids=data.validated_data["enrollment_ids"],
            )
        except DjangoValidationError as error:
            raise ValidationError(service_error_detail(error)) from None
        return self._checklist(session)
