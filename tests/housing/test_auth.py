"""The per-request user read (housing.auth.PortalBackend): the user, their landlords and their
household in one query, with the same answers as the separate lookups."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from housing.auth import PortalBackend
from housing.models import Role
from housing.scoping import (
    landlord_badges,
    landlord_ids_with_role,
    staff_landlord_ids,
    tenant_household_ids,
)
from portal import rls
from tests.factories import PASSWORD, LandlordFactory, PersonFactory, make_staff, make_tenant

pytestmark = pytest.mark.django_db


@pytest.mark.owner_role  # the household comes with the user only outside row-level security
def test_one_query_reads_the_user_their_landlords_and_their_household(
    actis, sdh, sdh_household, alice, django_assert_num_queries
):
    """A caller at Actis who rents at SDH: every later question is answered without a query."""
    from housing.models import StaffMembership

    StaffMembership.objects.create(user=alice, landlord=sdh, role=Role.SUPERVISOR)
    PersonFactory(household=sdh_household, user=alice)
    with django_assert_num_queries(1):
        user = PortalBackend().get_user(alice.pk)
        assert user == alice
        assert user.email == "alice@actis.example"
        assert user.date_joined == alice.date_joined  # a datetime on every database
        assert staff_landlord_ids(user) == sorted([actis.pk, sdh.pk])
        assert landlord_ids_with_role(user, [Role.SUPERVISOR]) == [sdh.pk]
        assert [badge.name for badge in landlord_badges(user)] == ["Actis", "SDH"]
        assert tenant_household_ids(user) == [sdh_household.pk]


@pytest.mark.owner_role  # the household comes with the user only outside row-level security
def test_a_user_read_some_other_way_gets_the_same_answers_in_one_query(
    actis, sdh_household, alice, django_assert_num_queries
):
    """The user ``login()`` puts on its request, or a task's: the same rule, the same one query."""
    from portal.models import User

    PersonFactory(household=sdh_household, user=alice)
    user = User.objects.get(pk=alice.pk)
    with django_assert_num_queries(1):
        assert staff_landlord_ids(user) == [actis.pk]
        assert [badge.name for badge in landlord_badges(user)] == ["Actis"]
        assert tenant_household_ids(user) == [sdh_household.pk]
        assert user._portal_committee_member is False


def test_the_committee_seat_comes_with_the_user(actis, alice, bob):
    """The navigation's « Mes séances » link needs no query of its own."""
    from tests.allocations.conftest import make_committee

    make_committee(actis).members.create(name="Alice Toussaint", role="board", user=alice)
    assert PortalBackend().get_user(alice.pk)._portal_committee_member is True
    assert PortalBackend().get_user(bob.pk)._portal_committee_member is False


def test_a_closed_landlord_gives_no_access_and_a_tenant_has_no_landlord_of_their_own(
    actis, actis_household
):
    closed = LandlordFactory(slug="ferme", name="Bailleur fermé", is_active=False)
    staff = make_staff(closed, Role.SUPERVISOR, email="ancien@ferme.example")
    user = PortalBackend().get_user(staff.pk)
    assert staff_landlord_ids(user) == []
    assert tenant_household_ids(user) == []

    tenant = make_tenant(actis_household, email="jeanne@exemple.fr")
    user = PortalBackend().get_user(tenant.pk)
    assert staff_landlord_ids(user) == []
    assert tenant_household_ids(user) == [actis_household.pk]


def test_an_unknown_or_deactivated_user_is_nobody(alice):
    assert PortalBackend().get_user(alice.pk + 1000) is None
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert PortalBackend().get_user(alice.pk) is None


@pytest.mark.postgres
def test_under_row_level_security_the_household_is_read_once_the_landlords_are_set(
    sdh, sdh_household, alice, app_role
):
    """The user is read before the middleware writes this request's landlords: the connection
    still holds the previous request's (here: none), under which the people are hidden."""
    PersonFactory(household=sdh_household, user=alice)
    app_role()
    rls.set_scope()  # what the previous request left: no landlord
    user = PortalBackend().get_user(alice.pk)
    assert not hasattr(user, "_portal_household_ids")
    rls.scope_request_user(user)
    assert tenant_household_ids(user) == [sdh_household.pk]


def test_logging_in_through_the_form_uses_the_portal_backend(client, alice):
    response = client.post(
        reverse("login"), {"username": "alice@actis.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(alice.pk)
    assert client.get(reverse("outreach:caller_home")).status_code == 200
