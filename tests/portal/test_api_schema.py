import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert "/api/v1/households/bulk/" in (tmp_path / "s.yml").read_text()


def test_the_schema_and_its_docs_are_public_and_offline(client):
    assert client.get("/api/v1/schema/").status_code == 200
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()
    assert client.get("/api/v1/redoc/").status_code == 200


def test_the_schema_speaks_french_or_english(client):
    french = client.get("/api/v1/schema/?format=json").json()
    english = client.get("/api/v1/schema/?format=json&lang=en").json()
    assert french["info"]["description"].startswith("Échange de données")
    assert english["info"]["description"].startswith("Data exchange")


def test_errors_follow_the_accept_language_header(db):
    response = APIClient().get(
        "/api/v1/buildings/", HTTP_AUTHORIZATION="Bearer x.y", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 401
    assert response.json()["message"] == "Unknown integration token."


def test_an_unknown_api_address_answers_json(client):
    response = client.get("/api/v1/requests/0.5/status/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_huge_ids_answer_404_not_500(db):
    from tests.apiclient import token_client
    from tests.factories import LandlordFactory

    client = token_client(LandlordFactory())
    assert client.get("/api/v1/households/99999999999999999999999/").status_code == 404
    assert client.get("/api/v1/call-logs/", {"campaign": "1e60"}).status_code == 400
