"""The outbox: tasks are written in the caller's transaction, then published to the broker.

A broker outage never fails a request and never loses work: the message stays in the
``OutboxMessage`` table until the drain publishes it. Delivery is at least once (a publish whose
"sent" mark is lost is published again), so every task is idempotent; e-mail tasks are declared with
``base=RunOnceTask`` and claim their message before running, so they run exactly once.
"""

from __future__ import annotations

import datetime
import logging

from celery import Task
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from portal.models import OUTBOX_TASK_PREFIX, OutboxMessage

logger = logging.getLogger(__name__)

# A message younger than this is left to the publish that follows its own commit.
DRAIN_MIN_AGE = datetime.timedelta(seconds=30)
# Sent messages are kept this long (to see what went out), then purged by the drain.
SENT_KEPT_FOR = datetime.timedelta(days=30)


def outbox_message_create(*, task_name: str, kwargs: dict) -> OutboxMessage:
    return OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)


def outbox_publish(*, message: OutboxMessage, task: Task | None = None) -> bool:
    """Send one message to the broker; mark it sent, or record the error. True when sent."""
    if task is None:
        from portal.celery import app

        task = app.tasks[message.task_name]
    try:
        task.apply_async(kwargs=message.kwargs, task_id=message.task_id, retry=False)
    except Exception as error:  # the broker is down: the drain will try again
        logger.warning("Could not enqueue %s(%s): %s", message.task_name, message.kwargs, error)
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1, last_error=str(error)[:2000]
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return True


def outbox_drain(*, limit: int = 500, min_age: datetime.timedelta = DRAIN_MIN_AGE) -> dict:
    """Publish unsent messages, oldest first; stop at the first broker failure.

    On PostgreSQL the rows are locked with ``SKIP LOCKED``, so two drains (beat and a command) never
    publish the same message at once.
    """
    published = failed = 0
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(
            sent_at__isnull=True, done_at__isnull=True, created_at__lte=timezone.now() - min_age
        ).order_by("created_at")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        for message in pending[:limit]:
            if outbox_publish(message=message):
                published += 1
            else:
                failed += 1
                break
    OutboxMessage.objects.filter(sent_at__lt=timezone.now() - SENT_KEPT_FOR).delete()
    remaining = OutboxMessage.objects.filter(sent_at__isnull=True, done_at__isnull=True).count()
    if published or failed:
        logger.info("Outbox drained: %s published, %s still waiting", published, remaining)
    return {"published": published, "remaining": remaining}


def outbox_message_id(task_id: str | None) -> int | None:
    if task_id and task_id.startswith(OUTBOX_TASK_PREFIX):
        suffix = task_id.removeprefix(OUTBOX_TASK_PREFIX)
        if suffix.isdigit():
            return int(suffix)
    return None


class RunOnceTask(Task):
    """A task that runs once per outbox message, even when the message is delivered twice.

    The claim (``done_at``) and the task's work share one transaction: when the task fails the claim
    is rolled back and a later delivery runs it again; when it succeeded, a second delivery (a
    republished message, a redelivery after a lost acknowledgement) finds it claimed and returns.
    """

    def __call__(self, *args, **kwargs):
        message_id = outbox_message_id(self.request.id)
        if message_id is None:
            return super().__call__(*args, **kwargs)
        with transaction.atomic():
            claimed = OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(
                done_at=timezone.now()
            )
            if not claimed:
                logger.info("%s already ran for outbox message %s", self.name, message_id)
                return None
            return super().__call__(*args, **kwargs)
