"""Reads of the supervisor's pages: the campaign list and a campaign's dashboard figures.

Every figure comes from a fixed number of GROUP BY queries, whatever the number of tasks and logs.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from outreach.models import (
    REACHED_OUTCOMES,
    CallLog,
    CallOutcome,
    CallTask,
    Campaign,
    CampaignCallerDay,
    CampaignReachDay,
    CampaignStatsMark,
    Need,
    NeedKind,
    Referral,
    ReferralStatus,
    TaskStatus,
)

# How many of the latest call days the "calls per caller per day" table shows.
CALLER_TABLE_DAYS = 14


def campaign_list(user, *, landlord_ids: list[int], status: str = "") -> QuerySet:
    """The campaigns of ``landlord_ids`` the user may see, with their task counts (one query)."""

    def tasks(*statuses):
        return Count("tasks", filter=Q(tasks__status__in=statuses))

    queryset = (
        Campaign.objects.visible_to(user)
        .filter(landlord_id__in=landlord_ids)
        .select_related("landlord")
        .annotate(
            queued_count=Count("tasks", filter=~Q(tasks__status=TaskStatus.REMOVED)),
            pending_count=tasks(TaskStatus.PENDING, TaskStatus.HELD),
            callback_count=tasks(TaskStatus.CALLBACK),
            done_count=tasks(TaskStatus.DONE),
            exhausted_count=tasks(TaskStatus.EXHAUSTED, TaskStatus.SKIPPED),
        )
        .order_by("-created_at", "pk")
    )
    if status in Campaign.Status.values:
        queryset = queryset.filter(status=status)
    return queryset


@dataclass
class Figure:
    """One labelled count of a breakdown (value is the stored code, for tests and links)."""

    value: str
    label: str
    count: int
    extra: int = 0  # a second count where the table has one (needs handled, referrals open)


@dataclass
class CallerCalls:
    name: str
    calls: int = 0
    reached: int = 0


@dataclass
class DayCalls:
    day: datetime.date
    callers: list[CallerCalls]

    @property
    def calls(self) -> int:
        return sum(caller.calls for caller in self.callers)

    @property
    def reached(self) -> int:
        return sum(caller.reached for caller in self.callers)


@dataclass
class ProgressPoint:
    day: datetime.date
    calls: int
    newly_reached: int
    reached_total: int


@dataclass
class CampaignDashboard:
    by_status: list[Figure]
    by_outcome: list[Figure]
    queued: int
    reached_households: int
    caller_days: list[DayCalls]
    caller_totals: list[CallerCalls]
    needs: list[Figure]
    referrals: list[Figure]
    progress: list[ProgressPoint]
    chart: dict = field(default_factory=dict)

    @property
    def share_reached(self) -> float | None:
        """Households reached at least once, over the households in the queue (0 to 1)."""
        if not self.queued:
            return None
        return min(self.reached_households / self.queued, 1.0)

    @property
    def calls(self) -> int:
        return sum(point.calls for point in self.progress)

    @property
    def first_day(self) -> datetime.date | None:
        return self.progress[0].day if self.progress else None

    @property
    def last_day(self) -> datetime.date | None:
        return self.progress[-1].day if self.progress else None


def caller_day_rows(campaign_id: int, *, after: int, upto: int | None = None) -> QuerySet:
    """Calls and reached calls per caller and day (Paris) of the logs with after < id <= upto."""
    return (
        call_logs_between(campaign_id, after=after, upto=upto)
        .annotate(day=TruncDate("called_at"))
        .values("caller", "day")
        .annotate(calls=Count("pk"), reached=Count("pk", filter=Q(outcome__in=REACHED_OUTCOMES)))
    )


def reach_day_rows(campaign_id: int, *, after: int, upto: int | None = None) -> QuerySet:
    """Households first reached, per day, among the logs with after < id <= upto: a reached log
    with no earlier reached log of its household (and none at all up to ``after``)."""
    reached = CallLog.objects.filter(campaign_id=campaign_id, outcome__in=REACHED_OUTCOMES)
    earlier = reached.filter(household=OuterRef("household"), called_at__lt=OuterRef("called_at"))
    if upto is not None:
        earlier = earlier.filter(id__lte=upto)
    folded = reached.filter(household=OuterRef("household"), id__lte=after)
    return (
        call_logs_between(campaign_id, after=after, upto=upto)
        .filter(outcome__in=REACHED_OUTCOMES)
        .exclude(Exists(earlier))
        .exclude(Exists(folded))
        .annotate(day=TruncDate("called_at"))
        .values("day")
        .annotate(households=Count("household", distinct=True))
    )


def call_logs_between(campaign_id: int, *, after: int, upto: int | None = None) -> QuerySet:
    """The campaign's call logs with after < id <= upto (no upper bound when upto is None)."""
    logs = CallLog.objects.filter(campaign_id=campaign_id, id__gt=after).order_by()
    return logs if upto is None else logs.filter(id__lte=upto)


def _caller_name(user: dict) -> str:
    name = f"{user['first_name']} {user['last_name']}".strip()
    return name or user["email"]


