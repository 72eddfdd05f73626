"""Reads of the caller's screen: the campaigns a caller may work, and the household card.

Each read runs a fixed number of queries whatever the number of tasks, logs, people or flags.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Window,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from housing.scoping import visible_landlord_ids
from outreach.calendar import in_call_window, next_window_start
from outreach.models import (
    Appointment,
    AppointmentStatus,
    CallLog,
    CallTask,
    Campaign,
    CampaignStatus,
    Need,
    Partner,
    Question,
    Referral,
    TaskStatus,
)
from outreach.services.queue import due_for
from outreach.services.tenant_callbacks import tenant_callback_requests
from portal.compiled import compiled_query
from tenants.models import Household, Lease, Person, TechnicalRequest, VulnerabilityFlag

# The card shows the most recent rows of each history; the total says how many more exist.
HISTORY_LIMIT = 30


# The caller's home counts a campaign's tasks up to this many: past it, « plus de 1 000 » is all
# a caller needs, and each count stops reading there (at 100,000 households the full counts read
# every open task of the campaign on each view: 23 ms of PostgreSQL). The supervisor's dashboard
# keeps the exact figures.
QUEUE_COUNT_CAP = 1000


class CappedCount(Subquery):
    """How many rows ``queryset`` has, reading at most ``cap + 1`` of them."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()

    def __init__(self, queryset, cap: int | None = None):
        cap = QUEUE_COUNT_CAP if cap is None else cap
        super().__init__(queryset.order_by().values("pk")[: cap + 1])


@compiled_query
def _active_campaigns(*, user_id, landlord_ids, now):
    def count(condition: Q) -> CappedCount:
        return CappedCount(CallTask.objects.filter(condition, campaign=OuterRef("pk")))

    due = due_for(user_id, now)
    return (
        Campaign.objects.of_landlords(landlord_ids)
        .filter(status=CampaignStatus.ACTIVE)
        .select_related("landlord")
        .annotate(
            due=count(due),
            callbacks_due=count(due & Q(callback_at__lte=now)),
            my_callbacks=count(
                Q(status=TaskStatus.CALLBACK, callback_for_id=user_id, callback_at__gt=now)
            ),
            queued=count(Q(status__in=[TaskStatus.PENDING, TaskStatus.CALLBACK])),
        )
        .order_by("landlord__name", "name")
    )


def caller_campaigns(*, user, landlord_ids: list[int], now: datetime.datetime | None = None):
    """Active campaigns of the landlords where ``user`` may call, with their queue figures.

    One query: each campaign carries ``due`` (calls that can be served now), ``callbacks_due``
    (promised call-backs whose time has come), ``my_callbacks`` (call-backs kept for this caller,
    later) and ``queued`` (tasks still open), each counted up to ``QUEUE_COUNT_CAP`` + 1.
    ``window_open`` and ``window_next`` say whether calls may be made now and, if not, when the
    window opens. ``landlord_ids`` (the caller's, from their roles) are the scope.
    """
    now = now or timezone.now()
    campaigns = _active_campaigns(user_id=user.pk, landlord_ids=landlord_ids, now=now)
    for campaign in campaigns:
        campaign.window_open = in_call_window(campaign, now)
        campaign.window_next = None if campaign.window_open else next_window_start(campaign, now)
    return campaigns


@compiled_query
def _campaign(*, pk, landlord_ids):
    return Campaign.objects.of_landlords(landlord_ids).filter(pk=pk)


def caller_campaign(*, user, landlord_ids: list[int], pk: int) -> Campaign:
    """One campaign of a landlord where ``user`` may call (``landlord_ids``), or 404."""
    campaign = _campaign.first(pk=pk, landlord_ids=landlord_ids)
    if campaign is None:
        raise Http404
    return campaign


@compiled_query
def _task(*, pk, landlord_ids):
    return (
        CallTask.objects.of_landlords(landlord_ids)
        .filter(pk=pk)
        .select_related("campaign", "household")
    )


def caller_task(*, user, landlord_ids: list[int], pk: int) -> CallTask:
    """A task of a landlord where ``user`` may call (``landlord_ids``), or 404 — also when another
    caller holds it."""
    task = _task.first(pk=pk, landlord_ids=landlord_ids)
    if task is None:
        raise Http404
    if task.status == TaskStatus.HELD and task.held_by_id != user.pk:
        # Somebody else's call in progress is theirs alone: it does not exist for others.
        raise Http404
    return task


@dataclass
class CallCard:
    """Everything the caller reads about a household during a call."""

    household: Household
    people: list
    leases: list
    flags: list
    logs: list[CallLog]
    logs_total: int
    needs: list[Need]
    referrals: list[Referral]
    open_requests: list  # technical requests still open
    upcoming_appointments: list  # booked appointments to come
    other_phones: list[tuple]  # (number, kind) besides the one the task calls
    callback_requests: list  # the tenant's open call-back requests (call-back campaign only)


