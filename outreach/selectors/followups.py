"""Reads of partners, referrals and the solidarity register, scoped and in a fixed number of queries."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, IntegerField, Q, Value, When

from outreach.models import Partner, Referral, ReferralStatus, SolidarityEntry, SolidarityStatus

OPEN_REFERRAL_STATUSES = [ReferralStatus.TO_SEND, ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED]


def partner_list(user, *, landlord_ids, active_only: bool = False):
    """Partners of the given landlords (those the user may see) plus the shared ones."""
    queryset = (
        Partner.objects.visible_to(user)
        .filter(Q(landlord_id__in=landlord_ids) | Q(landlord__isnull=True))
        .select_related("landlord")
        .order_by("name", "pk")
    )
    if active_only:
        queryset = queryset.filter(is_active=True)
    return queryset


def referral_list(user, *, landlord_ids, status: str = "", partner: Partner | None = None):
    """Referrals of the given landlords, open ones first (to send, sent, acknowledged), newest first.

    ``status`` is one of ReferralStatus, or "open" for every open referral.
    """
    queryset = (
        Referral.objects.visible_to(user)
        .filter(landlord_id__in=landlord_ids)
        .select_related("household", "partner", "created_by", "landlord")
        .annotate(
            open_rank=Case(
                When(status=ReferralStatus.TO_SEND, then=Value(0)),
                When(status=ReferralStatus.SENT, then=Value(1)),
                When(status=ReferralStatus.ACKNOWLEDGED, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by("open_rank", "-created_at", "-pk")
    )
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_REFERRAL_STATUSES)
    elif status in ReferralStatus.values:
        queryset = queryset.filter(status=status)
    if partner is not None:
        queryset = queryset.filter(partner=partner)
    return queryset


def referral_last_changes(referrals) -> dict[int, LogEntry]:
    """The latest recorded status change of each referral (who and when), in one query."""
    ids = [str(referral.pk) for referral in referrals]
    if not ids:
        return {}
    content_type = ContentType.objects.get_for_model(Referral)
    latest: dict[int, LogEntry] = {}
    entries = (
        LogEntry.objects.filter(content_type=content_type, object_id__in=ids)
        .select_related("user")
        .order_by("-action_time", "-pk")
    )
    for entry in entries:
        latest.setdefault(int(entry.object_id), entry)
    return latest


SOLIDARITY_STATES = ["open", "closed", "all"]


def solidarity_list(user, *, landlord_ids, state: str = "open"):
    """Entries of the solidarity register: open ones by date found (newest first), or closed."""
    queryset = (
        SolidarityEntry.objects.visible_to(user)
        .filter(landlord_id__in=landlord_ids)
        .select_related("household", "person", "landlord")
        .order_by("-found_on", "-pk")
    )
    if state == "open":
        queryset = queryset.filter(status=SolidarityStatus.OPEN)
    elif state == "closed":
        queryset = queryset.filter(status=SolidarityStatus.CLOSED).order_by("-closed_at", "-pk")
    return queryset