def campaign_dashboard(campaign: Campaign) -> CampaignDashboard:
    """The figures of one campaign's dashboard: folded summaries, then GROUP BY queries of the tasks,
    the logs after the fold, the needs and the referrals (a fixed number of queries)."""
    tasks = CallTask.objects.filter(campaign=campaign).order_by()

    # 1. Tasks by status and by last outcome.
    status_counts: dict[str, int] = defaultdict(int)
    outcome_counts: dict[str, int] = defaultdict(int)
    for row in tasks.values("status", "last_outcome").annotate(n=Count("pk")):
        status_counts[row["status"]] += row["n"]
        if row["status"] != TaskStatus.REMOVED:
            outcome_counts[row["last_outcome"]] += row["n"]
    by_status = [
        Figure(status.value, status.label, status_counts[status.value]) for status in TaskStatus
    ]
    by_outcome = [Figure("", _("pas encore appelé"), outcome_counts[""])] + [
        Figure(outcome.value, outcome.label, outcome_counts[outcome.value])
        for outcome in CallOutcome
    ]
    queued = sum(n for status, n in status_counts.items() if status != TaskStatus.REMOVED)

    # 2. Calls (and calls that reached someone) per caller per day, in Paris time: the folded
    # summary plus the logs written since the last fold (outreach.services.stats).
    mark = CampaignStatsMark.objects.filter(campaign=campaign).values_list("log_id", flat=True)
    after = mark.first() or 0
    per_day: dict[datetime.date, dict[int, CallerCalls]] = defaultdict(dict)
    totals: dict[int, CallerCalls] = {}
    folded = CampaignCallerDay.objects.filter(campaign=campaign).values(
        "day", "caller", "calls", "reached"
    )
    caller_rows = [*folded, *caller_day_rows(campaign.pk, after=after)]
    names = {
        user["pk"]: _caller_name(user)
        for user in get_user_model()
        .objects.filter(pk__in={row["caller"] for row in caller_rows})
        .values("pk", "first_name", "last_name", "email")
    }
    for row in caller_rows:
        day = per_day[row["day"]].setdefault(row["caller"], CallerCalls(names[row["caller"]]))
        total = totals.setdefault(row["caller"], CallerCalls(names[row["caller"]]))
        for figure in (day, total):
            figure.calls += row["calls"]
            figure.reached += row["reached"]
    caller_days = [
        DayCalls(day, sorted(per_day[day].values(), key=lambda caller: caller.name.lower()))
        for day in sorted(per_day, reverse=True)[:CALLER_TABLE_DAYS]
    ]
    caller_totals = sorted(totals.values(), key=lambda caller: (-caller.calls, caller.name))

    # 3. Households reached for the first time, per day (a reached log with no earlier one).
    first_reached: dict[datetime.date, int] = defaultdict(int)
    for day, households in [
        *CampaignReachDay.objects.filter(campaign=campaign).values_list("day", "households"),
        *reach_day_rows(campaign.pk, after=after).values_list("day", "households"),
    ]:
        first_reached[day] += households
    progress = _progress(per_day, first_reached)

    # 4. Needs found, by kind: the campaign's own rows (each need carries its call's campaign).
    # Every column read is in need_campaign_kind_idx (COUNT(*), not of the id): an index-only scan.
    need_rows = (
        Need.objects.filter(campaign=campaign)
        .order_by()
        .values("kind")
        .annotate(n=Count("*"), handled=Count("handled", filter=Q(handled=True)))
    )
    need_counts = {row["kind"]: row for row in need_rows}
    needs = sorted(
        (
            Figure(kind.value, kind.label, row["n"], row["handled"])
            for kind in NeedKind
            if (row := need_counts.get(kind.value))
        ),
        key=lambda figure: -figure.count,
    )

    # 5. Referrals by partner: the campaign's own rows, read from referral_campaign_partner_idx.
    referrals = [
        Figure(str(row["partner_id"]), row["partner__name"], row["n"], row["open"])
        for row in Referral.objects.filter(campaign=campaign)
        .order_by()
        .values("partner_id", "partner__name")
        .annotate(n=Count("*"), open=Count("status", filter=~Q(status=ReferralStatus.CLOSED)))
        .order_by("-n", "partner__name")
    ]

    return CampaignDashboard(
        by_status=by_status,
        by_outcome=by_outcome,
        queued=queued,
        reached_households=sum(first_reached.values()),
        caller_days=caller_days,
        caller_totals=caller_totals,
        needs=needs,
        referrals=referrals,
        progress=progress,
        chart=progress_chart(progress),
    )


def _progress(per_day, first_reached) -> list[ProgressPoint]:
    """One point per day from the first call to the last, days without calls included."""
    days = set(per_day) | set(first_reached)
    if not days:
        return []
    points, total = [], 0
    day, last = min(days), max(days)
    while day <= last:
        calls = sum(caller.calls for caller in per_day.get(day, {}).values())
        new = first_reached.get(day, 0)
        total += new
        points.append(ProgressPoint(day, calls, new, total))
        day += datetime.timedelta(days=1)
    return points


