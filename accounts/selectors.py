"""What a signed-in person's home page shows, by role."""

from django.db.models import Count

from partners.models import Partner, ProgramManager

from .models import Role, User


def home_for(user: User) -> dict:
    context: dict = {"role": Role(user.role)}
    if user.is_program_manager:
        context["memberships"] = ProgramManager.objects.filter(user=user).select_related(
            "partner", "partner__regional_manager"
        )
    if user.is_regional_manager:
        context["partners"] = Partner.objects.visible_to(user).select_related("state")
    if user.is_program_admin:
        context["partner_counts"] = {
            Partner.Status(row["status"]).label: row["n"]
            for row in _status_counts(Partner.objects.all())
        }
    return context


def _status_counts(queryset):
    return queryset.values("status").annotate(n=Count("pk")).order_by("status")
