"""Fixtures and helpers of the appointment tests (imported by tests/outreach/test_appointments*)."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from housing.models import Role
from outreach.models import AvailabilityRule, BookingSettings, Slot
from outreach.services.appointments import BookingRequest
from tests.factories import AgencyFactory, make_staff, make_tenant

PARIS = ZoneInfo("Europe/Paris")
# A Monday at 9:00 in Paris, in a week with no public holiday.
MONDAY_9AM = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)
PHONE_BOOKING = BookingRequest(reason="budget_advice", mode="phone", phone="+33612345678")


@pytest.fixture
def agency(actis):
    return AgencyFactory(landlord=actis, name="Agence Villeneuve")


@pytest.fixture
def adviser(actis):
    return make_staff(
        actis,
        Role.SOCIAL_ADVISER,
        email="cesf@actis.example",
        first_name="Claire",
        last_name="Morel",
    )


@pytest.fixture
def tenant(actis_household):
    return make_tenant(actis_household, email="jeanne@exemple.fr", first_name="Jeanne")


@pytest.fixture
def sdh_tenant(sdh_household):
    return make_tenant(sdh_household, email="fatima@exemple.fr", first_name="Fatima")


def make_rule(adviser, agency, *, weekday=0, start=(9, 0), end=(12, 0), minutes=30, **fields):
    return AvailabilityRule.objects.create(
        landlord=agency.landlord,
        agency=agency,
        adviser=adviser,
        kind=fields.pop("kind", "social_adviser"),
        weekday=weekday,
        start_time=datetime.time(*start),
        end_time=datetime.time(*end),
        slot_minutes=minutes,
        **fields,
    )


def make_slot(adviser, agency, start: datetime.datetime, *, minutes=30, kind="social_adviser"):
    return Slot.objects.create(
        landlord=agency.landlord,
        agency=agency,
        adviser=adviser,
        kind=kind,
        start=start,
        end=start + datetime.timedelta(minutes=minutes),
    )


def set_rules(landlord, **fields) -> BookingSettings:
    rules, _created = BookingSettings.objects.update_or_create(landlord=landlord, defaults=fields)
    return rules


def paris_times(slots) -> list[str]:
    return [s.start.astimezone(PARIS).strftime("%Y-%m-%d %H:%M") for s in slots]
