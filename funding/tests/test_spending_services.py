import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError

from funding.models import FundingAward, IndependentFunding, Receipt, SpendingReport
from funding.services_spending import (
    independent_funding_add,
    independent_funding_delete,
    independent_funding_update,
    receipt_add,
    receipt_delete,
    spending_line_add,
    spending_line_delete,
    spending_line_update,
    spending_report_create,
    spending_report_delete,
    spending_report_submit,
)
from funding.tests.factories import (
    IndependentFundingFactory,
    SpendingLineFactory,
    SpendingReportFactory,
)
from funding.tests.factories_spending import (
    gif_bytes,
    pdf_bytes,
    png_bytes,
    scene,
    submitted_line,
    upload,
    use_private_media,
    workshop_of,
)

FALL = {"period_start": datetime.date(2026, 7, 1), "period_end": datetime.date(2026, 12, 31)}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Receipts go to the test's own directory, never into the repository."""
    use_private_media(settings, tmp_path)


@pytest.fixture
def s(db):
    return scene()


@pytest.fixture
def draft(s):
    return spending_report_create(award=s.award, user=s.pm, note="", **FALL)


def add(report, user, amount="100.00", category="food", **kwargs):
    values = {
        "category": category,
        "spent_on": datetime.date(2026, 8, 10),
        "description": "Lunch, day 1",
        "amount": Decimal(amount),
    }
    values.update(kwargs)
    return spending_line_add(report=report, user=user, **values)


# --- Reports --------------------------------------------------------------------------------


def test_a_program_manager_opens_a_report_and_the_history_names_them(s):
    report = spending_report_create(award=s.award, user=s.pm, note=" First half ", **FALL)
    assert (report.status, report.note, report.created_by) == ("draft", "First half", s.pm)
    entry = LogEntry.objects.get_for_object(report).get()
    assert entry.actor == s.pm


@pytest.mark.parametrize("who", ["rm", "other_pm", "other_rm", "teacher"])
def test_only_the_partners_managers_and_admins_open_reports(s, who):
    with pytest.raises(PermissionDenied):
        spending_report_create(award=s.award, user=getattr(s, who), **FALL)
    assert spending_report_create(award=s.award, user=s.admin, **FALL).pk


@pytest.mark.parametrize("status", ["draft", "proposed", "closed"])
def test_reports_are_opened_on_approved_awards_only(s, status):
    FundingAward.objects.filter(pk=s.award.pk).update(status=status)
    s.award.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        spending_report_create(award=s.award, user=s.pm, **FALL)
    assert "award" in error.value.message_dict


def test_the_period_falls_within_the_awards_year_and_in_order(s):
    with pytest.raises(ValidationError) as error:
        spending_report_create(
            award=s.award,
            user=s.pm,
            period_start=datetime.date(2026, 6, 30),
            period_end=datetime.date(2027, 7, 1),
        )
    assert set(error.value.message_dict) == {"period_start", "period_end"}
    with pytest.raises(ValidationError) as error:
        spending_report_create(
            award=s.award,
            user=s.pm,
            period_start=datetime.date(2026, 9, 1),
            period_end=datetime.date(2026, 8, 1),
        )
    assert "period_end" in error.value.message_dict


# --- Lines ----------------------------------------------------------------------------------


def test_lines_keep_the_cents_and_can_be_changed_and_removed_while_a_draft(s, draft):
    line = add(draft, s.pm, amount="12.35")
    assert line.amount == Decimal("12.35")
    spending_line_update(
        line=line,
        user=s.pm,
        category="venue",
        spent_on=datetime.date(2026, 9, 1),
        description="Hall",
        amount=Decimal("400.10"),
    )
    line.refresh_from_db()
    assert (line.category, line.amount) == ("venue", Decimal("400.10"))
    spending_line_delete(line=line, user=s.pm)
    assert not draft.lines.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5.00")}, "amount"),
        ({"amount": Decimal("1.005")}, "amount"),
        ({"spent_on": datetime.date(2027, 1, 1)}, "spent_on"),  # after the report's period
        ({"spent_on": datetime.date(2026, 6, 30)}, "spent_on"),  # before the program year
        ({"category": "travel"}, "category"),
    ],
)
def test_lines_refuse_bad_values_by_field(s, draft, changes, field):
    with pytest.raises(ValidationError) as error:
        add(draft, s.pm, **changes)
    assert field in error.value.message_dict
    assert not draft.lines.exists()


