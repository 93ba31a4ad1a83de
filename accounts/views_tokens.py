"""API tokens for integrations, under the account: make one (shown once), see and revoke them.

A token acts exactly as its owner (knox.auth.TokenAuthentication): the same scope, the same
404 outside it, and nothing once the account is deactivated.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from knox.models import AuthToken

from . import services


def _page(request, *, token: str = "", errors=(), status: int = 200):
    tokens = AuthToken.objects.filter(user=request.user).order_by("-created")
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": tokens, "new_token": token, "errors": errors},
        status=status,
    )


@never_cache
@login_required
def tokens(request):
    """The list; a POST makes a token and shows it this once (never stored, never again)."""
    if request.method != "POST":
        return _page(request)
    try:
        _row, token = services.api_token_create(user=request.user)
    except ValidationError as error:
        return _page(request, errors=error.messages, status=400)
    return _page(request, token=token)


@require_POST
@login_required
def token_revoke(request, token_key: str):
    if not services.api_token_revoke(user=request.user, token_key=token_key):
        raise Http404("No such token.")
    messages.success(request, f"The token {token_key}… is revoked: it no longer works.")
    return redirect("accounts:tokens")
