"""Writes for partners: the public profile, program managers and check-in notes."""

import secrets
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from applications.models import Invitation
from applications.services import invitation_url
from core.audit import audited
from geography.models import ZipCode

from .models import MIN_PROGRAM_MANAGER_FTE, CheckInNote, Partner, ProgramManager
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


# --- Program managers ------------------------------------------------------------------------
#
# Every change to a partner's managers locks the partner row first, so two people changing
# shares at once judge the total one after the other, never both against the same old total.


def _require_editor(partner: Partner, user: User) -> None:
    if not Partner.objects.editable_by(user).filter(pk=partner.pk).exists():
        raise PermissionDenied("Only the partner's program managers and program admins can.")


def _lock_partner(partner: Partner) -> Partner:
    return Partner.objects.select_for_update().get(pk=partner.pk)


def _active_fte(partner: Partner, *, excluding: ProgramManager | None = None) -> Decimal:
    """The partner's program-manager FTE as the commitment counts it (active accounts only)."""
    managers = ProgramManager.objects.filter(partner=partner, user__is_active=True)
    if excluding is not None:
        managers = managers.exclude(pk=excluding.pk)
    return managers.aggregate(total=Sum("fte_share"))["total"] or Decimal("0")


def _confirm_below_minimum(*, before: Decimal, after: Decimal, confirmed: bool) -> None:
    """A change that leaves the total below the minimum (and lowers it) must be confirmed."""
    if after < MIN_PROGRAM_MANAGER_FTE and after < before and not confirmed:
        raise ValidationError(
            {
                "confirm_below_minimum": ValidationError(
                    f"This leaves {after:.2f} FTE, below the {MIN_PROGRAM_MANAGER_FTE} FTE a "
                    "partner commits to: the program-manager commitment will show as missed. "
                    "Confirm to go ahead.",
                    code="below_minimum",
                )
            }
        )


def _invitation_send(invitation: Invitation, *, name: str, inviter: User) -> None:
    partner = invitation.partner
    greeting = f"Hello {name}," if name else "Hello,"
    message = EmailMessage(
        subject=f"You are invited to manage {partner.name} in PartnerHub",
        body=(
            f"{greeting}\n\n{inviter.get_full_name() or inviter.email} invited you to be a "
            f"program manager of {partner.name} ({invitation.fte_share} FTE) in the Regional "
            f"Partner Program.\n\nSign in (or sign up) with this address ({invitation.email}) "
            f"through this link to link your account:\n{invitation_url(invitation)}"
        ),
        to=[invitation.email],
    )
    transaction.on_commit(message.send)


@transaction.atomic
def program_manager_invite(
    *, partner: Partner, user: User, email: str, name: str, fte_share: Decimal
) -> Invitation:
    """Invite a person to manage the partner; the emailed link links their account.

    One invitation per partner and address: inviting again updates the pending one (same link,
    new share), and an invitation used by someone who no longer manages the partner is reset
    with a fresh link. Inviting a current manager is refused on `email`.
    """
    _require_editor(partner, user)
    partner = _lock_partner(partner)
    email = (email or "").strip().lower()
    name = (name or "").strip()
    if any(ch in name for ch in "\r\n"):
        raise ValidationError({"name": "Enter the name on one line."})
    if ProgramManager.objects.filter(partner=partner, user__email__iexact=email).exists():
        raise ValidationError(
            {"email": f"{email} already manages {partner.name}."}, code="already_manager"
        )
    invitation = (
        Invitation.objects.select_for_update().filter(partner=partner, email__iexact=email).first()
    )
    if invitation is None:
        invitation = Invitation(partner=partner, email=email)
    elif invitation.accepted_at is not None:
        # Used by someone who has since been removed: a fresh link, the old one stays dead.
        invitation.accepted_at = None
        invitation.accepted_by = None
        invitation.token = secrets.token_urlsafe(32)
    invitation.fte_share = fte_share
    invitation.full_clean()
    with audited(user, label="program-manager"):
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            raise ValidationError(
                {"email": "This address was just invited; reload the page to see it."},
                code="duplicate",
            ) from None
    _invitation_send(invitation, name=name, inviter=user)
    return invitation


def _pending(invitation: Invitation, user: User) -> Invitation:
    _require_editor(invitation.partner, user)
    _lock_partner(invitation.partner)
    fresh = Invitation.objects.select_related("partner").filter(pk=invitation.pk).first()
    if fresh is None or fresh.accepted_at is not None:
        raise ValidationError("This invitation has already been used or cancelled.", code="used")
    return fresh


@transaction.atomic
def program_manager_invitation_resend(*, invitation: Invitation, user: User) -> Invitation:
    """Email a pending invitation's link again."""
    invitation = _pending(invitation, user)
    _invitation_send(invitation, name="", inviter=user)
    return invitation


