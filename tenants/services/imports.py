"""Writes on households, their people and their leases."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from phonenumber_field.phonenumber import PhoneNumber

from housing.csv_import import (
    BATCH_SIZE,
    ChoiceSet,
    Column,
    CsvBatch,
    ImportResult,
    RowReader,
    Source,
    format_date,
    read_batch,
)
from housing.models import Dwelling, Landlord
from tenants.models import ContactPreference, Household, Lease, Person, PersonRole

# Household import ------------------------------------------------------------------------------

HOUSEHOLD_COLUMNS = (
    Column("reference", gettext_lazy("référence du ménage"), required=True),
    Column(
        "name",
        gettext_lazy("nom du ménage"),
        required=True,
        hint=gettext_lazy("par exemple « M. et Mme Martin »"),
    ),
    Column("email", gettext_lazy("e-mail")),
    Column("phone", gettext_lazy("téléphone fixe"), hint="04 76 12 34 56"),
    Column("mobile_phone", gettext_lazy("téléphone portable"), hint="06 12 34 56 78"),
    Column("preferred_language", gettext_lazy("langue préférée"), hint=gettext_lazy("fr si vide")),
    Column(
        "contact_preference",
        gettext_lazy("moyen de contact préféré"),
        hint=gettext_lazy("téléphone, e-mail, courrier, SMS ; téléphone si vide"),
    ),
    Column(
        "dwelling_reference",
        gettext_lazy("référence du logement"),
        required=True,
        hint=gettext_lazy("logement existant du bailleur"),
    ),
    Column(
        "lease_start",
        gettext_lazy("date d'entrée"),
        required=True,
        hint=gettext_lazy("début du bail en cours, JJ/MM/AAAA"),
    ),
    Column("holder_first_name", gettext_lazy("prénom du titulaire du bail"), required=True),
    Column("holder_last_name", gettext_lazy("nom du titulaire du bail"), required=True),
    Column(
        "holder_birth_date",
        gettext_lazy("date de naissance du titulaire"),
        hint=gettext_lazy("JJ/MM/AAAA"),
    ),
)

LANGUAGES = ChoiceSet(settings.LANGUAGES, aliases={"francais": "fr", "anglais": "en"})
CONTACT_PREFERENCES = ChoiceSet(
    ContactPreference, aliases={"telephone fixe": "phone", "mail": "email", "courriel": "email"}
)

# File column -> Household field, for the columns a file may leave out (then left alone).
PHONE_FIELDS = {"phone", "mobile_phone"}
HOUSEHOLD_OPTIONAL_COLUMNS = (
    "email",
    "phone",
    "mobile_phone",
    "preferred_language",
    "contact_preference",
)


@dataclass(frozen=True)
class HouseholdRow:
    reference: str
    fields: dict[str, Any]  # Household field -> value
    dwelling_reference: str
    lease_start: datetime.date
    holder: dict[str, Any]  # first_name, last_name, birth_date


def _parse_household_row(row: RowReader) -> HouseholdRow:
    return HouseholdRow(
        reference=row.text("reference", required=True, max_length=30),
        fields={
            "name": row.text("name", required=True, max_length=150),
            "email": row.email("email"),
            "phone": row.phone("phone"),
            "mobile_phone": row.phone("mobile_phone"),
            "preferred_language": row.choice("preferred_language", LANGUAGES, default="fr"),
            "contact_preference": row.choice(
                "contact_preference", CONTACT_PREFERENCES, default=ContactPreference.PHONE
            ),
        },
        dwelling_reference=row.text("dwelling_reference", required=True, max_length=30),
        lease_start=row.date("lease_start", required=True),
        holder={
            "first_name": row.text("holder_first_name", required=True, max_length=100),
            "last_name": row.text("holder_last_name", required=True, max_length=100),
            "birth_date": row.date("holder_birth_date"),
        },
    )


@transaction.atomic
def households_import(
    *,
    landlord: Landlord,
    source: Source | None = None,
    items: Sequence[Mapping[str, Any]] | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Create or update ``landlord``'s households, their current lease and lease holder from a CSV.

    Upserts by reference within ``landlord`` only. For each row: the household; a current lease
    (no end date) on the row's dwelling from ``lease_start`` (its start date corrected when the
    household already lives there; the household's current lease on another dwelling, if any, ends
    the day before: it moved); the lease holder (role lease_holder), created or updated.

    A row is refused when its dwelling is unknown at ``landlord``, or let to another household at
    that date. Every row is checked before anything is written; a bad row makes the whole import
    fail with :class:`CsvRowsRejected`, unless ``skip_invalid``, where only the good rows are
    written. ``dry_run`` checks and counts, then rolls back.
    """
    batch = read_batch(
        source=source,
        items=items,
        columns=HOUSEHOLD_COLUMNS,
        parse_row=_parse_household_row,
        key="reference",
    )
    update_fields = ["name"] + [
        column for column in HOUSEHOLD_OPTIONAL_COLUMNS if batch.has(column)
    ]
    households = {
        values.pop("reference"): {_unraw(key): value for key, value in values.items()}
        for values in Household.objects.filter(landlord=landlord)
        .order_by()
        .values(
            "reference",
            "id",
            *(field for field in update_fields if field not in PHONE_FIELDS),
            # Phone numbers as stored (E.164): turning each into an object would parse it again.
            **{
                f"raw_{field}": Cast(field, CharField())
                for field in update_fields
                if field in PHONE_FIELDS
            },
        )
    }
    dwelling_ids = dict(
        Dwelling.objects.filter(landlord=landlord).order_by().values_list("reference", "id")
    )
    batch.reject_unknown(
        dwelling_ids,
        reference=lambda data: data.dwelling_reference,
        field="dwelling_reference",
        message=_("logement « %(reference)s » inconnu chez %(landlord)s"),
        landlord=landlord,
    )
    leases = _LeasePlan(
        landlord=landlord, batch=batch, households=households, dwellings=dwelling_ids
    )
    batch.raise_if_rejected(skip_invalid=skip_invalid)

    result = ImportResult(subject=_("Ménages"), rejected=batch.errors, dry_run=dry_run)
    changed_lines: set[int] = set()
    to_write = []
    for row in batch.rows:
        current = households.get(row.data.reference)
        if current is None:
            result.created += 1
        elif any(current[field] != _comparable(row.data.fields[field]) for field in update_fields):
            changed_lines.add(row.line)
        else:
            continue
        to_write.append(
            Household(landlord=landlord, reference=row.data.reference, **row.data.fields)
        )
    Household.objects.bulk_create(
        to_write,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["landlord", "reference"],
        update_fields=[*update_fields, "updated_at"],
    )
    if result.created:
        # Not every backend returns the ids of upserted rows: read them back by reference.
        household_ids = dict(
            Household.objects.filter(landlord=landlord).order_by().values_list("reference", "id")
        )
    else:
        household_ids = {reference: values["id"] for reference, values in households.items()}

    changed_lines |= leases.write(household_ids=household_ids, result=result)
    changed_lines |= _write_holders(
        landlord=landlord, batch=batch, household_ids=household_ids, result=result
    )

    new_lines = {row.line for row in batch.rows if row.data.reference not in households}
    result.updated = len(changed_lines - new_lines)
    result.unchanged = len(batch.rows) - result.created - result.updated
    if dry_run:
        transaction.set_rollback(True)
    return result


