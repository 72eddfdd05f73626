"""The header and the navigation: whose landlords are named, staff links or the tenant's."""

import pytest
from django.urls import reverse

from housing.models import Role, StaffMembership
from tests.factories import LandlordFactory, make_staff, make_tenant

pytestmark = pytest.mark.django_db


def _badges(page: str) -> list[str]:
    header = page.split('class="site-landlords"', 1)[1].split("</p>", 1)[0]
    return [part.split("</span>", 1)[0] for part in header.split('class="landlord-badge">')[1:]]


def test_the_header_names_the_staff_members_active_landlords_only(client, actis, sdh):
    inactive = LandlordFactory(slug="ancien", name="Ancien bailleur", is_active=False)
    LandlordFactory(slug="aih", name="Alpes Isère Habitat")
    user = make_staff(sdh, Role.CALLER, email="double@exemple.fr")
    StaffMembership.objects.create(user=user, landlord=actis, role=Role.SUPERVISOR)
    StaffMembership.objects.create(user=user, landlord=inactive, role=Role.CALLER)
    client.force_login(user)
    page = client.get(reverse("housing:staff_home")).content.decode()
    assert _badges(page) == ["Actis", "SDH"]  # by name; not the inactive one, not AIH


def test_a_membership_taken_away_is_gone_from_the_next_page(client, actis, sdh, alice):
    StaffMembership.objects.create(user=alice, landlord=sdh, role=Role.CALLER)
    client.force_login(alice)
    assert _badges(client.get(reverse("housing:staff_home")).content.decode()) == ["Actis", "SDH"]
    StaffMembership.objects.filter(user=alice, landlord=sdh).delete()
    assert _badges(client.get(reverse("housing:staff_home")).content.decode()) == ["Actis"]


def test_a_tenant_gets_the_tenant_links_on_shared_pages(client, actis, sdh, actis_household):
    client.force_login(make_tenant(actis_household, email="jeanne@exemple.fr"))
    page = client.get(reverse("password_change")).content.decode()
    assert reverse("tenant_home") in page
    assert reverse("tenants:household_list") not in page


def test_staff_who_rent_from_their_landlord_get_the_staff_links_on_staff_pages(
    client, actis, actis_household, alice
):
    """A caller who is also a tenant: staff pages keep the staff navigation."""
    from tests.factories import PersonFactory

    PersonFactory(household=actis_household, user=alice)
    client.force_login(alice)
    page = client.get(reverse("housing:staff_home")).content.decode()
    assert reverse("tenants:household_list") in page
    assert reverse("outreach:caller_home") in page


def test_a_superusers_pages_read_the_landlords_once(client, actis, sdh):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True, email="root@exemple.fr"))
    client.get(reverse("housing:staff_home"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("housing:staff_home")).content.decode()
    landlord_ids = [
        q["sql"] for q in queries if q["sql"].startswith('SELECT "housing_landlord"."id" AS "pk"')
    ]
    assert len(landlord_ids) == 1, "\n".join(q["sql"][:120] for q in queries)
    assert reverse("outreach:caller_home") in page  # every link, for every landlord


def test_the_menus_committee_and_application_links_show_at_once(client, actis, actis_household):
    """« Ma demande de logement » and « Mes séances » appear on the next page, not later."""
    from allocations.models import CommitteeMember
    from tests.allocations.conftest import make_application, make_committee

    tenant = make_tenant(actis_household, email="jeanne@exemple.fr")
    client.force_login(tenant)
    assert (
        "Ma demande de logement" not in client.get(reverse("tenant_request_list")).content.decode()
    )
    make_application(actis, current_household=actis_household)
    assert "Ma demande de logement" in client.get(reverse("tenant_request_list")).content.decode()

    member = make_staff(actis, Role.CALLER, email="elue@exemple.fr")
    client.force_login(member)
    assert "Mes séances" not in client.get(reverse("housing:staff_home")).content.decode()
    CommitteeMember.objects.create(
        committee=make_committee(actis), name="Élue", role="board", user=member
    )
    assert "Mes séances" in client.get(reverse("housing:staff_home")).content.decode()
