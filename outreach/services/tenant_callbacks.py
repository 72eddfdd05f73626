"""Tenants' call-back requests in the callers' queue (« Être rappelé » → « Appel suivant »).

Each landlord has one standing campaign of kind « rappels demandés par les locataires », created on
demand. Its queue holds one task per household (the campaign/household unique pair): a household
with open call-back requests has an open task; a new request after the task ended opens it again;
a request handled by staff by hand takes the task out of the queue. The sync below says all of it
in three set-based statements, run for one household when a tenant files a request (the tenants
service's ``callback_requested`` signal, in the same transaction) and for every landlord by the
queue refresh (beat), which catches requests filed any other way.
"""

import datetime
import re
import unicodedata

from django.db import connection, transaction
from django.db.models import (
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach.calendar import PARIS, push_into_window
from outreach.models import (
    OPEN_TASK_STATUSES,
    CallTask,
    Campaign,
    CampaignKind,
    CampaignStatus,
    TaskStatus,
)
from outreach.targeting import TASK_INSERT_COLUMNS, with_queue_fields
from portal.compiled import compiled_query
from portal.sql import insert_select_sql
from tenants.models import ContactRequest, Household
from tenants.services.requests import callback_requests_mark_called

# Tenants who asked wait less than the wellbeing calls: a shorter retry delay, and the claim
# serves this campaign's due tasks before any other campaign of the landlord (call_task_claim).
CALLBACK_CAMPAIGN_DEFAULTS = {
    "status": CampaignStatus.ACTIVE,
    "max_attempts": 3,
    "retry_delay_minutes": 120,
    "call_start": datetime.time(9, 0),
    "call_end": datetime.time(18, 0),
}


def tenant_callbacks_campaign_get(*, landlord_id: int) -> Campaign:
    """The landlord's standing call-back campaign, created (active) the first time it is needed."""
    campaign, _created = Campaign.objects.get_or_create(
        landlord_id=landlord_id,
        kind=CampaignKind.TENANT_CALLBACKS,
        defaults={
            **CALLBACK_CAMPAIGN_DEFAULTS,
            "name": _("Rappels demandés par les locataires"),
            "purpose": _(
                "Les locataires qui ont demandé à être rappelés depuis leur espace. "
                "Leurs demandes entrent d'elles-mêmes dans cette file, avant les autres appels."
            ),
            "start_date": timezone.localdate(),
        },
    )
    return campaign


def _open_requests(campaign: Campaign) -> QuerySet:
    return ContactRequest.objects.filter(
        landlord_id=campaign.landlord_id,
        kind=ContactRequest.Kind.CALLBACK,
        handled_at__isnull=True,
    )


# A queue build's columns, with the phone the tenant gave and the time they asked for.
_SOURCES = {"phone": "c_phone"}
_INSERT_COLUMNS = [
    *[(name, _SOURCES.get(name, source)) for name, source in TASK_INSERT_COLUMNS],
    ("not_before", "i_not_before"),
]


def tenant_callbacks_sync(
    *,
    landlord_id: int,
    household_id: int | None = None,
    not_before: datetime.datetime | None = None,
) -> dict[str, int]:
    """Bring the landlord's call-back queue in line with the open call-back requests.

    Set-based: one UPDATE takes out the open tasks of households with no open request (handled by
    staff by hand), one UPDATE opens again the ended tasks of households who asked since, one
    INSERT … SELECT queues the households never queued. ``household_id`` limits it to one
    household; ``not_before`` is when the (re)opened tasks may be served (None: now). Running it
    twice changes nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        campaign = tenant_callbacks_campaign_get(landlord_id=landlord_id)
        tasks = CallTask.objects.filter(campaign=campaign)
        households = Household.objects.filter(landlord_id=landlord_id)
        if household_id is not None:
            tasks = tasks.filter(household_id=household_id)
            households = households.filter(pk=household_id)
        requests = _open_requests(campaign)
        latest = requests.filter(household=OuterRef("household")).order_by("-created_at", "-pk")
        removed = (
            tasks.filter(status__in=OPEN_TASK_STATUSES)
            .exclude(Exists(requests.filter(household=OuterRef("household"))))
            .update(status=TaskStatus.REMOVED, updated_at=now)
        )
        reopened = (
            tasks.exclude(status__in=[*OPEN_TASK_STATUSES, TaskStatus.HELD])
            .filter(
                Exists(
                    requests.filter(
                        household=OuterRef("household"), created_at__gt=OuterRef("updated_at")
                    )
                )
            )
            .update(
                status=TaskStatus.PENDING,
                attempts=0,
                not_before=Value(not_before, output_field=DateTimeField()),
                callback_at=None,
                callback_for=None,
                last_outcome="",
                skip_reason="",
                phone=Coalesce(NullIf(Subquery(latest.values("phone")[:1]), Value("")), F("phone")),
                updated_at=now,
            )
        )
        missing = households.filter(Exists(requests.filter(household=OuterRef("pk")))).exclude(
            Exists(CallTask.objects.filter(campaign=campaign, household=OuterRef("pk")))
        )
        latest_phone = requests.filter(household=OuterRef("pk")).order_by("-created_at", "-pk")
        rows = (
            with_queue_fields(missing)
            .annotate(
                i_campaign=Value(campaign.pk, output_field=IntegerField()),
                i_landlord=Value(landlord_id, output_field=IntegerField()),
                i_status=Value(TaskStatus.PENDING.value),
                c_phone=Coalesce(
                    NullIf(Subquery(latest_phone.values("phone")[:1]), Value("")), F("q_phone")
                ),
                i_zero=Value(0),
                i_not_before=Value(not_before, output_field=DateTimeField()),
                i_empty=Value(""),
                i_now=Value(now, output_field=DateTimeField()),
            )
            .order_by()
            .values_list(*[source for _name, source in _INSERT_COLUMNS])
        )
        sql, params = insert_select_sql(CallTask, _INSERT_COLUMNS, rows, ("campaign", "household"))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            added = cursor.rowcount
    return {"added": added, "removed": removed, "restored": reopened}


def tenant_callback_queue(*, contact_request: ContactRequest) -> dict[str, int]:
    """One request just filed: its household's task opens, not before the time the tenant asked."""
    campaign = tenant_callbacks_campaign_get(landlord_id=contact_request.landlord_id)
    return tenant_callbacks_sync(
        landlord_id=contact_request.landlord_id,
        household_id=contact_request.household_id,
        not_before=preferred_start(contact_request.preferred_times, campaign=campaign),
    )


def tenant_callbacks_sync_all() -> int:
    """Beat: every landlord with call-back requests still open gets its queue brought in line."""
    landlord_ids = (
        ContactRequest.objects.filter(kind=ContactRequest.Kind.CALLBACK, handled_at__isnull=True)
        .values_list("landlord_id", flat=True)
        .distinct()
    )
    existing = Campaign.objects.filter(
        kind=CampaignKind.TENANT_CALLBACKS, status=CampaignStatus.ACTIVE
    ).values_list("landlord_id", flat=True)
    changed = 0
    for landlord_id in sorted({*landlord_ids, *existing}):  # one per landlord (three)
        changed += sum(tenant_callbacks_sync(landlord_id=landlord_id).values())
    return changed


# ---------------------------------------------------------------------------------------------
# « Moments préférés »: free text; the common ways of saying it are understood, the rest means now.

_WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_PARTS_OF_DAY = [  # checked in this order: « après-midi » before « midi »
    ("apres-midi", datetime.time(14, 0)),
    ("apres midi", datetime.time(14, 0)),
    ("matin", datetime.time(9, 0)),
    ("midi", datetime.time(12, 0)),
    ("fin de journee", datetime.time(17, 0)),
    ("soir", datetime.time(17, 0)),
]
_HOUR = re.compile(r"\b(\d{1,2})\s*h\s*(\d{2})?")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def preferred_start(
    text: str, *, campaign: Campaign, now: datetime.datetime | None = None
) -> datetime.datetime | None:
    """The first moment matching the tenant's preferred times, inside the call window.

    Understood: a weekday (« mardi »), a part of the day (« le matin », « après-midi », « soir »)
    and an hour (« après 17h », « vers 10h30 »). None (call as soon as possible) when nothing is
    understood or the moment is now.
    """
    plain = _plain(text or "")
    now = timezone.localtime(now or timezone.now(), PARIS)
    weekday = next((day for day, name in enumerate(_WEEKDAYS) if name in plain), None)
    at = next((time for words, time in _PARTS_OF_DAY if words in plain), None)
    hour = _HOUR.search(plain)
    if hour and int(hour.group(1)) < 24 and int(hour.group(2) or 0) < 60:
        at = datetime.time(int(hour.group(1)), int(hour.group(2) or 0))
    if weekday is None and at is None:
        return None
    day = now.date()
    for _offset in range(8):
        moment = datetime.datetime.combine(day, at or campaign.call_start, tzinfo=PARIS)
        if at is None and day == now.date():
            moment = max(moment, now)  # « mardi », said on a Tuesday: today will do
        if (weekday is None or day.weekday() == weekday) and moment >= now:
            break
        day += datetime.timedelta(days=1)
    start = push_into_window(campaign, moment)
    return start if start > now else None


@compiled_query
def _callbacks_campaign_in_progress(*, landlord_id):
    return Campaign.objects.filter(
        landlord_id=landlord_id,
        kind=CampaignKind.TENANT_CALLBACKS,
        status=CampaignStatus.ACTIVE,
    ).order_by("pk")[:1]


def tenant_callbacks_campaign_due(*, landlord_id: int) -> Campaign | None:
    """The landlord's call-back campaign when it is in progress (the claim serves it first)."""
    return _callbacks_campaign_in_progress.first(landlord_id=landlord_id)


def tenant_callback_requests(*, task: CallTask) -> list[ContactRequest]:
    """The household's open call-back requests, for the caller's card (empty for other campaigns)."""
    if task.campaign.kind != CampaignKind.TENANT_CALLBACKS:
        return []
    return list(
        _open_requests(task.campaign).filter(household_id=task.household_id).order_by("created_at")
    )


def tenant_callbacks_after_call(*, task: CallTask, user, at: datetime.datetime) -> int:
    """A logged call ended a call-back task: the household's requests are handled (tenants)."""
    if task.campaign.kind != CampaignKind.TENANT_CALLBACKS or task.status != TaskStatus.DONE:
        return 0
    return callback_requests_mark_called(household_id=task.household_id, by=user, at=at)
