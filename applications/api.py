"""The applications API, /api/v1/applications/: the review queue, drafting and the workflow.

Scope is `applications_visible_to(user)`: applicants (and anyone else signed in) reach their
own applications, regional managers those of the regions they review, program admins all.
Anything else answers 404, like a missing application. Every write is one service call;
services refuse with Django's ValidationError (400 here, keyed by field) or PermissionDenied
(403), so a refusal is never a 500.
"""

import json

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from api.errors import (
    ServiceErrorsMixin,
    error_response,
    field_errors_response,
    service_error_detail,
)

from .filters import ApplicationQueueFilterSet
from .models import (
    Application,
    Review,
    Score,
    Status,
)
from .selectors import applications_visible_to, review_summaries
from .serializers import (
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationDraftSerializer,
    ApplicationSerializer,
    ReviewInputSerializer,
    ReviewSerializer,
    TransitionInputSerializer,
    WithdrawInputSerializer,
)
from .services import (
    application_create,
    application_save,
    application_submit,
    application_transition,
    application_withdraw,
    review_save,
)

# --- Errors ------------------------------------------------------------------------------


FIELD_ERRORS = field_errors_response({"legal_name": ["Give your organization's legal name."]})
FORBIDDEN = error_response("Not allowed for this user.")
NOT_FOUND = error_response("No such application in scope.")


