from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import IndependentFunding, Receipt, SpendingLine, SpendingReport
from funding.tests.factories import (
    IndependentFundingFactory,
    SpendingLineFactory,
    SpendingReportFactory,
    approved_award,
)
from funding.tests.factories_spending import (
    attended,
    pdf_bytes,
    png_bytes,
    scene,
    submitted_line,
    upload,
    use_private_media,
    workshop_of,
)
from partners.tests.factories import PartnerFactory

D = Decimal


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    use_private_media(settings, tmp_path)


@pytest.fixture
def s(db):
    return scene()


@pytest.fixture
def draft(s):
    report = SpendingReportFactory(award=s.award)
    line = SpendingLineFactory(report=report, amount=D("40.00"), description="Bagels")
    receipt = Receipt(line=line, original_name="bagels.pdf", content_type="application/pdf", size=5)
    from django.core.files.base import ContentFile

    receipt.file.save("receipt.pdf", ContentFile(pdf_bytes()), save=True)
    return report


def url(name, s, *args):
    return reverse(f"partner_funding:{name}", args=[s.partner.slug, *args])


def status_of(client, address) -> int:
    response = client.get(address)
    close_file(response)
    return response.status_code


def close_file(response) -> None:
    # A receipt streams from an open file: reading the stream to its end closes it, the way
    # the test client means to (response.close() would also close the database connection
    # of the test's transaction).
    if response.streaming:
        b"".join(response.streaming_content)


def pages(s, report):
    line = report.lines.get()
    receipt = line.receipts.get()
    funding = IndependentFundingFactory(partner=s.partner)
    read = [
        url("overview", s),
        url("report", s, report.pk),
        url("receipt", s, report.pk, line.pk, receipt.pk),
    ]
    edit = [
        url("report_new", s),
        url("report_submit", s, report.pk),
        url("report_delete", s, report.pk),
        url("line_edit", s, report.pk, line.pk),
        url("line_delete", s, report.pk, line.pk),
        url("receipt_delete", s, report.pk, line.pk, receipt.pk),
        url("independent_add", s),
        url("independent_edit", s, funding.pk),
        url("independent_delete", s, funding.pk),
    ]
    return read, edit


def test_every_page_answers_only_inside_the_scope(client, s, draft):
    read, edit = pages(s, draft)
    for address in read + edit:
        response = client.get(address)
        close_file(response)
        assert response.status_code == 302 and "/accounts/login/" in response.url, address
    for who in ("other_pm", "other_rm", "teacher"):
        client.force_login(getattr(s, who))
        for address in read + edit:
            assert status_of(client, address) == 404, (who, address)
    client.force_login(s.rm)  # reads, changes nothing
    for address in read:
        assert status_of(client, address) == 200, address
    for address in edit:
        assert status_of(client, address) == 404, address
    for who in ("pm", "admin"):
        client.force_login(getattr(s, who))
        for address in read + edit:
            assert status_of(client, address) == 200, (who, address)


def test_posts_from_a_regional_manager_change_nothing(client, s, draft):
    client.force_login(s.rm)
    line = draft.lines.get()
    assert client.post(url("line_delete", s, draft.pk, line.pk)).status_code == 404
    assert client.post(url("report_submit", s, draft.pk), {"note": "x"}).status_code == 404
    assert client.post(url("independent_add", s), {}).status_code == 404
    assert SpendingLine.objects.filter(pk=line.pk).exists()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_ids_of_another_partner_or_nonexistent_answer_404(client, s, draft):
    theirs = SpendingReportFactory(award=approved_award(PartnerFactory()))
    client.force_login(s.pm)
    assert client.get(url("report", s, theirs.pk)).status_code == 404
    assert client.get(url("report", s, 999999)).status_code == 404
    line = draft.lines.get()
    assert client.get(url("line_edit", s, theirs.pk, line.pk)).status_code == 404
    assert status_of(client, url("receipt", s, draft.pk, line.pk, 999999)) == 404
    assert client.get(url("overview", s) + "?year=junk&page=x").status_code == 200


