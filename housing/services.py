"""Writes on the housing stock."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from housing.csv_import import (
    BATCH_SIZE,
    ChoiceSet,
    Column,
    CsvBatch,
    ImportResult,
    RowReader,
    Source,
    read_batch,
)
from housing.models import (
    Building,
    Dwelling,
    DwellingStatus,
    Estate,
    IntegrationToken,
    Landlord,
    Typology,
)

# Dwelling import -------------------------------------------------------------------------------

DWELLING_COLUMNS = (
    Column("reference", gettext_lazy("référence du logement"), required=True),
    Column(
        "building_reference",
        gettext_lazy("référence de l'immeuble"),
        required=True,
        hint=gettext_lazy("créé s'il n'existe pas, avec les colonnes suivantes"),
    ),
    Column("building_name", gettext_lazy("nom de l'immeuble")),
    Column("estate", gettext_lazy("quartier"), hint=gettext_lazy("identifiant du quartier")),
    Column("address", gettext_lazy("adresse de l'immeuble")),
    Column("postal_code", gettext_lazy("code postal")),
    Column("city", gettext_lazy("commune")),
    Column("typology", gettext_lazy("typologie"), required=True, hint="T1 … T6"),
    Column("floor", gettext_lazy("étage"), hint=gettext_lazy("0 ou RDC pour le rez-de-chaussée")),
    Column("door", gettext_lazy("porte")),
    Column("surface", gettext_lazy("surface"), required=True, hint=gettext_lazy("en m²")),
    Column("rent", gettext_lazy("loyer"), required=True, hint=gettext_lazy("mensuel, en €")),
    Column("charges", gettext_lazy("charges"), hint=gettext_lazy("mensuelles, en € ; 0 si vide")),
    Column(
        "status",
        gettext_lazy("état du logement"),
        hint=gettext_lazy("occupé, vacant, en travaux, retiré de la location ; vacant si vide"),
    ),
    Column(
        "adapted_reduced_mobility",
        gettext_lazy("adapté PMR"),
        hint=gettext_lazy("oui ou non ; non si vide"),
    ),
)

TYPOLOGIES = ChoiceSet(
    Typology,
    aliases={f"F{n}": f"T{n}" for n in range(1, 7)} | {str(n): f"T{n}" for n in range(1, 7)},
)
DWELLING_STATUSES = ChoiceSet(DwellingStatus)

# File column -> Building field, for the building data a dwelling row may carry.
BUILDING_COLUMNS = {
    "building_name": "name",
    "estate": "estate",
    "address": "address",
    "postal_code": "postal_code",
    "city": "city",
}
# File column -> Dwelling field, for the columns a file may leave out (then left alone).
DWELLING_OPTIONAL_COLUMNS = {
    "floor": "floor",
    "door": "door",
    "charges": "charges",
    "status": "status",
    "adapted_reduced_mobility": "adapted_reduced_mobility",
}


@dataclass(frozen=True)
class DwellingRow:
    reference: str
    building_reference: str
    building: dict[str, str]  # file column -> value, only the non-empty ones
    fields: dict[str, Any]  # Dwelling field -> value (building excepted)


def _parse_dwelling_row(row: RowReader) -> DwellingRow:
    building = {
        "building_name": row.text("building_name", max_length=150),
        "estate": row.text("estate", max_length=80),
        "address": row.text("address", max_length=255),
        "postal_code": row.postal_code("postal_code"),
        "city": row.text("city", max_length=100),
    }
    return DwellingRow(
        reference=row.text("reference", required=True, max_length=30),
        building_reference=row.text("building_reference", required=True, max_length=30),
        building={column: value for column, value in building.items() if value},
        fields={
            "typology": row.choice("typology", TYPOLOGIES, required=True),
            "floor": row.integer(
                "floor",
                default=0,
                minimum=-10,
                maximum=99,
                aliases={"rdc": 0, "rez-de-chaussee": 0},
            ),
            "door": row.text("door", max_length=20),
            "surface": row.decimal(
                "surface", required=True, max_digits=6, decimal_places=2, positive=True
            ),
            "rent": row.decimal(
                "rent", required=True, max_digits=8, decimal_places=2, minimum=Decimal(0)
            ),
            "charges": row.decimal(
                "charges",
                default=Decimal("0.00"),
                max_digits=8,
                decimal_places=2,
                minimum=Decimal(0),
            ),
            "status": row.choice("status", DWELLING_STATUSES, default=DwellingStatus.VACANT),
            "adapted_reduced_mobility": row.boolean("adapted_reduced_mobility"),
        },
    )


@transaction.atomic
def dwellings_import(
    *,
    landlord: Landlord,
    source: Source | None = None,
    items: Sequence[Mapping[str, Any]] | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Create or update ``landlord``'s dwellings (and their buildings) from a CSV file.

    Upserts by reference within ``landlord`` only. Every row is checked before anything is
    written; a bad row makes the whole import fail with :class:`CsvRowsRejected`, unless
    ``skip_invalid``, where only the good rows are written. ``dry_run`` checks and counts, then
    rolls back.
    """
    batch = read_batch(
        source=source,
        items=items,
        columns=DWELLING_COLUMNS,
        parse_row=_parse_dwelling_row,
        key="reference",
    )
    buildings = _plan_buildings(landlord=landlord, batch=batch)
    batch.raise_if_rejected(skip_invalid=skip_invalid)

    result = ImportResult(subject=_("Logements"), rejected=batch.errors, dry_run=dry_run)
    building_ids = _write_buildings(landlord=landlord, plan=buildings, result=result)

    update_fields = ["building", "typology", "surface", "rent"] + [
        field for column, field in DWELLING_OPTIONAL_COLUMNS.items() if batch.has(column)
    ]
    existing = {
        values.pop("reference"): values
        for values in Dwelling.objects.filter(landlord=landlord)
        .order_by()
        .values(
            "reference",
            "id",
            *(_attname(field) for field in update_fields),
        )
    }
    to_write = []
    for row in batch.rows:
        values = {"building_id": building_ids[row.data.building_reference], **row.data.fields}
        current = existing.get(row.data.reference)
        if current is None:
            result.created += 1
        elif all(current[_attname(field)] == values[_attname(field)] for field in update_fields):
            result.unchanged += 1
            continue
        else:
            result.updated += 1
        to_write.append(Dwelling(landlord=landlord, reference=row.data.reference, **values))
    Dwelling.objects.bulk_create(
        to_write,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["landlord", "reference"],
        update_fields=[*update_fields, "updated_at"],
    )
    if dry_run:
        transaction.set_rollback(True)
    return result


