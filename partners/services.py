"""Writes for partners."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction

from accounts.models import User
from geography.models import ZipCode

from .models import Partner
from .selectors import partner_contacts


@transaction.atomic
def partner_profile_update(*, partner: Partner, user: User, data: dict) -> Partner:
    """Save a partner's public profile fields (program managers of the partner, or admins)."""
    if not Partner.objects.editable_by(user).filter(pk=partner.pk).exists():
        raise PermissionDenied
    for field in ("description", "website", "contact_email", "phone", "address", "city"):
        if field in data:
            setattr(partner, field, data[field])
    if "zip" in data:
        zip_code: ZipCode | None = data["zip"]
        partner.zip_code = zip_code
        if zip_code is not None:
            partner.state = zip_code.state
            partner.city = partner.city or zip_code.city
    partner.full_clean()
    partner.save()
    if "courses" in data:
        partner.courses.set(data["courses"])
    return partner


def contact_message_send(
    *, partner: Partner | None, name: str, email: str, message: str, zip_code: str = ""
) -> list[str]:
    """Email a visitor's message to the partner's program managers, or to the program office.

    The visitor's address goes in Reply-To, never From, so replies reach them and the mail
    is not spoofed. Returns the recipients.
    """
    recipients = partner_contacts(partner) or [settings.PROGRAM_OFFICE_EMAIL]
    where = f" (ZIP {zip_code})" if zip_code else ""
    to_whom = partner.name if partner else "the Regional Partner Program office"
    body = (
        f"{name} <{email}>{where} wrote to {to_whom} through PartnerHub:\n\n"
        f"{message}\n\n"
        "Reply to this email to answer them."
    )
    EmailMessage(
        subject=f"Message from {name} via PartnerHub",
        body=body,
        to=recipients,
        reply_to=[email],
    ).send()
    return recipients
