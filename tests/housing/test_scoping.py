"""The scoping rule's tenant side: the user's own household, read once per request."""

import datetime

import pytest
from django.utils import timezone

from allocations.models import VisitSlot
from tenants.models import Household
from tests.allocations.conftest import (
    add_item,
    make_application,
    make_committee,
    make_sitting,
    make_vacancy,
)
from tests.factories import HouseholdFactory, PersonFactory, make_tenant

pytestmark = pytest.mark.django_db


def test_a_candidate_on_two_agenda_items_sees_each_visit_slot_once(actis, actis_household):
    """A one-to-many tenant path (vacancy → agenda items → candidacies) repeats no row."""
    tenant = make_tenant(actis_household, email="jeanne@exemple.fr")
    application = make_application(actis, current_household=actis_household)
    vacancy = make_vacancy(actis)
    committee = make_committee(actis)
    for day in (1, 2):
        sitting = make_sitting(committee, date=timezone.now() + datetime.timedelta(days=day))
        add_item(sitting, vacancy, [application])
    slot = VisitSlot.objects.create(
        vacancy=vacancy, starts_at=timezone.now() + datetime.timedelta(days=5)
    )
    other = make_tenant(HouseholdFactory(landlord=actis), email="autre@exemple.fr")
    assert list(VisitSlot.objects.visible_to(tenant)) == [slot]
    assert list(VisitSlot.objects.visible_to(other)) == []


def test_staff_renting_elsewhere_see_their_landlords_rows_and_their_own_household(
    actis, sdh, sdh_household, alice
):
    PersonFactory(household=sdh_household, user=alice)
    mine = HouseholdFactory(landlord=actis)
    HouseholdFactory(landlord=sdh)  # a neighbour at SDH: not theirs
    assert set(Household.objects.visible_to(alice)) == {mine, sdh_household}


def test_staff_who_are_nobodys_tenant_get_a_plain_landlord_condition(actis, alice):
    """No subquery on people for them: an index on the landlord serves their lists."""
    sql = str(Household.objects.visible_to(alice).query)
    assert "tenants_person" not in sql
    assert "landlord_id" in sql
