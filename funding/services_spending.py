"""Writes for spending reports, their receipts, and a partner's independent funding.

Program managers of the award's partner and program admins write; regional managers read
only (PermissionDenied here, 404 in the views). A report is a draft until it is submitted:
only then do its lines count as spent, and from then on it no longer changes. Spending over
a line's awarded amount is neither refused nor let through quietly: the report says by how
much, and it cannot be submitted without an explanation in its note.
"""

import datetime
import io
import os
import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from core.audit import audited
from core.program_years import program_year_bounds
from core.templatetags.money import usd
from partners.models import Partner
from workshops.models import Workshop

from .models import (
    BudgetCategory,
    FundingAward,
    IndependentFunding,
    Receipt,
    SpendingLine,
    SpendingReport,
)
from .selectors_spending import award_line_spending

# What a receipt may be: the real content decides, never the name or the browser's type.
# (SVG is refused on purpose: it is XML that can carry script.)
PDF = ("pdf", "application/pdf")
IMAGE_FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
RECEIPT_TYPES_TEXT = "a PDF or an image (PNG, JPEG, GIF or WebP)"


# --- Scope ----------------------------------------------------------------------------------


def _require_editor(user, partner: Partner) -> None:
    if not Partner.objects.editable_by(user).filter(pk=partner.pk).exists():
        raise PermissionDenied("Only the partner's program managers and program admins can.")


def _require_draft(report: SpendingReport) -> None:
    if report.status != SpendingReport.Status.DRAFT:
        raise ValidationError("This report is submitted: it can no longer be changed.")


def _locked_report(report: SpendingReport) -> SpendingReport:
    """The report row, locked for this transaction, so a double submit or a line added while
    it is being submitted waits and then sees the report as it is."""
    return (
        SpendingReport.objects.select_for_update()
        .select_related("award__partner")
        .get(pk=report.pk)
    )


# --- Reports --------------------------------------------------------------------------------


def _check_period(award: FundingAward, period_start, period_end) -> None:
    first, last = program_year_bounds(award.program_year)
    errors = {}
    if period_start and not first <= period_start <= last:
        errors["period_start"] = (
            f"The period falls within the award's program year ({first:%b %-d, %Y} to "
            f"{last:%b %-d, %Y})."
        )
    if period_end and not first <= period_end <= last:
        errors["period_end"] = (
            f"The period falls within the award's program year ({first:%b %-d, %Y} to "
            f"{last:%b %-d, %Y})."
        )
    if period_start and period_end and period_end < period_start:
        errors.setdefault("period_end", "The end of the period comes after its start.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def spending_report_create(
    *,
    award: FundingAward,
    user,
    period_start: datetime.date,
    period_end: datetime.date,
    note: str = "",
) -> SpendingReport:
    """Open a draft spending report on an approved award, for a period inside its year."""
    _require_editor(user, award.partner)
    award = FundingAward.objects.select_for_update().get(pk=award.pk)
    if award.status != FundingAward.Status.APPROVED:
        raise ValidationError(
            {
                "award": "Spending is reported on an approved award; this one is "
                f"{award.get_status_display().lower()}."
            }
        )
    _check_period(award, period_start, period_end)
    report = SpendingReport(
        award=award,
        period_start=period_start,
        period_end=period_end,
        note=note.strip(),
        created_by=user,
    )
    report.full_clean()
    with audited(user, label="spending-report-create"):
        report.save()
    return report


@transaction.atomic
def spending_report_delete(*, report: SpendingReport, user) -> None:
    """Delete a draft report with its lines and receipts (files go once the delete commits)."""
    _require_editor(user, report.award.partner)
    report = _locked_report(report)
    _require_draft(report)
    files = [r.file.name for r in Receipt.objects.filter(line__report=report)]
    with audited(user, label="spending-report-delete"):
        report.delete()
    transaction.on_commit(lambda: [_remove_file(name) for name in files])


def spending_report_over(report: SpendingReport) -> dict[str, Decimal]:
    """{category: amount over the awarded amount} if this report were submitted now."""
    return {
        row.category: row.over
        for row in award_line_spending(report.award, including=report)
        if row.over > 0
    }


