"""Background work of the project package, and the one helper every app uses to enqueue tasks."""

import logging

from celery import shared_task
from django.core import management
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, **kwargs) -> None:
    """Record ``task`` in the outbox now, in the caller's transaction; publish it after commit.

    A broker outage is logged and never fails the request: the message stays in the outbox and
    the drain (``portal.drain_outbox``, every minute) publishes it when the broker is back. When the
    caller's transaction rolls back, the message goes with it.
    """
    from portal.outbox import outbox_message_create, outbox_publish

    message = outbox_message_create(task_name=task.name, kwargs=kwargs)
    transaction.on_commit(lambda: outbox_publish(message=message, task=task))


@shared_task(name="portal.drain_outbox")
def drain_outbox() -> int:
    """Beat (every minute): publish the messages the broker refused when they were written."""
    from portal.outbox import outbox_drain

    return outbox_drain()["published"]


@shared_task(name="portal.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Remove expired sessions (daily): part of keeping personal data no longer than needed."""
    management.call_command("clearsessions")
