"""Works sites: the timeline rules (in one place), the status and suspension-day reads, writes.

A site's status is never stored: it is the kind of its last event. ``TRANSITIONS`` says which event
may follow which; :func:`works_status` replays a timeline and :func:`with_status` annotates a
queryset set-based (one subquery) for list pages and filters.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from housing.models import (
    Building,
    BuildingStatus,
    Dwelling,
    DwellingStatus,
    WorksEvent,
    WorksEventKind,
    WorksKind,
    WorksSite,
    WorksStatus,
)

Kind = WorksEventKind

# Status (the last event's kind, or planned) -> the events that may follow it.
TRANSITIONS: dict[str, frozenset[str]] = {
    WorksStatus.PLANNED: frozenset({Kind.ANNOUNCED, Kind.STARTED}),
    WorksStatus.ANNOUNCED: frozenset({Kind.STARTED}),
    WorksStatus.STARTED: frozenset({Kind.SUSPENDED, Kind.COMPLETED}),
    WorksStatus.SUSPENDED: frozenset({Kind.RESUMED}),
    WorksStatus.RESUMED: frozenset({Kind.SUSPENDED, Kind.COMPLETED}),
    WorksStatus.COMPLETED: frozenset(),  # final
}
# Sites whose works are under way or about to be: the public page and the "current" filter.
CURRENT_STATUSES = [
    WorksStatus.ANNOUNCED,
    WorksStatus.STARTED,
    WorksStatus.SUSPENDED,
    WorksStatus.RESUMED,
]


class WorksError(Exception):
    """A rule of works sites was not met; the message is French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _refuse(status: str, kind: str) -> WorksError:
    return WorksError(
        _("Un chantier « %(status)s » ne peut pas passer à « %(kind)s ».")
        % {"status": WorksStatus(status).label, "kind": Kind(kind).label}
    )


def works_status(kinds: Iterable[str]) -> str:
    """The status after the events ``kinds`` (in order); a bad sequence raises WorksError."""
    status = WorksStatus.PLANNED
    for kind in kinds:
        if kind not in TRANSITIONS[status]:
            raise _refuse(status, kind)
        status = WorksStatus(kind)
    return status


@dataclass(frozen=True)
class Suspension:
    start: datetime.date
    end: datetime.date | None  # None while the works are still suspended
    reason: str
    days: int


def suspensions(events, *, today: datetime.date | None = None) -> list[Suspension]:
    """Each suspended period of an ordered timeline; an open one counts up to ``today``."""
    today = today or timezone.localdate()
    periods, open_event = [], None
    for event in events:
        if event.kind == Kind.SUSPENDED:
            open_event = event
        elif event.kind == Kind.RESUMED and open_event is not None:
            days = (event.date - open_event.date).days
            periods.append(Suspension(open_event.date, event.date, open_event.reason, days))
            open_event = None
    if open_event is not None:
        days = max((today - open_event.date).days, 0)
        periods.append(Suspension(open_event.date, None, open_event.reason, days))
    return periods


def suspension_days(events, *, today: datetime.date | None = None) -> int:
    return sum(period.days for period in suspensions(events, today=today))


def with_status(queryset):
    """Annotate ``status`` (the last event's kind, or planned) with one correlated subquery."""
    last = (
        WorksEvent.objects.filter(site=OuterRef("pk")).order_by("-date", "-pk").values("kind")[:1]
    )
    return queryset.annotate(status=Coalesce(Subquery(last), Value(WorksStatus.PLANNED.value)))


def event_date(events, kind: str) -> datetime.date | None:
    """The date of the first event of ``kind`` (the actual start or end)."""
    return next((event.date for event in events if event.kind == kind), None)


@transaction.atomic
def works_event_add(
    *, site: WorksSite, kind: str, date: datetime.date, reason: str = "", by=None
) -> WorksEvent:
    """Add the next step of ``site``'s timeline, if the transitions allow it."""
    # Lock the site: two people adding events at once would both read the same last event.
    WorksSite.objects.select_for_update().filter(pk=site.pk).first()
    events = list(site.events.order_by("date", "pk"))
    status = works_status(event.kind for event in events)
    if kind not in Kind.values:
        raise WorksError(_("Événement de chantier inconnu."))
    if kind not in TRANSITIONS[status]:
        raise _refuse(status, kind)
    reason = reason.strip()
    if kind == Kind.SUSPENDED and not reason:
        raise WorksError(_("Indiquez le motif de la suspension (par exemple « confinement »)."))
    if events and date < events[-1].date:
        raise WorksError(
            _("La date doit être le %(date)s ou après : c'est celle du dernier événement.")
            % {"date": events[-1].date.strftime("%d/%m/%Y")}
        )
    if date > timezone.localdate() + datetime.timedelta(days=366):
        raise WorksError(_("La date est trop loin dans l'avenir."))
    event = WorksEvent.objects.create(
        site=site, kind=kind, date=date, reason=reason, recorded_by=by
    )
    if kind == Kind.COMPLETED and site.kind == WorksKind.DEMOLITION:
        # A demolished building's dwellings are gone: none can be let or occupied any more.
        buildings = site.buildings.values("pk")
        Building.objects.filter(pk__in=buildings).update(
            status=BuildingStatus.DEMOLISHED, updated_at=timezone.now()
        )
        Dwelling.objects.filter(building__in=buildings).exclude(
            status=DwellingStatus.WITHDRAWN
        ).update(status=DwellingStatus.WITHDRAWN, updated_at=timezone.now())
    return event
