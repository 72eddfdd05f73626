"""Response deadlines counted as the code of civil procedure counts them."""

import datetime
from functools import lru_cache

import holidays

# Article R441-10: the applicant has at least ten days to answer an offer.
OFFER_RESPONSE_DAYS = 10


@lru_cache(maxsize=16)
def _french_holidays(year: int) -> holidays.HolidayBase:
    return holidays.France(years=year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _french_holidays(day.year)


def offer_deadline(sent_on: datetime.date, days: int = OFFER_RESPONSE_DAYS) -> datetime.date:
    """``days`` after ``sent_on``; a deadline on a Saturday, Sunday or public holiday moves on
    to the next working day (article 642 of the code of civil procedure)."""
    deadline = sent_on + datetime.timedelta(days=days)
    while not is_working_day(deadline):
        deadline += datetime.timedelta(days=1)
    return deadline