def test_a_manager_files_a_report_and_an_overspend_needs_an_explanation(client, s):
    client.force_login(s.pm)
    response = client.post(
        url("report_new", s),
        {
            "award": s.award.pk,
            "period_start": "2026-07-01",
            "period_end": "2026-12-31",
            "note": "",
        },
    )
    report = SpendingReport.objects.get()
    assert response.status_code == 302 and response.url == url("report", s, report.pk)
    ours = workshop_of(s.partner)
    line = {
        "category": "venue",
        "workshop": ours.pk,
        "spent_on": "2026-09-12",
        "description": "Hall <b>rental</b>",
        "amount": "520.25",
    }
    assert client.post(url("line_add", s, report.pk), line).status_code == 302
    page = client.get(url("report", s, report.pk)).content.decode()
    assert "Over the awarded amount by $20.25" in page
    assert "Hall &lt;b&gt;rental&lt;/b&gt;" in page

    refused = client.post(url("report_submit", s, report.pk), {"note": ""})
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()
    report.refresh_from_db()
    assert report.status == "draft"

    done = client.post(url("report_submit", s, report.pk), {"note": "The bigger hall."})
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.note) == ("submitted", "The bigger hall.")
    overview = client.get(url("overview", s) + "?year=2026-27").content.decode()
    assert "Over the awarded amount by $20.25" in overview
    # A second submit (double click, back button) is a message, not an error.
    again = client.post(url("report_submit", s, report.pk), {"note": "x"}, follow=True)
    assert "already submitted" in again.content.decode()


