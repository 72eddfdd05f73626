import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from housing.models import Role
from outreach.models import Campaign
from tests.factories import HouseholdFactory, LeaseFactory, PersonFactory, make_staff

PARIS = ZoneInfo("Europe/Paris")
# A Tuesday at 10:00 in Paris, inside every default call window.
TUESDAY_10AM = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)


@pytest.fixture
def in_call_hours():
    with time_machine.travel(TUESDAY_10AM, tick=True):
        yield TUESDAY_10AM


@pytest.fixture
def supervisor(actis):
    return make_staff(actis, Role.SUPERVISOR, email="responsable@actis.example")


@pytest.fixture
def caller(alice):
    return alice


@pytest.fixture
def campaign(actis):
    return Campaign.objects.create(landlord=actis, name="Appels 70 ans et plus", status="active")


def make_household(landlord, *, birth_date=datetime.date(1950, 1, 1), **fields):
    household = HouseholdFactory(landlord=landlord, **fields)
    PersonFactory(household=household, birth_date=birth_date)
    LeaseFactory(household=household)
    return household
