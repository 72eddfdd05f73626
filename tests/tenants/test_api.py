import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from housing.models import TokenScope
from tenants.models import RequestEvent, RequestStatus, TechnicalRequest
from tenants.services.requests import request_create
from tests.apiclient import token_client
from tests.factories import (
    HouseholdFactory,
    LeaseFactory,
    PersonFactory,
    VulnerabilityFlagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def actis_request(actis_household, tenant):
    return request_create(
        household=actis_household,
        category=TechnicalRequest.Category.PLUMBING,
        location=TechnicalRequest.Location.DWELLING,
        description="Fuite sous l'évier",
        channel=TechnicalRequest.Channel.EXTRANET,
        created_by=tenant,
    )


@pytest.fixture
def sdh_request(sdh_household, sdh_tenant):
    return request_create(
        household=sdh_household,
        category=TechnicalRequest.Category.HEATING,
        location=TechnicalRequest.Location.DWELLING,
        description="Radiateur froid",
        channel=TechnicalRequest.Channel.EXTRANET,
        created_by=sdh_tenant,
    )


def test_households_come_with_their_people_and_leases(actis, actis_household):
    body = token_client(actis).get("/api/v1/households/").json()
    [row] = body["results"]
    assert row["reference"] == actis_household.reference
    assert [p["first_name"] for p in row["people"]] == ["Jeanne"]
    assert len(row["leases"]) == 1


@pytest.mark.parametrize("endpoint", ["households", "flags", "requests"])
def test_another_landlords_rows_answer_404(actis, sdh_household, sdh_request, endpoint):
    flag = VulnerabilityFlagFactory(household=sdh_household)
    pk = {"households": sdh_household.pk, "flags": flag.pk, "requests": sdh_request.pk}[endpoint]
    client = token_client(actis)
    assert client.get(f"/api/v1/{endpoint}/{pk}/").status_code == 404
    assert client.get(f"/api/v1/{endpoint}/").json()["results"] == []


def test_a_write_token_moves_a_request_through_the_tenants_service(actis, actis_request):
    client = token_client(actis, scope=TokenScope.WRITE)
    response = client.post(
        f"/api/v1/requests/{actis_request.pk}/status/",
        {"status": "visit_scheduled", "message": "Passage mardi"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "visit_scheduled"
    event = RequestEvent.objects.get(request=actis_request, to_status="visit_scheduled")
    assert event.author is None
    # The history keeps the change; a token is not a person, so no user is recorded.
    latest = actis_request.history.first()
    assert (latest.status, latest.history_user) == ("visit_scheduled", None)


def test_a_forbidden_transition_answers_400_in_french(actis, actis_request):
    TechnicalRequest.objects.filter(pk=actis_request.pk).update(
        status=RequestStatus.REJECTED, rejection_reason="Hors contrat"
    )
    client = token_client(actis, scope=TokenScope.WRITE)
    response = client.post(
        f"/api/v1/requests/{actis_request.pk}/status/", {"status": "done"}, format="json"
    )
    assert response.status_code == 400
    assert "ne peut pas passer" in response.json()["errors"]["status"][0]


def test_a_read_token_cannot_change_a_request(actis, actis_request):
    client = token_client(actis)
    response = client.post(
        f"/api/v1/requests/{actis_request.pk}/status/", {"status": "done"}, format="json"
    )
    assert response.status_code == 403
    assert TechnicalRequest.objects.get(pk=actis_request.pk).status == RequestStatus.NEW


def test_another_landlords_request_cannot_be_changed(actis, sdh_request):
    client = token_client(actis, scope=TokenScope.WRITE)
    response = client.post(
        f"/api/v1/requests/{sdh_request.pk}/status/", {"status": "done"}, format="json"
    )
    assert response.status_code == 404


def make_households(landlord, count):
    for _ in range(count):
        household = HouseholdFactory(landlord=landlord)
        PersonFactory(household=household)
        LeaseFactory(household=household)
        VulnerabilityFlagFactory(household=household)


@pytest.mark.parametrize("endpoint", ["households", "flags", "dwellings", "buildings"])
def test_a_list_page_costs_the_same_queries_for_10_or_200_rows(actis, endpoint):
    client = token_client(actis)
    make_households(actis, 10)
    client.get(f"/api/v1/{endpoint}/?page_size=1000")  # warm the token's last use
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/api/v1/{endpoint}/?page_size=1000").status_code == 200
    make_households(actis, 190)
    with CaptureQueriesContext(connection) as large:
        response = client.get(f"/api/v1/{endpoint}/?page_size=1000")
    assert len(response.json()["results"]) >= 200
    assert len(large) == len(small)


def test_paging_is_stable_while_rows_are_added(actis):
    make_households(actis, 5)
    client = token_client(actis)
    first = client.get("/api/v1/households/?page_size=2").json()
    seen = [row["id"] for row in first["results"]]
    make_households(actis, 3)  # inserted while the client pages
    url = first["next"]
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == 8


def test_updated_since_returns_only_rows_changed_after(actis):
    import datetime

    from django.utils import timezone

    make_households(actis, 2)
    later = timezone.now() + datetime.timedelta(hours=1)
    client = token_client(actis)
    since = later.isoformat().replace("+00:00", "Z")
    response = client.get("/api/v1/households/", {"updated_since": since})
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert client.get("/api/v1/households/", {"updated_since": "hier"}).status_code == 400


@pytest.mark.parametrize(
    ("since", "count"),
    [
        ("1055-10-18T07:39:21+17:52", 2),  # an offset PostgreSQL would refuse
        ("0001-01-01T00:00:00+10:00", 2),  # before year 1 in UTC
        ("9999-12-31T23:59:59-10:00", 0),  # after 9999 in UTC
    ],
)
def test_updated_since_accepts_any_valid_offset(actis, since, count):
    make_households(actis, 2)
    response = token_client(actis).get("/api/v1/households/", {"updated_since": since})
    assert response.status_code == 200
    assert len(response.json()["results"]) == count


def test_the_json_suffix_works_on_the_status_action(actis, actis_request):
    client = token_client(actis, scope=TokenScope.WRITE)
    response = client.post(
        f"/api/v1/requests/{actis_request.pk}/status.json",
        {"status": "visit_scheduled"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "visit_scheduled"