@transaction.atomic
def spending_report_submit(
    *, report: SpendingReport, user, note: str | None = None
) -> SpendingReport:
    """Submit a draft report: its lines count as spent from now on and it no longer changes.

    A report without lines is refused. When the award's submitted spending on a budget line
    (with this report) goes over the line's awarded amount, the report needs an explanation
    in its note; `note`, when given, replaces the report's note.
    """
    _require_editor(user, report.award.partner)
    # The award first: two reports submitted at the same moment are judged one after the
    # other, so together they cannot slip past the award without an explanation.
    FundingAward.objects.select_for_update().filter(pk=report.award_id).first()
    report = _locked_report(report)
    if report.status == SpendingReport.Status.SUBMITTED:
        raise ValidationError("This report is already submitted.")
    if not report.lines.exists():
        raise ValidationError("Add at least one line of spending before submitting the report.")
    if note is not None:
        report.note = note.strip()
    over = spending_report_over(report)
    if over and not report.note:
        lines = "; ".join(
            f"{BudgetCategory(category).label} by {usd(amount)}"
            for category, amount in over.items()
        )
        raise ValidationError(
            {"note": f"Over the awarded amount: {lines}. Explain why in the note to submit."}
        )
    report.status = SpendingReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.full_clean()
    with audited(user, label="spending-report-submit"):
        report.save()
    return report


# --- Lines ----------------------------------------------------------------------------------


def _check_line(report: SpendingReport, *, workshop: Workshop | None, spent_on, amount) -> None:
    award = report.award
    errors = {}
    if workshop is not None and workshop.partner_id != award.partner_id:
        errors["workshop"] = "Choose one of the partner's own workshops."
    if spent_on:
        first, last = program_year_bounds(award.program_year)
        start, end = max(first, report.period_start), min(last, report.period_end)
        if not start <= spent_on <= end:
            errors["spent_on"] = (
                f"The date falls within the report's period ({start:%b %-d, %Y} to "
                f"{end:%b %-d, %Y})."
            )
    if amount is not None and amount <= 0:
        errors["amount"] = "The amount is more than zero."
    if errors:
        raise ValidationError(errors)


def _money(amount) -> Decimal:
    """A positive amount: typed amounts arrive as Decimals from forms and serializers; a third
    decimal is refused by the field's validation, never rounded away silently."""
    amount = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    if amount <= 0:
        raise ValidationError({"amount": "The amount is more than zero."})
    return amount


@transaction.atomic
def spending_line_add(
    *,
    report: SpendingReport,
    user,
    category: str,
    spent_on: datetime.date,
    description: str,
    amount: Decimal,
    workshop: Workshop | None = None,
) -> SpendingLine:
    """Add an expense to a draft report: a budget line, a date in the report's period, an
    amount above zero and, when the money went to one, one of the partner's workshops."""
    _require_editor(user, report.award.partner)
    report = _locked_report(report)
    _require_draft(report)
    amount = _money(amount)
    _check_line(report, workshop=workshop, spent_on=spent_on, amount=amount)
    line = SpendingLine(
        report=report,
        category=category,
        workshop=workshop,
        spent_on=spent_on,
        description=description.strip(),
        amount=amount,
    )
    line.full_clean()
    with audited(user, label="spending-line-add"):
        line.save()
    return line


@transaction.atomic
def spending_line_update(
    *,
    line: SpendingLine,
    user,
    category: str,
    spent_on: datetime.date,
    description: str,
    amount: Decimal,
    workshop: Workshop | None = None,
) -> SpendingLine:
    """Change an expense of a draft report (same rules as adding one)."""
    _require_editor(user, line.report.award.partner)
    report = _locked_report(line.report)
    _require_draft(report)
    amount = _money(amount)
    _check_line(report, workshop=workshop, spent_on=spent_on, amount=amount)
    line.category = category
    line.workshop = workshop
    line.spent_on = spent_on
    line.description = description.strip()
    line.amount = amount
    line.full_clean()
    with audited(user, label="spending-line-update"):
        line.save()
    return line


@transaction.atomic
def spending_line_delete(*, line: SpendingLine, user) -> None:
    """Remove an expense (and its receipts) from a draft report."""
    _require_editor(user, line.report.award.partner)
    report = _locked_report(line.report)
    _require_draft(report)
    files = list(line.receipts.values_list("file", flat=True))
    with audited(user, label="spending-line-delete"):
        line.delete()
    transaction.on_commit(lambda: [_remove_file(name) for name in files])


# --- Receipts -------------------------------------------------------------------------------