def _unraw(key: str) -> str:
    return key.removeprefix("raw_")


def _comparable(value: Any) -> Any:
    """A parsed value as the database holds it (phone numbers in E.164 form)."""
    return value.as_e164 if isinstance(value, PhoneNumber) else value


class _LeasePlan:
    """The lease changes the rows call for, checked against the leases already there.

    Per row: keep (or re-date) the household's current lease on the row's dwelling, or create
    one; end the household's current leases on other dwellings the day before the new one starts.
    A row is refused when its dwelling is let to another household at that date (taking into
    account the moves this same file makes) or named by an earlier row.
    """

    def __init__(
        self,
        *,
        landlord: Landlord,
        batch: CsvBatch[HouseholdRow],
        households: dict[str, dict[str, Any]],
        dwellings: dict[str, int],
    ):
        self.batch = batch
        self.households = households
        self.dwellings = dwellings
        starts = [row.data.lease_start for row in batch.rows]
        self.leases: list[dict[str, Any]] = []
        if starts:
            # Leases that may stand in the way: running, or ending on or after the earliest start.
            self.leases = list(
                Lease.objects.filter(
                    Q(dwelling__landlord=landlord) | Q(household__landlord=landlord)
                )
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=min(starts)))
                .order_by("id")
                .values(
                    "id",
                    "household_id",
                    "dwelling_id",
                    "start_date",
                    "end_date",
                    "household__reference",
                    "dwelling__reference",
                )
            )
        self.by_dwelling: dict[int, list[dict[str, Any]]] = {}
        self.running_by_household: dict[int, list[dict[str, Any]]] = {}
        for lease in self.leases:
            self.by_dwelling.setdefault(lease["dwelling_id"], []).append(lease)
            if lease["end_date"] is None:
                self.running_by_household.setdefault(lease["household_id"], []).append(lease)
        self._check()

    def _household_id(self, row) -> int | None:
        household = self.households.get(row.data.reference)
        return household["id"] if household else None

    def _closures(self) -> dict[int, datetime.date]:
        """Lease id -> end date, for the running leases of households that move elsewhere."""
        closures = {}
        for row in self.batch.rows:
            dwelling_id = self.dwellings[row.data.dwelling_reference]
            for lease in self.running_by_household.get(self._household_id(row), []):
                if lease["dwelling_id"] != dwelling_id:
                    closures[lease["id"]] = row.data.lease_start - datetime.timedelta(days=1)
        return closures

    def _check(self) -> None:
        for row in self.batch.rows:
            dwelling_id = self.dwellings[row.data.dwelling_reference]
            for lease in self.running_by_household.get(self._household_id(row), []):
                if (
                    lease["dwelling_id"] != dwelling_id
                    and lease["start_date"] >= row.data.lease_start
                ):
                    self.batch.reject(
                        row.line,
                        _(
                            "date d'entrée « %(start)s » trop ancienne : le bail en cours du "
                            "ménage dans le logement « %(dwelling)s » a commencé le %(since)s"
                        )
                        % {
                            "start": format_date(row.data.lease_start),
                            "dwelling": lease["dwelling__reference"],
                            "since": format_date(lease["start_date"]),
                        },
                        field="lease_start",
                        code="conflict",
                    )
        # A refused row cancels the move it would have made, which may free or block a dwelling
        # for another row: check again until nothing changes.
        while True:
            closures = self._closures()
            refused = False
            first_line: dict[int, int] = {}
            for row in self.batch.rows:
                dwelling_id = self.dwellings[row.data.dwelling_reference]
                household_id = self._household_id(row)
                for lease in self.by_dwelling.get(dwelling_id, []):
                    if lease["household_id"] == household_id:
                        continue
                    end = closures.get(lease["id"], lease["end_date"])
                    if end is None or end >= row.data.lease_start:
                        self.batch.reject(
                            row.line,
                            self._taken_message(row, lease, end),
                            field="dwelling_reference",
                            code="conflict",
                        )
                        refused = True
                        break
                else:
                    if dwelling_id in first_line:
                        self.batch.reject(
                            row.line,
                            _("logement « %(dwelling)s » déjà attribué par la ligne %(line)d")
                            % {
                                "dwelling": row.data.dwelling_reference,
                                "line": first_line[dwelling_id],
                            },
                            field="dwelling_reference",
                            code="duplicate",
                        )
                        refused = True
                    else:
                        first_line[dwelling_id] = row.line
            if not refused:
                return

    def _taken_message(self, row, lease: dict[str, Any], end: datetime.date | None) -> str:
        values = {
            "dwelling": row.data.dwelling_reference,
            "household": lease["household__reference"],
            "since": format_date(lease["start_date"]),
        }
        if end is None:
            return (
                _(
                    "logement « %(dwelling)s » déjà loué au ménage « %(household)s » depuis le %(since)s"
                )
                % values
            )
        return _(
            "logement « %(dwelling)s » loué au ménage « %(household)s » jusqu'au %(until)s, "
            "après la date d'entrée « %(start)s »"
        ) % {**values, "until": format_date(end), "start": format_date(row.data.lease_start)}

    def write(self, *, household_ids: dict[str, int], result: ImportResult) -> set[int]:
        """End, re-date and create leases; return the lines that changed something."""
        closures = self._closures()
        now = timezone.now()
        changed: set[int] = set()
        to_end = [
            Lease(id=lease_id, end_date=end, updated_at=now) for lease_id, end in closures.items()
        ]
        to_redate, to_create = [], []
        for row in self.batch.rows:
            household_id = household_ids[row.data.reference]
            dwelling_id = self.dwellings[row.data.dwelling_reference]
            running = self.running_by_household.get(household_id, [])
            if any(lease["id"] in closures for lease in running):
                changed.add(row.line)
            here = next((lease for lease in running if lease["dwelling_id"] == dwelling_id), None)
            if here is None:
                to_create.append(
                    Lease(
                        household_id=household_id,
                        dwelling_id=dwelling_id,
                        start_date=row.data.lease_start,
                    )
                )
                changed.add(row.line)
            elif here["start_date"] != row.data.lease_start:
                to_redate.append(
                    Lease(id=here["id"], start_date=row.data.lease_start, updated_at=now)
                )
                changed.add(row.line)
        # Ends first: a dwelling left by one household may be let to another in the same file.
        Lease.objects.bulk_update(to_end, ["end_date", "updated_at"], batch_size=BATCH_SIZE)
        Lease.objects.bulk_update(to_redate, ["start_date", "updated_at"], batch_size=BATCH_SIZE)
        Lease.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        _sync_dwelling_status(
            let={lease.dwelling_id for lease in to_create},
            left=set(Lease.objects.filter(pk__in=closures).values_list("dwelling_id", flat=True)),
            now=now,
        )
        result.details.append(
            _("Baux : %(created)s, %(redated)s, %(ended)s.")
            % {
                "created": ngettext("%(count)d créé", "%(count)d créés", len(to_create))
                % {"count": len(to_create)},
                "redated": ngettext("%(count)d redaté", "%(count)d redatés", len(to_redate))
                % {"count": len(to_redate)},
                "ended": ngettext(
                    "%(count)d clos (déménagement)", "%(count)d clos (déménagement)", len(to_end)
                )
                % {"count": len(to_end)},
            }
        )
        return changed


