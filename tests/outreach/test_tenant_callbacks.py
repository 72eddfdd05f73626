"""Tenants' call-back requests reach the callers' queue, first, and come back handled."""

import datetime
import html

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outreach.models import CallTask, Campaign, CampaignKind, TaskStatus
from outreach.services.calls import CallReport, call_log_record
from outreach.services.queue import call_queue_refresh, call_task_claim
from outreach.services.tenant_callbacks import (
    preferred_start,
    tenant_callbacks_campaign_get,
    tenant_callbacks_sync,
)
from outreach.tasks import refresh_active_queues
from tenants.models import ContactRequest, Household
from tenants.services.requests import contact_request_create, contact_request_mark_handled
from tests.factories import make_tenant
from tests.outreach.conftest import PARIS, TUESDAY_10AM, make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def asker(actis):
    household = make_household(actis, name="Mme Chevalier", birth_date=datetime.date(1980, 1, 1))
    return household, make_tenant(household, email="chevalier@exemple.fr")


def _ask(household, tenant, *, reason="Question sur mes charges", preferred_times="", phone=""):
    return contact_request_create(
        household=household,
        kind=ContactRequest.Kind.CALLBACK,
        reason=reason,
        preferred_times=preferred_times,
        phone=phone,
        by=tenant,
    )


def _callback_tasks(landlord):
    return CallTask.objects.filter(
        campaign__landlord=landlord, campaign__kind=CampaignKind.TENANT_CALLBACKS
    )


def _log(task, user, outcome="reached_well"):
    return call_log_record(task=task, user=user, report=CallReport(outcome=outcome))


# ---------------------------------------------------------------------------------------------
# Filing a request queues it


def test_filing_a_call_back_creates_one_task_in_the_landlords_standing_campaign(
    asker, actis, in_call_hours
):
    household, tenant = asker
    _ask(household, tenant, phone="+33698765432")
    task = _callback_tasks(actis).get()
    assert task.household == household
    assert task.status == TaskStatus.PENDING
    assert task.phone.as_e164 == "+33698765432"  # the number the tenant gave, not the file's
    assert task.not_before is None
    campaign = task.campaign
    assert campaign.kind == CampaignKind.TENANT_CALLBACKS
    assert campaign.status == Campaign.Status.ACTIVE
    assert campaign.name == "Rappels demandés par les locataires"


def test_filing_twice_keeps_one_task_and_one_campaign(asker, actis, in_call_hours):
    household, tenant = asker
    _ask(household, tenant)
    _ask(household, tenant, reason="Et aussi le chauffage")
    assert _callback_tasks(actis).count() == 1
    assert Campaign.objects.filter(kind=CampaignKind.TENANT_CALLBACKS).count() == 1


def test_a_correction_request_queues_nothing(asker, actis):
    household, tenant = asker
    contact_request_create(
        household=household, kind=ContactRequest.Kind.CORRECTION, reason="Nom mal écrit", by=tenant
    )
    assert not CallTask.objects.exists()
    assert not Campaign.objects.exists()


def test_the_database_refuses_a_second_call_back_campaign_for_a_landlord(actis, sdh):
    tenant_callbacks_campaign_get(landlord_id=actis.pk)
    tenant_callbacks_campaign_get(landlord_id=sdh.pk)  # another landlord has its own
    with pytest.raises(IntegrityError):
        Campaign.objects.create(landlord=actis, name="Doublon", kind=CampaignKind.TENANT_CALLBACKS)


def test_the_preferred_times_set_when_the_task_may_be_served(asker, actis, in_call_hours):
    household, tenant = asker
    _ask(household, tenant, preferred_times="jeudi après 17h")
    task = _callback_tasks(actis).get()
    assert task.not_before == datetime.datetime(2026, 3, 12, 17, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mardi après-midi", datetime.datetime(2026, 3, 10, 14, 0, tzinfo=PARIS)),
        ("le soir", datetime.datetime(2026, 3, 10, 17, 0, tzinfo=PARIS)),
        ("le matin", datetime.datetime(2026, 3, 11, 9, 0, tzinfo=PARIS)),  # this one has begun
        ("vers 11h30", datetime.datetime(2026, 3, 10, 11, 30, tzinfo=PARIS)),
        ("samedi", datetime.datetime(2026, 3, 16, 9, 0, tzinfo=PARIS)),  # no Saturday calls
        ("à 20h", datetime.datetime(2026, 3, 11, 9, 0, tzinfo=PARIS)),  # after hours: next opening
        ("quand vous voulez", None),
        ("", None),
        ("mardi", None),  # today, inside the window: now
    ],
)
def test_preferred_times_are_read_in_french_and_kept_in_the_call_window(actis, text, expected):
    campaign = tenant_callbacks_campaign_get(landlord_id=actis.pk)
    assert preferred_start(text, campaign=campaign, now=TUESDAY_10AM) == expected


