"""Outgoing email through the task queue, so a mail server failure is retried, never lost.

In production `EMAIL_BACKEND` is `TaskEmailBackend`: sending a message (from a view, a service's
`on_commit`, or another task) only stores it as a `core.tasks.deliver_email` task in the
database queue. The worker (`manage.py db_worker`) delivers it through the real backend,
`EMAIL_DELIVERY_BACKEND` (from `EMAIL_URL`), and when that fails schedules the next attempt with
a growing delay. Every call site keeps using Django's mail API unchanged.

Messages are stored as JSON (task arguments are JSON): subject, body, addresses, headers,
alternative bodies and attachments (base64).
"""

from __future__ import annotations

import base64

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend


def message_to_dict(message: EmailMessage) -> dict:
    """A message as JSON-safe data; `message_from_dict` gives it back."""
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            # A ready-made MIME part: no caller builds one; refuse rather than drop it.
            raise ValueError("TaskEmailBackend takes attachments as (name, content, type).")
        filename, content, mimetype = attachment
        data = content.encode() if isinstance(content, str) else content
        attachments.append([filename, base64.b64encode(data).decode("ascii"), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
    }


def message_from_dict(data: dict, *, connection=None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        connection=connection,
    )
    message.content_subtype = data["content_subtype"]
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


class TaskEmailBackend(BaseEmailBackend):
    """Queues each message as a `deliver_email` task; the worker sends it, with retries."""

    def send_messages(self, email_messages) -> int:
        from .tasks import deliver_email

        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            deliver_email.enqueue(message=message_to_dict(message))
            count += 1
        return count