def _other_phones(household: Household, called) -> list[tuple]:
    phones = [(household.mobile_phone, _("portable")), (household.phone, _("fixe"))]
    return [(number, kind) for number, kind in phones if number and number != called]


# The card's reads, compiled once per connection (portal.compiled): the call page is the busiest
# staff page. Their scope is the household of the task (read among the caller's landlords by
# caller_task) and the landlords the caller sees, as visible_to() had it; the calls and referrals
# are the task's landlord's history.


@compiled_query
def _card_people(*, household_id, landlord_ids):
    return Person.objects.of_landlords(landlord_ids).filter(household_id=household_id)


@compiled_query
def _card_leases(*, household_id, landlord_ids, today):
    return (
        Lease.objects.of_landlords(landlord_ids)
        .current(today)
        .filter(household_id=household_id)
        .select_related("dwelling__building__estate")
    )


@compiled_query
def _card_flags(*, household_id, landlord_ids, today):
    return (
        VulnerabilityFlag.objects.of_landlords(landlord_ids)
        .active(today)
        .filter(household_id=household_id)
        .order_by("kind")
    )


@compiled_query
def _card_logs(*, household_id, landlord_ids):
    return (
        CallLog.objects.of_landlords(landlord_ids)
        .filter(household_id=household_id)
        .select_related("caller", "campaign")
        # How many calls in all, read with the last ones (a window runs before the LIMIT).
        .annotate(total=Window(Count("pk")))
        .order_by("-called_at", "-pk")[:HISTORY_LIMIT]
    )


@compiled_query
def _card_needs(*, household_id, landlord_ids):
    return (
        Need.objects.of_landlords(landlord_ids)
        .filter(household_id=household_id)
        .order_by("handled", "-created_at", "-pk")[:HISTORY_LIMIT]
    )


@compiled_query
def _card_referrals(*, household_id, landlord_ids):
    return (
        Referral.objects.of_landlords(landlord_ids)
        .filter(household_id=household_id)
        .select_related("partner")
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )


@compiled_query
def _card_open_requests(*, household_id, landlord_ids):
    return (
        TechnicalRequest.objects.of_landlords(landlord_ids)
        .open()
        .filter(household_id=household_id)
        .order_by("-created_at")[:HISTORY_LIMIT]
    )


@compiled_query
def _card_appointments(*, household_id, landlord_ids, now):
    return (
        Appointment.objects.of_landlords(landlord_ids)
        .filter(household_id=household_id, status=AppointmentStatus.BOOKED, slot__start__gte=now)
        .select_related("slot__adviser", "slot__agency")
        .order_by("slot__start")[:HISTORY_LIMIT]
    )


def call_card(*, task: CallTask, user) -> CallCard:
    """The household card of ``task``: people, dwelling, flags and this landlord's history."""
    household = task.household
    seen = {"household_id": household.pk, "landlord_ids": visible_landlord_ids(user)}
    this_landlord = {"household_id": household.pk, "landlord_ids": [task.landlord_id]}
    now = timezone.now()
    today = timezone.localdate(now)
    logs = _card_logs(**this_landlord)
    return CallCard(
        household=household,
        people=sorted(
            _card_people(**seen),
            key=lambda person: (person.birth_date is None, person.birth_date),
        ),
        leases=_card_leases(**seen, today=today),
        flags=_card_flags(**seen, today=today),
        logs=logs,
        logs_total=logs[0].total if logs else 0,
        needs=_card_needs(**seen),
        referrals=_card_referrals(**this_landlord),
        open_requests=_card_open_requests(**seen),
        upcoming_appointments=_card_appointments(**seen, now=now),
        other_phones=_other_phones(household, task.phone),
        callback_requests=tenant_callback_requests(task=task),
    )


@compiled_query
def _questions(*, campaign_id):
    return Question.objects.filter(campaign_id=campaign_id).order_by("position", "pk")


def campaign_questions(*, campaign: Campaign) -> list[Question]:
    return _questions(campaign_id=campaign.pk)


def _offered(partners, landlord_id):
    """The active ones among ``partners`` a household of ``landlord_id`` may be referred to: the
    landlord's own and the shared ones."""
    return partners.filter(
        Q(landlord_id=landlord_id) | Q(landlord__isnull=True), is_active=True
    ).order_by("name")


@compiled_query
def _partners_offered(*, landlord_id):
    return _offered(Partner.objects.all(), landlord_id)


def referral_partners_offered(*, task: CallTask) -> list:
    """The rows of :func:`referral_partners`, read compiled (the call page's fields cache): the
    task's landlord is among the caller's, whose partners they see, with the shared ones."""
    return _partners_offered(landlord_id=task.landlord_id)


def referral_partners(*, task: CallTask, user):
    """Active partners the caller may refer this household to: its landlord's and shared ones."""
    return _offered(Partner.objects.visible_to(user), task.landlord_id)
