"""A service's refusal as the API's answer, the same in every app.

Services raise Django's ValidationError (field-keyed where they can) and PermissionDenied;
DRF knows neither as a 400 with its body, so each API view turns them into DRF's.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.settings import api_settings

FIELD_ERRORS_DESCRIPTION = "Messages keyed by field; `non_field_errors` for the whole request."


class ErrorDetailSerializer(serializers.Serializer):
    """DRF's body for a refusal that is not about fields: 401, 403, 404, 405."""

    detail = serializers.CharField()


def error_response(description: str) -> OpenApiResponse:
    """A documented refusal (403, 404...) with its `{"detail": ...}` body."""
    return OpenApiResponse(ErrorDetailSerializer, description=description)


def service_error_detail(
    error: DjangoValidationError, rename: dict[str, str] | None = None
) -> dict:
    """A service's ValidationError as DRF's body: {field: [messages]}, `non_field_errors`.

    `rename` maps a service's field name to the name the endpoint takes (e.g. a service's
    `reason` that the request calls `note`).
    """
    detail = serializers.as_serializer_error(error)
    rename = {NON_FIELD_ERRORS: api_settings.NON_FIELD_ERRORS_KEY, **(rename or {})}
    return {rename.get(key, key): value for key, value in detail.items()}


def field_errors_response(
    example: dict, *, description: str = FIELD_ERRORS_DESCRIPTION
) -> OpenApiResponse:
    """The schema of a 400 from `service_error_detail` (or a serializer), with an example."""
    return OpenApiResponse(
        response={
            "type": "object",
            "additionalProperties": {},
            "description": description,
            "example": example,
        },
        description="Refused: what is wrong, keyed by field.",
    )


class ServiceErrorsMixin:
    """For DRF views: a service's ValidationError answers 400 keyed by field.

    A PermissionDenied answers 403 either way (DRF's default handler); with
    `permission_denied_message = True` the body carries the service's message instead of
    DRF's generic one.
    """

    permission_denied_message = False

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError(service_error_detail(exc))
        elif self.permission_denied_message and isinstance(exc, DjangoPermissionDenied):
            exc = PermissionDenied(str(exc) or None)
        return super().handle_exception(exc)
