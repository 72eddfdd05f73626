"""Building and refreshing call queues: set-based, idempotent, faithful to the criteria."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from outreach.models import CallTask, QueueBuild
from outreach.services.queue import call_queue_refresh
from outreach.targeting import selected_households
from tenants.models import VulnerabilityFlag
from tests.factories import VulnerabilityFlagFactory
from tests.outreach.conftest import make_household

pytestmark = pytest.mark.django_db


def _queued(campaign, status="pending"):
    return set(
        CallTask.objects.filter(campaign=campaign, status=status).values_list(
            "household__name", flat=True
        )
    )


@time_machine.travel(datetime.date(2026, 6, 15), tick=False)
def test_minimum_age_is_computed_from_birth_dates_at_todays_date(campaign, actis):
    campaign.min_age = 70
    campaign.save()
    make_household(actis, name="70 today", birth_date=datetime.date(1956, 6, 15))
    make_household(actis, name="70 tomorrow", birth_date=datetime.date(1956, 6, 16))
    assert {h.name for h in selected_households(campaign)} == {"70 today"}


def test_arrears_threshold_selects_households_owing_at_least_the_amount(campaign, actis):
    campaign.require_payment_difficulty = True
    campaign.min_arrears = Decimal("500")
    campaign.save()
    for name, amount in [("owes 499", "499.99"), ("owes 500", "500"), ("owes 2000", "2000")]:
        household = make_household(actis, name=name)
        VulnerabilityFlagFactory(
            household=household,
            kind=VulnerabilityFlag.Kind.PAYMENT_DIFFICULTY,
            arrears_amount=Decimal(amount),
        )
    make_household(actis, name="no arrears")
    assert {h.name for h in selected_households(campaign)} == {"owes 500", "owes 2000"}


def test_criteria_combine_with_and(campaign, actis):
    campaign.min_age = 70
    campaign.require_isolated = True
    campaign.save()
    old_isolated = make_household(actis, name="old and isolated")
    VulnerabilityFlagFactory(household=old_isolated)
    make_household(actis, name="old only")
    young_isolated = make_household(
        actis, name="young isolated", birth_date=datetime.date(1990, 1, 1)
    )
    VulnerabilityFlagFactory(household=young_isolated)
    assert {h.name for h in selected_households(campaign)} == {"old and isolated"}


def test_do_not_call_households_and_other_landlords_are_never_queued(campaign, actis, sdh):
    make_household(actis, name="welcome")
    make_household(
        actis,
        name="asked not to be called",
        do_not_call=True,
        do_not_call_since=datetime.date(2025, 1, 1),
    )
    make_household(sdh, name="other landlord")
    call_queue_refresh(campaign_id=campaign.pk)
    assert _queued(campaign) == {"welcome"}


def test_phone_to_call_is_the_mobile_first_then_the_landline(campaign, actis):
    make_household(actis, name="both", mobile_phone="+33612345678", phone="+33476000001")
    make_household(actis, name="landline", mobile_phone="", phone="+33476000002")
    make_household(actis, name="none", mobile_phone="", phone="")
    call_queue_refresh(campaign_id=campaign.pk)
    phones = {
        t.household.name: t.phone.as_e164 for t in CallTask.objects.select_related("household")
    }
    assert phones == {"both": "+33612345678", "landline": "+33476000002"}


def test_building_the_queue_twice_changes_nothing(campaign, actis):
    for index in range(5):
        make_household(actis, name=f"household {index}")
    first = call_queue_refresh(campaign_id=campaign.pk)
    before = list(CallTask.objects.order_by("pk").values())
    second = call_queue_refresh(campaign_id=campaign.pk)
    assert (first.added, second.added, second.removed, second.restored) == (5, 0, 0, 0)
    assert list(CallTask.objects.order_by("pk").values()) == before


def test_running_the_same_build_twice_does_nothing_the_second_time(campaign, actis):
    make_household(actis)
    build = QueueBuild.objects.create(campaign=campaign)
    call_queue_refresh(campaign_id=campaign.pk, build_id=build.pk)
    make_household(actis)
    again = call_queue_refresh(campaign_id=campaign.pk, build_id=build.pk)
    assert again.added == 1  # the recorded figures of the first run
    assert CallTask.objects.count() == 1


@pytest.mark.parametrize("count", [10, 200])
def test_queue_build_query_count_does_not_grow_with_households(campaign, actis, count, request):
    for _ in range(count):
        make_household(actis)
    with CaptureQueriesContext(connection) as queries:
        build = call_queue_refresh(campaign_id=campaign.pk)
    assert build.added == count
    # Same statements whatever the number of households (lock, build row, 2 updates, 1 insert…).
    assert len(queries) <= 12, [q["sql"][:120] for q in queries.captured_queries]


def test_refresh_removes_moved_out_households_but_keeps_logged_calls(campaign, actis):
    staying = make_household(actis, name="staying")
    leaving = make_household(actis, name="leaving")
    called = make_household(actis, name="called then left")
    call_queue_refresh(campaign_id=campaign.pk)
    CallTask.objects.filter(household=called).update(
        status="done", attempts=1, last_outcome="reached_well"
    )
    for household in (leaving, called):
        household.leases.update(end_date=datetime.date(2026, 1, 31))
    build = call_queue_refresh(campaign_id=campaign.pk)
    assert build.removed == 1
    assert _queued(campaign) == {"staying"}
    assert _queued(campaign, "removed") == {"leaving"}
    assert _queued(campaign, "done") == {"called then left"}
    assert staying.call_tasks.count() == 1


def test_a_household_selected_again_comes_back_to_the_queue(campaign, actis):
    campaign.require_isolated = True
    campaign.save()
    household = make_household(actis, name="isolated again")
    flag = VulnerabilityFlagFactory(household=household)
    call_queue_refresh(campaign_id=campaign.pk)
    flag.delete()
    call_queue_refresh(campaign_id=campaign.pk)
    assert _queued(campaign, "removed") == {"isolated again"}
    VulnerabilityFlagFactory(household=household)
    build = call_queue_refresh(campaign_id=campaign.pk)
    assert build.restored == 1
    assert _queued(campaign) == {"isolated again"}


def test_a_paused_campaign_queue_is_left_alone(campaign, actis):
    make_household(actis)
    campaign.status = "paused"
    campaign.save()
    assert call_queue_refresh(campaign_id=campaign.pk).added == 0
    assert not CallTask.objects.exists()


def test_database_refuses_a_household_twice_in_one_campaign(campaign, actis):
    household = make_household(actis)
    call_queue_refresh(campaign_id=campaign.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        CallTask.objects.create(campaign=campaign, household=household, landlord=actis)
