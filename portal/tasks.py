"""Background work of the project package, and the one helper every app uses to enqueue tasks."""

import logging

from celery import shared_task
from django.core import management
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, **kwargs) -> None:
    """Send ``task`` to the broker once the current transaction has committed.

    The work it stands for is already recorded in the database, so a broker outage is logged and
    never fails the request: the periodic job that owns the work picks it up later.
    """

    def send():
        try:
            task.apply_async(kwargs=kwargs, retry=False)
        except Exception:  # the broker is down: the beat job will catch up
            logger.exception("Could not enqueue %s(%s)", task.name, kwargs)

    transaction.on_commit(send)


@shared_task(name="portal.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Remove expired sessions (daily): part of keeping personal data no longer than needed."""
    management.call_command("clearsessions")
