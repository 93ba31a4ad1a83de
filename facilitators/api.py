"""/api/v1/partners/<partner_pk>/facilitators/: a partner's roster, read-only.

Scoped like the workspace pages (api.scoping): a partner outside the user's scope is 404.
Each member comes with their accreditations of the current program year, or of
`?program_year=2026-27`.
"""

from rest_framework import viewsets

from api.scoping import PartnerScopedMixin

from .filters import RosterApiFilterSet
from .models import RosterMember
from .serializers import RosterMemberSerializer


class RosterViewSet(PartnerScopedMixin, viewsets.ReadOnlyModelViewSet):
    """A partner's facilitator roster, each member with their accreditations of one program
    year (the current one unless `program_year` is given). Read-only."""

    serializer_class = RosterMemberSerializer
    filterset_class = RosterApiFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RosterMember.objects.none()
        return (
            RosterMember.objects.filter(partner=self.partner)
            .select_related("facilitator")
            .order_by("facilitator__last_name", "facilitator__first_name", "pk")
        )
