"""Which households a campaign's criteria select: one queryset, counted or inserted from in SQL."""

import datetime

from django.db.models import (
    BooleanField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from outreach.models import REACHED_OUTCOMES, CallLog, Campaign
from portal.dates import years_ago
from tenants.models import Household, Lease, Person, VulnerabilityFlag


def _active_flag(kind: str, today: datetime.date, **extra):
    return VulnerabilityFlag.objects.active(today).filter(
        household=OuterRef("pk"), kind=kind, **extra
    )


def selected_households(
    campaign: Campaign,
    *,
    today: datetime.date | None = None,
    estate_ids: list[int] | None = None,
    building_ids: list[int] | None = None,
) -> QuerySet:
    """The households the campaign's criteria select today (criteria combined with AND).

    Always: the campaign's landlord, a current lease, not do-not-call, at least one phone number.
    Ages are computed from birth dates at ``today``. ``estate_ids`` and ``building_ids`` default to
    the campaign's own (a form previewing unsaved criteria passes them).
    """
    today = today or timezone.localdate()
    current_leases = Lease.objects.current(today).filter(household=OuterRef("pk"))
    queryset = (
        Household.objects.filter(landlord_id=campaign.landlord_id, do_not_call=False)
        .filter(Exists(current_leases))
        .exclude(Q(mobile_phone="") & Q(phone=""))
    )
    if campaign.min_age is not None:
        born_before = years_ago(campaign.min_age, today)
        queryset = queryset.filter(
            Exists(Person.objects.filter(household=OuterRef("pk"), birth_date__lte=born_before))
        )
    if campaign.require_isolated:
        queryset = queryset.filter(Exists(_active_flag(VulnerabilityFlag.Kind.ISOLATED, today)))
    if campaign.require_payment_difficulty:
        extra = {}
        if campaign.min_arrears is not None:
            extra["arrears_amount__gte"] = campaign.min_arrears
        queryset = queryset.filter(
            Exists(_active_flag(VulnerabilityFlag.Kind.PAYMENT_DIFFICULTY, today, **extra))
        )
    if campaign.require_disability:
        queryset = queryset.filter(Exists(_active_flag(VulnerabilityFlag.Kind.DISABILITY, today)))
    if campaign.require_priority_transfer:
        queryset = queryset.filter(
            Exists(_active_flag(VulnerabilityFlag.Kind.PRIORITY_TRANSFER, today))
        )
    if estate_ids is None:
        estate_ids = list(campaign.estates.values_list("pk", flat=True)) if campaign.pk else []
    if building_ids is None:
        building_ids = list(campaign.buildings.values_list("pk", flat=True)) if campaign.pk else []
    if estate_ids:
        queryset = queryset.filter(
            Exists(current_leases.filter(dwelling__building__estate_id__in=estate_ids))
        )
    if building_ids:
        queryset = queryset.filter(
            Exists(current_leases.filter(dwelling__building_id__in=building_ids))
        )
    if campaign.not_reached_days:
        since = timezone.now() - datetime.timedelta(days=campaign.not_reached_days)
        queryset = queryset.exclude(
            Exists(
                CallLog.objects.filter(
                    household=OuterRef("pk"), outcome__in=REACHED_OUTCOMES, called_at__gte=since
                )
            )
        )
    return queryset


# The columns a queue build's INSERT … SELECT writes, each with the name its SELECT gives the
# value (``i_`` constants, ``q_`` from with_queue_fields), in the order of the SELECT list.
TASK_INSERT_COLUMNS = [
    ("campaign", "i_campaign"),
    ("household", "pk"),
    ("landlord", "i_landlord"),
    ("status", "i_status"),
    ("phone", "q_phone"),
    ("attempts", "i_zero"),
    ("last_outcome", "i_empty"),
    ("skip_reason", "i_empty"),
    ("risk_isolated", "q_isolated"),
    ("oldest_birth_date", "q_oldest"),
    ("arrears", "q_arrears"),
    ("created_at", "i_now"),
    ("updated_at", "i_now"),
]


def with_queue_fields(queryset: QuerySet, *, today: datetime.date | None = None) -> QuerySet:
    """Annotate what a new call task copies from its household: the phone and the risk figures."""
    today = today or timezone.localdate()
    arrears = (
        VulnerabilityFlag.objects.active(today)
        .filter(household=OuterRef("pk"), kind=VulnerabilityFlag.Kind.PAYMENT_DIFFICULTY)
        .values("arrears_amount")[:1]
    )
    oldest = (
        Person.objects.filter(household=OuterRef("pk"), birth_date__isnull=False)
        .order_by()
        .values("household")
        .annotate(oldest=Min("birth_date"))
        .values("oldest")
    )
    return queryset.annotate(
        # Mobile first, then the landline: a household with both is queued once, on its mobile.
        q_phone=Coalesce(NullIf(F("mobile_phone"), Value("")), F("phone")),
        q_isolated=ExpressionWrapper(
            Exists(_active_flag(VulnerabilityFlag.Kind.ISOLATED, today)),
            output_field=BooleanField(),
        ),
        q_oldest=Subquery(oldest),
        q_arrears=Coalesce(
            Subquery(arrears, output_field=DecimalField(max_digits=10, decimal_places=2)),
            Value(0, output_field=DecimalField(max_digits=10, decimal_places=2)),
        ),
    )
