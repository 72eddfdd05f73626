"""Works-site staff pages (scoped) and the public page per estate (no personal data)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from housing.models import Role, WorksEvent
from tests.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    LeaseFactory,
    PersonFactory,
    WorksEventFactory,
    WorksNoticeFactory,
    WorksSiteFactory,
    make_staff,
    make_tenant,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def actis_site(actis, estate):
    building = BuildingFactory(landlord=actis, estate=estate, name="50 galerie de l'Arlequin")
    site = WorksSiteFactory(landlord=actis, name="Réhabilitation Arlequin", buildings=[building])
    WorksEventFactory(site=site, kind="started", date=datetime.date(2020, 2, 3))
    return site


@pytest.fixture
def sdh_site(sdh, estate):
    building = BuildingFactory(landlord=sdh, estate=estate)
    return WorksSiteFactory(landlord=sdh, name="Résidentialisation SDH", buildings=[building])


@pytest.fixture
def actis_technician(actis):
    return make_staff(actis, Role.TECHNICIAN, email="tech@actis.example")


def test_staff_see_their_landlords_sites_only(client, alice, actis_site, sdh_site):
    client.force_login(alice)
    response = client.get(reverse("housing:works_list"))
    assert response.status_code == 200
    assert list(response.context["sites"]) == [actis_site]
    assert client.get(reverse("housing:works_detail", args=[actis_site.pk])).status_code == 200
    assert client.get(reverse("housing:works_detail", args=[sdh_site.pk])).status_code == 404


def test_list_filters_by_status_kind_and_estate(client, alice, actis, actis_site):
    planned = WorksSiteFactory(landlord=actis, kind="demolition")
    client.force_login(alice)
    url = reverse("housing:works_list")
    assert list(client.get(url, {"etat": "started"}).context["sites"]) == [actis_site]
    assert list(client.get(url, {"etat": "planned"}).context["sites"]) == [planned]
    assert list(client.get(url, {"etat": "current"}).context["sites"]) == [actis_site]
    assert list(client.get(url, {"nature": "demolition"}).context["sites"]) == [planned]
    slug = actis_site.buildings.get().estate.slug
    assert list(client.get(url, {"quartier": slug}).context["sites"]) == [actis_site]


def test_tenants_cannot_reach_the_staff_pages(client, actis_household, actis_site):
    client.force_login(make_tenant(actis_household))
    assert client.get(reverse("housing:works_list")).status_code == 403


def test_works_staff_add_a_suspension_and_the_page_counts_its_days(
    client, actis_technician, actis_site
):
    client.force_login(actis_technician)
    url = reverse("housing:works_event_add", args=[actis_site.pk])
    response = client.post(
        url, {"kind": "suspended", "date": "2020-03-17", "reason": "confinement"}
    )
    assert response.status_code == 302
    event = actis_site.events.get(kind="suspended")
    assert (event.reason, event.recorded_by) == ("confinement", actis_technician)
    client.post(url, {"kind": "resumed", "date": "2020-05-11"})
    page = client.get(reverse("housing:works_detail", args=[actis_site.pk]))
    assert page.context["suspension_days"] == 55
    assert page.context["status"] == "resumed"
    assert "55" in page.content.decode()


def test_a_bad_event_changes_nothing_and_says_why(client, actis_technician, actis_site):
    client.force_login(actis_technician)
    url = reverse("housing:works_event_add", args=[actis_site.pk])
    response = client.post(url, {"kind": "suspended", "date": "2020-03-17"}, follow=True)
    assert "motif de la suspension" in response.content.decode()
    response = client.post(url, {"kind": "resumed", "date": "2020-03-17"}, follow=True)
    assert "ne peut pas passer" in response.content.decode()
    assert list(actis_site.events.values_list("kind", flat=True)) == ["started"]


def test_adding_an_event_needs_a_works_role_and_the_sites_landlord(
    client, alice, actis_technician, actis_site, sdh_site
):
    data = {"kind": "suspended", "date": "2020-03-17", "reason": "confinement"}
    client.force_login(alice)  # a caller: may read, not write
    assert (
        client.post(reverse("housing:works_event_add", args=[actis_site.pk]), data).status_code
        == 403
    )
    client.force_login(actis_technician)
    response = client.post(reverse("housing:works_event_add", args=[sdh_site.pk]), data)
    assert response.status_code == 404
    assert not WorksEvent.objects.filter(kind="suspended").exists()


def _sites(landlord, estate, count):
    for _number in range(count):
        building = BuildingFactory(landlord=landlord, estate=estate)
        site = WorksSiteFactory(landlord=landlord, buildings=[building])
        WorksEventFactory(site=site, kind="started")
        WorksNoticeFactory(site=site)


def test_the_list_runs_the_same_number_of_queries_for_10_and_200_sites(
    client, bob, actis, estate, settings
):
    settings.PAGE_SIZE = 500
    client.force_login(bob)
    url = reverse("housing:works_list")
    _sites(actis, estate, 10)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _sites(actis, estate, 190)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["paginator"].count == 200
    assert len(many) == len(few)


def test_the_public_page_runs_the_same_number_of_queries_for_10_and_200_sites(
    client, actis, estate
):
    url = reverse("public_works", args=[estate.slug])
    _sites(actis, estate, 10)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _sites(actis, estate, 190)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["sites"]) == 200
    assert len(many) == len(few)


def test_the_public_page_shows_current_works_without_personal_data(
    client, actis, estate, actis_site
):
    building = actis_site.buildings.get()
    household = HouseholdFactory(landlord=actis, name="Famille Dupont-Secret", email="x@secret.fr")
    PersonFactory(household=household, first_name="Gisèle", last_name="Secretnom")
    LeaseFactory(household=household, dwelling__building=building)
    WorksNoticeFactory(site=actis_site, title="Reprise des façades", body="Lundi 11 mai.")
    WorksNoticeFactory(site=actis_site, title="Brouillon interne", published_on=None)
    WorksEventFactory(
        site=actis_site,
        kind="suspended",
        date=datetime.date(2020, 3, 17),
        reason="confinement",
        recorded_by=make_staff(actis, email="agent.secret@actis.example", last_name="Agentnom"),
    )
    done = WorksSiteFactory(landlord=actis, name="Chantier fini", buildings=[building])
    WorksEventFactory(site=done, kind="completed")
    other_estate = EstateFactory(slug="villeneuve-echirolles", name="Villeneuve d'Échirolles")
    elsewhere = WorksSiteFactory(
        landlord=actis,
        name="Ailleurs",
        buildings=[BuildingFactory(landlord=actis, estate=other_estate)],
    )
    WorksEventFactory(site=elsewhere, kind="started")

    response = client.get(reverse("public_works", args=[estate.slug]))  # not logged in
    assert response.status_code == 200
    page = response.content.decode()
    assert "Réhabilitation Arlequin" in page
    assert "Reprise des façades" in page
    assert "Suspendu" in page
    index = client.get(reverse("public_works_index")).content.decode()
    for hidden in [
        "Brouillon interne",
        "Chantier fini",
        "Ailleurs",
        "Dupont-Secret",
        "Secretnom",
        "x@secret.fr",
        "Agentnom",
        "agent.secret",
        household.reference,
        "budget",
    ]:
        assert hidden not in page
        assert hidden not in index
    assert client.get(reverse("public_works", args=["inconnu"])).status_code == 404
    assert client.get(reverse("public_works_index")).status_code == 200


def test_building_page_lists_its_works_sites(client, alice, actis_site):
    client.force_login(alice)
    building = actis_site.buildings.get()
    response = client.get(reverse("housing:building_detail", args=[building.pk]))
    assert "Réhabilitation Arlequin" in response.content.decode()
