import pytest

from housing.models import Dwelling, TokenScope
from tenants.models import Household, Lease, Person
from tests.apiclient import token_client
from tests.factories import DwellingFactory

pytestmark = pytest.mark.django_db


def household(reference="MEN-1", dwelling="LOG-1", **fields):
    return {
        "reference": reference,
        "name": f"Famille {reference}",
        "mobile_phone": "06 12 34 56 78",
        "dwelling_reference": dwelling,
        "lease_start": "2020-09-01",
        "holder_first_name": "Jeanne",
        "holder_last_name": "Martin",
        "holder_birth_date": "1950-03-17",
        **fields,
    }


@pytest.fixture
def writer(actis):
    return token_client(actis, scope=TokenScope.WRITE)


@pytest.fixture
def dwellings(actis):
    return [
        DwellingFactory(landlord=actis, reference=f"LOG-{n}", building__landlord=actis)
        for n in (1, 2)
    ]


def post(client, items):
    return client.post("/api/v1/households/bulk/", {"items": items}, format="json")


def snapshot():
    return (
        sorted(
            (h.reference, h.name, str(h.mobile_phone), h.updated_at.isoformat())
            for h in Household.objects.all()
        ),
        sorted(Lease.objects.values_list("id", "updated_at")),
        sorted(Person.objects.values_list("id", "updated_at")),
    )


def test_bulk_upsert_creates_households_leases_and_holders(writer, dwellings, actis):
    response = post(writer, [household("MEN-1", "LOG-1"), household("MEN-2", "LOG-2")])
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    created = Household.objects.get(landlord=actis, reference="MEN-1")
    assert created.leases.get().dwelling.reference == "LOG-1"
    assert created.people.get().first_name == "Jeanne"


def test_the_same_payload_twice_changes_nothing_not_even_updated_at(writer, dwellings):
    items = [household("MEN-1", "LOG-1"), household("MEN-2", "LOG-2")]
    post(writer, items)
    before = snapshot()
    response = post(writer, items)
    assert response.json() == {"created": 0, "updated": 0, "unchanged": 2}
    assert snapshot() == before


def test_a_changed_item_is_updated(writer, dwellings):
    post(writer, [household("MEN-1", "LOG-1")])
    response = post(writer, [household("MEN-1", "LOG-1", name="M. et Mme Martin")])
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0}
    assert Household.objects.get(reference="MEN-1").name == "M. et Mme Martin"


@pytest.mark.parametrize(
    ("item", "field", "code"),
    [
        (household(lease_start="31/02/2020"), "lease_start", "invalid"),
        (household(lease_start=["2020-01-01"]), "lease_start", "type"),
        (household(dwelling="LOG-404"), "dwelling_reference", "unknown_reference"),
        (household(colour="bleu"), "colour", "unknown"),
        ({**household(), "name": ""}, "name", "required"),
    ],
)
def test_a_bad_item_answers_400_with_its_error_and_writes_nothing(
    writer, dwellings, item, field, code
):
    response = post(writer, [household("MEN-9", "LOG-2"), item])
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rejected"
    assert "rien n'a été enregistré" in body["message"]
    assert {(e["index"], e["field"], e["code"]) for e in body["errors"]} >= {(1, field, code)}
    assert all(e["message"] for e in body["errors"])
    assert not Household.objects.exists()


def test_duplicates_inside_one_payload_are_refused(writer, dwellings):
    response = post(writer, [household("MEN-1", "LOG-1"), household("MEN-1", "LOG-2")])
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "index": 1,
        "reference": "MEN-1",
        "field": "reference",
        "code": "duplicate",
        "message": response.json()["errors"][0]["message"],
    }
    assert not Household.objects.exists()


def test_an_oversize_payload_is_refused(writer, dwellings, settings):
    settings.API_BULK_MAX_ITEMS = 2
    response = post(writer, [household(f"MEN-{n}", "LOG-1") for n in range(3)])
    assert response.status_code == 400
    assert response.json()["code"] == "oversize"
    assert not Household.objects.exists()


@pytest.mark.parametrize("body", [{"items": "nope"}, {}, [1, 2]])
def test_a_body_without_a_list_of_items_is_refused(writer, body):
    response = writer.post("/api/v1/households/bulk/", body, format="json")
    assert response.status_code == 400
    assert response.json()["message"]


def test_items_that_are_not_objects_are_refused(writer, dwellings):
    response = post(writer, [household(), 42])
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "type"


def test_another_landlords_dwelling_is_an_unknown_reference(writer, sdh):
    DwellingFactory(landlord=sdh, reference="LOG-SDH", building__landlord=sdh)
    response = post(writer, [household("MEN-1", "LOG-SDH")])
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown_reference"
    assert not Household.objects.exists()


def test_sessions_cannot_bulk_upsert(client, alice):
    client.force_login(alice)
    response = client.post(
        "/api/v1/households/bulk/", {"items": []}, content_type="application/json"
    )
    assert response.status_code == 403


def test_dwellings_bulk_upsert_creates_buildings_and_is_idempotent(writer, actis, estate):
    items = [
        {
            "reference": "LOG-10",
            "building_reference": "BAT-1",
            "building_name": "10 galerie de l'Arlequin",
            "estate": estate.slug,
            "address": "10 galerie de l'Arlequin",
            "postal_code": "38100",
            "city": "Grenoble",
            "typology": "T3",
            "surface": 65.5,
            "rent": "412,30",
            "adapted_reduced_mobility": True,
        }
    ]
    first = writer.post("/api/v1/dwellings/bulk/", {"items": items}, format="json")
    assert first.json() == {"created": 1, "updated": 0, "unchanged": 0}, first.json()
    dwelling = Dwelling.objects.get(landlord=actis, reference="LOG-10")
    assert dwelling.adapted_reduced_mobility
    second = writer.post("/api/v1/dwellings/bulk/", {"items": items}, format="json")
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 1}
    assert Dwelling.objects.get(pk=dwelling.pk).updated_at == dwelling.updated_at


def test_the_json_suffix_works_on_the_bulk_upsert(writer, dwellings):
    response = writer.post("/api/v1/households/bulk.json", {"items": [household()]}, format="json")
    assert response.status_code == 200, response.content
    assert Household.objects.filter(reference="MEN-1").exists()
