"""A campaign's call window: weekdays and hours in Paris time, French public holidays excluded."""

import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone

PARIS = ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=16)
def _french_holidays(year: int) -> holidays.HolidayBase:
    return holidays.France(years=year)


def is_public_holiday(day: datetime.date) -> bool:
    return day in _french_holidays(day.year)


def is_call_day(campaign, day: datetime.date) -> bool:
    return day.weekday() in campaign.call_weekdays and not is_public_holiday(day)


def in_call_window(campaign, moment: datetime.datetime | None = None) -> bool:
    local = timezone.localtime(moment or timezone.now(), PARIS)
    return (
        is_call_day(campaign, local.date())
        and campaign.call_start <= local.time() < campaign.call_end
    )


def next_window_start(
    campaign, moment: datetime.datetime | None = None
) -> datetime.datetime | None:
    """The first moment at or after ``moment`` inside the call window (None if it has no day)."""
    local = timezone.localtime(moment or timezone.now(), PARIS)
    if in_call_window(campaign, local):
        return local
    day = local.date()
    if local.time() >= campaign.call_start:
        day += datetime.timedelta(days=1)
    for _ in range(370):
        if is_call_day(campaign, day):
            return datetime.datetime.combine(day, campaign.call_start, tzinfo=PARIS)
        day += datetime.timedelta(days=1)
    return None


def push_into_window(campaign, moment: datetime.datetime) -> datetime.datetime:
    """``moment`` if inside the window, else the next opening (used for retries and call-backs)."""
    return next_window_start(campaign, moment) or moment
