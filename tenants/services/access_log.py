"""The access log: who opened a household's page or card (see ``HouseholdAccess``)."""

import datetime

from django.conf import settings
from django.db import connection, transaction

from portal.dates import months_ago
from tenants.models import AccessScreen, HouseholdAccess


def household_access_record(
    *, user, household_id: int, landlord_id: int, screen: AccessScreen
) -> None:
    """Write one line of the log: ``user`` opened the household from ``screen`` (staff only)."""
    HouseholdAccess.objects.create(
        user=user, landlord_id=landlord_id, household_id=household_id, screen=screen
    )


def household_access_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the lines older than ACCESS_LOG_RETENTION_MONTHS (CNIL: 12 months); idempotent."""
    cutoff = months_ago(settings.ACCESS_LOG_RETENTION_MONTHS, now)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL portal.access_log_purge = 'on'")
        deleted, _ = HouseholdAccess.objects.filter(accessed_at__lt=cutoff).delete()
    return deleted
