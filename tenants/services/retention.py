"""Retention (GDPR) of the tenants' data: photos of closed requests, accounts of ended leases.

Set-based: each rule is one DELETE or UPDATE, and running it twice changes nothing the second time.
The nightly task (``outreach.apply_retention``) calls these with each landlord's policy.
"""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from tenants.models import Lease, RequestPhoto, RequestStatus

logger = logging.getLogger(__name__)

CLOSED_STATUSES = [RequestStatus.DONE, RequestStatus.REJECTED]


def request_photos_purge(*, landlord_id: int, closed_before: datetime.datetime) -> int:
    """Delete the photos of the landlord's requests closed before ``closed_before``.

    The rows go in one DELETE; the files are removed from storage once that has committed.
    """
    with transaction.atomic():
        photos = RequestPhoto.objects.filter(
            request__landlord_id=landlord_id,
            request__status__in=CLOSED_STATUSES,
            request__closed_at__lt=closed_before,
        )
        names = [name for name in photos.values_list("image", flat=True) if name]
        deleted, _by_model = photos.delete()

        def remove_files():
            for name in names:
                try:
                    default_storage.delete(name)
                except OSError:
                    logger.warning("Retention: could not remove the file %s", name)

        transaction.on_commit(remove_files)
    return deleted


def tenant_accounts_deactivate(*, landlord_id: int, lease_ended_before: datetime.date) -> int:
    """Deactivate the tenant accounts of households whose last lease ended before the date.

    A household with a lease still running (or ended after the date) keeps its accounts; staff
    accounts and superusers are never touched.
    """
    household = OuterRef("tenant_person__household")
    had_a_lease = Lease.objects.filter(household=household)
    still_housed = Lease.objects.filter(household=household).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=lease_ended_before)
    )
    with transaction.atomic():
        return (
            get_user_model()
            .objects.filter(
                is_active=True,
                is_superuser=False,
                tenant_person__household__landlord_id=landlord_id,
            )
            .filter(Exists(had_a_lease))
            .exclude(Exists(still_housed))
            .exclude(memberships__isnull=False)
            .update(is_active=False)
        )
