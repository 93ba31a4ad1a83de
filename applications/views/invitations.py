"""An invited program manager links their account to the new partner."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from ..models import Invitation
from ..services import invitation_accept


@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    pending = Invitation.objects.select_related("partner").filter(token=token).first()
    if pending is None:
        raise Http404("This invitation link is not valid.")
    here = request.get_full_path()
    context = {
        "invitation": pending,
        "login_url": reverse("accounts:login") + "?" + urlencode({"next": here}),
        "signup_url": reverse("accounts:signup")
        + "?"
        + urlencode({"next": here, "email": pending.email}),
    }
    if request.method == "POST" and request.user.is_authenticated:
        try:
            invitation_accept(token=token, user=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request, f"You are now a program manager of {pending.partner.name}. Welcome."
            )
            return redirect("accounts:home")
    return render(request, "applications/invitation.html", context)
