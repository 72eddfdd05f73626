"""Rules that must always hold are refused by the database itself, not only by forms."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from housing.models import Dwelling, StaffMembership
from tests.factories import BuildingFactory, DwellingFactory, LandlordFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_database_refuses_a_duplicate_dwelling_reference_at_one_landlord():
    dwelling = DwellingFactory(reference="A-101")
    with pytest.raises(IntegrityError), transaction.atomic():
        DwellingFactory(reference="A-101", building=BuildingFactory(landlord=dwelling.landlord))


def test_two_landlords_may_use_the_same_dwelling_reference():
    DwellingFactory(reference="A-101")
    DwellingFactory(reference="A-101", building=BuildingFactory(landlord=LandlordFactory()))
    assert Dwelling.objects.filter(reference="A-101").count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("surface", Decimal("0")), ("rent", Decimal("-1")), ("typology", "T9"), ("status", "lost")],
)
def test_database_refuses_an_impossible_dwelling(field, value):
    dwelling = DwellingFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Dwelling.objects.filter(pk=dwelling.pk).update(**{field: value})


def test_database_refuses_the_same_role_twice_for_one_person_at_one_landlord():
    user, landlord = UserFactory(), LandlordFactory()
    StaffMembership.objects.create(user=user, landlord=landlord, role="caller")
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMembership.objects.create(user=user, landlord=landlord, role="caller")


def test_dwelling_landlord_must_be_its_buildings():
    dwelling = DwellingFactory.build(
        building=BuildingFactory(), landlord=LandlordFactory(), reference="X", surface=Decimal("40")
    )
    with pytest.raises(Exception, match="bailleur"):
        dwelling.full_clean()