class StrictJSONParser(JSONParser):
    """JSON only, refusing (400) what the standard parser lets through to a 500 later.

    Lone surrogates ("\\ud800") decode but cannot be stored or rendered; very deep nesting
    overflows the decoder's recursion.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as error:
            raise ParseError("JSON parse error - text must be valid Unicode.") from error
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deeply.") from error
        return data


# --- Permissions -------------------------------------------------------------------------


def is_program_staff(user) -> bool:
    return bool(user.is_authenticated and (user.is_program_admin or user.is_regional_manager))


class IsReviewer(BasePermission):
    """Program admins and regional managers; which applications, the scope decides (404)."""

    message = "Only the program office reviews and moves applications."

    def has_permission(self, request, view):
        return is_program_staff(request.user)


class IsApplicant(BasePermission):
    """The program office reviews applications; it does not start them.

    (A regional manager could not even read back a draft they started: scope is by region.)
    """

    message = "Program office staff do not start applications."

    def has_permission(self, request, view):
        return request.user.is_authenticated and not is_program_staff(request.user)


# --- Filters -----------------------------------------------------------------------------


class ApplicationFilter(ApplicationQueueFilterSet):
    """The review queue's filters (applications.filters), as the API offers them.

    Differences, each because the API also serves applicants: `status` takes drafts and
    several values; `region` is a plain slug (the queue's choices are the regions one
    reviews, so an applicant could never use it; a filter never widens scope anyway);
    `search` is the queue's `q`; no `sort` (its mean score is annotated by the queue view):
    the order is the newest first.
    """

    q = None
    sort = None
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, help_text="One or more statuses (repeat the parameter)."
    )
    region = django_filters.CharFilter(field_name="region__slug", help_text="Region slug.")
    search = django_filters.CharFilter(
        method="search", help_text="Part of the organization's name (legal or partner) or city."
    )

    class Meta(ApplicationQueueFilterSet.Meta):
        fields = ["status", "region", "state", "round", "reviewer", "search"]

    def filter_queryset(self, queryset):
        # The queue's default sort needs the queue view's annotation; keep the model's order.
        return django_filters.FilterSet.filter_queryset(self, queryset)

    # Typed for the schema; the filtering is the queue's.
    @extend_schema_field(
        {
            "type": "string",
            "description": "Two-letter state code: the organization is there, or its region "
            "has a part there.",
        }
    )
    def in_state(self, queryset, name, state):
        return super().in_state(queryset, name, state)

    @extend_schema_field(
        {
            "type": "integer",
            "description": "Round id: submitted while the region's window of that round was open.",
        }
    )
    def in_round(self, queryset, name, round):
        return super().in_round(queryset, name, round)

    @extend_schema_field(
        {
            "type": "integer",
            "description": "User id of a program admin or regional manager: applications "
            "assigned to or reviewed by them.",
        }
    )
    def by_reviewer(self, queryset, name, reviewer):
        return super().by_reviewer(queryset, name, reviewer)


# --- Review summaries for a page of applications ---------------------------------------


# --- The viewset -------------------------------------------------------------------------


SECTIONS = ("courses", "program_managers", "district_relationships", "budget_lines", "references")


@extend_schema_view(
    list=extend_schema(
        summary="Applications in scope, filtered like the review queue",
        responses={200: ApplicationSerializer(many=True), 403: FORBIDDEN},
    ),
    retrieve=extend_schema(
        summary="One application with its timeline",
        responses={200: ApplicationDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Start a draft application",
        request=ApplicationCreateSerializer,
        responses={201: ApplicationDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Save sections of the owner's draft",
        request=ApplicationDraftSerializer,
        responses={
            200: ApplicationDetailSerializer,
            400: FIELD_ERRORS,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    ),
)
class ApplicationViewSet(
    ServiceErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Partner applications: the review queue for staff, their own for applicants."""

    # Never used as is: get_queryset scopes to the user. It names the model for the schema.
    queryset = Application.objects.none()
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    permission_classes = [IsAuthenticated]
    parser_classes = [StrictJSONParser]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return (
            applications_visible_to(self.request.user)
            .select_related("state", "zip_code", "term_sheet", "partner")
            .prefetch_related(*SECTIONS)
        )

    def get_serializer_class(self):
        return {
            "list": ApplicationSerializer,
            "create": ApplicationCreateSerializer,
            "partial_update": ApplicationDraftSerializer,
            "withdraw": WithdrawInputSerializer,
            "transition": TransitionInputSerializer,
            "review": ReviewInputSerializer,
        }.get(self.action, ApplicationDetailSerializer)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "staff": is_program_staff(self.request.user)}

    def get_permissions(self):
        if self.action == "create":
            return [IsAuthenticated(), IsApplicant()]
        return super().get_permissions()

    def _input(self) -> dict:
        serializer = self.get_serializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _detail(self, application: Application, status_code=status.HTTP_200_OK) -> Response:
        """The application as stored now, read again through the scope (fresh sections)."""
        fresh = self.get_queryset().get(pk=application.pk)
        context = self.get_serializer_context()
        return Response(ApplicationDetailSerializer(fresh, context=context).data, status_code)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        applications = list(queryset) if page is None else page
        context = self.get_serializer_context()
        if context["staff"]:
            context["review_summaries"] = review_summaries(applications)
        data = ApplicationSerializer(applications, many=True, context=context).data
        return Response(data) if page is None else self.get_paginated_response(data)

    def create(self, request, *args, **kwargs):
        data = self._input()
        application = application_create(user=request.user, region=data.get("region"))
        return self._detail(application, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        application = self.get_object()
        data = self._input()
        application_save(application=application, user=request.user, data=data)
        return self._detail(application)

    @extend_schema(
        operation_id="applications_submit",
        summary="Submit the owner's complete draft",
        request=None,
        responses={
            200: ApplicationDetailSerializer,
            400: OpenApiResponse(
                FIELD_ERRORS.response, description="What is still missing or ineligible."
            ),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        application = self.get_object()
        application_submit(application=application, user=request.user)
        return self._detail(application)

    @extend_schema(
        operation_id="applications_withdraw",
        summary="Withdraw the owner's application",
        request=WithdrawInputSerializer,
        responses={
            200: ApplicationDetailSerializer,
            400: FIELD_ERRORS,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        application = self.get_object()
        data = self._input()
        application_withdraw(application=application, user=request.user, note=data["note"])
        return self._detail(application)

    @extend_schema(
        operation_id="applications_transition",
        summary="Move an application through review, or decide it (program office)",
        description=(
            "Review-stage moves are for program admins and the region's reviewers; decisions "
            "(accepted, declined, waitlisted) for program admins, with `note` as the reason."
        ),
        request=TransitionInputSerializer,
        responses={
            200: ApplicationDetailSerializer,
            400: FIELD_ERRORS,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, IsReviewer])
    def transition(self, request, *args, **kwargs):
        application = self.get_object()
        data = self._input()
        try:
            application_transition(
                application=application,
                user=request.user,
                to_status=data["to_status"],
                note=data["note"],
                is_internal=data["is_internal"],
            )
        except DjangoValidationError as error:
            # application_decide calls the note its `reason`.
            raise ValidationError(service_error_detail(error, rename={"reason": "note"})) from error
        return self._detail(application)

    @extend_schema(
        operation_id="applications_review",
        summary="Create or edit your review of an application (program office)",
        request=ReviewInputSerializer,
        responses={200: ReviewSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, IsReviewer])
    def review(self, request, *args, **kwargs):
        application = self.get_object()
        data = self._input()
        review = review_save(
            application=application,
            reviewer=request.user,
            scores=data["scores"],
            comment=data["comment"],
        )
        review = (
            Review.objects.select_related("reviewer", "rubric")
            .prefetch_related(Prefetch("scores", Score.objects.select_related("criterion")))
            .get(pk=review.pk)
        )
        return Response(ReviewSerializer(review).data)
