"""The dashboard's folded summaries give the same figures as aggregating every log (issue 10)."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from housing.models import Role
from outreach.models import (
    CallLog,
    CallTask,
    Campaign,
    CampaignCallerDay,
    CampaignReachDay,
    CampaignStatsMark,
)
from outreach.selectors.dashboard import campaign_dashboard
from outreach.services.stats import SETTLE, campaign_stats_fold
from outreach.tasks import fold_campaign_stats
from tests.factories import HouseholdFactory, make_staff

pytestmark = pytest.mark.django_db


def later():
    """A time when every log written so far has settled."""
    return timezone.now() + SETTLE * 2


def _figures(campaign):
    board = campaign_dashboard(campaign)
    return (
        [(d.day, [(c.name, c.calls, c.reached) for c in d.callers]) for d in board.caller_days],
        [(c.name, c.calls, c.reached) for c in board.caller_totals],
        [(p.day, p.calls, p.newly_reached, p.reached_total) for p in board.progress],
        board.reached_households,
    )


def _unfolded(campaign):
    """The figures with the summaries wiped: every log aggregated live."""
    CampaignCallerDay.objects.filter(campaign=campaign).delete()
    CampaignReachDay.objects.filter(campaign=campaign).delete()
    CampaignStatsMark.objects.filter(campaign=campaign).delete()
    return _figures(campaign)


@pytest.fixture
def campaign(actis):
    return Campaign.objects.create(landlord=actis, name="Canicule", status="active")


def _calls(campaign, callers, outcomes_by_household, start):
    """One task per household, its logs in order, a day apart, by the callers in turn."""
    for index, outcomes in enumerate(outcomes_by_household):
        household = HouseholdFactory(landlord=campaign.landlord)
        task = CallTask.objects.create(
            campaign=campaign, household=household, landlord=campaign.landlord
        )
        CallLog.objects.bulk_create(
            CallLog(
                task=task,
                campaign=campaign,
                household=household,
                landlord=campaign.landlord,
                caller=callers[(index + n) % len(callers)],
                outcome=outcome,
                called_at=start + datetime.timedelta(days=n, hours=index),
            )
            for n, outcome in enumerate(outcomes)
        )


def test_folding_keeps_every_figure_and_later_logs_are_added_live(campaign, alice, bob):
    start = timezone.now() - datetime.timedelta(days=10)
    mixes = [
        ["no_answer", "reached_well", "reached_needs_help"],
        ["reached_well"],
        ["voicemail", "no_answer"],
        ["no_answer", "no_answer", "reached_well", "reached_well"],
    ]
    _calls(campaign, [alice, bob], mixes, start)
    live = _figures(campaign)
    assert live[3] == 3  # three households reached

    campaign_stats_fold(campaign_id=campaign.pk, now=later())
    assert (
        CampaignStatsMark.objects.get(campaign=campaign).log_id == CallLog.objects.latest("id").pk
    )
    assert _figures(campaign) == live

    # More calls after the fold: the summary plus the live tail still give the whole picture,
    # and so does a second fold (which must not count anything twice).
    _calls(campaign, [bob], mixes, start + datetime.timedelta(days=3))
    with_tail = _figures(campaign)
    campaign_stats_fold(campaign_id=campaign.pk, now=later())
    campaign_stats_fold(campaign_id=campaign.pk, now=later())
    assert _figures(campaign) == with_tail
    assert _unfolded(campaign) == with_tail
    assert with_tail[3] == 6


def test_a_household_reached_before_the_fold_is_not_counted_again(campaign, alice):
    start = timezone.now() - datetime.timedelta(days=5)
    _calls(campaign, [alice], [["reached_well"]], start)
    campaign_stats_fold(campaign_id=campaign.pk, now=later())
    task = CallTask.objects.get(campaign=campaign)
    CallLog.objects.create(
        task=task,
        campaign=campaign,
        household=task.household,
        landlord=campaign.landlord,
        caller=alice,
        outcome="reached_well",
        called_at=start + datetime.timedelta(days=2),
    )
    assert _figures(campaign)[3] == 1
    campaign_stats_fold(campaign_id=campaign.pk, now=later())
    assert _figures(campaign)[3] == 1
    assert sum(CampaignReachDay.objects.values_list("households", flat=True)) == 1


def test_logs_younger_than_a_minute_wait_for_the_next_fold(campaign, alice):
    _calls(campaign, [alice], [["reached_well"]], timezone.now())
    assert campaign_stats_fold(campaign_id=campaign.pk) == 0
    assert not CampaignCallerDay.objects.exists()
    assert _figures(campaign)[1] == [("Alice " + alice.last_name, 1, 1)]


def test_the_beat_job_folds_every_open_campaign(campaign, actis, alice):
    closed = Campaign.objects.create(landlord=actis, name="Ancienne", status="closed")
    assert fold_campaign_stats() == 1
    assert CampaignStatsMark.objects.filter(campaign=campaign).exists()
    assert not CampaignStatsMark.objects.filter(campaign=closed).exists()
    assert fold_campaign_stats(campaign_id=closed.pk) == 1


def test_the_database_refuses_two_rows_for_one_caller_and_day(campaign, actis):
    caller = make_staff(actis, Role.CALLER)
    day = datetime.date(2026, 3, 10)
    CampaignCallerDay.objects.create(campaign=campaign, day=day, caller=caller, calls=2)
    with pytest.raises(IntegrityError):
        CampaignCallerDay.objects.create(campaign=campaign, day=day, caller=caller, calls=1)


def test_the_database_refuses_more_reached_calls_than_calls(campaign, actis):
    caller = make_staff(actis, Role.CALLER)
    with pytest.raises(IntegrityError):
        CampaignCallerDay.objects.create(
            campaign=campaign, day=datetime.date(2026, 3, 10), caller=caller, calls=1, reached=2
        )
