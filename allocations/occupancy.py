"""Occupancy review (article L442-5-2): households the committee examines every three years.

Computed from household and dwelling data, never stored until a sitting takes them up:

- over-occupancy: less than 9 m² for one person, 16 m² for two, plus 9 m² per extra person;
- under-occupancy: more rooms (the typology's number) than people plus one;
- a dwelling adapted for reduced mobility while no one in the household has a disability flag.

- income over the ceiling: the yearly income a household declared in its live housing
  application (a transfer: the only income the portal holds about tenants) above the ceiling
  of its size, ``ALLOCATIONS_INCOME_CEILINGS`` in settings. Households without a live
  application have no income on record and are never flagged for it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from allocations.errors import AllocationError
from allocations.models import (
    ApplicationStatus,
    HousingApplication,
    OccupancyReview,
    OccupancySituation,
    Sitting,
    SittingStatus,
    not_expired,
)
from allocations.services import _check_quorum, _lock_sitting
from tenants.models import FlagKind, Lease, VulnerabilityFlag

REVIEW_EVERY_YEARS = 3
# A lease whose triennial anniversary falls within this window (before or after today) is due.
WINDOW_DAYS = 90


@dataclass(frozen=True)
class DueReview:
    lease: Lease
    people: int
    anniversary: datetime.date
    situations: list[str]

    @property
    def situation_labels(self) -> list[str]:
        return [str(OccupancySituation(s).label) for s in self.situations]


def minimum_surface(people: int) -> Decimal:
    if people <= 1:
        return Decimal(9)
    return Decimal(16 + 9 * (people - 2))


# Yearly income ceilings (€) per household size, each person beyond the largest size adding
# ALLOCATIONS_INCOME_CEILING_EXTRA_PERSON. The defaults are 150 % of the PLUS ceilings outside
# Île-de-France as we knew them: they change every year, so configure ALLOCATIONS_INCOME_CEILINGS
# with the ceilings that apply to the landlord's dwellings.
DEFAULT_INCOME_CEILINGS = {1: 37_700, 2: 50_400, 3: 60_600, 4: 73_200, 5: 86_100, 6: 97_000}
EXTRA_PERSON_CEILING = 10_800


def income_ceiling(people: int) -> Decimal:
    ceilings = getattr(settings, "ALLOCATIONS_INCOME_CEILINGS", DEFAULT_INCOME_CEILINGS)
    extra = getattr(settings, "ALLOCATIONS_INCOME_CEILING_EXTRA_PERSON", EXTRA_PERSON_CEILING)
    largest = max(ceilings)
    people = max(people, 1)
    if people <= largest:
        return Decimal(ceilings[people])
    return Decimal(ceilings[largest] + extra * (people - largest))


def situations_of(
    *,
    people: int,
    surface: Decimal,
    typology: str,
    adapted: bool,
    disabled: bool,
    declared_monthly_income: Decimal | None = None,
    declared_people: int | None = None,
):
    found = []
    if people and surface < minimum_surface(people):
        found.append(OccupancySituation.OVER_OCCUPANCY)
    rooms = int(typology[1:]) if typology[1:].isdigit() else 0
    if people and rooms > people + 1:
        found.append(OccupancySituation.UNDER_OCCUPANCY)
    if adapted and not disabled:
        found.append(OccupancySituation.ADAPTED_NOT_NEEDED)
    if declared_monthly_income is not None and 12 * declared_monthly_income > income_ceiling(
        declared_people or people
    ):
        found.append(OccupancySituation.INCOME_OVER_CEILING)
    return found


def _nearest_anniversary(start: datetime.date, today: datetime.date) -> datetime.date:
    """The triennial anniversary of ``start`` nearest to ``today`` (the first at the earliest)."""
    years = round((today - start).days / 365.25 / REVIEW_EVERY_YEARS) * REVIEW_EVERY_YEARS
    if years < REVIEW_EVERY_YEARS:
        years = REVIEW_EVERY_YEARS
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def occupancy_reviews_due(user, *, landlord_ids, today: datetime.date | None = None):
    """Current leases due for review with at least one situation to examine (two queries)."""
    today = today or timezone.localdate()
    disabled = VulnerabilityFlag.objects.active(today).filter(
        household=OuterRef("household"), kind=FlagKind.DISABILITY
    )
    declared = not_expired(
        HousingApplication.objects.filter(
            current_household=OuterRef("household"), status=ApplicationStatus.ACTIVE
        ),
        today,
    ).order_by("-registered_on", "-pk")
    reviewed = OccupancyReview.objects.filter(
        lease=OuterRef("pk"),
        created_at__date__gte=today - datetime.timedelta(days=2 * WINDOW_DAYS),
    )
    leases = (
        Lease.objects.visible_to(user)
        .current(today)
        .filter(household__landlord_id__in=landlord_ids)
        .filter(
            start_date__lte=today - datetime.timedelta(days=365 * REVIEW_EVERY_YEARS - WINDOW_DAYS)
        )
        .select_related("household", "dwelling__building")
        .annotate(
            people=Count("household__people"),
            disabled=Exists(disabled),
            reviewed=Exists(reviewed),
            declared_income=Subquery(declared.values("monthly_income")[:1]),
            declared_adults=Subquery(declared.values("adults")[:1]),
            declared_children=Subquery(declared.values("children")[:1]),
        )
        .filter(reviewed=False)
        .order_by("household__name", "pk")
    )
    due = []
    window = datetime.timedelta(days=WINDOW_DAYS)
    for lease in leases:
        anniversary = _nearest_anniversary(lease.start_date, today)
        if abs(anniversary - today) > window:
            continue
        dwelling = lease.dwelling
        found = situations_of(
            people=lease.people,
            surface=dwelling.surface,
            typology=dwelling.typology,
            adapted=dwelling.adapted_reduced_mobility,
            disabled=lease.disabled,
            declared_monthly_income=lease.declared_income,
            declared_people=(
                lease.declared_adults + lease.declared_children
                if lease.declared_adults is not None
                else None
            ),
        )
        if found:
            due.append(DueReview(lease, lease.people, anniversary, found))
    return due


@transaction.atomic
def occupancy_reviews_schedule(*, sitting_id: int, user, today: datetime.date | None = None) -> int:
    """Put every household due for review (of the sitting's landlord) on the sitting's agenda."""
    sitting = Sitting.objects.select_for_update().select_related("committee").get(pk=sitting_id)
    if sitting.status == SittingStatus.CLOSED:
        raise AllocationError(_("La séance est close : ses décisions ne peuvent plus changer."))
    due = occupancy_reviews_due(user, landlord_ids=[sitting.committee.landlord_id], today=today)
    created = OccupancyReview.objects.bulk_create(
        [
            OccupancyReview(
                sitting=sitting,
                lease=review.lease,
                household_id=review.lease.household_id,
                situations=list(review.situations),
            )
            for review in due
        ],
        ignore_conflicts=True,
    )
    return len(created)


@transaction.atomic
def occupancy_finding_record(*, review_id: int, finding: str) -> OccupancyReview:
    """Record the committee's finding, during an open sitting with its quorum."""
    review = OccupancyReview.objects.get(pk=review_id)
    sitting = _lock_sitting(review.sitting_id)
    if sitting.status != SittingStatus.OPEN:
        raise AllocationError(_("Le constat s'enregistre pendant la séance ouverte."))
    _check_quorum(sitting)
    finding = finding.strip()
    if not finding:
        raise AllocationError(_("Le constat de la commission est obligatoire."))
    review.finding = finding
    review.finding_recorded_at = timezone.now()
    review.save(update_fields=["finding", "finding_recorded_at", "updated_at"])
    return review