@transaction.atomic
def program_manager_invitation_cancel(*, invitation: Invitation, user: User) -> None:
    """Withdraw a pending invitation: its link stops working."""
    invitation = _pending(invitation, user)
    with audited(user, label="program-manager"):
        invitation.delete()


@transaction.atomic
def program_manager_update(
    *,
    manager: ProgramManager,
    user: User,
    fte_share: Decimal,
    confirm_below_minimum: bool = False,
) -> ProgramManager:
    """Change a program manager's FTE share.

    Lowering the partner's total below the 0.5 FTE minimum is allowed (people's hours change)
    but never silently: it needs `confirm_below_minimum`, and the commitment then shows missed.
    """
    _require_editor(manager.partner, user)
    partner = _lock_partner(manager.partner)
    manager = ProgramManager.objects.select_related("user").get(pk=manager.pk, partner=partner)
    before = _active_fte(partner)
    after = _active_fte(partner, excluding=manager)
    if manager.user.is_active:
        after += Decimal(fte_share)
    manager.fte_share = fte_share
    manager.full_clean()
    _confirm_below_minimum(before=before, after=after, confirmed=confirm_below_minimum)
    with audited(user, label="program-manager"):
        manager.save(update_fields=["fte_share"])
    return manager


@transaction.atomic
def program_manager_remove(
    *, manager: ProgramManager, user: User, confirm_below_minimum: bool
) -> Decimal:
    """Remove a program manager from the partner; returns the partner's FTE total after it.

    The last manager with an active account cannot be removed: someone must be able to
    manage the partner. Falling below the minimum needs `confirm_below_minimum`.
    """
    _require_editor(manager.partner, user)
    partner = _lock_partner(manager.partner)
    manager = (
        ProgramManager.objects.select_related("user").filter(pk=manager.pk, partner=partner).first()
    )
    if manager is None:
        raise ValidationError("This program manager was already removed.", code="gone")
    others = ProgramManager.objects.filter(partner=partner, user__is_active=True).exclude(
        pk=manager.pk
    )
    if manager.user.is_active and not others.exists():
        raise ValidationError(
            f"{manager.user} is the last program manager of {partner.name}. Invite another "
            "before removing them: someone must be able to manage the partner.",
            code="last_manager",
        )
    before = _active_fte(partner)
    after = _active_fte(partner, excluding=manager)
    _confirm_below_minimum(before=before, after=after, confirmed=confirm_below_minimum)
    with audited(user, label="program-manager"):
        manager.delete()
    return after


# --- Check-in notes ----------------------------------------------------------------------------


def _require_office_of(partner: Partner, user: User) -> None:
    """Check-in notes are written by the partner's regional manager or a program admin."""
    if not (
        user.is_program_admin
        or (user.is_regional_manager and partner.regional_manager_id == user.pk)
    ):
        raise PermissionDenied("Only the partner's regional manager and program admins can.")


def _require_note_author(note: CheckInNote, user: User) -> None:
    _require_office_of(note.partner, user)
    if not user.is_program_admin and note.author_id != user.pk:
        raise PermissionDenied("You can change only the notes you wrote.")


def _check_note(note: CheckInNote) -> None:
    errors = {}
    if note.happened_on and note.happened_on > timezone.localdate():
        errors["happened_on"] = "A check-in note records a check-in that happened: today or before."
    max_length = CheckInNote._meta.get_field("body").max_length
    if len(note.body or "") > max_length:
        errors["body"] = f"Keep the note to {max_length:,} characters or fewer."
    try:
        note.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def check_in_note_create(
    *, partner: Partner, user: User, happened_on: date, body: str
) -> CheckInNote:
    """Record a dated check-in with a partner. Program managers never see these notes."""
    _require_office_of(partner, user)
    note = CheckInNote(partner=partner, author=user, happened_on=happened_on, body=body.strip())
    _check_note(note)
    with audited(user, label="check-in"):
        note.save()
    return note


@transaction.atomic
def check_in_note_update(
    *, note: CheckInNote, user: User, happened_on: date, body: str
) -> CheckInNote:
    """Correct one's own note (program admins may correct any)."""
    _require_note_author(note, user)
    note.happened_on = happened_on
    note.body = body.strip()
    _check_note(note)
    with audited(user, label="check-in"):
        note.save()
    return note


@transaction.atomic
def check_in_note_delete(*, note: CheckInNote, user: User) -> None:
    """Delete one's own note (program admins may delete any)."""
    _require_note_author(note, user)
    with audited(user, label="check-in"):
        CheckInNote.objects.filter(pk=note.pk).delete()
