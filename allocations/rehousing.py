"""Rehousing before a demolition: opening the files, following them, the progress figures.

Dwellings leave letting in two steps: the vacant ones of the building when the files are opened
(one UPDATE), each occupied one when its household's file says the household has moved (so a
dwelling is never withdrawn under a household that still lives there).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from allocations.errors import AllocationError
from allocations.models import (
    REHOUSING_OPEN_STATUSES,
    Offer,
    RehousingFile,
    RehousingStatus,
)
from housing.models import (
    Building,
    BuildingStatus,
    Dwelling,
    DwellingStatus,
    Role,
    WorksKind,
    WorksSite,
    WorksStatus,
)
from housing.works import works_status
from portal.sql import insert_select_sql
from tenants.models import Lease

# Who follows the files: letting agents, social advisers (CESF), supervisors, landlord admins.
REHOUSING_ROLES = [Role.LANDLORD_ADMIN, Role.SUPERVISOR, Role.LETTING_AGENT, Role.SOCIAL_ADVISER]

S = RehousingStatus
# Status -> the statuses a file may move to (other solution and moved are final).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.TO_MEET: frozenset({S.WISHES_RECORDED, S.OTHER_SOLUTION}),
    S.WISHES_RECORDED: frozenset({S.OFFER_MADE, S.OTHER_SOLUTION}),
    # A refused offer sends the file back to its wishes.
    S.OFFER_MADE: frozenset({S.OFFER_ACCEPTED, S.WISHES_RECORDED, S.OTHER_SOLUTION}),
    S.OFFER_ACCEPTED: frozenset({S.MOVED, S.WISHES_RECORDED, S.OTHER_SOLUTION}),
    S.MOVED: frozenset(),
    S.OTHER_SOLUTION: frozenset(),
}


@dataclass(frozen=True)
class OpeningResult:
    created: int
    withdrawn: int


def _progress_counts():
    return {
        "total": Count("pk"),
        "left": Count("pk", filter=Q(status__in=REHOUSING_OPEN_STATUSES)),
        "done": Count("pk", filter=~Q(status__in=REHOUSING_OPEN_STATUSES)),
    }


@transaction.atomic
def rehousing_open_for_site(
    *, site: WorksSite, today: datetime.date | None = None
) -> OpeningResult:
    """Open a file for every household with a current lease in the site's buildings.

    Set-based and idempotent: one INSERT … SELECT from the current leases, ON CONFLICT DO
    NOTHING on (household, building) (a household with two leases there gets one file); the
    buildings are marked as
    being demolished and their vacant dwellings withdrawn from letting, each in one UPDATE.
    """
    today = today or timezone.localdate()
    if site.kind != WorksKind.DEMOLITION:
        raise AllocationError(_("Seul un chantier de démolition ouvre des dossiers de relogement."))
    status = works_status(site.events.order_by("date", "pk").values_list("kind", flat=True))
    if status in (WorksStatus.PLANNED, WorksStatus.COMPLETED):
        raise AllocationError(
            _("Les dossiers s'ouvrent quand la démolition est annoncée ou commencée.")
        )
    building_ids = list(site.buildings.values_list("pk", flat=True))
    Building.objects.filter(pk__in=building_ids).exclude(
        status__in=[BuildingStatus.BEING_DEMOLISHED, BuildingStatus.DEMOLISHED]
    ).update(status=BuildingStatus.BEING_DEMOLISHED, updated_at=timezone.now())
    created = _insert_files(site=site, building_ids=building_ids, today=today)
    withdrawn = Dwelling.objects.filter(
        building_id__in=building_ids, status=DwellingStatus.VACANT
    ).update(status=DwellingStatus.WITHDRAWN, updated_at=timezone.now())
    return OpeningResult(created=created, withdrawn=withdrawn)


# Columns written by the INSERT … SELECT, in the order of the SELECT list.
_INSERT_COLUMNS = [
    ("landlord", "household__landlord_id"),
    ("site", "i_site"),
    ("building", "dwelling__building_id"),
    ("dwelling", "dwelling_id"),
    ("household", "household_id"),
    ("status", "i_status"),
    ("wished_areas", "i_empty"),
    ("wished_typology", "i_empty"),
    ("opened_on", "i_today"),
    ("note", "i_empty"),
    ("created_at", "i_now"),
    ("updated_at", "i_now"),
]


def _insert_files(*, site: WorksSite, building_ids: list[int], today: datetime.date) -> int:
    """INSERT INTO rehousingfile (…) SELECT … FROM the current leases ON CONFLICT DO NOTHING."""
    fields = {field.name: field for field in RehousingFile._meta.concrete_fields}
    rows = (
        Lease.objects.current(today)
        .filter(dwelling__building_id__in=building_ids)
        .annotate(
            i_site=Value(site.pk),
            i_status=Value(RehousingStatus.TO_MEET.value),
            i_empty=Value(""),
            i_today=Value(today, output_field=fields["opened_on"]),
            i_now=Value(timezone.now(), output_field=fields["created_at"]),
        )
        .order_by()
        .values_list(*[source for _, source in _INSERT_COLUMNS])
    )
    sql, params = insert_select_sql(RehousingFile, _INSERT_COLUMNS, rows, ("household", "building"))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@transaction.atomic
def rehousing_file_update(
    *,
    file: RehousingFile,
    status: str,
    followed_by=None,
    wished_estates=(),
    wished_areas: str = "",
    wished_typology: str = "",
    met_on: datetime.date | None = None,
    moved_on: datetime.date | None = None,
    offer: Offer | None = None,
    note: str = "",
) -> RehousingFile:
    """Record what was agreed with the household; a move withdraws the dwelling it left."""
    file = RehousingFile.objects.select_for_update().get(pk=file.pk)
    if status != file.status and status not in TRANSITIONS[file.status]:
        raise AllocationError(
            _("Un dossier « %(from)s » ne peut pas passer à « %(to)s ».")
            % {"from": S(file.status).label, "to": S(status).label}
        )
    note = note.strip()
    if status == S.MOVED and moved_on is None:
        raise AllocationError(_("Indiquez la date du déménagement."))
    if status == S.OTHER_SOLUTION and not note:
        raise AllocationError(_("Décrivez l'autre solution trouvée dans les notes."))
    if status in (S.OFFER_MADE, S.OFFER_ACCEPTED) and not (offer or note):
        raise AllocationError(
            _("Reliez la proposition de logement, ou décrivez-la dans les notes.")
        )
    if offer is not None and offer.application.current_household_id != file.household_id:
        raise AllocationError(_("Cette proposition ne concerne pas ce ménage."))
    if met_on and moved_on and moved_on < met_on:
        raise AllocationError(_("Le déménagement ne peut pas précéder la rencontre."))
    file.status = status
    file.followed_by = followed_by
    file.wished_areas = wished_areas.strip()
    file.wished_typology = wished_typology
    file.met_on = met_on
    file.moved_on = moved_on
    file.offer = offer
    file.note = note
    file.save()
    file.wished_estates.set(wished_estates)
    if status == S.MOVED:
        Dwelling.objects.filter(pk=file.dwelling_id).update(
            status=DwellingStatus.WITHDRAWN, updated_at=timezone.now()
        )
    return file


# Reads ----------------------------------------------------------------------------------------


def rehousing_sites(user, *, landlord_ids):
    """Demolition sites with their progress figures (total files, left to rehouse): one query."""
    return (
        WorksSite.objects.visible_to(user)
        .filter(landlord_id__in=landlord_ids, kind=WorksKind.DEMOLITION)
        .select_related("landlord")
        .annotate(
            total=Count("rehousing_files"),
            left=Count(
                "rehousing_files",
                filter=Q(rehousing_files__status__in=REHOUSING_OPEN_STATUSES),
            ),
            done=Count(
                "rehousing_files",
                filter=Q(rehousing_files__isnull=False)
                & ~Q(rehousing_files__status__in=REHOUSING_OPEN_STATUSES),
            ),
        )
        .order_by("-planned_start", "name")
    )


def rehousing_progress_by_building(site: WorksSite) -> list[dict]:
    """Per building of ``site``: name, total files and files left, in one query."""
    return list(
        RehousingFile.objects.filter(site=site)
        .values("building_id", "building__name")
        .annotate(**_progress_counts())
        .order_by("building__name")
    )


def building_rehousing_progress(user, building) -> dict | None:
    """Total and left for ``building`` (None when it has no file or is out of the user's scope)."""
    figures = (
        RehousingFile.objects.visible_to(user)
        .filter(building=building)
        .aggregate(**_progress_counts())
    )
    return figures if figures["total"] else None


def rehousing_files(user, *, landlord_ids, site, status: str = ""):
    files = (
        RehousingFile.objects.visible_to(user)
        .filter(landlord_id__in=landlord_ids, site=site)
        .select_related("household", "dwelling", "building", "followed_by")
    )
    if status in S.values:
        files = files.filter(status=status)
    return files.order_by("building__name", "household__name")


def household_offers(file: RehousingFile, user):
    """Offers of the allocation module made to the file's household (through its transfer
    application) that ``user`` may see: a transfer application at another landlord stays theirs."""
    return (
        Offer.objects.visible_to(user)
        .filter(application__current_household_id=file.household_id)
        .select_related("vacancy__dwelling__building")
    )
