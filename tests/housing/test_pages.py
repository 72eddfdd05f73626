"""Staff pages: each person sees their own landlord's stock, another landlord's answers 404."""

import pytest
from django.urls import reverse

from tests.factories import BuildingFactory, DwellingFactory, make_tenant

pytestmark = pytest.mark.django_db


def test_staff_home_lists_only_my_landlords(client, alice, actis, sdh):
    client.force_login(alice)
    response = client.get(reverse("housing:staff_home"))
    assert response.status_code == 200
    assert list(response.context["landlords"]) == [actis]
    main = response.content.decode().split("<main")[1].split("</main>")[0]
    assert "Actis" in main
    assert "SDH" not in main


def test_login_sends_staff_to_their_home_page(client, alice):
    from tests.factories import PASSWORD

    response = client.post(
        reverse("login"), {"username": "ALICE@actis.example", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("housing:staff_home")


def test_wrong_password_gets_a_french_message(client, alice):
    response = client.post(reverse("login"), {"username": alice.email, "password": "nope"})
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in response.content.decode()


def test_building_list_shows_my_buildings_and_not_another_landlords(client, alice, actis, sdh):
    mine = BuildingFactory(landlord=actis, name="50 galerie de l'Arlequin")
    theirs = BuildingFactory(landlord=sdh, name="7-9 Limousin")
    client.force_login(alice)
    response = client.get(reverse("housing:building_list"))
    assert list(response.context["buildings"]) == [mine]
    assert theirs.name not in response.content.decode()


def test_building_search_filters_by_name(client, alice, actis):
    BuildingFactory(landlord=actis, name="Les Géants")
    BuildingFactory(landlord=actis, name="Baladins")
    client.force_login(alice)
    response = client.get(reverse("housing:building_list"), {"q": "géant"})
    assert [b.name for b in response.context["buildings"]] == ["Les Géants"]


def test_building_page_of_another_landlord_answers_404(client, alice, bob, charlie, actis):
    building = BuildingFactory(landlord=actis)
    url = reverse("housing:building_detail", args=[building.pk])
    for owner_or_colleague in (alice, bob):
        client.force_login(owner_or_colleague)
        assert client.get(url).status_code == 200
    client.force_login(charlie)
    response = client.get(url)
    assert response.status_code == 404
    assert building.name not in response.content.decode()


def test_dwelling_page_of_another_landlord_answers_404(client, alice, charlie, actis):
    dwelling = DwellingFactory(building__landlord=actis)
    url = reverse("tenants:dwelling_detail", args=[dwelling.pk])
    client.force_login(alice)
    assert client.get(url).status_code == 200
    client.force_login(charlie)
    assert client.get(url).status_code == 404


def test_superuser_sees_every_landlord(client, actis, sdh, django_user_model):
    admin = django_user_model.objects.create_superuser("admin@villeneuves.example", "x")
    BuildingFactory(landlord=actis)
    BuildingFactory(landlord=sdh)
    client.force_login(admin)
    response = client.get(reverse("housing:building_list"))
    assert len(response.context["buildings"]) == 2


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("housing:building_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "url_name", ["housing:staff_home", "housing:building_list", "tenants:household_list"]
)
def test_tenants_cannot_reach_staff_pages(client, actis_household, url_name):
    tenant = make_tenant(actis_household)
    client.force_login(tenant)
    assert client.get(reverse(url_name)).status_code == 403


def test_a_user_without_any_role_cannot_reach_staff_pages(client, django_user_model):
    nobody = django_user_model.objects.create_user("personne@exemple.fr", "x")
    client.force_login(nobody)
    assert client.get(reverse("housing:staff_home")).status_code == 403