def _attname(field: str) -> str:
    return "building_id" if field == "building" else field


@dataclass
class _BuildingPlan:
    id: int | None
    values: dict[str, Any]  # Building field -> value (estate as estate_id)
    changed: bool = False


def _plan_buildings(
    *, landlord: Landlord, batch: CsvBatch[DwellingRow]
) -> dict[str, _BuildingPlan]:
    """The buildings the rows need, merged with the existing ones; refuses rows that disagree."""
    existing = {
        values.pop("reference"): values
        for values in Building.objects.filter(landlord=landlord)
        .order_by()
        .values("reference", "id", "name", "estate_id", "address", "postal_code", "city")
    }
    slugs = {row.data.building["estate"] for row in batch.rows if "estate" in row.data.building}
    estate_ids = dict(Estate.objects.filter(slug__in=slugs).order_by().values_list("slug", "id"))

    given: dict[str, dict[str, tuple[str, int]]] = {}  # reference -> column -> (value, line)
    lines: dict[str, list[int]] = {}
    for row in batch.rows:
        reference, building = row.data.building_reference, row.data.building
        if "estate" in building and building["estate"] not in estate_ids:
            batch.reject(
                row.line,
                _("quartier « %(slug)s » inconnu") % {"slug": building["estate"]},
                field="estate",
                code="unknown_reference",
            )
            continue
        seen = given.setdefault(reference, {})
        conflicts = [
            _(
                "immeuble « %(reference)s » : %(label)s « %(value)s » différent de la ligne "
                "%(line)d (« %(other)s »)"
            )
            % {
                "reference": reference,
                "label": _column_label(column),
                "value": value,
                "line": seen[column][1],
                "other": seen[column][0],
            }
            for column, value in building.items()
            if column in seen and seen[column][0] != value
        ]
        if conflicts:
            for conflict in conflicts:
                batch.reject(row.line, conflict, field="building_reference", code="conflict")
            continue
        for column, value in building.items():
            seen.setdefault(column, (value, row.line))
        lines.setdefault(reference, []).append(row.line)

    plan = {}
    for reference, columns in given.items():
        if reference not in lines:
            continue
        values = {
            ("estate_id" if column == "estate" else BUILDING_COLUMNS[column]): (
                estate_ids[value] if column == "estate" else value
            )
            for column, (value, _line) in columns.items()
        }
        current = existing.get(reference)
        if current is None:
            missing = [column for column in BUILDING_COLUMNS if column not in columns]
            if missing:
                for line in lines[reference]:
                    batch.reject(
                        line,
                        _(
                            "immeuble « %(reference)s » inconnu chez %(landlord)s ; pour le "
                            "créer, renseignez aussi : %(columns)s"
                        )
                        % {
                            "reference": reference,
                            "landlord": landlord.name,
                            "columns": ", ".join(missing),
                        },
                        field="building_reference",
                        code="unknown_reference",
                    )
                continue
            plan[reference] = _BuildingPlan(id=None, values=values, changed=True)
        else:
            building_id = current.pop("id")
            changed = any(current[name] != value for name, value in values.items())
            plan[reference] = _BuildingPlan(
                id=building_id, values={**current, **values}, changed=changed
            )
    return plan


