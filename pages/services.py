"""Writes for the public program content."""

from django.db import transaction
from django.utils import timezone

from geography.models import InterestSignup, ZipCode

from .defaults import PROGRAM_BLOCKS, TERMS_BODY, TERMS_SUMMARY, TERMS_VERSION
from .models import ContentBlock, TermSheet


@transaction.atomic
def content_ensure_defaults() -> int:
    """Create the default program-page blocks and the first term sheet where missing.

    Never overwrites what an editor wrote. Returns the number of objects created.
    """
    created = 0
    for block in PROGRAM_BLOCKS:
        _, was_created = ContentBlock.objects.get_or_create(
            key=block["key"],
            defaults={
                "title": block["title"],
                "body": block["body"],
                "order": block["order"],
                "link_url": block.get("link_url", ""),
            },
        )
        created += was_created
    if not TermSheet.objects.exists():
        TermSheet.objects.create(
            version=TERMS_VERSION,
            summary=TERMS_SUMMARY,
            body=TERMS_BODY,
            status=TermSheet.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        created += 1
    return created


@transaction.atomic
def termsheet_publish(*, termsheet: TermSheet, user=None) -> TermSheet:
    """Publish a draft term sheet; it becomes the current version and is frozen from then on."""
    termsheet = TermSheet.objects.select_for_update().get(pk=termsheet.pk)
    if termsheet.is_published:
        return termsheet
    termsheet.status = TermSheet.Status.PUBLISHED
    termsheet.published_at = timezone.now()
    termsheet.published_by = user
    termsheet.full_clean()
    termsheet.save()
    return termsheet


@transaction.atomic
def interest_signup_create(*, email: str, role: str, zip_code: ZipCode) -> InterestSignup:
    """Record that someone wants a partner in their area (once per address and ZIP)."""
    signup, created = InterestSignup.objects.get_or_create(
        email=email.strip().lower(),
        zip_code=zip_code,
        defaults={"role": role, "region": zip_code.region},
    )
    if not created and (signup.role, signup.region_id) != (role, zip_code.region_id):
        signup.role, signup.region = role, zip_code.region
        signup.full_clean()
        signup.save()
    return signup
