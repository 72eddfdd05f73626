"""Flags kept in step by other apps through tenants' own data (they import this; never the reverse)."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from tenants.models import FlagKind, VulnerabilityFlag


def priority_transfer_flag_sync(
    *, household_id: int, active: bool, today: datetime.date | None = None
) -> bool:
    """Open (or close) the household's priority-transfer flag; True when something changed.

    Only flags the allocations app opened are closed by it: a flag entered by staff stays.
    Idempotent: running it twice with the same ``active`` changes nothing the second time.
    """
    today = today or timezone.localdate()
    open_flags = VulnerabilityFlag.objects.filter(
        household_id=household_id, kind=FlagKind.PRIORITY_TRANSFER, end_date__isnull=True
    )
    if active:
        if open_flags.exists():
            return False
        try:
            with transaction.atomic():
                VulnerabilityFlag.objects.create(
                    household_id=household_id,
                    kind=FlagKind.PRIORITY_TRANSFER,
                    source=VulnerabilityFlag.Source.ALLOCATIONS,
                    start_date=today,
                )
        except IntegrityError:  # opened meanwhile by a concurrent call: one open flag per kind
            return False
        return True
    closed = open_flags.filter(source=VulnerabilityFlag.Source.ALLOCATIONS).update(
        # A flag opened today and closed today keeps end_date >= start_date.
        end_date=today,
        updated_at=timezone.now(),
    )
    return bool(closed)


def priority_transfer_flags_reconcile(
    *, household_ids, today: datetime.date | None = None
) -> tuple[int, int]:
    """Set-based: exactly ``household_ids`` (a queryset or list of ids) keep an open flag from
    the allocations; returns (opened, closed). Flags entered by staff are never touched."""
    today = today or timezone.localdate()
    wanted = set(household_ids)
    open_flags = VulnerabilityFlag.objects.filter(
        kind=FlagKind.PRIORITY_TRANSFER, end_date__isnull=True
    )
    closed = (
        open_flags.filter(source=VulnerabilityFlag.Source.ALLOCATIONS, start_date__lte=today)
        .exclude(household_id__in=wanted)
        .update(end_date=today, updated_at=timezone.now())
    )
    flagged = set(open_flags.filter(household_id__in=wanted).values_list("household_id", flat=True))
    created = VulnerabilityFlag.objects.bulk_create(
        [
            VulnerabilityFlag(
                household_id=household_id,
                kind=FlagKind.PRIORITY_TRANSFER,
                source=VulnerabilityFlag.Source.ALLOCATIONS,
                start_date=today,
            )
            for household_id in sorted(wanted - flagged)
        ],
        ignore_conflicts=True,
    )
    return len(created), closed