def _column_label(name: str) -> str:
    return str(next(column.label for column in DWELLING_COLUMNS if column.name == name))


def _write_buildings(
    *, landlord: Landlord, plan: dict[str, _BuildingPlan], result: ImportResult
) -> dict[str, int]:
    """Upsert the new and changed buildings; return every building id by reference."""
    to_write = [
        Building(landlord=landlord, reference=reference, **building.values)
        for reference, building in plan.items()
        if building.changed
    ]
    Building.objects.bulk_create(
        to_write,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["landlord", "reference"],
        update_fields=["name", "estate", "address", "postal_code", "city", "updated_at"],
    )
    created = sum(1 for building in plan.values() if building.id is None)
    updated = len(to_write) - created
    result.details.append(
        _("Immeubles : %(created)s, %(updated)s.")
        % {
            "created": ngettext("%(count)d créé", "%(count)d créés", created) % {"count": created},
            "updated": ngettext("%(count)d mis à jour", "%(count)d mis à jour", updated)
            % {"count": updated},
        }
    )
    if not created:
        return {reference: building.id for reference, building in plan.items()}
    # Not every backend returns the ids of upserted rows: read them back by reference.
    return dict(
        Building.objects.filter(landlord=landlord).order_by().values_list("reference", "id")
    )


# Integration tokens ----------------------------------------------------------------------------


class TokenError(Exception):
    """An integration token was refused; the message is French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def integration_token_create(
    *,
    landlord: Landlord,
    name: str,
    scope: str,
    expires_at: datetime.datetime,
    by=None,
) -> tuple[IntegrationToken, str]:
    """A new token and its key (``<prefix>.<secret>``), the only time the key is ever known."""
    if expires_at <= timezone.now():
        raise TokenError(_("La date d'expiration doit être dans le futur."))
    prefix = secrets.token_hex(4)
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    token = IntegrationToken.objects.create(
        landlord=landlord,
        name=name,
        scope=scope,
        expires_at=expires_at,
        prefix=prefix,
        key_hash=_hash_key(key),
        created_by=by,
    )
    return token, key


@transaction.atomic
def integration_token_revoke(*, token: IntegrationToken) -> IntegrationToken:
    """Refuse the token from now on (revoking twice keeps the first date)."""
    IntegrationToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    return token


def integration_token_authenticate(*, key: str) -> IntegrationToken:
    """The token of ``key``, if it is known, not revoked, not expired; else :class:`TokenError`."""
    prefix, _dot, _secret = key.partition(".")
    token = (
        IntegrationToken.objects.select_related("landlord").filter(prefix=prefix).first()
        if prefix
        else None
    )
    if token is None or not hmac.compare_digest(token.key_hash, _hash_key(key)):
        raise TokenError(_("Jeton d'intégration inconnu."))
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenError(_("Ce jeton d'intégration a été révoqué."))
    if token.expires_at <= now:
        raise TokenError(_("Ce jeton d'intégration a expiré."))
    if not token.landlord.is_active:
        raise TokenError(_("Le bailleur de ce jeton n'est plus actif."))
    # At most one write a minute per token: the date is a hint, not an audit log.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