# ---------------------------------------------------------------------------------------------
# « Appel suivant » serves them first


def test_tenants_who_asked_are_served_before_the_wellbeing_calls(
    asker, actis, alice, campaign, in_call_hours
):
    elderly = make_household(actis, name="Mme Roux", birth_date=datetime.date(1930, 1, 1))
    call_queue_refresh(campaign_id=campaign.pk)
    household, tenant = asker
    _ask(household, tenant)
    first = call_task_claim(campaign=campaign, user=alice)
    assert first.household == household
    assert first.campaign.kind == CampaignKind.TENANT_CALLBACKS
    _log(first, alice)
    second = call_task_claim(campaign=campaign, user=alice)
    assert second.household == elderly
    assert second.campaign == campaign


def test_a_call_back_asked_for_later_waits_for_its_time(
    asker, actis, alice, campaign, in_call_hours
):
    elderly = make_household(actis, name="Mme Roux", birth_date=datetime.date(1930, 1, 1))
    call_queue_refresh(campaign_id=campaign.pk)
    household, tenant = asker
    _ask(household, tenant, preferred_times="jeudi")
    assert call_task_claim(campaign=campaign, user=alice).household == elderly


def test_another_landlords_callers_never_get_the_call_back(
    client, asker, actis, sdh, alice, charlie, in_call_hours
):
    household, tenant = asker
    _ask(household, tenant)
    sdh_campaign = Campaign.objects.create(landlord=sdh, name="Appels SDH", status="active")
    make_household(sdh)
    call_queue_refresh(campaign_id=sdh_campaign.pk)
    served = call_task_claim(campaign=sdh_campaign, user=charlie)
    assert served.landlord == sdh
    actis_task = _callback_tasks(actis).get()
    client.force_login(charlie)
    assert client.get(reverse("outreach:caller_call", args=[actis_task.pk])).status_code == 404
    assert (
        client.post(reverse("outreach:caller_next", args=[actis_task.campaign_id])).status_code
        == 404
    )
    actis_task.refresh_from_db()
    assert actis_task.status == TaskStatus.PENDING


def test_the_callers_card_shows_the_reason_and_preferred_times(
    client, asker, actis, alice, in_call_hours
):
    household, tenant = asker
    _ask(
        household,
        tenant,
        reason="Question sur mes charges",
        preferred_times="au fixe de préférence",
    )
    campaign = _callback_tasks(actis).get().campaign
    client.force_login(alice)
    response = client.post(reverse("outreach:caller_next", args=[campaign.pk]))
    page = html.unescape(client.get(response.url).content.decode())
    assert "Le locataire a demandé à être rappelé" in page
    assert "Question sur mes charges" in page
    assert "au fixe de préférence" in page


