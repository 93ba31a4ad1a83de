"""Background work for surveys: the invitation emails (django-tasks; arguments are ids)."""

from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

from workshops.models import Enrollment

from .selectors import SurveyState, survey_state


@task()
def send_survey_invitation(*, enrollment_id: int) -> bool:
    """Email one attendee the link to their survey, once; whether an email was sent."""
    from .services import survey_link

    enrollment = (
        Enrollment.objects.select_related("teacher", "workshop__course", "workshop__kind")
        .filter(pk=enrollment_id)
        .first()
    )
    # Gone, or answered (or otherwise closed) since it was queued: nothing to ask.
    if enrollment is None or survey_state(enrollment) != SurveyState.OPEN:
        return False
    # Claim the invitation in one conditional UPDATE: of two runs at once, one sends.
    claimed = Enrollment.objects.filter(pk=enrollment_id, survey_invited_at__isnull=True).update(
        survey_invited_at=timezone.now()
    )
    if not claimed:
        return False
    workshop = enrollment.workshop
    message = EmailMessage(
        subject=f"How was {workshop.display_title}? Tell us in the survey",
        body=(
            f"Hello {enrollment.teacher},\n\n"
            f"Thank you for attending {workshop.display_title}. Please take a few minutes to "
            f"tell us how it went; your answers help facilitators and partners improve the "
            f"next workshops.\n\n{survey_link(enrollment.pk)}\n"
        ),
        to=[enrollment.teacher.email],
    )
    try:
        message.send()
    except Exception:
        # Not sent: let a later run try again.
        Enrollment.objects.filter(pk=enrollment_id).update(survey_invited_at=None)
        raise
    return True