def test_a_line_names_only_the_partners_own_workshop(s, draft):
    from partners.tests.factories import PartnerFactory

    theirs = workshop_of(PartnerFactory())
    with pytest.raises(ValidationError) as error:
        add(draft, s.pm, workshop=theirs)
    assert "workshop" in error.value.message_dict
    ours = workshop_of(s.partner)
    assert add(draft, s.pm, workshop=ours).workshop == ours


def test_a_submitted_report_no_longer_changes(s, draft):
    line = add(draft, s.pm)
    spending_report_submit(report=draft, user=s.pm)
    for change in (
        lambda: add(draft, s.pm),
        lambda: spending_line_delete(line=line, user=s.pm),
        lambda: receipt_add(line=line, user=s.pm, uploaded_file=upload("r.pdf", pdf_bytes())),
        lambda: spending_report_delete(report=draft, user=s.pm),
    ):
        with pytest.raises(ValidationError):
            change()
    assert draft.lines.count() == 1


def test_a_regional_manager_cannot_add_lines(s, draft):
    with pytest.raises(PermissionDenied):
        add(draft, s.rm)


# --- Submit and over-spending ---------------------------------------------------------------


def test_an_empty_report_is_not_submitted(s, draft):
    with pytest.raises(ValidationError, match="at least one line"):
        spending_report_submit(report=draft, user=s.pm)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_submitting_twice_is_refused_with_a_message(s, draft):
    add(draft, s.pm)
    spending_report_submit(report=draft, user=s.pm)
    with pytest.raises(ValidationError, match="already submitted"):
        spending_report_submit(report=draft, user=s.pm)


def test_within_the_award_a_report_submits_without_explanation(s, draft):
    submitted_line(s.award, "600.00")
    add(draft, s.pm, amount="400.00")  # 1000.00 of 1000.00: exactly the award
    report = spending_report_submit(report=draft, user=s.pm)
    assert report.status == "submitted" and report.submitted_at is not None


def test_over_the_award_the_report_needs_an_explanation(s, draft):
    submitted_line(s.award, "600.00")
    SpendingLineFactory(  # another draft does not count
        report=SpendingReportFactory(award=s.award), amount=Decimal("900.00")
    )
    add(draft, s.pm, amount="400.01")
    with pytest.raises(ValidationError) as error:
        spending_report_submit(report=draft, user=s.pm)
    message = error.value.message_dict["note"][0]
    assert "Food by $0.01" in message
    draft.refresh_from_db()
    assert draft.status == "draft"
    report = spending_report_submit(
        report=draft, user=s.pm, note="Two extra days of training, agreed with our RM."
    )
    assert report.status == "submitted"
    assert report.note.startswith("Two extra days")


def test_spending_on_a_line_that_was_not_awarded_is_over(s, draft):
    add(draft, s.pm, amount="10.00", category="other")
    with pytest.raises(ValidationError, match=r"Other by \$10.00"):
        spending_report_submit(report=draft, user=s.pm)


def test_a_note_already_on_the_report_explains(s):
    report = spending_report_create(award=s.award, user=s.pm, note="Venue price rose.", **FALL)
    add(report, s.pm, amount="600.00", category="venue")
    assert spending_report_submit(report=report, user=s.pm).status == "submitted"


def test_deleting_a_draft_takes_its_lines_and_receipt_files(
    s, draft, django_capture_on_commit_callbacks
):
    line = add(draft, s.pm)
    receipt = receipt_add(line=line, user=s.pm, uploaded_file=upload("r.pdf", pdf_bytes()))
    path = Path(receipt.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        spending_report_delete(report=draft, user=s.pm)
    assert not SpendingReport.objects.filter(pk=draft.pk).exists()
    assert not Receipt.objects.exists()
    assert not path.exists()


# --- Receipts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored"),
    [
        ("receipt.pdf", pdf_bytes(), "application/pdf", "application/pdf"),
        ("photo.png", png_bytes(), "image/png", "image/png"),
        # The name and the browser's type do not matter: the content does.
        ("scan.pdf", png_bytes(), "application/pdf", "image/png"),
        ("anim.gif", gif_bytes(), "image/gif", "image/gif"),
    ],
)
def test_receipts_are_judged_by_their_content(s, draft, name, content, content_type, stored):
    line = add(draft, s.pm)
    receipt = receipt_add(line=line, user=s.pm, uploaded_file=upload(name, content, content_type))
    assert receipt.content_type == stored
    assert receipt.original_name == name
    assert receipt.size == len(content)
    assert receipt.file.name.endswith("." + stored.split("/")[1].replace("jpeg", "jpg"))
    assert Path(receipt.file.path).read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("invoice.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        ("invoice.pdf", b"Just some text pretending to be a PDF", "application/pdf"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "application/pdf"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"not really an image", "image/png"),
    ],
)
def test_receipts_that_are_not_pdfs_or_images_are_refused(s, draft, name, content, content_type):
    line = add(draft, s.pm)
    with pytest.raises(ValidationError) as error:
        receipt_add(line=line, user=s.pm, uploaded_file=upload(name, content, content_type))
    assert "PDF or an image" in error.value.message_dict["file"][0]
    assert not Receipt.objects.exists()
    assert not any(Path(django_settings.PRIVATE_MEDIA_ROOT).rglob("*.*"))


