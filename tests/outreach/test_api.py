import pytest
from django.utils import timezone

from outreach.models import CallLog, CallOutcome, Campaign
from tests.apiclient import token_client

pytestmark = pytest.mark.django_db


def call_log(campaign, household, caller):
    from outreach.models import CallTask

    task = CallTask.objects.create(
        campaign=campaign, household=household, landlord=campaign.landlord
    )
    return CallLog.objects.create(
        task=task,
        campaign=campaign,
        household=household,
        landlord=campaign.landlord,
        caller=caller,
        outcome=CallOutcome.REACHED_WELL,
        called_at=timezone.now(),
    )


def test_campaigns_and_call_logs_are_scoped_to_the_tokens_landlord(
    actis, sdh, actis_household, sdh_household, alice, charlie
):
    own = Campaign.objects.create(landlord=actis, name="Canicule 2026")
    other = Campaign.objects.create(landlord=sdh, name="Canicule SDH")
    own_log = call_log(own, actis_household, alice)
    other_log = call_log(other, sdh_household, charlie)
    client = token_client(actis)

    assert [c["id"] for c in client.get("/api/v1/campaigns/").json()["results"]] == [own.pk]
    assert client.get(f"/api/v1/campaigns/{other.pk}/").status_code == 404
    logs = client.get("/api/v1/call-logs/").json()["results"]
    assert [(log["id"], log["household_reference"]) for log in logs] == [
        (own_log.pk, actis_household.reference)
    ]
    assert client.get(f"/api/v1/call-logs/{other_log.pk}/").status_code == 404
    assert client.get("/api/v1/appointments/").json()["results"] == []
