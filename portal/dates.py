"""Date arithmetic shared by every app (ages are computed, never stored)."""

import datetime

from django.utils import timezone


def years_ago(years: int, today: datetime.date | None = None) -> datetime.date:
    """The date ``years`` before ``today`` (29 February becomes 28 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def age_on(birth_date: datetime.date, today: datetime.date | None = None) -> int:
    """Age in whole years on ``today`` (default: today in Paris)."""
    today = today or timezone.localdate()
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def months_ago(months: int, moment: datetime.datetime | None = None) -> datetime.datetime:
    """The moment ``months`` before ``moment`` (a 31st becomes the month's last day)."""
    moment = moment or timezone.now()
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month)
