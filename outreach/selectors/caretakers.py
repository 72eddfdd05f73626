"""Reads of the caretakers' pages: their households and tasks, needs to hand over, open tasks."""

from django.db.models import F

from housing.duties import caretaker_buildings
from outreach.models import Need, NeedKind, SolidarityTask, SolidarityTaskStatus
from tenants.models import Household, Lease


def caretaker_households(user):
    """Households with a current lease in the buildings the caretaker looks after."""
    leases = Lease.objects.current().filter(dwelling__building__in=caretaker_buildings(user))
    return (
        Household.objects.visible_to(user)
        .filter(pk__in=leases.values("household_id"))
        .order_by("name", "pk")
    )


def caretaker_tasks(user):
    """Every solidarity task given to the user (another caretaker's task answers 404)."""
    return SolidarityTask.objects.visible_to(user).filter(assigned_to=user)


def caretaker_open_tasks(user):
    """The user's tasks still to do, the most urgent first, with the household's dwelling."""
    return (
        caretaker_tasks(user)
        .filter(status=SolidarityTaskStatus.TO_DO)
        .select_related("household", "created_by")
        .order_by("due_on", "pk")
    )


def household_addresses(households) -> dict[int, object]:
    """The current dwelling (with its building) of each household, in one query."""
    leases = (
        Lease.objects.current()
        .filter(household__in=households)
        .select_related("dwelling__building")
        .order_by("household_id", "-start_date")
    )
    found: dict[int, object] = {}
    for lease in leases:
        found.setdefault(lease.household_id, lease.dwelling)
    return found


def open_solidarity_tasks(user, *, landlord_ids):
    """Tasks still to do at the given landlords, by due date, for the supervisors' board."""
    return (
        SolidarityTask.objects.visible_to(user)
        .filter(landlord_id__in=landlord_ids, status=SolidarityTaskStatus.TO_DO)
        .select_related("household", "assigned_to", "landlord")
        .order_by("due_on", "pk")
    )


def caretaker_help_needs(user, *, landlord_ids):
    """Needs for the caretaker's help found by calls and not handled yet, oldest first."""
    return (
        Need.objects.visible_to(user)
        .filter(
            kind=NeedKind.CARETAKER_HELP,
            handled=False,
            household__landlord_id__in=landlord_ids,
        )
        .select_related("household", "call_log")
        .order_by(F("created_at").asc(), "pk")
    )
