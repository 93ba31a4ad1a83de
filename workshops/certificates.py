"""Certificates of attendance: a PDF for each teacher who attended, verifiable in public.

The certificate names the teacher, the workshop, its course and partner, the dates and hours
the teacher attended and the facilitators, and prints the public verification address
(`settings.SITE_URL` + `workshops:verify` with the enrollment's `certificate_code`). That
page confirms a genuine certificate without showing anything private (never the email).
Rendered by WeasyPrint like the program's one-pager (`pages/pdf.py`).

Who gets one: a teacher with attendance at one session or more of a workshop that has ended
by the clock (`workshops.clock`: its last session is over, whether or not the stored state
has moved yet); never while it is still running, nor for a draft or cancelled workshop. The
enrollment's status does not matter: a teacher who attended and cancelled later (or was
moved to another workshop) still attended those sessions, so the certificate names them
and their hours. The teacher's "my workshops" page links it on the same rule.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from .attendance import attended_sessions
from .clock import state_q
from .models import Attendance, Enrollment, Workshop, WorkshopState

EN_DASH = "\u2013"


@dataclass(frozen=True)
class Certificate:
    """What a certificate says, for the PDF and the verification page."""

    enrollment: Enrollment
    teacher_name: str
    workshop_title: str
    course: str
    partner: str
    dates: str
    hours: Decimal
    facilitators: list[str]
    verify_url: str
    issued_on: datetime.date

    @property
    def hours_display(self) -> str:
        return format_hours(self.hours)


def format_hours(hours: Decimal) -> str:
    """12.50 -> "12.5", 6.00 -> "6"."""
    text = f"{hours:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _day(day: datetime.date, *, year: bool = True) -> str:
    return date_format(day, "F j, Y" if year else "F j")


def format_dates(days: list[datetime.date]) -> str:
    """Days as readable runs: "June 22-26, 2026 and October 3, 2026" (with en dashes)."""
    days = sorted(set(days))
    runs: list[list[datetime.date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == datetime.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        first, last = run[0], run[-1]
        if first == last:
            parts.append(_day(first))
        elif (first.year, first.month) == (last.year, last.month):
            parts.append(f"{date_format(first, 'F j')}{EN_DASH}{date_format(last, 'j, Y')}")
        elif first.year == last.year:
            parts.append(f"{_day(first, year=False)} {EN_DASH} {_day(last)}")
        else:
            parts.append(f"{_day(first)} {EN_DASH} {_day(last)}")
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def teacher_display_name(user) -> str:
    """The name on a certificate: never the email address."""
    return user.get_full_name().strip() or "A teacher"


def verify_url(enrollment: Enrollment) -> str:
    path = reverse("workshops:verify", kwargs={"code": enrollment.certificate_code})
    return settings.SITE_URL + path


def _certified_enrollments(now: datetime.datetime | None = None):
    """Enrollments with a certificate: attended, in a workshop that has ended (module doc)."""
    ended = Workshop.objects.filter(state_q(WorkshopState.ENDED, now or timezone.now()))
    return (
        Enrollment.objects.filter(Exists(Attendance.objects.filter(enrollment=OuterRef("pk"))))
        .filter(workshop__in=ended)
        .select_related("teacher", "workshop__partner", "workshop__course", "workshop__kind")
    )


def certificate_for(*, workshop: Workshop | int, teacher) -> Certificate | None:
    """The teacher's certificate for a workshop, or None if they attended no session or the
    workshop has not ended yet."""
    if not (teacher.is_authenticated and teacher.is_active):
        return None
    workshop_id = workshop if isinstance(workshop, int) else workshop.pk
    enrollment = _certified_enrollments().filter(workshop_id=workshop_id, teacher=teacher).first()
    return certificate_of(enrollment) if enrollment else None


def certificate_by_code(code: uuid.UUID | str) -> Certificate | None:
    """The certificate with this verification code, or None (also for a malformed code, and
    before the workshop has ended: no certificate is issued until then)."""
    try:
        code = uuid.UUID(str(code))
    except ValueError:
        return None
    enrollment = _certified_enrollments().filter(certificate_code=code).first()
    return certificate_of(enrollment) if enrollment else None


def certificate_of(enrollment: Enrollment) -> Certificate:
    """What the certificate of an enrollment says (its attended sessions). Two queries."""
    sessions = attended_sessions(enrollment)
    workshop = enrollment.workshop
    facilitators = [
        teacher_display_name(link.facilitator)
        for link in workshop.facilitator_links.select_related("facilitator").order_by(
            "facilitator__last_name", "facilitator__first_name", "pk"
        )
    ]
    last_day = max((s.date for s in sessions), default=timezone.localdate())
    return Certificate(
        enrollment=enrollment,
        teacher_name=teacher_display_name(enrollment.teacher),
        workshop_title=workshop.display_title,
        course=workshop.course.name,
        partner=workshop.partner.name,
        dates=format_dates([s.date for s in sessions]),
        hours=sum((s.hours for s in sessions), Decimal("0.00")),
        facilitators=[name for name in facilitators if name],
        verify_url=verify_url(enrollment),
        issued_on=last_day,
    )


def certificate_html(certificate: Certificate) -> str:
    """The certificate as the HTML WeasyPrint lays out."""
    return render_to_string(
        "workshops/attendance/certificate_pdf.html", {"certificate": certificate}
    )


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as PDF bytes (one Letter page, landscape)."""
    # Imported here: WeasyPrint loads Pango at import, which only this view needs.
    from weasyprint import HTML

    return HTML(string=certificate_html(certificate), base_url=settings.SITE_URL).write_pdf()
