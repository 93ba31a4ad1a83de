"""Background work shared by every app: delivering email (see core.mail)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.utils import timezone
from django_tasks import task

from .mail import message_from_dict

logger = logging.getLogger(__name__)

# Waits before each retry: short at first (a mail server restarting), growing to 12 hours; 12
# retries over about 64 hours. django-tasks has no retry policy of its own, so a failed attempt
# enqueues the next one with `run_after`.
RETRY_DELAYS = tuple(
    timedelta(minutes=m) for m in (1, 5, 15, 30, 60, 120, 240, 480, 720, 720, 720, 720)
)


@task()
def deliver_email(*, message: dict, attempt: int = 1) -> bool:
    """Send one queued message through EMAIL_DELIVERY_BACKEND; on failure try again later.

    A failed attempt is recorded as a failed task (with its traceback) after the next attempt
    is queued; after the last attempt the message stays in the task results, failed, with
    its full content, for someone to look at: it is never dropped. Delivery is at least once:
    a server that accepted a message but failed to say so may get it twice.
    """
    email = message_from_dict(message, connection=get_connection(settings.EMAIL_DELIVERY_BACKEND))
    try:
        email.send()
    except Exception:
        summary = {"subject": message["subject"], "to": message["to"], "attempt": attempt}
        if attempt > len(RETRY_DELAYS) or not deliver_email.get_backend().supports_defer:
            logger.exception("Email not delivered; giving up", extra=summary)
            raise
        delay = RETRY_DELAYS[attempt - 1]
        deliver_email.using(run_after=timezone.now() + delay).enqueue(
            message=message, attempt=attempt + 1
        )
        logger.warning(
            "Email not delivered; trying again in %s", delay, extra=summary, exc_info=True
        )
        raise
    return True