def test_the_card_of_a_call_back_runs_the_same_queries_with_10_or_200_requests(
    client, asker, actis, alice, in_call_hours
):
    household, tenant = asker
    _ask(household, tenant)
    campaign = _callback_tasks(actis).get().campaign
    client.force_login(alice)
    url = client.post(reverse("outreach:caller_next", args=[campaign.pk])).url
    counts = []
    for total in (10, 200):
        ContactRequest.objects.bulk_create(
            ContactRequest(
                landlord=actis, household=household, kind="callback", reason=f"Motif {n}"
            )
            for n in range(total - ContactRequest.objects.count())
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# ---------------------------------------------------------------------------------------------
# The call is logged: the request is handled


def test_logging_the_call_marks_the_request_handled_and_the_tenant_sees_it(
    client, asker, actis, alice, in_call_hours
):
    household, tenant = asker
    contact = _ask(household, tenant)
    campaign = _callback_tasks(actis).get().campaign
    client.force_login(alice)
    client.post(reverse("outreach:caller_next", args=[campaign.pk]))
    task = _callback_tasks(actis).get()
    client.post(reverse("outreach:caller_log", args=[task.pk]), {"outcome": "reached_well"})
    contact.refresh_from_db()
    assert contact.handled_at is not None
    assert contact.handled_by == alice
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    client.force_login(tenant)
    page = html.unescape(client.get(reverse("tenant_home")).content.decode())
    assert "Mes demandes de rappel" in page
    assert "traitée le" in page


def test_an_unanswered_call_leaves_the_request_open(asker, actis, alice, in_call_hours):
    household, tenant = asker
    contact = _ask(household, tenant)
    campaign = _callback_tasks(actis).get().campaign
    _log(call_task_claim(campaign=campaign, user=alice), alice, outcome="no_answer")
    contact.refresh_from_db()
    assert contact.handled_at is None
    assert _callback_tasks(actis).get().status == TaskStatus.PENDING


def test_a_new_request_after_the_call_opens_the_same_task_again(asker, actis, alice, in_call_hours):
    household, tenant = asker
    _ask(household, tenant)
    campaign = _callback_tasks(actis).get().campaign
    _log(call_task_claim(campaign=campaign, user=alice), alice)
    _ask(household, tenant, reason="Une autre question")
    task = _callback_tasks(actis).get()
    assert (task.status, task.attempts) == (TaskStatus.PENDING, 0)
    assert call_task_claim(campaign=campaign, user=alice) == task


def test_a_request_handled_by_staff_by_hand_leaves_the_queue(asker, actis, bob, in_call_hours):
    household, tenant = asker
    contact = _ask(household, tenant)
    contact_request_mark_handled(contact=contact, by=bob)
    counts = tenant_callbacks_sync(landlord_id=actis.pk)
    assert counts["removed"] == 1
    assert _callback_tasks(actis).get().status == TaskStatus.REMOVED
    assert tenant_callbacks_sync(landlord_id=actis.pk) == {"added": 0, "removed": 0, "restored": 0}


# ---------------------------------------------------------------------------------------------
# The beat refresh catches requests filed any other way


def test_the_refresh_queues_requests_filed_without_the_signal(actis, sdh, in_call_hours):
    households = [make_household(actis) for _ in range(3)] + [make_household(sdh)]
    ContactRequest.objects.bulk_create(
        ContactRequest(landlord_id=h.landlord_id, household=h, kind="callback", reason="Rappel")
        for h in households
    )
    refresh_active_queues()
    assert _callback_tasks(actis).count() == 3
    assert _callback_tasks(sdh).count() == 1
    refresh_active_queues()
    assert CallTask.objects.count() == 4


@pytest.mark.parametrize("count", [10, 200])
def test_the_sync_runs_the_same_queries_whatever_the_number_of_requests(
    actis, count, in_call_hours
):
    start = Household.objects.count()
    households = Household.objects.bulk_create(
        Household(landlord=actis, reference=f"R{start + n}", name=f"Ménage {n}")
        for n in range(count)
    )
    ContactRequest.objects.bulk_create(
        ContactRequest(landlord=actis, household=h, kind="callback", reason="Rappel")
        for h in households
    )
    tenant_callbacks_campaign_get(landlord_id=actis.pk)
    with CaptureQueriesContext(connection) as queries:
        assert tenant_callbacks_sync(landlord_id=actis.pk)["added"] == count
    # campaign, two UPDATEs, one INSERT … SELECT, and the savepoints around the lookup
    assert len(queries) <= 8


# ---------------------------------------------------------------------------------------------
# Supervisors see the campaign


def test_supervisors_see_the_call_back_campaign_in_the_list_and_its_page(
    client, asker, actis, bob, charlie, in_call_hours
):
    household, tenant = asker
    _ask(household, tenant)
    campaign = _callback_tasks(actis).get().campaign
    client.force_login(bob)
    listing = html.unescape(client.get(reverse("outreach:campaign_list")).content.decode())
    assert "Rappels demandés par les locataires" in listing
    detail = html.unescape(
        client.get(reverse("outreach:campaign_detail", args=[campaign.pk])).content.decode()
    )
    assert "la file se remplit des demandes « Être rappelé » des locataires" in detail
    client.force_login(charlie)
    assert client.get(reverse("outreach:campaign_detail", args=[campaign.pk])).status_code == 404
