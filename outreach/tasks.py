"""Celery tasks of the call campaigns: each loads ids and calls a service; all are idempotent."""

from celery import shared_task
from django.utils import timezone

from outreach.models import Campaign, CampaignStatus, QueueBuild
from outreach.services.queue import (
    call_queue_refresh,
    call_tasks_callbacks_due,
    call_tasks_release_expired,
)


@shared_task(name="outreach.build_campaign_queue", soft_time_limit=600, time_limit=660)
def build_campaign_queue(build_id: int) -> None:
    build = QueueBuild.objects.filter(pk=build_id).values("campaign_id", "status").first()
    if build is None or build["status"] == QueueBuild.Status.DONE:
        return
    try:
        call_queue_refresh(campaign_id=build["campaign_id"], build_id=build_id)
    except Exception as error:
        QueueBuild.objects.filter(pk=build_id).update(
            status=QueueBuild.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise


@shared_task(name="outreach.refresh_active_queues")
def refresh_active_queues() -> int:
    """Beat: refresh every active campaign's queue, and run builds whose message was lost."""
    for campaign_id in Campaign.objects.filter(status=CampaignStatus.ACTIVE).values_list(
        "pk", flat=True
    ):
        build = QueueBuild.objects.create(campaign_id=campaign_id)
        call_queue_refresh(campaign_id=campaign_id, build_id=build.pk)
    stale = QueueBuild.objects.filter(status=QueueBuild.Status.QUEUED).values_list("pk", flat=True)
    for build_id in stale:
        build_campaign_queue(build_id)
    return len(stale)


@shared_task(name="outreach.release_expired_calls")
def release_expired_calls() -> int:
    return call_tasks_release_expired()


@shared_task(name="outreach.callbacks_due")
def callbacks_due() -> int:
    return call_tasks_callbacks_due()
