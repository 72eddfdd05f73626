"""Read-side queries of the allocation pages: scoped, with a constant number of queries."""

from django.db.models import Count, Prefetch, Q

from allocations.models import (
    PRIORITY_CRITERIA,
    AgendaItem,
    Candidacy,
    HousingApplication,
    OccupancyReview,
    Offer,
    OfferStatus,
    Sitting,
    Vacancy,
)
from housing.models import Landlord

# Article L441-1: at least a quarter of the yearly allocations go to the priority groups.
PRIORITY_QUOTA_PERCENT = 25


def vacancy_list(user, *, landlord_ids, status: str = ""):
    queryset = (
        Vacancy.objects.visible_to(user)
        .filter(landlord_id__in=landlord_ids)
        .select_related("landlord", "dwelling__building__estate")
        .order_by("available_from", "pk")
    )
    if status in Vacancy.Status.values:
        queryset = queryset.filter(status=status)
    return queryset


def application_list(user, *, landlord_ids, search: str = ""):
    queryset = (
        HousingApplication.objects.visible_to(user)
        .filter(landlord_id__in=landlord_ids)
        .select_related("landlord", "current_household")
        .prefetch_related("wished_estates")
        .order_by("registered_on", "pk")
    )
    search = search.strip()
    if search:
        queryset = queryset.filter(registration_number__icontains=search) | queryset.filter(
            applicant_name__icontains=search
        )
    return queryset


def sitting_for_minutes(user, *, landlord_ids, pk: int) -> Sitting:
    """The sitting with everything its minutes list, in a fixed number of queries."""
    candidacies = Candidacy.objects.select_related("application", "decision").order_by(
        "-score", "pk"
    )
    items = AgendaItem.objects.select_related("vacancy__dwelling__building").prefetch_related(
        Prefetch("candidacies", queryset=candidacies)
    )
    return (
        Sitting.objects.visible_to(user)
        .filter(committee__landlord_id__in=landlord_ids)
        .select_related("committee__landlord")
        .prefetch_related(
            "members_present",
            Prefetch("agenda_items", queryset=items.order_by("pk")),
            Prefetch(
                "occupancy_reviews",
                queryset=OccupancyReview.objects.select_related("household", "lease__dwelling"),
            ),
        )
        .get(pk=pk)
    )


def priority_quota(user, *, landlord_ids, year: int) -> list[dict]:
    """Per landlord: dwellings let in ``year`` (accepted offers) and the share to priority groups.

    One aggregate query; landlords without a letting that year are listed with zero.
    """
    priority = Q()
    for criterion in PRIORITY_CRITERIA:
        priority |= Q(**{f"application__{criterion}": True})
    rows = {
        row["vacancy__landlord"]: row
        for row in Offer.objects.visible_to(user)
        .filter(
            vacancy__landlord_id__in=landlord_ids,
            status=OfferStatus.ACCEPTED,
            answered_at__year=year,
        )
        .values("vacancy__landlord")
        .annotate(total=Count("pk"), priority=Count("pk", filter=priority))
    }
    result = []
    for landlord in Landlord.objects.visible_to(user).filter(pk__in=landlord_ids).order_by("name"):
        row = rows.get(landlord.pk, {"total": 0, "priority": 0})
        share = round(100 * row["priority"] / row["total"]) if row["total"] else None
        result.append(
            {
                "landlord": landlord,
                "total": row["total"],
                "priority": row["priority"],
                "share": share,
                "reached": share is not None and share >= PRIORITY_QUOTA_PERCENT,
            }
        )
    return result
