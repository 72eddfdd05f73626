"""What an applicant with a portal account sees of their housing application (article
R441-2-17): their score and how it compares, priority status, the committee's decisions, offers,
letters and visits — and nobody else's data.

An applicant is a tenant whose household holds an application (a transfer); every read goes
through :func:`housing.scoping.scope` with the tenant path of the household's people.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from allocations.letters import decisions_with_letters, reviews_with_letters
from allocations.models import (
    OPEN_VACANCY_STATUSES,
    PRIORITY_CRITERIA,
    ApplicationStatus,
    Candidacy,
    HousingApplication,
    OccupancyReview,
    Offer,
    SittingStatus,
    Vacancy,
    VacancyPhoto,
    VisitBooking,
    VisitBookingStatus,
    VisitSlot,
    not_expired,
)
from allocations.services import application_scores
from housing.scoping import scope, tenant_household_ids
from portal.dates import years_ago
from portal.sql import column

HOUSEHOLD_USER = "current_household__people__user"


def applicant_applications(user):
    """The housing applications of the user's own household (none for anyone else)."""
    return scope(
        HousingApplication.objects.all(), user, landlord_path=None, tenant_path=HOUSEHOLD_USER
    )


def applicant_offers(user):
    return scope(
        Offer.objects.all(), user, landlord_path=None, tenant_path=f"application__{HOUSEHOLD_USER}"
    )


def applicant_bookings(user):
    return scope(
        VisitBooking.objects.all(),
        user,
        landlord_path=None,
        tenant_path=f"application__{HOUSEHOLD_USER}",
    )


def applicant_decisions(user):
    """Decisions of closed sittings about the user's household's applications."""
    return scope(
        decisions_with_letters(),
        user,
        landlord_path=None,
        tenant_path=f"candidacy__application__{HOUSEHOLD_USER}",
    )


def tenant_occupancy_reviews(user):
    """Findings of occupancy reviews of the user's household, once the sitting is closed."""
    return scope(
        reviews_with_letters(), user, landlord_path=None, tenant_path="household__people__user"
    )


def is_applicant(user) -> bool:
    """Whether the tenant has an application or an occupancy finding to read: one query, asked on
    every page of the tenant space (the navigation link). The same rule as
    :func:`applicant_applications` (the user's own household), written on the household ids the
    request already holds, in plain SQL: built with the ORM, this lookup cost more CPU than the
    rest of a light page's queries."""
    if not user.is_authenticated or not user.is_active:
        return False
    households = tenant_household_ids(user)
    if not households:
        return False
    placeholders = ", ".join(["%s"] * len(households))
    with connection.cursor() as cursor:
        cursor.execute(
            _is_applicant_sql().format(households=placeholders),
            [*households, *households, SittingStatus.CLOSED],
        )
        return cursor.fetchone() is not None


@functools.cache
def _is_applicant_sql() -> str:
    quote = connection.ops.quote_name
    application, review, sitting = (
        HousingApplication._meta,
        OccupancyReview._meta,
        OccupancyReview._meta.get_field("sitting").related_model._meta,
    )

    # Every name comes from the models' metadata; {households} becomes one %s per household.
    return (
        f"SELECT 1 FROM {quote(application.db_table)}"  # noqa: S608
        f" WHERE {column(application, 'current_household')} IN ({{households}})"
        f" UNION ALL SELECT 1 FROM {quote(review.db_table)} r"
        f" JOIN {quote(sitting.db_table)} s ON s.{column(sitting, sitting.pk.name)} = r.{column(review, 'sitting')}"
        f" WHERE r.{column(review, 'household')} IN ({{households}})"
        f" AND s.{column(sitting, 'status')} = %s"
        f" AND r.{column(review, 'finding_recorded_at')} IS NOT NULL"
        " LIMIT 1"
    )


@dataclass(frozen=True)
class Standing:
    """Where an application stands among the comparable ones (no other applicant's data)."""

    score: int
    breakdown: list[tuple[str, int]]
    rank: int
    out_of: int
    typologies: list[str]

    @property
    def top_percent(self) -> int:
        """The application is among the best-scored ``top_percent`` % of comparable ones."""
        return max(1, round(100 * self.rank / self.out_of)) if self.out_of else 100


