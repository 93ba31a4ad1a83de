"""Who may manage regions: program admins only. Everyone else is out of scope (404)."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from .models import Region


def can_manage_regions(user) -> bool:
    return user.is_authenticated and user.is_program_admin


def regions_manageable_by(user) -> QuerySet[Region]:
    """The regions `user` may open in the region workspace: all of them, or none."""
    return Region.objects.all() if can_manage_regions(user) else Region.objects.none()


def region_manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let program admins in; send anonymous visitors to sign in; answer 404 to everyone else.

    A signed-in user without the role gets the same answer as for a missing page: the
    workspace's existence is out of their scope (DESIGN.md, "Scope").
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_manage_regions(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper
