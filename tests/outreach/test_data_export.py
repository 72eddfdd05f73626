"""Right of access: the export from the tenant space covers what outreach holds on the household."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outreach.models import Campaign, Need, Question
from tests.factories import make_tenant
from tests.outreach.test_campaign_pages import make_log

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2026, 3, 10, 10, tzinfo=datetime.UTC)


@pytest.fixture
def tenant(actis_household):
    return make_tenant(actis_household, email="jeanne@exemple.fr")


def _calls(campaign, household, caller, count):
    alone = Question.objects.create(
        campaign=campaign, position=1, text="Êtes-vous seul(e) ?", kind="yes_no"
    )
    for _ in range(count):
        log = make_log(
            campaign,
            household,
            caller,
            "reached_needs_help",
            WHEN,
            notes="Note interne de l'appelante",
            answers={str(alone.pk): True},
        )
        Need.objects.create(call_log=log, household=household, kind="groceries", note="courses")


def _export(client):
    response = client.get(reverse("tenant_my_data_json"))
    assert response.status_code == 200
    return response.json(), response.content.decode()


def test_the_export_lists_calls_answers_needs_and_the_callers_notes(
    client, tenant, actis_household, alice, sdh_household, charlie
):
    campaign = Campaign.objects.create(landlord=actis_household.landlord, name="Appels 70+")
    _calls(campaign, actis_household, alice, 1)
    other = Campaign.objects.create(landlord=sdh_household.landlord, name="Appels SDH")
    _calls(other, sdh_household, charlie, 1)
    client.force_login(tenant)
    data, raw = _export(client)
    [call] = data["appels"]
    assert call["campagne"] == "Appels 70+"
    assert call["réponses au questionnaire"] == "Êtes-vous seul(e) ? : oui"
    assert data["besoins relevés"][0]["besoin"] == "courses"
    # The right of access covers what the caller wrote about the household.
    assert call["notes de l'appel"] == "Note interne de l'appelante"
    assert "Appels SDH" not in raw
    page = client.get(reverse("tenant_my_data")).content.decode()
    assert "Appels 70+" in page


def test_an_english_reader_gets_the_outreach_sections_in_english(
    client, tenant, actis_household, alice
):
    campaign = Campaign.objects.create(landlord=actis_household.landlord, name="Appels 70+")
    _calls(campaign, actis_household, alice, 1)
    client.force_login(tenant)
    response = client.get(reverse("tenant_my_data_json"), HTTP_ACCEPT_LANGUAGE="en")
    data = response.json()
    [call] = data["calls"]
    assert call["campaign"] == "Appels 70+"
    assert call["questionnaire answers"] == "Êtes-vous seul(e) ? : yes"
    assert call["call notes"] == "Note interne de l'appelante"
    assert data["needs identified"][0]["need"] == "shopping"
    assert {"referrals", "solidarity register", "appointments", "waiting list"} <= set(data)
    assert "appels" not in data


def test_the_export_reads_in_constant_queries(client, tenant, actis_household, alice):
    campaign = Campaign.objects.create(landlord=actis_household.landlord, name="Appels")
    client.force_login(tenant)
    _calls(campaign, actis_household, alice, 2)
    with CaptureQueriesContext(connection) as few:
        _export(client)
    _calls(campaign, actis_household, alice, 40)
    with CaptureQueriesContext(connection) as many:
        data, _raw = _export(client)
    assert len(data["appels"]) == 42
    assert len(many) == len(few)
