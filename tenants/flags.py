"""Flags kept in step by other apps through tenants' own data (they import this; never the reverse),
and by the landlords' accounting through the API."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from housing.csv_import import BATCH_SIZE, Column, ImportResult, RowReader, format_date, read_batch
from tenants.models import FlagKind, Household, VulnerabilityFlag


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


# Arrears from the landlords' accounting (the API) -----------------------------------------------

ARREARS_COLUMNS = (
    Column("household_reference", gettext_lazy("référence du ménage"), required=True),
    Column(
        "arrears_amount",
        gettext_lazy("montant de l'impayé"),
        required=True,
        hint=gettext_lazy("en € ; 0 quand l'impayé est soldé"),
    ),
    Column("since", gettext_lazy("impayé depuis le"), hint=gettext_lazy("aujourd'hui si vide")),
)


@dataclass(frozen=True)
class ArrearsRow:
    household_reference: str
    amount: Decimal | None
    since: datetime.date | None


def _parse_arrears_row(row: RowReader) -> ArrearsRow:
    return ArrearsRow(
        household_reference=row.text("household_reference", required=True, max_length=30),
        amount=row.decimal(
            "arrears_amount",
            required=True,
            max_digits=10,
            decimal_places=2,
            minimum=Decimal(0),
        ),
        since=row.date("since"),
    )


@transaction.atomic
def arrears_update(
    *, landlord, items: Sequence[Mapping[str, Any]], today: datetime.date | None = None
) -> ImportResult:
    """Keep each household's payment-difficulty flag in step with its arrears (accounting).

    Per item: an amount above 0 opens the household's payment-difficulty flag (source
    accounting) or updates the amount of the open one; 0 closes the open one today, whoever
    opened it (the accounting knows the arrears). Every item is
    checked first (unknown household: refused, nothing written); set-based writes; sending the
    same figures twice changes nothing.
    """
    today = today or timezone.localdate()
    batch = read_batch(
        items=items,
        columns=ARREARS_COLUMNS,
        parse_row=_parse_arrears_row,
        key="household_reference",
    )
    household_ids = dict(
        Household.objects.filter(landlord=landlord).order_by().values_list("reference", "id")
    )
    batch.reject_unknown(
        household_ids,
        reference=lambda data: data.household_reference,
        field="household_reference",
        message=_("ménage « %(reference)s » inconnu chez %(landlord)s"),
        landlord=landlord,
    )
    for row in batch.rows:
        if row.data.since is not None and row.data.since > today:
            batch.reject(
                row.line,
                _("date « %(date)s » dans le futur") % {"date": format_date(row.data.since)},
                field="since",
                code="invalid",
            )
    batch.raise_if_rejected(skip_invalid=False)

    result = ImportResult(subject=_("Impayés"))
    wanted = {household_ids[row.data.household_reference]: row.data for row in batch.rows}
    open_flags = {
        flag["household_id"]: flag
        for flag in VulnerabilityFlag.objects.filter(
            household_id__in=wanted, kind=FlagKind.PAYMENT_DIFFICULTY, end_date__isnull=True
        ).values("id", "household_id", "arrears_amount", "start_date")
    }
    now = timezone.now()
    to_create, to_update, to_close = [], [], []
    for household_id, row in wanted.items():
        flag = open_flags.get(household_id)
        if row.amount:
            if flag is None:
                to_create.append(
                    VulnerabilityFlag(
                        household_id=household_id,
                        kind=FlagKind.PAYMENT_DIFFICULTY,
                        source=VulnerabilityFlag.Source.ACCOUNTING,
                        arrears_amount=row.amount,
                        start_date=row.since or today,
                    )
                )
            elif flag["arrears_amount"] != row.amount:
                to_update.append(
                    VulnerabilityFlag(id=flag["id"], arrears_amount=row.amount, updated_at=now)
                )
        elif flag is not None:
            to_close.append(flag["id"])
    VulnerabilityFlag.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    VulnerabilityFlag.objects.bulk_update(
        to_update, ["arrears_amount", "updated_at"], batch_size=BATCH_SIZE
    )
    # Closed today, or on its start date when a staff member dated it ahead: never before it.
    VulnerabilityFlag.objects.filter(pk__in=to_close).update(
        end_date=Greatest(F("start_date"), Value(today)), updated_at=now
    )
    result.created = len(to_create)
    result.updated = len(to_update) + len(to_close)
    result.unchanged = len(wanted) - result.created - result.updated
    return result
