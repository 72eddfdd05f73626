"""Reads of the housing stock shared by several views."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from housing.models import Building, Dwelling, Landlord


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