def _sniff(uploaded_file: UploadedFile) -> tuple[str, str] | None:
    """(extension, content type) from the file's bytes, or None if it is not a receipt type."""
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    looks_like_image = (
        head.startswith(b"\x89PNG\r\n\x1a\n")
        or head.startswith(b"\xff\xd8\xff")
        or head[:6] in (b"GIF87a", b"GIF89a")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    )
    if not looks_like_image:
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        data = uploaded_file.read()
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        uploaded_file.seek(0)
    return IMAGE_FORMATS.get(kind or "")


def _clean_name(name: str) -> str:
    # Shown back to people and put in a download header: no path, no control characters.
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return (base or "receipt")[:200]


def _remove_file(name: str) -> None:
    if name:
        Receipt._meta.get_field("file").storage.delete(name)


@transaction.atomic
def receipt_add(*, line: SpendingLine, user, uploaded_file: UploadedFile) -> Receipt:
    """Attach a receipt to an expense of a draft report.

    A PDF or an image (PNG, JPEG, GIF, WebP), judged by its content, at most
    `settings.RECEIPT_MAX_BYTES`; stored under a random name in the private storage
    (outside the web root), served only through the funding views after a scope check.
    """
    _require_editor(user, line.report.award.partner)
    report = _locked_report(line.report)
    _require_draft(report)
    limit = settings.RECEIPT_MAX_BYTES
    size = uploaded_file.size or 0
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    if size > limit:
        raise ValidationError(
            {
                "file": f"The file is {filesizeformat(size)}; a receipt can be at most "
                f"{filesizeformat(limit)}."
            }
        )
    kind = _sniff(uploaded_file)
    if kind is None:
        raise ValidationError({"file": f"A receipt is {RECEIPT_TYPES_TEXT}; this file is neither."})
    extension, content_type = kind
    receipt = Receipt(
        line=line,
        original_name=_clean_name(uploaded_file.name),
        content_type=content_type,
        size=size,
        uploaded_by=user,
    )
    # The stored name's extension follows the content found, never the name typed.
    receipt.file.save(f"receipt.{extension}", uploaded_file, save=False)
    stored = receipt.file.name
    try:
        receipt.full_clean()
        with audited(user, label="receipt-add"):
            receipt.save()
    except Exception:
        # Django has no hook for a rollback: the file is on disk before the row, so a row
        # that cannot be written takes its file with it.
        _remove_file(stored)
        raise
    return receipt


@transaction.atomic
def receipt_delete(*, receipt: Receipt, user) -> None:
    """Remove a receipt from an expense of a draft report; the file goes once that commits."""
    _require_editor(user, receipt.line.report.award.partner)
    report = _locked_report(receipt.line.report)
    _require_draft(report)
    name = receipt.file.name
    with audited(user, label="receipt-delete"):
        receipt.delete()
    transaction.on_commit(lambda: _remove_file(name))


# --- Independent funding --------------------------------------------------------------------


@transaction.atomic
def independent_funding_add(
    *,
    partner: Partner,
    user,
    program_year: str,
    kind: str,
    source: str,
    amount: Decimal,
    note: str = "",
) -> IndependentFunding:
    """Record money the partner raised itself in a program year."""
    _require_editor(user, partner)
    funding = IndependentFunding(
        partner=partner,
        program_year=program_year,
        kind=kind,
        source=source.strip(),
        amount=_money(amount),
        note=note.strip(),
        created_by=user,
    )
    funding.full_clean()
    with audited(user, label="independent-funding-add"):
        funding.save()
    return funding


@transaction.atomic
def independent_funding_update(
    *,
    funding: IndependentFunding,
    user,
    program_year: str,
    kind: str,
    source: str,
    amount: Decimal,
    note: str = "",
) -> IndependentFunding:
    """Correct an independent funding source."""
    _require_editor(user, funding.partner)
    funding.program_year = program_year
    funding.kind = kind
    funding.source = source.strip()
    funding.amount = _money(amount)
    funding.note = note.strip()
    funding.full_clean()
    with audited(user, label="independent-funding-update"):
        funding.save()
    return funding


@transaction.atomic
def independent_funding_delete(*, funding: IndependentFunding, user) -> None:
    """Remove an independent funding source."""
    _require_editor(user, funding.partner)
    with audited(user, label="independent-funding-delete"):
        funding.delete()
