"""Writes for accounts."""

from django.db import transaction

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
