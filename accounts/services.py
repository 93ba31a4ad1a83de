"""Writes for accounts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from core.audit import audited

from .models import SELF_SERVICE_ROLES, User


@transaction.atomic
def user_sign_up(*, email: str, password: str, first_name: str, last_name: str, role: str) -> User:
    """Create a teacher or applicant account (the only roles anyone may give themselves)."""
    if role not in SELF_SERVICE_ROLES:
        raise ValueError(f"Role {role!r} cannot be chosen at sign-up.")
    user = User(email=email, first_name=first_name, last_name=last_name, role=role)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


# --- API tokens (django-rest-knox) ------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for `user`, acting exactly as they do; returns (row, token).

    The token itself exists only in the return value: the database keeps its hash, so the
    caller shows it once. A user holds at most settings.API_TOKENS_PER_USER live tokens.
    """
    if not user.is_active:
        raise ValidationError("An inactive account cannot have API tokens.")
    live = AuthToken.objects.filter(user=user).exclude(expiry__lt=timezone.now()).count()
    if live >= settings.API_TOKENS_PER_USER:
        raise ValidationError(
            f"You have {live} API tokens, the most one person may have. Revoke one first."
        )
    with audited(user, label="api-token"):
        return AuthToken.objects.create(user=user)


@transaction.atomic
def api_token_revoke(*, user: User, token_key: str) -> bool:
    """Revoke one of `user`'s tokens, named by its first characters; False if none matches."""
    tokens = list(AuthToken.objects.filter(user=user, token_key=token_key))
    with audited(user, label="api-token"):
        for token in tokens:
            token.delete()
    return bool(tokens)
