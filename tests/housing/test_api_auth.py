import datetime

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from housing.models import IntegrationToken, TokenScope
from housing.services import integration_token_revoke
from tests.apiclient import make_token, token_client
from tests.factories import BuildingFactory, DwellingFactory

pytestmark = pytest.mark.django_db


def test_the_key_is_not_stored_only_its_hash(actis):
    token, key = make_token(actis)
    row = IntegrationToken.objects.get(pk=token.pk)
    assert key.startswith(row.prefix + ".")
    assert key not in (row.key_hash, row.prefix)
    assert len(row.key_hash) == 64


def test_a_token_reads_its_landlords_dwellings(actis):
    dwelling = DwellingFactory(landlord=actis)
    response = token_client(actis).get("/api/v1/dwellings/")
    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == [dwelling.reference]


def test_a_token_gets_404_on_another_landlords_objects(actis, sdh):
    sdh_dwelling = DwellingFactory(landlord=sdh)
    sdh_building = sdh_dwelling.building
    client = token_client(actis)
    assert client.get(f"/api/v1/dwellings/{sdh_dwelling.pk}/").status_code == 404
    assert client.get(f"/api/v1/buildings/{sdh_building.pk}/").status_code == 404
    assert client.get("/api/v1/dwellings/").json()["results"] == []


def test_the_token_keyword_is_accepted_too(actis):
    _token, key = make_token(actis)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/buildings/").status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer abc.def", "Bearer nothing", "Bearer a b"],
)
def test_bad_keys_are_refused_with_401(actis, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/buildings/")
    assert response.status_code == 401
    assert response.json()["message"]


def test_no_credentials_answers_401(db):
    response = APIClient().get("/api/v1/buildings/")
    assert response.status_code == 401


def test_a_revoked_token_is_refused(actis):
    token, key = make_token(actis)
    integration_token_revoke(token=token)
    response = token_client(key=key).get("/api/v1/buildings/")
    assert response.status_code == 401
    assert response.json()["message"] == "Ce jeton d'intégration a été révoqué."


def test_an_expired_token_is_refused(actis):
    _token, key = make_token(actis, days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        response = token_client(key=key).get("/api/v1/buildings/")
    assert response.status_code == 401
    assert response.json()["message"] == "Ce jeton d'intégration a expiré."


def test_a_read_token_cannot_write(actis):
    response = token_client(actis, scope=TokenScope.READ).post(
        "/api/v1/dwellings/bulk/", {"items": []}, format="json"
    )
    assert response.status_code == 403
    assert "lecture seule" in response.json()["message"]


def test_the_last_use_is_recorded(actis):
    token, key = make_token(actis)
    token_client(key=key).get("/api/v1/buildings/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_staff_read_through_their_session_scoped_to_their_landlords(client, alice, sdh):
    BuildingFactory(landlord=alice.memberships.get().landlord, reference="A-1")
    BuildingFactory(landlord=sdh, reference="S-1")
    client.force_login(alice)
    response = client.get("/api/v1/buildings/")
    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == ["A-1"]


def test_tenants_cannot_use_the_api(client, actis_household):
    from tests.factories import make_tenant

    client.force_login(make_tenant(actis_household))
    assert client.get("/api/v1/households/").status_code == 403


def test_requests_are_throttled_per_token(actis, monkeypatch):
    from django.core.cache import cache

    from housing.api.auth import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api": "2/hour"})
    cache.clear()
    try:
        client = token_client(actis)
        other = token_client(actis)
        assert [client.get("/api/v1/estates/").status_code for _ in range(3)] == [200, 200, 429]
        assert other.get("/api/v1/estates/").status_code == 200
    finally:
        cache.clear()
