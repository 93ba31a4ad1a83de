"""The partner workspace frame: every page under /manage/partners/<slug>/ goes through here.

`workspace_view` resolves the partner inside the user's scope (404 outside it, exactly as for
a missing partner) and hands the view a `Workspace`: the partner, whether the user may change
its records, whether they are program office staff, and the partners they may switch to.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from .models import Partner


@dataclass
class Workspace:
    partner: Partner
    section: str
    can_edit: bool  # program managers of the partner and program admins
    is_office: bool  # program admins and the partner's regional manager
    switch_to: list[Partner] = field(default_factory=list)


def workspace_for(user, partner: Partner, section: str) -> Workspace:
    can_edit = user.is_program_admin or (
        user.is_program_manager and partner.program_managers.filter(user=user).exists()
    )
    switch_to: list[Partner] = []
    if user.is_program_manager or user.is_regional_manager:
        # A manager of several partners switches between them; admins use the partner list.
        switch_to = list(Partner.objects.visible_to(user).only("pk", "name", "slug"))
        if len(switch_to) < 2:
            switch_to = []
    return Workspace(
        partner=partner,
        section=section,
        can_edit=can_edit,
        is_office=user.is_program_admin or user.is_regional_manager,
        switch_to=switch_to,
    )


def workspace_view(section: str, *, edit: bool = False) -> Callable:
    """Decorate `view(request, ws, *args, **kwargs)` for a URL with a partner `slug`.

    With `edit=True` only people who may change the partner's records get through; for
    everyone else the page does not exist (404), even if they may read the partner.
    """

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request, slug: str, *args, **kwargs):
            scope = Partner.objects.editable_by if edit else Partner.objects.visible_to
            partner = get_object_or_404(
                scope(request.user).select_related("regional_manager", "state"), slug=slug
            )
            ws = workspace_for(request.user, partner, section)
            return view(request, ws, *args, **kwargs)

        return wrapper

    return decorator
