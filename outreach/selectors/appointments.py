"""Reads of the appointments pages: week grids of slots, a household's bookings, an adviser's day."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Window
from django.utils import timezone

from outreach.calendar import PARIS
from outreach.models import Appointment, AppointmentStatus, Slot, WaitingListEntry, WaitingStatus
from portal.compiled import compiled_query


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


# A tenant's list of appointments shows this many of the past or cancelled ones, the most recent.
PAST_APPOINTMENTS_SHOWN = 10

# The reads of « Mes rendez-vous », compiled once per connection (portal.compiled). The scope is
# the household, the tenant's own.


@compiled_query
def _upcoming(*, household_id, now):
    return (
        Appointment.objects.filter(
            household_id=household_id, status=AppointmentStatus.BOOKED, slot__start__gt=now
        )
        .select_related("slot__adviser", "slot__agency")
        .order_by("slot__start", "pk")
    )


@compiled_query
def _past_or_cancelled(*, household_id, now):
    return (
        Appointment.objects.filter(household_id=household_id)
        .exclude(status=AppointmentStatus.BOOKED, slot__start__gt=now)
        .select_related("slot__adviser", "slot__agency")
        # How many in all, read with the last ones (a window runs before the LIMIT).
        .annotate(total=Window(Count("pk")))
        .order_by("-slot__start", "-pk")[:PAST_APPOINTMENTS_SHOWN]
    )


@compiled_query
def _waiting(*, household_id):
    return (
        WaitingListEntry.objects.filter(
            household_id=household_id, status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED]
        )
        .select_related("offered_slot__adviser")
        .order_by("created_at", "pk")
    )


@dataclass
class HouseholdAppointments:
    upcoming: list  # booked and to come, soonest first
    others: list  # past or cancelled, the most recent first (PAST_APPOINTMENTS_SHOWN at most)
    others_total: int
    waiting: list  # waiting-list entries still waiting or offered a slot


def household_appointments(household, *, now=None) -> HouseholdAppointments:
    """A household's appointments to come, the latest past or cancelled ones (with how many in
    all) and its waiting-list entries, in three queries whatever the history."""
    now = now or timezone.now()
    others = _past_or_cancelled(household_id=household.pk, now=now)
    return HouseholdAppointments(
        upcoming=_upcoming(household_id=household.pk, now=now),
        others=others,
        others_total=others[0].total if others else 0,
        waiting=_waiting(household_id=household.pk),
    )


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
