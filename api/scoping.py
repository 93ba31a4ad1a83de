"""Scope for /api/v1/partners/<partner_pk>/...: the same rule as the workspace pages.

The partner must be visible to the user (`Partner.objects.visible_to`), else 404, exactly as
for a missing partner. Writes need `Partner.objects.editable_by` (the partner's program
managers and program admins); a regional manager reads only, and a write answers 403.
"""

from django.shortcuts import get_object_or_404
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated

from partners.models import Partner


class PartnerScopedMixin:
    """For viewsets nested under a partner: `self.partner`, resolved once per request."""

    permission_classes = [IsAuthenticated]

    @property
    def partner(self) -> Partner:
        if not hasattr(self, "_partner"):
            self._partner = get_object_or_404(
                Partner.objects.visible_to(self.request.user), pk=self.kwargs["partner_pk"]
            )
        return self._partner

    def partner_editable(self) -> bool:
        return Partner.objects.editable_by(self.request.user).filter(pk=self.partner.pk).exists()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Resolve scope before anything else: out of scope is 404 for every method.
        if getattr(self, "swagger_fake_view", False):
            return
        self.partner  # noqa: B018 - raises Http404 outside the user's scope


class PartnerWritePermission(BasePermission):
    """Reads for anyone who sees the partner; writes for those who may change its records."""

    message = "Only the partner's program managers and program admins can change this."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return view.partner_editable()
