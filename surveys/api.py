"""The surveys API under /api/v1/surveys/: results scoped like the pages, and a teacher's
response to the survey of their own enrollment.

Scope: results exist for program admins (all), program managers (their partners' workshops)
and facilitators (the workshops they facilitated); for anyone else the endpoint answers 404,
as the page does. A response can be posted only for one's own enrollment (someone else's is
404). Services refuse with Django's ValidationError (400 here, keyed `q<question id>` for an
answer, `non_field_errors` otherwise), so a refusal is never a 500.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_response, field_errors_response, service_error_detail
from core.program_years import validate_program_year
from workshops.models import Course, Enrollment

from .models import SurveyResponse
from .selectors import (
    GROUP_CHOICES,
    RATINGS,
    Group,
    may_see_results,
    results_summary,
    results_visible_to,
    results_workshops_visible_to,
)
from .services import survey_response_submit

FIELD_ERRORS = field_errors_response(
    {"q12": ["Please answer this question."]},
    description="Messages keyed by field (`q<question id>` for an answer); "
    "`non_field_errors` for the whole request.",
)


class ResultsQuerySerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=GROUP_CHOICES, default=Group.WORKSHOP.value)
    program_year = serializers.CharField(
        required=False, validators=[validate_program_year], help_text="e.g. 2026-27"
    )
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.all(), required=False)


class ResultQuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()


class ResultRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    label = serializers.CharField()
    responses = serializers.IntegerField()
    attendees = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    means = serializers.DictField(child=serializers.FloatField(allow_null=True))
    distributions = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="Per question key: how many answered 1, 2, 3, 4 and 5.",
    )
    partner_means = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Workshop rows: the partner's means for the same course.",
    )
    program_means = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="The whole program's means (for the same course on workshop and course rows).",
    )


class ResultsSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=GROUP_CHOICES)
    questions = ResultQuestionSerializer(many=True)
    results = ResultRowSerializer(many=True)


def _row_data(row) -> dict:
    return {
        "pk": row.pk,
        "label": row.label,
        "responses": row.responses,
        "attendees": row.attendees,
        "response_rate": row.response_rate,
        "means": {key: stats.mean for key, stats in row.stats.items()},
        "distributions": {
            key: {str(r): stats.distribution.get(r, 0) for r in RATINGS}
            for key, stats in row.stats.items()
        },
        "partner_means": row.partner_means,
        "program_means": row.program_means,
    }


class ResultsView(APIView):
    """Survey results grouped by workshop, partner, facilitator or course, in your scope."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Survey results in your scope",
        parameters=[ResultsQuerySerializer],
        responses={
            200: ResultsSerializer,
            400: FIELD_ERRORS,
            404: error_response("Survey results are not for your role."),
        },
    )
    def get(self, request):
        if not may_see_results(request.user):
            raise NotFound
        query = ResultsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        workshops = results_workshops_visible_to(request.user)
        comparison = SurveyResponse.objects.all()
        if params.get("program_year"):
            workshops = workshops.filter(program_year=params["program_year"])
            comparison = comparison.filter(
                enrollment__workshop__program_year=params["program_year"]
            )
        if params.get("course"):
            workshops = workshops.filter(course=params["course"])
            comparison = comparison.filter(enrollment__workshop__course=params["course"])
        summary = results_summary(
            results_visible_to(request.user).filter(
                enrollment__workshop__in=workshops.values("pk")
            ),
            params["group"],
            workshops=workshops,
            comparison_responses=comparison,
        )
        data = {
            "group": summary.group_by.value,
            "questions": [{"key": q.key, "text": q.text} for q in summary.questions],
            "results": [_row_data(row) for row in summary.rows],
        }
        return Response(ResultsSerializer(data).data)


class ResponseCreateSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField(help_text="Your enrollment in the workshop.")
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Question id -> a rating 1-5 (agreement questions) or text (free text).",
    )


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    key = serializers.CharField(source="question.key")
    rating = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()


class ResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enrollment = serializers.IntegerField(source="enrollment_id")
    submitted_at = serializers.DateTimeField()
    answers = AnswerSerializer(many=True)


class ResponseCreateView(APIView):
    """Answer the survey of your own enrollment, once, after the workshop ended."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Answer the survey of your enrollment",
        request=ResponseCreateSerializer,
        responses={
            201: ResponseSerializer,
            400: FIELD_ERRORS,
            404: error_response("No such enrollment of yours."),
        },
    )
    def post(self, request):
        data = ResponseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrollment = get_object_or_404(
            Enrollment.objects.select_related("workshop__course"),
            pk=data.validated_data["enrollment"],
            teacher=request.user,
        )
        try:
            response = survey_response_submit(
                enrollment=enrollment, user=request.user, answers=data.validated_data["answers"]
            )
        except DjangoValidationError as error:
            raise ValidationError(service_error_detail(error)) from None
        except DjangoPermissionDenied:
            raise NotFound from None
        answers = list(response.answers.select_related("question").order_by("question__order"))
        body = {
            "id": response.pk,
            "enrollment_id": response.enrollment_id,
            "submitted_at": response.submitted_at or timezone.now(),
            "answers": answers,
        }
        return Response(ResponseSerializer(body).data, status=status.HTTP_201_CREATED)
