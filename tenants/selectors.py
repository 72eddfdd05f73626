"""Reads of households shared by several views."""

from django.db.models import Exists, Min, OuterRef, Prefetch

from tenants.models import Household, Lease, VulnerabilityFlag


def household_list(user, *, search: str = "", senior: bool = False, flag: str = ""):
    """The households a staff user may see, with what the list shows, in a fixed number of queries."""
    current_leases = Lease.objects.current().select_related("dwelling__building")
    queryset = (
        Household.objects.visible_to(user)
        .select_related("landlord")
        .annotate(oldest_birth_date=Min("people__birth_date"))
        .prefetch_related(
            Prefetch("leases", queryset=current_leases, to_attr="current_leases"),
            Prefetch("flags", queryset=VulnerabilityFlag.objects.active(), to_attr="active_flags"),
        )
        .order_by("name", "reference")
    )
    if search.strip():
        queryset = queryset.search(search)
    if senior:
        queryset = queryset.with_senior()
    if flag:
        queryset = queryset.filter(
            Exists(VulnerabilityFlag.objects.active().filter(household=OuterRef("pk"), kind=flag))
        )
    return queryset


def household_detail_queryset(user):
    """One household with everything its page shows, scoped to the user."""
    return (
        Household.objects.visible_to(user)
        .select_related("landlord")
        .prefetch_related(
            "people",
            Prefetch(
                "leases",
                queryset=Lease.objects.select_related("dwelling__building__estate").order_by(
                    "-start_date"
                ),
            ),
            Prefetch("flags", queryset=VulnerabilityFlag.objects.order_by("end_date", "kind")),
        )
    )


def tenant_household(user):
    """The household of a tenant user, or None."""
    return (
        Household.objects.visible_to(user)
        .filter(people__user=user)
        .select_related("landlord")
        .prefetch_related(
            "people",
            Prefetch(
                "leases",
                queryset=Lease.objects.current().select_related("dwelling__building__agency"),
                to_attr="current_leases",
            ),
        )
        .first()
    )