# ---------------------------------------------------------------------------------------------
# The progress chart, drawn server-side as SVG: geometry only, the template draws it.

CHART_WIDTH, CHART_HEIGHT = 720, 280
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 48, 56, 16, 40


def nice_ceiling(value: int) -> int:
    """An axis maximum people read: the smallest of 2, 4, 6, 8, 10, 20, 40… at least ``value``.

    Always even, so that the middle tick is a whole number too.
    """
    if value <= 2:
        return 2
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (2, 4, 6, 8, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def progress_chart(points: list[ProgressPoint]) -> dict:
    """Coordinates of the bars (calls per day) and the line (households reached, cumulated)."""
    if not points:
        return {}
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    bottom = CHART_TOP + plot_height
    calls_max = nice_ceiling(max(point.calls for point in points))
    reached_max = nice_ceiling(points[-1].reached_total)
    slot = plot_width / len(points)
    bar_width = max(slot * 0.7, 1)

    def y(value: int, maximum: int) -> float:
        return round(bottom - plot_height * value / maximum, 1)

    bars, line = [], []
    label_step = math.ceil(len(points) / 8)
    x_labels = []
    for index, point in enumerate(points):
        centre = CHART_LEFT + slot * (index + 0.5)
        top = y(point.calls, calls_max)
        bars.append(
            {
                "x": round(centre - bar_width / 2, 1),
                "y": top,
                "width": round(bar_width, 1),
                "height": round(bottom - top, 1),
                "point": point,
            }
        )
        line.append((round(centre, 1), y(point.reached_total, reached_max)))
        if index % label_step == 0 or index == len(points) - 1:
            x_labels.append({"x": round(centre, 1), "label": date_format(point.day, "d/m")})
    if len(x_labels) > 1 and x_labels[-1]["x"] - x_labels[-2]["x"] < 40:
        del x_labels[-2]  # the last day's label wins over a neighbour it would overlap
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "top": CHART_TOP,
        "bottom": bottom,
        "bars": bars,
        "line": " ".join(f"{x},{y_}" for x, y_ in line),
        "markers": [{"x": x, "y": y_} for x, y_ in line],
        # Gridlines at 0, half and the top of both axes (their maxima are even).
        "ticks": [
            {"y": y(share, 2), "calls": calls_max * share // 2, "reached": reached_max * share // 2}
            for share in (0, 1, 2)
        ],
        "x_labels": x_labels,
        "calls_max": calls_max,
        "reached_max": reached_max,
    }


# ---------------------------------------------------------------------------------------------
# The CSV export of a campaign's call logs.

EXPORT_CHUNK = 500
# A cell starting with one of these would be read by a spreadsheet as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    value = value or ""
    return f"'{value}" if value.startswith(_FORMULA_PREFIXES) else value


def _answer(value) -> str:
    if value is None:
        return ""
    if value is True:
        return _("oui")
    if value is False:
        return _("non")
    if isinstance(value, int | float):
        return str(value).replace(".", ",")
    if isinstance(value, list):
        return ", ".join(_answer(item) for item in value)
    return _cell(str(value))


def export_rows(campaign: Campaign):
    """The header, then one row per call log of the campaign, oldest first.

    Logs are read by chunks of EXPORT_CHUNK, each with its needs and referrals prefetched, so a
    large campaign is never loaded in memory at once.
    """
    questions = list(campaign.questions.values_list("pk", "text"))
    yield [
        _("Date"),
        _("Heure"),
        _("Ménage"),
        _("Référence"),
        _("Appelant(e)"),
        _("Résultat"),
        _("Besoins"),
        _("Orientations"),
        _("Notes"),
        *[text for _pk, text in questions],
    ]
    logs = (
        CallLog.objects.filter(campaign=campaign, landlord_id=campaign.landlord_id)
        .select_related("household", "caller")
        .only(
            "called_at",
            "outcome",
            "notes",
            "answers",
            "household__name",
            "household__reference",
            "caller__first_name",
            "caller__last_name",
            "caller__email",
        )
        .prefetch_related("needs", "referrals__partner")
        .order_by("called_at", "pk")
    )
    for log in logs.iterator(chunk_size=EXPORT_CHUNK):
        called_at = timezone.localtime(log.called_at)
        caller = log.caller.get_full_name().strip() or log.caller.email
        needs = "; ".join(
            f"{need.get_kind_display()} ({need.note})" if need.note else need.get_kind_display()
            for need in log.needs.all()
        )
        referrals = "; ".join(
            f"{referral.partner.name} ({referral.get_status_display()})"
            for referral in log.referrals.all()
        )
        answers = log.answers or {}
        yield [
            called_at.strftime("%d/%m/%Y"),
            called_at.strftime("%H:%M"),
            _cell(log.household.name),
            _cell(log.household.reference),
            _cell(caller),
            log.get_outcome_display(),
            _cell(needs),
            _cell(referrals),
            _cell(log.notes),
            *[_answer(answers.get(str(pk))) for pk, _text in questions],
        ]
