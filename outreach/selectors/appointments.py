"""Reads of the appointments pages: week grids of slots, a household's bookings, an adviser's day."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from outreach.calendar import PARIS
from outreach.models import Appointment, AppointmentStatus, Slot, WaitingListEntry, WaitingStatus


def parse_day(value: str | None, default: datetime.date | None = None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return default or timezone.localdate(timezone.now(), PARIS)


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.datetime, datetime.datetime]:
    """Monday of ``day``'s week and the week's bounds as Paris-aware datetimes."""
    monday = day - datetime.timedelta(days=day.weekday())
    start = datetime.datetime.combine(monday, datetime.time(0), tzinfo=PARIS)
    end = datetime.datetime.combine(
        monday + datetime.timedelta(days=7), datetime.time(0), tzinfo=PARIS
    )
    return monday, start, end


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=PARIS)
    return start, datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(0), tzinfo=PARIS
    )


@dataclass
class WeekGrid:
    monday: datetime.date
    days: list[datetime.date]
    rows: list[tuple[datetime.time, list[list[Slot]]]]

    @property
    def previous(self) -> datetime.date:
        return self.monday - datetime.timedelta(days=7)

    @property
    def next(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=7)

    @property
    def is_empty(self) -> bool:
        return not self.rows


def week_grid(slots, monday: datetime.date) -> WeekGrid:
    """Slots of one week as rows of start times (Paris) by columns of days; days without any
    slot are left out, so the table stays narrow."""
    by_cell: dict[tuple[datetime.time, datetime.date], list[Slot]] = {}
    for slot in slots:
        local = timezone.localtime(slot.start, PARIS)
        slot.local_start = local
        by_cell.setdefault((local.time(), local.date()), []).append(slot)
    days = sorted({day for _time, day in by_cell})
    times = sorted({time for time, _day in by_cell})
    rows = [(time, [by_cell.get((time, day), []) for day in days]) for time in times]
    return WeekGrid(monday=monday, days=days, rows=rows)


def household_appointments(household, *, now=None):
    """Upcoming (booked) and past or cancelled appointments of a household, in two queries."""
    now = now or timezone.now()
    rows = list(
        Appointment.objects.filter(household=household)
        .select_related("slot__adviser", "slot__agency")
        .order_by("slot__start")
    )
    upcoming = [a for a in rows if a.status == AppointmentStatus.BOOKED and a.slot.start > now]
    others = [a for a in reversed(rows) if a not in upcoming]
    waiting = list(
        WaitingListEntry.objects.filter(
            household=household, status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED]
        ).select_related("offered_slot__adviser")
    )
    return upcoming, others, waiting


def adviser_slots(*, adviser_id: int, landlord_ids, start, end):
    """An adviser's slots between two moments with their active booking (one extra query)."""
    return (
        Slot.objects.filter(adviser_id=adviser_id, landlord_id__in=landlord_ids)
        .filter(start__gte=start, start__lt=end)
        .select_related("agency")
        .prefetch_related(
            Prefetch(
                "appointments",
                queryset=Appointment.objects.exclude(status=AppointmentStatus.CANCELLED)
                .select_related("household")
                .order_by("-created_at"),
                to_attr="active_appointments",
            )
        )
        .order_by("start")
    )
