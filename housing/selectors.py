"""Reads of the housing stock shared by several views."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce

from housing.models import (
    Building,
    Dwelling,
    Landlord,
    Role,
    WorksKind,
    WorksNotice,
    WorksSite,
    WorksStatus,
)
from housing.works import CURRENT_STATUSES, with_status


def _count(queryset, field: str = "landlord"):
    """A correlated COUNT(*) over ``queryset`` for the outer row, as an integer annotation."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def landlords_overview(user):
    """The user's landlords with their stock figures, for the staff home (one query)."""
    return Landlord.objects.visible_to(user).annotate(
        building_count=_count(Building.objects.all()),
        dwelling_count=_count(Dwelling.objects.all()),
        vacant_count=_count(Dwelling.objects.filter(status=Dwelling.Status.VACANT)),
    )


def building_list(user, *, search: str = "", estate: str = ""):
    queryset = (
        Building.objects.visible_to(user)
        .select_related("landlord", "estate")
        .annotate(dwelling_count=_count(Dwelling.objects.all(), "building"))
        .order_by("estate__name", "name")
    )
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search)
            | Q(address__icontains=search)
            | Q(reference__icontains=search)
        )
    if estate:
        queryset = queryset.filter(estate__slug=estate)
    return queryset


# Works sites ---------------------------------------------------------------------------------

# Who may write a site's timeline and its notices (every staff member of the landlord may read).
WORKS_ROLES = [Role.LANDLORD_ADMIN, Role.SUPERVISOR, Role.TECHNICIAN]


def works_site_list(user, *, status: str = "", kind: str = "", estate: str = ""):
    """The sites the user may see, with their status, in a constant number of queries."""
    sites = with_status(WorksSite.objects.visible_to(user)).select_related("landlord")
    if status == "current":
        sites = sites.filter(status__in=CURRENT_STATUSES)
    elif status in WorksStatus.values:
        sites = sites.filter(status=status)
    if kind in WorksKind.values:
        sites = sites.filter(kind=kind)
    if estate:
        sites = sites.filter(
            Exists(
                Building.works_sites.through.objects.filter(
                    workssite_id=OuterRef("pk"), building__estate__slug=estate
                )
            )
        )
    return sites.prefetch_related("buildings", "events").order_by("-planned_start", "name")


def public_works(estate):
    """Current sites with a building in ``estate``, of every landlord: public data only."""
    in_estate = Building.works_sites.through.objects.filter(
        workssite_id=OuterRef("pk"), building__estate=estate
    )
    return (
        with_status(WorksSite.objects.filter(Exists(in_estate)))
        .filter(status__in=CURRENT_STATUSES)
        .select_related("landlord")
        .prefetch_related(
            Prefetch("buildings", queryset=Building.objects.only("id", "name", "address")),
            "events",
            Prefetch(
                "notices",
                queryset=WorksNotice.objects.published().order_by("-published_on", "-pk"),
                to_attr="published_notices",
            ),
        )
        .order_by("planned_start", "name")
    )
