"""Certificates: what they say, the PDF, the download and the public verification page."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from workshops.certificates import (
    certificate_by_code,
    certificate_for,
    certificate_html,
    certificate_pdf,
    format_dates,
    format_hours,
)

from .factories_attendance import (
    AttendanceFactory,
    EnrollmentFactory,
    assign_facilitator,
    workshop_with_teachers,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 7, 20)


@pytest.fixture
def attended():
    """Ada attended two of three sessions (9:00-15:30: 6.5 hours each) of a workshop."""
    workshop, (enrollment, absent) = workshop_with_teachers(
        teachers=2,
        sessions=3,
        starts_on=DAY,
        start_time=datetime.time(9),
        end_time=datetime.time(15, 30),
        title="Computer Science Discoveries summer intensive",
    )
    enrollment.teacher.first_name, enrollment.teacher.last_name = "Ada", "Okafor"
    enrollment.teacher.email = "ada.private@example.org"
    enrollment.teacher.save()
    assign_facilitator(workshop, UserFactory(first_name="Grace", last_name="Hopper"))
    first, second, _ = workshop.sessions.all()
    AttendanceFactory(enrollment=enrollment, session=first)
    AttendanceFactory(enrollment=enrollment, session=second)
    return enrollment, absent


def test_format_hours_and_dates():
    assert format_hours(Decimal("13.00")) == "13"
    assert format_hours(Decimal("6.50")) == "6.5"
    d = datetime.date
    assert format_dates([d(2026, 7, 20)]) == "July 20, 2026"
    assert format_dates([d(2026, 7, 21), d(2026, 7, 20), d(2026, 7, 22)]) == "July 20\u201322, 2026"
    assert (
        format_dates([d(2026, 6, 30), d(2026, 7, 1), d(2026, 10, 3)])
        == "June 30 \u2013 July 1, 2026 and October 3, 2026"
    )
    assert format_dates([d(2026, 1, 5), d(2026, 2, 5), d(2026, 3, 5)]) == (
        "January 5, 2026, February 5, 2026 and March 5, 2026"
    )


def test_what_the_certificate_says(attended, settings):
    settings.SITE_URL = "https://partnerhub.example.org"
    enrollment, _ = attended
    certificate = certificate_for(workshop=enrollment.workshop, teacher=enrollment.teacher)
    assert certificate.teacher_name == "Ada Okafor"
    assert certificate.workshop_title == "Computer Science Discoveries summer intensive"
    assert certificate.course == enrollment.workshop.course.name
    assert certificate.partner == enrollment.workshop.partner.name
    assert certificate.hours_display == "13"
    assert certificate.dates == "July 20\u201321, 2026"
    assert certificate.facilitators == ["Grace Hopper"]
    assert certificate.verify_url == (
        f"https://partnerhub.example.org/workshops/certificates/{enrollment.certificate_code}/"
    )


def test_no_certificate_without_attendance(attended):
    _, absent = attended
    assert certificate_for(workshop=absent.workshop, teacher=absent.teacher) is None
    assert certificate_by_code(absent.certificate_code) is None
    assert certificate_by_code("not-a-code") is None


def test_the_pdf(attended):
    enrollment, _ = attended
    certificate = certificate_by_code(enrollment.certificate_code)
    html = certificate_html(certificate)
    assert "Ada Okafor" in html
    assert "13 hours" in html
    assert certificate.verify_url in html
    assert "ada.private@example.org" not in html
    pdf = certificate_pdf(certificate)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1000


def test_the_teacher_downloads_their_certificate(attended, client):
    enrollment, _ = attended
    url = reverse("workshops:certificate", kwargs={"pk": enrollment.workshop_id})
    client.force_login(enrollment.teacher)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_no_certificate_download_for_others(attended, client, program_admin):
    enrollment, absent = attended
    url = reverse("workshops:certificate", kwargs={"pk": enrollment.workshop_id})
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    for user in (absent.teacher, program_admin, EnrollmentFactory().teacher):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(enrollment.teacher)
    other = reverse("workshops:certificate", kwargs={"pk": absent.workshop_id + 1000})
    assert client.get(other).status_code == 404


def test_the_verification_page_confirms_a_genuine_certificate(attended, client):
    enrollment, _ = attended
    response = client.get(reverse("workshops:verify", kwargs={"code": enrollment.certificate_code}))
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    partner = enrollment.workshop.partner.name
    assert (
        "<strong>Genuine:</strong> Ada Okafor attended Computer Science Discoveries summer "
        f"intensive for 13 hours on July 20\u201321, 2026, issued by {partner}."
    ) in text
    assert "ada.private@example.org" not in text
    assert response["X-Robots-Tag"] == "noindex"


def test_the_verification_page_for_an_unknown_code(attended, client):
    _, absent = attended
    for code in (uuid.uuid4(), absent.certificate_code):
        response = client.get(reverse("workshops:verify", kwargs={"code": code}))
        assert response.status_code == 404
        assert "No certificate has this code" in response.content.decode()
    assert client.get("/workshops/certificates/not-a-uuid/").status_code == 404


# --- Only once the workshop has ended (by the clock) -----------------------------------------


@pytest.fixture
def running():
    """A three-day workshop that started yesterday (still stored as published: the clock,
    not the stored state, decides); the teacher attended its first session."""
    workshop, (enrollment,) = workshop_with_teachers(
        teachers=1, sessions=3, starts_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    AttendanceFactory(enrollment=enrollment, session=workshop.sessions.first())
    return enrollment


def test_no_certificate_while_the_workshop_runs(running, client):
    assert certificate_for(workshop=running.workshop, teacher=running.teacher) is None
    assert certificate_by_code(running.certificate_code) is None
    client.force_login(running.teacher)
    url = reverse("workshops:certificate", kwargs={"pk": running.workshop_id})
    assert client.get(url).status_code == 404
    verify = reverse("workshops:verify", kwargs={"code": running.certificate_code})
    assert client.get(verify).status_code == 404


def test_a_teacher_who_attended_then_cancelled_keeps_the_certificate(attended, client):
    enrollment, _ = attended
    enrollment.status = "cancelled"
    enrollment.save()
    assert certificate_for(workshop=enrollment.workshop, teacher=enrollment.teacher) is not None
    # The teacher's workshops page lists it among the past ones, with the link.
    client.force_login(enrollment.teacher)
    page = client.get(reverse("workshops:mine")).content.decode()
    past = page.split('id="past-heading"')[1]
    assert enrollment.workshop.display_title in past
    assert reverse("workshops:certificate", kwargs={"pk": enrollment.workshop_id}) in past


def test_the_mine_page_links_the_certificate_only_when_available(running, client):
    client.force_login(running.teacher)
    page = client.get(reverse("workshops:mine")).content.decode()
    assert running.workshop.display_title in page
    assert reverse("workshops:certificate", kwargs={"pk": running.workshop_id}) not in page
