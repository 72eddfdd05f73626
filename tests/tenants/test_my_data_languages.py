"""« Mes données » in the reader's language: keys and labels in English for an English request,
in French for a French one, and nothing lost from one language to the other."""

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _export(client, language):
    response = client.get(reverse("tenant_my_data_json"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response, json.loads(response.content)


def _keys(data) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in _keys(value)}
    if isinstance(data, list):
        return {key for item in data for key in _keys(item)}
    return set()


def test_an_english_reader_gets_english_keys_and_labels(
    client, tenant, actis_household, household_file
):
    client.force_login(tenant)
    response, data = _export(client, "en")
    assert response["Content-Disposition"] == (
        f'attachment; filename="my-data-{actis_household.reference}.json"'
    )
    assert data["household"]["reference"] == actis_household.reference
    assert data["household"]["preferred contact method"] == "phone"
    [person] = [p for p in data["people"] if p["account"] == tenant.email]
    assert person["last name"] == tenant.tenant_person.last_name
    assert person["role"] == "lease holder"
    [request] = data["technical requests"]
    [note] = [m for m in request["history"] if m["landlord's internal note"]]
    assert note["text"] == "Voisin bruyant"
    assert data["recorded vulnerabilities"][0]["note"] == "Isolement signalé par la gardienne"
    assert data["file consultations"][0]["screen"] == "household page"
    _, french = _export(client, "fr")
    alike = {"date", "type", "description", "note", "mode", "e-mail"}  # the same in both
    assert _keys(data) & _keys(french) <= alike


def test_a_french_reader_gets_french_keys_and_labels(
    client, tenant, actis_household, household_file
):
    client.force_login(tenant)
    response, data = _export(client, "fr")
    assert response["Content-Disposition"] == (
        f'attachment; filename="mes-donnees-{actis_household.reference}.json"'
    )
    assert data["ménage"]["moyen de contact préféré"] == "téléphone"
    [person] = [p for p in data["personnes"] if p["compte"] == tenant.email]
    assert person["nom"] == tenant.tenant_person.last_name
    assert person["rôle"] == "titulaire du bail"
    [request] = data["demandes techniques"]
    assert [m["texte"] for m in request["historique"] if m["note interne du bailleur"]] == [
        "Voisin bruyant"
    ]
    assert data["consultations du dossier"][0]["écran"] == "fiche du ménage"


def _shape(data):
    """The export with its keys and labels left out: what must not depend on the language."""
    if isinstance(data, dict):
        return [_shape(value) for value in data.values()]
    if isinstance(data, list):
        return [_shape(item) for item in data]
    return type(data).__name__


def test_nothing_is_lost_in_translation(client, tenant, household_file):
    """Two French keys of one record translated alike would silently drop one of the values."""
    client.force_login(tenant)
    _, english = _export(client, "en")
    _, french = _export(client, "fr")
    assert _shape(english) == _shape(french)


def test_the_page_shows_english_labels_and_keeps_the_messages_apart(client, tenant, household_file):
    client.force_login(tenant)
    page = client.get(reverse("tenant_my_data"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h2>Technical requests</h2>" in page
    assert "<dt>Reference</dt>" in page
    assert "Référence" not in page
    # A request's messages are a list of records: the page leaves them out, as in French.
    assert "Voisin bruyant" not in page
