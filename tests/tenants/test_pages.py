"""Household pages: scoped to the landlord, readable, and fast whatever the number of rows."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tenants.models import VulnerabilityFlag
from tests.factories import (
    HouseholdFactory,
    LeaseFactory,
    PersonFactory,
    VulnerabilityFlagFactory,
    make_tenant,
)

pytestmark = pytest.mark.django_db


def test_household_list_shows_my_landlords_households_only(
    client, alice, actis_household, sdh_household
):
    client.force_login(alice)
    response = client.get(reverse("tenants:household_list"))
    assert list(response.context["households"]) == [actis_household]
    assert sdh_household.name not in response.content.decode()


def test_household_page_shows_people_age_flags_and_dwelling(client, alice, actis):
    household = HouseholdFactory(landlord=actis, name="Mme Roux")
    PersonFactory(
        household=household,
        first_name="Odette",
        last_name="Roux",
        birth_date=datetime.date(1940, 2, 3),
    )
    lease = LeaseFactory(household=household)
    VulnerabilityFlagFactory(
        household=household,
        kind=VulnerabilityFlag.Kind.PAYMENT_DIFFICULTY,
        arrears_amount=Decimal("1234.5"),
    )
    client.force_login(alice)
    page = client.get(reverse("tenants:household_detail", args=[household.pk])).content.decode()
    assert "Odette ROUX" in page
    assert "70 ans et plus" in page
    assert "Difficulté de paiement" in page
    assert "1\u202f234,50\u00a0€" in page
    assert lease.dwelling.reference in page


def test_household_page_of_another_landlord_answers_404(
    client, alice, bob, charlie, actis_household
):
    url = reverse("tenants:household_detail", args=[actis_household.pk])
    for insider in (alice, bob):
        client.force_login(insider)
        assert client.get(url).status_code == 200
    client.force_login(charlie)
    response = client.get(url)
    assert response.status_code == 404
    assert actis_household.name not in response.content.decode()


def test_household_list_filters_seniors_and_flags(client, alice, actis):
    senior = HouseholdFactory(landlord=actis, name="A senior")
    PersonFactory(household=senior, birth_date=datetime.date(1945, 1, 1))
    isolated = HouseholdFactory(landlord=actis, name="B isolated")
    PersonFactory(household=isolated, birth_date=datetime.date(1990, 1, 1))
    VulnerabilityFlagFactory(household=isolated, kind=VulnerabilityFlag.Kind.ISOLATED)
    client.force_login(alice)
    url = reverse("tenants:household_list")
    assert list(client.get(url, {"senior": "1"}).context["households"]) == [senior]
    assert list(client.get(url, {"fragilite": "isolated"}).context["households"]) == [isolated]
    # An unknown flag value is ignored rather than failing.
    assert client.get(url, {"fragilite": "nonsense"}).status_code == 200


def test_household_list_pages_by_fifty(client, alice, actis):
    HouseholdFactory.create_batch(60, landlord=actis)
    client.force_login(alice)
    url = reverse("tenants:household_list")
    assert len(client.get(url).context["households"]) == 50
    assert len(client.get(url, {"page": 2}).context["households"]) == 10


def _make_households(landlord, count):
    for household in HouseholdFactory.create_batch(count, landlord=landlord):
        PersonFactory(household=household)
        LeaseFactory(household=household)
        VulnerabilityFlagFactory(household=household)


@pytest.mark.parametrize("url_name", ["tenants:household_list", "housing:building_list"])
def test_list_pages_run_the_same_number_of_queries_for_10_and_200_rows(
    client, alice, actis, django_assert_num_queries, url_name, settings
):
    settings.PAGE_SIZE = 500
    client.force_login(alice)
    url = reverse(url_name)
    _make_households(actis, 10)
    client.get(url)  # warm the session and the content-type caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _make_households(actis, 190)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_tenant_home_shows_my_household_only(client, actis_household, sdh_household):
    tenant = make_tenant(actis_household, first_name="Jeanne")
    client.force_login(tenant)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("tenant_home")
    page = response.content.decode()
    assert actis_household.landlord.name in page
    assert sdh_household.name not in page


def test_tenant_cannot_open_a_household_page(client, actis_household):
    tenant = make_tenant(actis_household)
    client.force_login(tenant)
    url = reverse("tenants:household_detail", args=[actis_household.pk])
    assert client.get(url).status_code == 403


def test_a_household_of_several_people_is_listed_once_and_its_page_opens(client, alice, actis):
    household = HouseholdFactory(landlord=actis)
    PersonFactory.create_batch(3, household=household)
    make_tenant(household)  # one of them has a tenant login
    client.force_login(alice)
    assert list(client.get(reverse("tenants:household_list")).context["households"]) == [household]
    url = reverse("tenants:household_detail", args=[household.pk])
    assert client.get(url).status_code == 200
