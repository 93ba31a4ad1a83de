"""Emails about enrollments, sent as django-tasks tasks (inline in development and tests, by
`manage.py db_worker` in production).

Each task takes ids (task arguments are stored as JSON) and reads the enrollment afresh: a
task that runs late, after the teacher cancelled, sends nothing. Services enqueue them after
commit (workshops.enrollment, and workshops.scheduling for a cancelled workshop: one task per
person, so a mail server failure fails that task, never the request that cancelled); the
reminders come from `manage.py send_workshop_reminders`.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django_tasks import task

from .enrollment import session_lines, waitlist_position, zone_label
from .models import Enrollment, EnrollmentStatus, Workshop, WorkshopState


def _enrollment(enrollment_id: int) -> Enrollment | None:
    return (
        Enrollment.objects.select_related(
            "teacher", "school", "workshop__course", "workshop__kind", "workshop__partner"
        )
        .prefetch_related("workshop__sessions")
        .filter(pk=enrollment_id)
        .first()
    )


def _url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def workshop_text(workshop: Workshop, *, enrolled: bool) -> str:
    """The workshop for an email: what, when (in its own zone, named), where, and links."""
    lines = [f"{workshop.display_title}", f"Offered by {workshop.partner.name}", ""]
    sessions = session_lines(workshop)
    if sessions:
        lines.append(f"Sessions (times in the workshop's time zone, {zone_label(workshop)}):")
        lines += [f"  - {line}" for line in sessions]
    if workshop.is_online:
        lines.append("Where: online")
        if enrolled and workshop.online_url:
            lines.append(f"Online link: {workshop.online_url}")
    else:
        place = ", ".join(p for p in (workshop.venue, workshop.address, workshop.city) if p)
        lines.append(f"Where: {place}")
    lines += [
        "",
        f"Workshop page: {_url(workshop.get_absolute_url())}",
        "Add it to your calendar: "
        f"{_url(reverse('workshops:workshop_calendar', kwargs={'pk': workshop.pk}))}",
        f"Your workshops: {_url(reverse('workshops:mine'))}",
    ]
    return "\n".join(lines)


def _send(enrollment: Enrollment, *, subject: str, lead: str) -> None:
    enrolled = enrollment.status == EnrollmentStatus.ENROLLED
    body = (
        f"Hello {enrollment.teacher.get_full_name() or enrollment.teacher.email},\n\n"
        f"{lead}\n\n{workshop_text(enrollment.workshop, enrolled=enrolled)}\n\n"
        "If you cannot come, please cancel on the workshop page so someone else can have "
        "your place.\n"
    )
    EmailMessage(subject=subject, body=body, to=[enrollment.teacher.email]).send()


@task()
def send_enrollment_confirmation(enrollment_id: int, moved: bool = False) -> bool:
    """Tell a teacher they are enrolled, or on the waitlist (with their position)."""
    enrollment = _enrollment(enrollment_id)
    if enrollment is None or enrollment.status == EnrollmentStatus.CANCELLED:
        return False
    title = enrollment.workshop.display_title
    if enrollment.status == EnrollmentStatus.ENROLLED:
        subject = f"You are enrolled: {title}"
        lead = (
            "You have been moved to this workshop and have a place in it."
            if moved
            else "You are enrolled in this workshop."
        )
    else:
        position = waitlist_position(enrollment)
        subject = f"You are on the waitlist: {title}"
        lead = (
            f"{'You have been moved to this workshop. ' if moved else ''}The workshop is full, "
            f"so you are on its waitlist (position {position}). If a place opens up, it is "
            "yours automatically and we will email you."
        )
    _send(enrollment, subject=subject, lead=lead)
    return True


@task()
def send_enrollment_promotion(enrollment_id: int) -> bool:
    """Tell a teacher from the waitlist that a place opened up and is now theirs."""
    enrollment = _enrollment(enrollment_id)
    if enrollment is None or enrollment.status != EnrollmentStatus.ENROLLED:
        return False
    _send(
        enrollment,
        subject=f"A place opened up: you are enrolled in {enrollment.workshop.display_title}",
        lead="Good news: a place opened up, and you are now enrolled in this workshop.",
    )
    return True


@task()
def send_workshop_reminder(enrollment_id: int, days: int) -> bool:
    """Remind an enrolled teacher that the workshop starts in `days` days."""
    enrollment = _enrollment(enrollment_id)
    if enrollment is None or enrollment.status != EnrollmentStatus.ENROLLED:
        return False
    when = "tomorrow" if days == 1 else f"in {days} days"
    _send(
        enrollment,
        subject=f"Reminder: {enrollment.workshop.display_title} starts {when}",
        lead=f"A reminder: your workshop starts {when}.",
    )
    return True


@task()
def send_workshop_cancellation(enrollment_id: int, reason: str = "") -> bool:
    """Tell a teacher enrolled or waitlisted in a workshop that it is cancelled, with the
    partner's note (`reason`, as typed when cancelling). Nothing for a teacher who had
    cancelled already, or if the workshop is not cancelled (any more)."""
    enrollment = _enrollment(enrollment_id)
    if enrollment is None or enrollment.status not in (
        EnrollmentStatus.ENROLLED,
        EnrollmentStatus.WAITLISTED,
    ):
        return False
    workshop = enrollment.workshop
    if workshop.state != WorkshopState.CANCELLED:
        return False
    lines = [
        f"Hello {enrollment.teacher.get_full_name() or enrollment.teacher.email},",
        "",
        f"{workshop.partner.name} has cancelled {workshop.display_title}.",
    ]
    sessions = session_lines(workshop)
    if sessions:
        lines += ["", f"It was planned for (times in {zone_label(workshop)}):"]
        lines += [f"  - {line}" for line in sessions]
    if reason:
        lines += ["", f"Their note: {reason}"]
    lines += ["", f"Other workshops: {_url(reverse('workshops:list'))}"]
    EmailMessage(
        subject=f"Cancelled: {workshop.display_title}",
        body="\n".join(lines) + "\n",
        to=[enrollment.teacher.email],
    ).send()
    return True