def test_line_errors_show_next_to_the_field_and_keep_what_was_typed(client, s, draft):
    client.force_login(s.pm)
    response = client.post(
        url("line_add", s, draft.pk),
        {
            "category": "food",
            "spent_on": "2027-03-01",
            "description": "Late lunch",
            "amount": "12.50",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The date falls within the report&#x27;s period" in page
    assert 'value="Late lunch"' in page
    assert draft.lines.count() == 1


def test_receipts_upload_refuse_fakes_and_download_as_attachments(client, s, draft):
    line = draft.lines.get()
    client.force_login(s.pm)
    fake = upload("invoice.pdf", b"<html><script>alert(1)</script></html>")
    response = client.post(url("receipt_add", s, draft.pk, line.pk), {"file": fake})
    assert response.status_code == 200
    assert "A receipt is a PDF or an image" in response.content.decode()
    assert line.receipts.count() == 1

    image = upload("photo.PNG", png_bytes(), "application/octet-stream")
    assert client.post(url("receipt_add", s, draft.pk, line.pk), {"file": image}).status_code == 302
    receipt = line.receipts.get(original_name="photo.PNG")
    assert receipt.content_type == "image/png"

    client.force_login(s.rm)
    download = client.get(url("receipt", s, draft.pk, line.pk, receipt.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == png_bytes()
    pdf = line.receipts.get(original_name="bagels.pdf")
    pdf_download = client.get(url("receipt", s, draft.pk, line.pk, pdf.pk))
    assert pdf_download["Content-Disposition"] == 'attachment; filename="bagels.pdf"'
    close_file(pdf_download)


def test_receipt_size_refusal_states_the_limit(client, s, draft, settings):
    settings.RECEIPT_MAX_BYTES = 100
    line = draft.lines.get()
    client.force_login(s.pm)
    big = upload("big.pdf", pdf_bytes() + b" " * 200)
    page = client.post(url("receipt_add", s, draft.pk, line.pk), {"file": big}).content.decode()
    assert "a receipt can be at most 100\xa0bytes" in page


def test_receipt_scope_for_other_partners_and_anonymous(client, s, draft):
    line = draft.lines.get()
    receipt = line.receipts.get()
    address = url("receipt", s, draft.pk, line.pk, receipt.pk)
    client.force_login(s.other_pm)
    assert status_of(client, address) == 404
    client.logout()
    response = client.get(address)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_line_edit_and_delete_and_receipt_delete(client, s, draft):
    line = draft.lines.get()
    client.force_login(s.pm)
    response = client.post(
        url("line_edit", s, draft.pk, line.pk),
        {"category": "food", "spent_on": "2026-08-11", "description": "Bagels", "amount": "41.10"},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.amount == D("41.10")
    receipt = line.receipts.get()
    assert client.post(url("receipt_delete", s, draft.pk, line.pk, receipt.pk)).status_code == 302
    assert not line.receipts.exists()
    assert client.post(url("line_delete", s, draft.pk, line.pk)).status_code == 302
    assert not draft.lines.exists()
    assert client.post(url("report_delete", s, draft.pk)).status_code == 302
    assert not SpendingReport.objects.filter(pk=draft.pk).exists()


def test_independent_funding_pages_change_the_share(client, s):
    client.force_login(s.pm)
    before = client.get(url("overview", s) + "?year=2026-27").content.decode()
    assert 'data-share="2026-27">0.0%' in before
    response = client.post(
        url("independent_add", s) + "?year=2026-27",
        {
            "program_year": "2026-27",
            "kind": "foundation",
            "source": "Evergreen Foundation",
            "amount": "375.00",
            "note": "",
        },
    )
    assert response.status_code == 302
    after = client.get(response.url).content.decode()
    assert 'data-share="2026-27">20.0%' in after  # 375 of 1875
    funding = IndependentFunding.objects.get()
    response = client.post(
        url("independent_edit", s, funding.pk),
        {
            "program_year": "2026-27",
            "kind": "foundation",
            "source": "Evergreen Foundation",
            "amount": "0",
            "note": "",
        },
    )
    assert response.status_code == 200 and "Ensure this value is greater than" in (
        response.content.decode()
    )
    assert client.post(url("independent_delete", s, funding.pk)).status_code == 302
    assert not IndependentFunding.objects.exists()


def test_the_overview_shows_the_year_and_cost_per_teacher(client, s):
    workshop = workshop_of(s.partner)
    attended(workshop)
    attended(workshop)
    submitted_line(s.award, "300.00", workshop=workshop)
    IndependentFundingFactory(partner=s.partner, amount=D("500.00"))
    client.force_login(s.rm)
    page = client.get(url("overview", s) + "?year=2026-27").content.decode()
    assert "$1,500.00" in page  # awarded
    assert "$150.00" in page  # 300.00 for 2 teachers
    assert 'id="sustainability-data"' in page
    assert "vendor/chart.js/chart.umd.min.js" in page
    assert "File a spending report" not in page  # regional managers read only
    assert "Cost per teacher by partner" in page  # the program office compares
    client.force_login(s.pm)
    page = client.get(url("overview", s) + "?year=2026-27").content.decode()
    assert "File a spending report" in page
    assert "Cost per teacher by partner" not in page  # a partner sees no other partner


def test_the_overview_runs_a_fixed_number_of_queries(client, s, django_assert_max_num_queries):
    client.force_login(s.admin)
    for _ in range(3):
        workshop = workshop_of(s.partner)
        attended(workshop)
        submitted_line(s.award, "10.00", workshop=workshop)
        IndependentFundingFactory(partner=s.partner)
        report = SpendingReportFactory(award=s.award)
        SpendingLineFactory(report=report)
    for year in ("2023-24", "2024-25", "2025-26"):
        approved_award(s.partner, program_year=year)
    with django_assert_max_num_queries(34):
        assert client.get(url("overview", s) + "?year=2026-27").status_code == 200


def test_the_report_page_runs_a_fixed_number_of_queries(
    client, s, draft, django_assert_max_num_queries
):
    for _ in range(5):
        line = SpendingLineFactory(report=draft, workshop=workshop_of(s.partner))
        Receipt.objects.create(
            line=line, original_name="r.pdf", content_type="application/pdf", size=1, file="x"
        )
    client.force_login(s.pm)
    with django_assert_max_num_queries(16):
        assert client.get(url("report", s, draft.pk)).status_code == 200


def test_a_report_is_opened_only_on_an_approved_award(client, s):
    s.award.status = "proposed"
    s.award.save()
    client.force_login(s.pm)
    page = client.get(url("report_new", s)).content.decode()
    assert "no approved award" in page
    response = client.post(
        url("report_new", s),
        {"award": s.award.pk, "period_start": "2026-07-01", "period_end": "2026-08-01"},
    )
    assert response.status_code == 200
    assert not SpendingReport.objects.exists()
