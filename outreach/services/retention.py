"""Retention (GDPR): each landlord's policy applied every night, with a report of what it did.

Call notes and questionnaire answers are anonymised (the call itself, its date and outcome stay:
call logs are never deleted), photos of closed requests are deleted, tenant accounts of ended
leases are deactivated. Each rule is set-based SQL; a second run the same night does nothing.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from housing.models import Landlord, RetentionPolicy, RetentionRun
from outreach.models import CallLog, Need
from portal.dates import months_ago
from tenants.services.retention import request_photos_purge, tenant_accounts_deactivate

logger = logging.getLogger(__name__)


def call_logs_anonymise(
    *, landlord_id: int, called_before: datetime.datetime, now: datetime.datetime | None = None
) -> int:
    """Empty the notes, answers and need details of the landlord's calls before the date.

    Their history (django-simple-history) is emptied too: an old version must not keep what the
    current one no longer holds.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = CallLog.objects.filter(
            landlord_id=landlord_id, called_at__lt=called_before, anonymised_at__isnull=True
        )
        due_ids = due.values("pk")
        Need.objects.filter(call_log__in=due_ids).exclude(note="").update(note="", updated_at=now)
        CallLog.history.model.objects.filter(id__in=due_ids).update(notes="", answers={})
        return due.update(notes="", answers={}, anonymised_at=now, updated_at=now)


def retention_apply(*, now: datetime.datetime | None = None) -> list[RetentionRun]:
    """Apply every landlord's retention policy; one ``RetentionRun`` per landlord as the report."""
    now = now or timezone.now()
    runs = []
    for landlord_id in Landlord.objects.order_by("pk").values_list("pk", flat=True):
        policy = RetentionPolicy.for_landlord(landlord_id)
        with transaction.atomic():
            run = RetentionRun.objects.create(
                landlord_id=landlord_id,
                ran_at=now,
                call_logs_anonymised=call_logs_anonymise(
                    landlord_id=landlord_id,
                    called_before=months_ago(policy.call_notes_months, now),
                    now=now,
                ),
                photos_deleted=request_photos_purge(
                    landlord_id=landlord_id,
                    closed_before=months_ago(policy.request_photos_months, now),
                ),
                accounts_deactivated=tenant_accounts_deactivate(
                    landlord_id=landlord_id,
                    lease_ended_before=timezone.localdate(
                        months_ago(policy.tenant_accounts_months, now)
                    ),
                ),
            )
        logger.info(
            "Retention for landlord %s: %s call logs anonymised, %s photos deleted, "
            "%s tenant accounts deactivated",
            landlord_id,
            run.call_logs_anonymised,
            run.photos_deleted,
            run.accounts_deactivated,
        )
        runs.append(run)
    return runs
