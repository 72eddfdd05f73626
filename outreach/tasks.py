"""Celery tasks of the call campaigns: each loads ids and calls a service; all are idempotent."""

from celery import shared_task
from django.utils import timezone

from outreach.models import Campaign, CampaignKind, CampaignStatus, QueueBuild
from outreach.services.queue import (
    call_queue_refresh,
    call_tasks_callbacks_due,
    call_tasks_release_expired,
)
from outreach.services.tenant_callbacks import tenant_callbacks_sync_all
from portal.outbox import RunOnceTask


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
    """Beat: refresh every active campaign's queue, and run builds whose message was lost.

    The tenants' call-back campaigns are brought in line with the open requests (and created for
    a landlord that has some and no campaign yet); the others follow their criteria.
    """
    tenant_callbacks_sync_all()
    active = Campaign.objects.filter(status=CampaignStatus.ACTIVE).exclude(
        kind=CampaignKind.TENANT_CALLBACKS
    )
    for campaign_id in active.values_list("pk", flat=True):
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


@shared_task(name="outreach.fold_campaign_stats")
def fold_campaign_stats(campaign_id: int | None = None) -> int:
    """Beat: fold new call logs into the dashboards' daily summaries (every campaign not closed,
    or one campaign). Idempotent."""
    from outreach.services.stats import campaign_stats_fold

    campaigns = Campaign.objects.exclude(status=CampaignStatus.CLOSED)
    if campaign_id is not None:
        campaigns = Campaign.objects.filter(pk=campaign_id)
    ids = list(campaigns.values_list("pk", flat=True))
    for pk in ids:
        campaign_stats_fold(campaign_id=pk)
    return len(ids)


# ---------------------------------------------------------------------------------------------
# Appointments with advisers (issue 5): every task takes ids and is safe to run twice.


@shared_task(name="outreach.generate_appointment_slots")
def generate_appointment_slots(landlord_id: int | None = None) -> int:
    """Beat (daily) and after a change of rules: slots weeks ahead, booked ones untouched."""
    from housing.models import Landlord
    from outreach.services.appointments import slots_generate

    ids = [landlord_id] if landlord_id else Landlord.objects.values_list("pk", flat=True)
    return sum(slots_generate(landlord_id=pk)["created"] for pk in ids)


@shared_task(name="outreach.send_appointment_email", base=RunOnceTask)
def send_appointment_email(appointment_id: int, kind: str) -> bool:
    from outreach.emails import send_appointment_email as send

    return send(appointment_id=appointment_id, kind=kind)


@shared_task(name="outreach.send_reminder")
def send_reminder(reminder_id: int) -> bool:
    from outreach.services.appointments import reminder_send

    return reminder_send(reminder_id=reminder_id)


@shared_task(name="outreach.send_due_reminders")
def send_due_reminders() -> int:
    """Beat: every reminder due and not sent; each is claimed before it is sent, so never twice."""
    from outreach.services.appointments import reminder_send, reminders_due

    return sum(reminder_send(reminder_id=pk) for pk in reminders_due())


@shared_task(name="outreach.offer_freed_slot")
def offer_freed_slot(slot_id: int) -> int | None:
    from outreach.services.appointments import waiting_list_offer_slot

    return waiting_list_offer_slot(slot_id=slot_id)


@shared_task(name="outreach.send_waiting_offer_email", base=RunOnceTask)
def send_waiting_offer_email(entry_id: int) -> bool:
    from outreach.emails import send_waiting_offer_email as send

    return send(entry_id=entry_id)


@shared_task(name="outreach.expire_waiting_offers")
def expire_waiting_offers() -> int:
    from outreach.services.appointments import waiting_offers_expire

    return waiting_offers_expire()


@shared_task(name="outreach.apply_retention")
def apply_retention() -> int:
    """Beat (nightly): apply every landlord's retention policy; idempotent, reported per landlord."""
    from outreach.services.retention import retention_apply

    return len(retention_apply())
