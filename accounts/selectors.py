"""What a signed-in person's home page shows, by role."""

from django.db.models import Count

from geography.models import Region, ZipCode
from partners.models import Partner, ProgramManager

from .models import Role, User


def home_for(user: User) -> dict:
    context: dict = {"role": Role(user.role)}
    if user.is_program_manager:
        context["memberships"] = ProgramManager.objects.filter(user=user).select_related(
            "partner", "partner__regional_manager"
        )
    if user.role == Role.FACILITATOR:
        from facilitators.selectors import facilitator_home

        context["facilitator_home"] = facilitator_home(user)
    if user.home_zip_id is not None:
        context["home_region"] = home_region(user)
    if user.is_regional_manager:
        context["partners"] = Partner.objects.visible_to(user).select_related("state")
    if user.is_program_admin:
        context["partner_counts"] = {
            Partner.Status(row["status"]).label: row["n"]
            for row in _status_counts(Partner.objects.all())
        }
    return context


def home_region(user: User) -> Region | None:
    """The region a person's school (or the ZIP they gave) falls in, with its partner."""
    place = (
        ZipCode.objects.select_related("region__partner")
        .filter(pk=user.home_zip_id, region__isnull=False)
        .first()
    )
    return place.region if place else None


def _status_counts(queryset):
    return queryset.values("status").annotate(n=Count("pk")).order_by("status")
