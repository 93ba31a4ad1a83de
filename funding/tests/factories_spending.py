"""Helpers for the spending tests: a funded partner with the people around it, receipts'
bytes, and attendance for cost per teacher. Awards and reports come from `factories.py`."""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import UserFactory
from funding.tests.factories import SpendingLineFactory, SpendingReportFactory, approved_award
from partners.models import Partner
from partners.tests.factories import PartnerFactory, ProgramManagerFactory


def use_private_media(settings, tmp_path):
    """Receipts written under the test's tmp_path (the private storage reads the setting at
    each use)."""
    root = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT = root
    return root


@dataclass
class Scene:
    partner: Partner
    pm: object  # a program manager of the partner
    rm: object  # the partner's regional manager
    admin: object
    other_pm: object  # a program manager of another partner
    other_rm: object  # the regional manager of another partner
    teacher: object
    award: object  # approved 2026-27: food 1000.00, venue 500.00


def scene(name: str = "Cascade Computing") -> Scene:
    """A partner with an approved 2026-27 award (food 1000.00, venue 500.00) and everyone who
    may or may not see it."""
    rm = UserFactory(role="regional_manager")
    partner = PartnerFactory(name=name, regional_manager=rm)
    pm = ProgramManagerFactory(partner=partner).user
    other_rm = UserFactory(role="regional_manager")
    other = PartnerFactory(regional_manager=other_rm)
    other_pm = ProgramManagerFactory(partner=other).user
    return Scene(
        partner=partner,
        pm=pm,
        rm=rm,
        admin=UserFactory(role="program_admin"),
        other_pm=other_pm,
        other_rm=other_rm,
        teacher=UserFactory(role="teacher"),
        award=approved_award(partner, food="1000.00", venue="500.00"),
    )


def submitted_line(award, amount: str, category: str = "food", workshop=None, **kwargs):
    """A line of a new submitted report on `award`."""
    report = SpendingReportFactory(award=award, status="submitted")
    return SpendingLineFactory(
        report=report, category=category, amount=Decimal(amount), workshop=workshop, **kwargs
    )


def png_bytes(size=(2, 2)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def gif_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("P", (2, 2)).save(buffer, format="GIF")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def attended(workshop, teacher=None):
    """`teacher` (a new one by default) enrolled in `workshop` and present at its first
    session."""
    from workshops.tests.factories_attendance import AttendanceFactory, EnrollmentFactory

    kwargs = {"workshop": workshop}
    if teacher is not None:
        kwargs["teacher"] = teacher
    enrollment = EnrollmentFactory(**kwargs)
    return AttendanceFactory(enrollment=enrollment, session=workshop.sessions.first())


def workshop_of(partner, course=None, *, starts_on=datetime.date(2026, 9, 12)):
    from workshops.tests.factories import WorkshopFactory

    kwargs = {"partner": partner, "starts_on": starts_on}
    if course is not None:
        kwargs["course"] = course
    return WorkshopFactory(**kwargs)
