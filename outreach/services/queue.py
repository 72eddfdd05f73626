"""Building, refreshing and serving a campaign's call queue.

The build is set-based SQL (an INSERT … SELECT and two UPDATEs), never a loop over households; the
claim is one short transaction whose safety comes from the database, not from timing.
"""

import datetime
import logging

from django.db import connection, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from housing.scoping import visible_landlord_ids
from outreach.calendar import in_call_window
from outreach.errors import OutreachError
from outreach.models import (
    OPEN_TASK_STATUSES,
    CallTask,
    Campaign,
    CampaignKind,
    CampaignStatus,
    QueueBuild,
    TaskStatus,
)
from outreach.services.tenant_callbacks import (
    tenant_callbacks_campaign_due,
    tenant_callbacks_sync,
)
from outreach.targeting import TASK_INSERT_COLUMNS, selected_households, with_queue_fields
from portal.compiled import compiled_query
from portal.sql import insert_select_sql

logger = logging.getLogger(__name__)


def _insert_new_tasks(campaign: Campaign, selected, now: datetime.datetime) -> int:
    """INSERT INTO calltask (…) SELECT … FROM the selected households not yet queued."""
    fields = {f.name: f for f in CallTask._meta.concrete_fields}
    missing = selected
    # A campaign's first build has nothing to leave out: the NOT EXISTS is only added on a
    # refresh. On an empty table (a new database) PostgreSQL plans it as a nested loop over a
    # sequential scan of calltask, which the INSERT itself keeps growing: 100,000 households then
    # took 100 s instead of 3. ON CONFLICT DO NOTHING below still guards the unique pair.
    if CallTask.objects.filter(campaign_id=campaign.pk).exists():
        missing = selected.exclude(
            Exists(CallTask.objects.filter(campaign_id=campaign.pk, household=OuterRef("pk")))
        )
    rows = (
        with_queue_fields(missing)
        .annotate(
            i_campaign=Value(campaign.pk),
            i_landlord=Value(campaign.landlord_id),
            i_status=Value(TaskStatus.PENDING.value),
            i_zero=Value(0),
            i_empty=Value(""),
            i_now=Value(now, output_field=fields["created_at"]),
        )
        .order_by()
        .values_list(*[source for _, source in TASK_INSERT_COLUMNS])
    )
    sql, params = insert_select_sql(CallTask, TASK_INSERT_COLUMNS, rows, ("campaign", "household"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The per-household subqueries push the planner's estimate over jit_above_cost, and
            # compiling the plan (0.2–0.5 s) costs more than it saves on a statement run once.
            # Transaction-local: it ends with the build's transaction.
            cursor.execute("SELECT set_config('jit', 'off', true)")
        cursor.execute(sql, params)
        return cursor.rowcount


def call_queue_refresh(*, campaign_id: int, build_id: int | None = None) -> QueueBuild:
    """Bring one campaign's queue in line with its criteria. Running it twice changes nothing.

    New households are queued; open tasks (pending or call-back) of households no longer selected
    leave the queue (status "removed"); removed tasks whose household is selected again come back.
    Tasks that were called, held, skipped or exhausted are never touched.
    """
    now = timezone.now()
    with transaction.atomic():
        # Locking the campaign row serialises two builds of the same campaign.
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        build = (
            QueueBuild.objects.select_for_update().get(pk=build_id, campaign=campaign)
            if build_id
            else QueueBuild(campaign=campaign)
        )
        if build.status == QueueBuild.Status.DONE:
            return build  # this build already ran: a second delivery of the task does nothing
        build.status, build.started_at = QueueBuild.Status.RUNNING, now
        if campaign.status != CampaignStatus.ACTIVE:
            build.added = build.removed = build.restored = 0
        elif campaign.kind == CampaignKind.TENANT_CALLBACKS:
            # Fed by the tenants' call-back requests, not by targeting criteria.
            counts = tenant_callbacks_sync(landlord_id=campaign.landlord_id)
            build.added, build.removed = counts["added"], counts["removed"]
            build.restored = counts["restored"]
        else:
            selected = selected_households(campaign)
            selected_ids = selected.values("pk")
            build.removed = (
                CallTask.objects.filter(campaign=campaign, status__in=OPEN_TASK_STATUSES)
                .exclude(household__in=selected_ids)
                .update(status=TaskStatus.REMOVED, updated_at=now)
            )
            build.restored = CallTask.objects.filter(
                campaign=campaign, status=TaskStatus.REMOVED, household__in=selected_ids
            ).update(
                status=Case(
                    When(callback_at__isnull=False, then=Value(TaskStatus.CALLBACK.value)),
                    default=Value(TaskStatus.PENDING.value),
                ),
                updated_at=now,
            )
            build.added = _insert_new_tasks(campaign, selected, now)
        build.status, build.finished_at = QueueBuild.Status.DONE, timezone.now()
        build.save()
    logger.info(
        "Queue of campaign %s: %s added, %s removed, %s restored",
        campaign_id,
        build.added,
        build.removed,
        build.restored,
    )
    return build


def _back_to_queue(now: datetime.datetime) -> dict:
    """The UPDATE that hands a held call back: a promised call-back stays a call-back."""
    return {
        "status": Case(
            When(callback_at__isnull=False, then=Value(TaskStatus.CALLBACK.value)),
            default=Value(TaskStatus.PENDING.value),
        ),
        "held_by": None,
        "held_at": None,
        "hold_until": None,
        "updated_at": now,
    }


_RISK_ORDER = (
    F("risk_isolated").desc(),
    F("oldest_birth_date").asc(nulls_last=True),
    F("arrears").desc(),
    "pk",
)


def offered_to(user_id) -> Q:
    """Tasks user ``user_id`` may be served: never a call-back kept for another caller."""
    return Q(callback_for__isnull=True) | Q(callback_for_id=user_id)


def pending_now(now: datetime.datetime) -> Q:
    """Pending tasks past their retry time."""
    return Q(status=TaskStatus.PENDING) & (Q(not_before__isnull=True) | Q(not_before__lte=now))


def due_for(user_id, now: datetime.datetime) -> Q:
    """Tasks the claim may serve user ``user_id`` now: pending past their retry time, or a
    call-back whose time has come; the three slices below, as one condition (the caller's home
    counts them)."""
    return (pending_now(now) | Q(status=TaskStatus.CALLBACK, callback_at__lte=now)) & offered_to(
        user_id
    )


def _claimable(*, campaign_id, user_id) -> QuerySet:
    return CallTask.objects.filter(campaign_id=campaign_id).filter(offered_to(user_id))


def _first_unlocked(candidates: QuerySet) -> QuerySet:
    """The id of the first of ``candidates`` nobody else is claiming (row lock, SKIP LOCKED
    where the database has it; the conditional UPDATE of the claim checks it either way)."""
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    return candidates.values_list("pk", flat=True)[:1]


# The tasks of a campaign that a user may take now, in queue order, as three slices read one after
# the other: due call-backs first, then never-tried before tried, then risk (isolated, oldest,
# largest arrears), then the oldest task.
#
# One query ordering on ``CASE`` expressions has to sort every open task of the campaign on each
# claim (0.1 s for 100,000 tasks on PostgreSQL, where the row lock above the sort also rules out a
# top-1 sort). The slices give the same order, and the two large ones filter ``status = 'pending'``
# and ``attempts`` as plain conditions and sort on plain columns, so that an index in that order
# can hand over its first row (bench/README.md, section call_queue). Compiled once per connection
# (portal.compiled): « Appel suivant » is the callers' busiest request.


@compiled_query
def _due_callback(*, campaign_id, user_id, now):
    """A call-back whose time has come, whatever the status says (the beat job sets it back to
    pending)."""
    tasks = _claimable(campaign_id=campaign_id, user_id=user_id)
    return _first_unlocked(
        tasks.filter(pending_now(now) | Q(status=TaskStatus.CALLBACK), callback_at__lte=now)
        .annotate(tried=Case(When(attempts=0, then=Value(0)), default=Value(1)))
        .order_by("tried", *_RISK_ORDER)
    )


def _pending(*, campaign_id, user_id, now) -> QuerySet:
    """Pending and past its retry time, not a call-back still to come."""
    tasks = _claimable(campaign_id=campaign_id, user_id=user_id)
    return tasks.filter(pending_now(now)).filter(
        Q(callback_at__isnull=True) | Q(callback_at__gt=now)
    )


@compiled_query
def _never_tried(*, campaign_id, user_id, now):
    pending = _pending(campaign_id=campaign_id, user_id=user_id, now=now)
    return _first_unlocked(pending.filter(attempts=0).order_by(*_RISK_ORDER))


@compiled_query
def _tried_before(*, campaign_id, user_id, now):
    pending = _pending(campaign_id=campaign_id, user_id=user_id, now=now)
    return _first_unlocked(pending.filter(attempts__gt=0).order_by(*_RISK_ORDER))


_CLAIM_SLICES = (_due_callback, _never_tried, _tried_before)


def _callbacks_first(campaign: Campaign) -> Campaign | None:
    """The landlord's call-back campaign, served before ``campaign`` (None for itself)."""
    if campaign.kind == CampaignKind.TENANT_CALLBACKS:
        return None
    return tenant_callbacks_campaign_due(landlord_id=campaign.landlord_id)


def _claim_order(campaign: Campaign, callbacks: Campaign | None, now: datetime.datetime):
    """(campaign, slice) pairs in serving order: the tenants' call-backs come first.

    « Appel suivant » on any campaign of a landlord serves first the due tasks of the landlord's
    call-back campaign (tenants who asked wait less), when it is in progress and in its hours.
    """
    if callbacks is not None and in_call_window(callbacks, now):
        for candidates in _CLAIM_SLICES:
            yield callbacks, candidates
    for candidates in _CLAIM_SLICES:
        yield campaign, candidates


@compiled_query
def _claimed(*, task_id):
    return CallTask.objects.filter(pk=task_id).select_related("campaign", "household")


@compiled_query
def _held_by(*, user_id, landlord_ids):
    return (
        CallTask.objects.of_landlords(landlord_ids)
        .filter(status=TaskStatus.HELD, held_by_id=user_id)
        .select_related("campaign", "household")
        .order_by("pk")[:1]
    )


def call_task_current(*, user) -> CallTask | None:
    """The call the user holds, if any (a reload shows the same call)."""
    return _held_by.first(user_id=user.pk, landlord_ids=visible_landlord_ids(user))


def call_task_claim(*, campaign: Campaign, user) -> CallTask | None:
    """Give ``user`` the next call of ``campaign``; None when nothing is due.

    A caller holds at most one call: if they already hold one, it is returned. Two callers never
    get the same task: the row is locked with SKIP LOCKED where the database has it (PostgreSQL),
    and the conditional UPDATE (…WHERE status is still open) is checked either way.
    """
    if campaign.status != CampaignStatus.ACTIVE:
        raise OutreachError(_("Cette campagne n'est pas en cours : aucun appel à passer."))
    if not in_call_window(campaign):
        raise OutreachError(
            _("Nous sommes en dehors des heures d'appel de cette campagne (jours fériés exclus).")
        )
    held = call_task_current(user=user)
    if held is not None:
        return held
    callbacks = _callbacks_first(campaign)  # looked up once, not on every retry
    for _attempt in range(5):
        now = timezone.now()
        with transaction.atomic():
            task_id, served = None, campaign
            for source, first_of in _claim_order(campaign, callbacks, now):
                task_id = first_of.first(campaign_id=source.pk, user_id=user.pk, now=now)
                if task_id is not None:
                    served = source  # the call-back campaign, or the one asked for
                    break
            if task_id is None:
                return None
            claimed = CallTask.objects.filter(pk=task_id, status__in=OPEN_TASK_STATUSES).update(
                status=TaskStatus.HELD,
                held_by=user,
                held_at=now,
                hold_until=now + datetime.timedelta(minutes=served.hold_minutes),
                updated_at=now,
            )
            if claimed == 1:
                return _claimed.first(task_id=task_id)
        # Somebody took it between our read and our update: try the next one.
    return None


def call_task_release(*, task: CallTask, user) -> None:
    """Put a held call back in the queue, unlogged."""
    now = timezone.now()
    CallTask.objects.filter(pk=task.pk, status=TaskStatus.HELD, held_by=user).update(
        **_back_to_queue(now)
    )


def call_tasks_release_all(*, user) -> int:
    """End of the day: whatever the caller holds goes back to the queue."""
    now = timezone.now()
    return CallTask.objects.filter(status=TaskStatus.HELD, held_by=user).update(
        **_back_to_queue(now)
    )


def call_tasks_release_expired(*, now: datetime.datetime | None = None) -> int:
    """Calls held longer than their campaign allows go back to the queue (beat job)."""
    now = now or timezone.now()
    return CallTask.objects.filter(status=TaskStatus.HELD, hold_until__lte=now).update(
        **_back_to_queue(now)
    )


def call_tasks_callbacks_due(*, now: datetime.datetime | None = None) -> int:
    """Call-backs whose time has come go back into the queue, ahead of new calls (beat job)."""
    now = now or timezone.now()
    return CallTask.objects.filter(status=TaskStatus.CALLBACK, callback_at__lte=now).update(
        status=TaskStatus.PENDING, updated_at=now
    )
