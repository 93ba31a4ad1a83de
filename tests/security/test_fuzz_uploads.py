"""Uploads are judged by their content, never their name or declared type (issue 9).

Spending receipts (funding, receipt_add): random bytes, HTML named .pdf, a script named .png,
an empty file and one over the limit are refused beside the field, with nothing stored (no
row, no file); real PDF, PNG and JPEG bytes are accepted whatever they are called. The
region ZIP import (geography, program admins) takes CSV text: any bytes there are a field
error, a report of the lines it could not read, or an import: never a 500.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from funding.models import Receipt
from funding.tests.factories import SpendingLineFactory, SpendingReportFactory
from funding.tests.factories_spending import pdf_bytes, png_bytes, scene, use_private_media
from geography.models import RegionZip
from geography.tests.factories import RegionFactory

from .fuzz_support import FUZZ, SCRIPT, fuzz_client, rolled_back, send

pytestmark = pytest.mark.django_db


def jpeg_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (10, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def private(settings, tmp_path):
    return use_private_media(settings, tmp_path)


@pytest.fixture
def line(private):
    s = scene()
    report = SpendingReportFactory(award=s.award)
    return SpendingLineFactory(report=report, description="Bagels"), s.pm


def _post_receipt(line, pm, name: str, content: bytes, content_type: str):
    url = reverse(
        "partner_funding:receipt_add",
        args=[line.report.award.partner.slug, line.report.pk, line.pk],
    )
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return send(fuzz_client(pm), "post", url, {"file": upload})


def _files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _assert_receipt_refused(outcome, line, private) -> None:
    response = outcome.response
    assert response.status_code in (200, 400), response.status_code
    assert not outcome.writes, f"written on refusal: {outcome.writes}"
    assert not Receipt.objects.filter(line=line).exists()
    assert _files(private) == []
    # Beside its field: the error list of this line's receipt input.
    assert f'id="id_receipt_{line.pk}_file_error"' in outcome.html


NAMES = st.sampled_from(
    ["receipt.pdf", "photo.png", "scan.jpg", "x.gif", "invoice", "a\u202egnp.exe", "../../x.pdf"]
)
TYPES = st.sampled_from(
    ["application/pdf", "image/png", "image/jpeg", "text/html", "application/octet-stream"]
)
# Nothing that starts the way a PDF, PNG, JPEG, GIF or WebP does.
NOT_A_RECEIPT = st.binary(min_size=1, max_size=2048).filter(
    lambda b: not b.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8", b"GIF8", b"RIFF"))
)


@FUZZ
@given(name=NAMES, content_type=TYPES, content=NOT_A_RECEIPT)
@example(name="invoice.pdf", content_type="application/pdf", content=f"<html>{SCRIPT}".encode())
@example(name="photo.png", content_type="image/png", content=b"#!/bin/sh\nrm -rf /\n")
@example(name="photo.jpg", content_type="image/jpeg", content=b"<?php system($_GET[1]); ?>")
@example(name="receipt.pdf", content_type="application/pdf", content=b"\x00")
def test_receipt_refuses_what_is_not_a_pdf_or_an_image(line, private, name, content_type, content):
    line, pm = line
    with rolled_back():
        outcome = _post_receipt(line, pm, name, content, content_type)
        _assert_receipt_refused(outcome, line, private)


def test_receipt_refuses_an_empty_file(line, private):
    line, pm = line
    outcome = _post_receipt(line, pm, "receipt.pdf", b"", "application/pdf")
    _assert_receipt_refused(outcome, line, private)


def test_receipt_refuses_an_oversized_file(line, private, settings):
    line, pm = line
    settings.RECEIPT_MAX_BYTES = 1024
    outcome = _post_receipt(line, pm, "receipt.pdf", pdf_bytes() + b" " * 2048, "application/pdf")
    _assert_receipt_refused(outcome, line, private)


@pytest.mark.parametrize(
    "name, content_type, content, stored_type",
    [
        ("receipt.pdf", "application/pdf", pdf_bytes(), "application/pdf"),
        ("receipt.bin", "application/octet-stream", pdf_bytes(), "application/pdf"),
        ("photo.PNG", "image/png", png_bytes(), "image/png"),
        ("photo.jpg", "text/html", jpeg_bytes(), "image/jpeg"),
        (f"{SCRIPT}.jpg", "image/jpeg", jpeg_bytes(), "image/jpeg"),
    ],
)
def test_receipt_accepts_real_pdf_png_and_jpeg_by_content(
    line, private, name, content_type, content, stored_type
):
    line, pm = line
    outcome = _post_receipt(line, pm, name, content, content_type)
    assert outcome.accepted, outcome.html[:2000]
    receipt = Receipt.objects.get(line=line)
    assert receipt.content_type == stored_type
    assert len(_files(private)) == 1
    report = reverse(
        "partner_funding:report", args=[line.report.award.partner.slug, line.report.pk]
    )
    assert SCRIPT not in send(fuzz_client(pm), "get", report).html


@FUZZ
@given(content=st.binary(max_size=4096), mode=st.sampled_from(["add", "replace", "x", ""]))
@example(content=b"zip\n98101\n\x00\n", mode="add")
@example(content="zip\n\u0669\u0668\u0661\u0660\u0661\n".encode(), mode="add")
@example(content=b"\xff\xfe\x00\x00", mode="replace")
@example(content=SCRIPT.encode(), mode="add")
def test_region_zip_import_any_bytes(db, content, mode):
    from accounts.tests.factories import UserFactory

    with rolled_back():
        admin = UserFactory(role="program_admin")
        region = RegionFactory()
        url = reverse("geography:region_zips", kwargs={"slug": region.slug})
        upload = SimpleUploadedFile("zips.csv", content, content_type="text/csv")
        outcome = send(fuzz_client(admin), "post", url, {"csv_file": upload, "mode": mode})
        if not outcome.accepted and outcome.response.context["form"].errors:
            assert not RegionZip.objects.filter(region=region).exists()