def _sync_dwelling_status(*, let: set[int], left: set[int], now) -> None:
    """A dwelling with a running lease is occupied; one left with none is vacant (set-based)."""
    Dwelling.objects.filter(pk__in=let).exclude(status=Dwelling.Status.OCCUPIED).update(
        status=Dwelling.Status.OCCUPIED, updated_at=now
    )
    Dwelling.objects.filter(pk__in=left - let, status=Dwelling.Status.OCCUPIED).exclude(
        Exists(Lease.objects.current().filter(dwelling=OuterRef("pk")))
    ).update(status=Dwelling.Status.VACANT, updated_at=now)


def _write_holders(
    *,
    landlord: Landlord,
    batch: CsvBatch[HouseholdRow],
    household_ids: dict[str, int],
    result: ImportResult,
) -> set[int]:
    """Create or update each household's lease holder; return the lines that changed something."""
    fields = ["first_name", "last_name"] + (
        ["birth_date"] if batch.has("holder_birth_date") else []
    )
    holders: dict[int, dict[str, Any]] = {}
    for person in (
        Person.objects.filter(household__landlord=landlord, role=PersonRole.LEASE_HOLDER)
        .order_by("household_id", "id")
        .values("id", "household_id", *fields)
    ):
        holders.setdefault(person["household_id"], person)

    changed: set[int] = set()
    now = timezone.now()
    to_update, to_create = [], []
    for row in batch.rows:
        household_id = household_ids[row.data.reference]
        values = {field: row.data.holder[field] for field in fields}
        holder = holders.get(household_id)
        if holder is None:
            to_create.append(
                Person(household_id=household_id, role=PersonRole.LEASE_HOLDER, **row.data.holder)
            )
            changed.add(row.line)
        elif any(holder[field] != value for field, value in values.items()):
            to_update.append(Person(id=holder["id"], updated_at=now, **values))
            changed.add(row.line)
    Person.objects.bulk_update(to_update, [*fields, "updated_at"], batch_size=BATCH_SIZE)
    Person.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    result.details.append(
        _("Titulaires du bail : %(created)s, %(updated)s.")
        % {
            "created": ngettext("%(count)d créé", "%(count)d créés", len(to_create))
            % {"count": len(to_create)},
            "updated": ngettext("%(count)d mis à jour", "%(count)d mis à jour", len(to_update))
            % {"count": len(to_update)},
        }
    )
    return changed