def test_receipts_over_the_size_limit_are_refused_with_the_limit(s, draft, settings):
    settings.RECEIPT_MAX_BYTES = 1024
    line = add(draft, s.pm)
    content = pdf_bytes() + b"0" * 1024
    with pytest.raises(ValidationError) as error:
        receipt_add(line=line, user=s.pm, uploaded_file=upload("big.pdf", content))
    assert "at most 1.0\xa0KB" in error.value.message_dict["file"][0]
    with pytest.raises(ValidationError, match="empty"):
        receipt_add(line=line, user=s.pm, uploaded_file=upload("empty.pdf", b""))
    assert not Receipt.objects.exists()


def test_receipts_are_stored_privately_under_a_random_name(s, draft, settings, tmp_path):
    line = add(draft, s.pm)
    receipt = receipt_add(
        line=line, user=s.pm, uploaded_file=upload("../../etc/passwd\x00.pdf", pdf_bytes())
    )
    path = Path(receipt.file.path).resolve()
    assert path.is_relative_to((tmp_path / "private").resolve())
    for public in (settings.STATIC_ROOT, settings.MEDIA_ROOT, *settings.STATICFILES_DIRS):
        root = public[1] if isinstance(public, tuple) else public
        assert not path.is_relative_to(Path(root).resolve())
    assert "passwd" not in receipt.file.name
    assert receipt.original_name == "passwd.pdf"


def test_removing_a_receipt_removes_its_file(s, draft, django_capture_on_commit_callbacks):
    line = add(draft, s.pm)
    receipt = receipt_add(line=line, user=s.pm, uploaded_file=upload("r.pdf", pdf_bytes()))
    path = Path(receipt.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        receipt_delete(receipt=receipt, user=s.pm)
    assert not path.exists()
    assert not Receipt.objects.exists()


def test_an_other_partners_manager_cannot_attach_receipts(s, draft):
    line = add(draft, s.pm)
    with pytest.raises(PermissionDenied):
        receipt_add(line=line, user=s.other_pm, uploaded_file=upload("r.pdf", pdf_bytes()))


# --- Independent funding --------------------------------------------------------------------


def test_independent_funding_is_added_corrected_and_removed_with_history(s):
    funding = independent_funding_add(
        partner=s.partner,
        user=s.pm,
        program_year="2026-27",
        kind="state_grant",
        source=" State CS grant ",
        amount=Decimal("2500.50"),
    )
    assert (funding.source, funding.amount) == ("State CS grant", Decimal("2500.50"))
    independent_funding_update(
        funding=funding,
        user=s.pm,
        program_year="2026-27",
        kind="state_grant",
        source="State CS grant",
        amount=Decimal("2600.00"),
        note="Raised in January",
    )
    entries = LogEntry.objects.get_for_object(funding).order_by("timestamp")
    assert [e.actor for e in entries] == [s.pm, s.pm]
    assert entries.last().changes_dict["amount"] == ["2500.50", "2600.00"]
    independent_funding_delete(funding=funding, user=s.admin)
    assert not IndependentFunding.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"program_year": "2026-28"}, "program_year"),
        ({"kind": "lottery"}, "kind"),
        ({"source": ""}, "source"),
    ],
)
def test_independent_funding_refuses_bad_values(s, changes, field):
    values = {
        "program_year": "2026-27",
        "kind": "foundation",
        "source": "Foundation",
        "amount": Decimal("10.00"),
    }
    values.update(changes)
    with pytest.raises(ValidationError) as error:
        independent_funding_add(partner=s.partner, user=s.pm, **values)
    assert field in error.value.message_dict


@pytest.mark.parametrize("who", ["rm", "other_pm", "teacher"])
def test_independent_funding_is_written_by_the_partners_managers_only(s, who):
    funding = IndependentFundingFactory(partner=s.partner)
    with pytest.raises(PermissionDenied):
        independent_funding_delete(funding=funding, user=getattr(s, who))
    with pytest.raises(PermissionDenied):
        independent_funding_add(
            partner=s.partner,
            user=getattr(s, who),
            program_year="2026-27",
            kind="other",
            source="x",
            amount=Decimal("1.00"),
        )