def _comparable(application: HousingApplication, other: HousingApplication) -> bool:
    mine, theirs = set(application.wished_typologies), set(other.wished_typologies)
    return not mine or not theirs or bool(mine & theirs)


def application_standing(
    application: HousingApplication, *, today: datetime.date | None = None
) -> Standing:
    """Score, breakdown and rank among the landlord's live applications wishing at least one
    of the same typologies (two queries: the applications and the grids)."""
    pool = list(
        not_expired(
            HousingApplication.objects.filter(
                landlord_id=application.landlord_id, status=ApplicationStatus.ACTIVE
            ),
            today,
        ).only(
            "pk",
            "landlord_id",
            "registered_on",
            "wished_typologies",
            "current_household_id",
            "dalo",
            "disability",
            "priority_transfer",
            "over_occupancy",
            "violence",
            "other_priority",
        )
    )
    pool = [other for other in pool if _comparable(application, other)]
    if application.pk not in {other.pk for other in pool}:
        pool.append(application)
    scores = application_scores(pool, today=today)
    score, breakdown = scores[application.pk]
    better = sum(1 for other in pool if scores[other.pk][0] > score)
    return Standing(
        score=score,
        breakdown=breakdown,
        rank=better + 1,
        out_of=len(pool),
        typologies=sorted(application.wished_typologies),
    )


def is_priority(application: HousingApplication) -> bool:
    return any(getattr(application, criterion) for criterion in PRIORITY_CRITERIA)


def applicant_page(user, *, today: datetime.date | None = None, now=None) -> dict:
    """Everything the applicant page shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    applications = list(
        applicant_applications(user)
        .select_related("landlord", "current_household")
        .prefetch_related("wished_estates")
        .order_by("-registered_on", "pk")
    )
    offers = list(
        applicant_offers(user)
        .select_related("vacancy__dwelling__building", "decision")
        .order_by("-sent_at", "pk")
    )
    decisions = list(applicant_decisions(user).order_by("-agenda_item__sitting__date", "pk"))
    # Vacancies the applicant is a candidate for and can still visit: photos and free slots.
    vacancy_ids = set(
        scope(
            Candidacy.objects.filter(agenda_item__vacancy__status__in=OPEN_VACANCY_STATUSES),
            user,
            landlord_path=None,
            tenant_path=f"application__{HOUSEHOLD_USER}",
        ).values_list("agenda_item__vacancy_id", flat=True)
    )
    taken = VisitBooking.objects.filter(slot=OuterRef("pk"), status=VisitBookingStatus.BOOKED)
    free_slots = (
        VisitSlot.objects.filter(starts_at__gt=now)
        .annotate(taken=Exists(taken))
        .filter(taken=False)
        .order_by("starts_at", "pk")
    )
    vacancies = list(
        Vacancy.objects.filter(pk__in=vacancy_ids)
        .select_related("dwelling__building")
        .prefetch_related(
            Prefetch("photos", queryset=VacancyPhoto.objects.order_by("created_at", "pk")),
            Prefetch("visit_slots", queryset=free_slots, to_attr="free_slots"),
        )
        .order_by("available_from", "pk")
    )
    bookings = list(
        applicant_bookings(user)
        .filter(status=VisitBookingStatus.BOOKED, slot__starts_at__gt=now)
        .select_related("slot__vacancy__dwelling")
        .order_by("slot__starts_at", "pk")
    )
    for application in applications:
        application.standing = application_standing(application, today=today)
        application.priority = is_priority(application)
        application.expires_on = _expiry(application)
        application.decisions = [
            d for d in decisions if d.candidacy.application_id == application.pk
        ]
        application.my_offers = [o for o in offers if o.application_id == application.pk]
        application.pending_offers = [
            o for o in application.my_offers if o.status == Offer.Status.PENDING
        ]
    return {
        "applications": applications,
        "bookings": bookings,
        "vacancies": vacancies,
        "occupancy_reviews": list(tenant_occupancy_reviews(user).order_by("-sitting__date", "pk")),
    }


def _expiry(application: HousingApplication) -> datetime.date:
    """The last day the application is live without a renewal."""
    return years_ago(-1, application.last_renewal)
