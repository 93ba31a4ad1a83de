"""Email through the task queue: a mail server failure is retried by the worker, never lost."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.tasks import RETRY_DELAYS, deliver_email

# The worker (db_worker) commits and closes connections as in production.
pytestmark = pytest.mark.django_db(transaction=True)


class FlakyBackend(LocmemBackend):
    """The mail server: refuses the next `failures` sends, then accepts."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("the mail server is down")
        return super().send_messages(messages)


@pytest.fixture
def queued_mail(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "core.mail.TaskEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures = 0
    yield
    FlakyBackend.failures = 0


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def time_passes():
    """Every deferred retry falls due."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def test_a_message_that_fails_is_retried_with_backoff_until_delivered(queued_mail):
    FlakyBackend.failures = 2
    message = EmailMultiAlternatives(
        subject="You are enrolled: CS Fundamentals",
        body="Hello Zoë,\n\nYou are enrolled.",
        to=["zoe@example.org"],
        cc=["office@example.org"],
        reply_to=["partner@example.org"],
        headers={"X-PartnerHub": "enrollment"},
    )
    message.attach_alternative("<p>You are enrolled.</p>", "text/html")
    message.attach("workshop.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")

    # The request that sends never touches the (failing) mail server.
    assert message.send() == 1
    assert mail.outbox == []
    assert DBTaskResult.objects.get().status == "READY"

    run_worker()  # attempt 1 fails: attempt 2 is queued a minute later
    assert mail.outbox == []
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    wait = retry.run_after - timezone.now()
    assert timedelta(seconds=50) < wait <= RETRY_DELAYS[0]

    run_worker()  # not due yet: nothing runs
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    time_passes()
    run_worker()  # attempt 2 fails: attempt 3 waits longer
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"]["attempt"] == 3
    assert retry.run_after - timezone.now() > RETRY_DELAYS[0]

    time_passes()
    run_worker()  # attempt 3 is delivered

    (sent,) = mail.outbox
    assert sent.subject == "You are enrolled: CS Fundamentals"
    assert sent.body == "Hello Zoë,\n\nYou are enrolled."
    assert (sent.to, sent.cc, sent.reply_to) == (
        ["zoe@example.org"],
        ["office@example.org"],
        ["partner@example.org"],
    )
    assert sent.extra_headers == {"X-PartnerHub": "enrollment"}
    assert [tuple(a) for a in sent.alternatives] == [("<p>You are enrolled.</p>", "text/html")]
    assert [tuple(a) for a in sent.attachments] == [
        ("workshop.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    ]
    statuses = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == ["FAILED", "FAILED", "SUCCESSFUL"]
    assert "ConnectionRefusedError" in DBTaskResult.objects.filter(status="FAILED")[0].traceback


def test_after_the_last_attempt_the_message_is_kept_not_dropped(queued_mail):
    FlakyBackend.failures = 1
    message = {
        "subject": "Reminder",
        "body": "Tomorrow.",
        "from_email": "no-reply@partnerhub.local",
        "to": ["zoe@example.org"],
        "cc": [],
        "bcc": [],
        "reply_to": [],
        "headers": {},
        "content_subtype": "plain",
        "alternatives": [],
        "attachments": [],
    }
    deliver_email.enqueue(message=message, attempt=len(RETRY_DELAYS) + 1)

    run_worker()

    assert mail.outbox == []
    kept = DBTaskResult.objects.get()
    assert kept.status == "FAILED"
    assert kept.args_kwargs["kwargs"]["message"] == message
