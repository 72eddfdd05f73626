import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from tenants.models import Household, Lease, VulnerabilityFlag
from tests.factories import (
    DwellingFactory,
    HouseholdFactory,
    LeaseFactory,
    PersonFactory,
    VulnerabilityFlagFactory,
)

pytestmark = pytest.mark.django_db


def test_database_refuses_two_current_leases_on_one_dwelling():
    lease = LeaseFactory()
    other = HouseholdFactory(landlord=lease.household.landlord)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lease.objects.create(
            household=other, dwelling=lease.dwelling, start_date=datetime.date(2024, 1, 1)
        )


def test_a_dwelling_can_be_let_again_once_the_previous_lease_has_ended():
    lease = LeaseFactory()
    lease.end_date = datetime.date(2023, 12, 31)
    lease.save()
    other = HouseholdFactory(landlord=lease.household.landlord)
    Lease.objects.create(
        household=other, dwelling=lease.dwelling, start_date=datetime.date(2024, 1, 1)
    )
    assert lease.dwelling.leases.count() == 2


def test_database_refuses_a_lease_ending_before_it_starts():
    lease = LeaseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Lease.objects.filter(pk=lease.pk).update(end_date=datetime.date(2000, 1, 1))


def test_database_refuses_payment_difficulty_without_arrears():
    household = HouseholdFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        VulnerabilityFlag.objects.create(
            household=household, kind=VulnerabilityFlag.Kind.PAYMENT_DIFFICULTY
        )


def test_database_refuses_two_open_flags_of_one_kind_for_a_household():
    flag = VulnerabilityFlagFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        VulnerabilityFlagFactory(household=flag.household)


def test_payment_difficulty_keeps_its_arrears():
    flag = VulnerabilityFlagFactory(
        kind=VulnerabilityFlag.Kind.PAYMENT_DIFFICULTY, arrears_amount=Decimal("1250.40")
    )
    flag.refresh_from_db()
    assert flag.arrears_amount == Decimal("1250.40")


def test_lease_with_a_dwelling_of_another_landlord_is_invalid():
    lease = LeaseFactory.build(household=HouseholdFactory(), dwelling=DwellingFactory())
    with pytest.raises(Exception, match="bailleur"):
        lease.full_clean()


@time_machine.travel(datetime.date(2026, 6, 15), tick=False)
def test_age_is_computed_from_the_birth_date_and_seventy_counts_from_the_birthday():
    turns_70_today = PersonFactory(birth_date=datetime.date(1956, 6, 15))
    turns_70_tomorrow = PersonFactory(birth_date=datetime.date(1956, 6, 16))
    assert turns_70_today.age == 70
    assert turns_70_today.is_senior
    assert turns_70_tomorrow.age == 69
    assert not turns_70_tomorrow.is_senior
    seniors = Household.objects.with_senior()
    assert list(seniors) == [turns_70_today.household]


def test_household_search_finds_a_member_by_name_without_duplicating_rows():
    household = HouseholdFactory(name="Foyer A")
    PersonFactory(household=household, last_name="Durand")
    PersonFactory(household=household, last_name="Durand", first_name="Paul")
    assert list(Household.objects.search("durand")) == [household]


def test_household_search_matches_reference_name_and_first_names_in_any_case(actis, sdh, alice):
    by_reference = HouseholdFactory(landlord=actis, reference="VIL-0042", name="Foyer B")
    by_name = HouseholdFactory(landlord=actis, name="Famille Moreau")
    by_first_name = HouseholdFactory(landlord=actis, name="Foyer C")
    PersonFactory(household=by_first_name, first_name="Moreau-Line", last_name="Petit")
    HouseholdFactory(landlord=actis, name="Sans rapport")
    HouseholdFactory(landlord=sdh, name="Moreau chez SDH")  # another landlord: never found
    visible = Household.objects.visible_to(alice)
    assert set(visible.search("vil-00")) == {by_reference}
    assert set(visible.search("  MOREAU ")) == {by_name, by_first_name}
    assert visible.search("moreau").count() == 2
    assert list(visible.search("moreau").order_by("name").values_list("name", flat=True)) == [
        "Famille Moreau",
        "Foyer C",
    ]
