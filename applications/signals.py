"""Invitees are linked to their partner on their first sign-in, whichever way they come."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import invitations_accept_pending


@receiver(user_logged_in)
def _link_invitations(sender, request, user, **kwargs):
    invitations_accept_pending(user=user)
