"""The allocations demo data: something to show on each page, and a second run changes nothing."""

import pytest

from allocations.demo import seed_allocations_demo
from allocations.models import Committee, HousingApplication, Sitting, Vacancy
from tenants.models import VulnerabilityFlag
from tests.factories import DwellingFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


def test_demo_seeds_each_landlord_once(actis, sdh):
    for landlord in (actis, sdh):
        HouseholdFactory(landlord=landlord)
        for _ in range(4):
            DwellingFactory(building__landlord=landlord, status="vacant")
    DwellingFactory(building__landlord=actis, building__status="being_demolished", status="vacant")

    assert seed_allocations_demo() == {"vacancies": 6, "applications": 24, "sittings": 2}
    assert seed_allocations_demo() == {"vacancies": 0, "applications": 0, "sittings": 0}
    assert not Vacancy.objects.filter(dwelling__building__status="being_demolished").exists()
    assert Committee.objects.get(landlord=actis).members.count() == 6
    assert Sitting.objects.get(committee__landlord=sdh).agenda_items.count() == 3
    assert HousingApplication.objects.filter(priority_transfer=True).count() == 2
    assert (
        VulnerabilityFlag.objects.filter(kind="priority_transfer", source="allocations").count()
        == 2
    )
