"""Serving the queue and logging calls: order, window, attempts, call-backs, releases."""

import datetime
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, connections, transaction

from housing.models import Role
from outreach.errors import OutreachError
from outreach.models import CallTask, Need, Referral, SolidarityEntry, TaskStatus
from outreach.services.calls import CallReport, call_log_record, call_task_skip
from outreach.services.queue import (
    call_queue_refresh,
    call_task_claim,
    call_task_current,
    call_task_release,
    call_tasks_callbacks_due,
    call_tasks_release_all,
    call_tasks_release_expired,
)
from tenants.models import VulnerabilityFlag
from tests.factories import VulnerabilityFlagFactory, make_staff
from tests.outreach.conftest import PARIS, TUESDAY_10AM, make_household

pytestmark = pytest.mark.django_db


def _claim_names(campaign, users):
    return [call_task_claim(campaign=campaign, user=user).household.name for user in users]


def test_queue_order_is_callbacks_then_new_then_by_risk(campaign, actis, in_call_hours):
    make_household(actis, name="young", birth_date=datetime.date(1980, 1, 1))
    make_household(actis, name="oldest", birth_date=datetime.date(1930, 1, 1))
    isolated = make_household(actis, name="isolated", birth_date=datetime.date(1960, 1, 1))
    VulnerabilityFlagFactory(household=isolated)
    indebted = make_household(actis, name="indebted", birth_date=datetime.date(1980, 1, 1))
    VulnerabilityFlagFactory(
        household=indebted,
        kind=VulnerabilityFlag.Kind.PAYMENT_DIFFICULTY,
        arrears_amount=Decimal("900"),
    )
    tried = make_household(actis, name="tried once", birth_date=datetime.date(1920, 1, 1))
    callback = make_household(actis, name="call-back due", birth_date=datetime.date(1990, 1, 1))
    call_queue_refresh(campaign_id=campaign.pk)
    CallTask.objects.filter(household=tried).update(attempts=1)
    CallTask.objects.filter(household=callback).update(
        status=TaskStatus.CALLBACK, callback_at=in_call_hours - datetime.timedelta(minutes=5)
    )
    callers = [make_staff(actis, Role.CALLER) for _ in range(6)]
    assert _claim_names(campaign, callers) == [
        "call-back due",
        "isolated",
        "oldest",
        "indebted",
        "young",
        "tried once",
    ]


def test_a_caller_holds_one_call_and_a_reload_shows_the_same(
    campaign, actis, caller, in_call_hours
):
    make_household(actis, name="first")
    make_household(actis, name="second")
    call_queue_refresh(campaign_id=campaign.pk)
    first = call_task_claim(campaign=campaign, user=caller)
    again = call_task_claim(campaign=campaign, user=caller)
    assert first.pk == again.pk
    assert call_task_current(user=caller).pk == first.pk
    assert CallTask.objects.filter(status=TaskStatus.HELD).count() == 1


def test_database_refuses_two_held_calls_for_one_caller(campaign, actis, caller):
    for _ in range(2):
        make_household(actis)
    call_queue_refresh(campaign_id=campaign.pk)
    now = TUESDAY_10AM
    first, second = CallTask.objects.all()
    CallTask.objects.filter(pk=first.pk).update(
        status="held", held_by=caller, held_at=now, hold_until=now
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CallTask.objects.filter(pk=second.pk).update(
            status="held", held_by=caller, held_at=now, hold_until=now
        )


@pytest.mark.parametrize(
    ("moment", "why"),
    [
        (datetime.datetime(2026, 3, 10, 8, 59, tzinfo=PARIS), "before 9:00"),
        (datetime.datetime(2026, 3, 10, 18, 0, tzinfo=PARIS), "at 18:00"),
        (datetime.datetime(2026, 3, 14, 10, 0, tzinfo=PARIS), "on a Saturday"),
        (datetime.datetime(2026, 7, 14, 10, 0, tzinfo=PARIS), "on Bastille Day"),
        (datetime.datetime(2026, 5, 25, 10, 0, tzinfo=PARIS), "on Whit Monday"),
    ],
)
def test_no_call_is_served_outside_the_call_window(campaign, actis, caller, moment, why):
    make_household(actis)
    call_queue_refresh(campaign_id=campaign.pk)
    with (
        time_machine.travel(moment, tick=False),
        pytest.raises(OutreachError, match="heures d'appel"),
    ):
        call_task_claim(campaign=campaign, user=caller)


def test_unanswered_calls_count_as_attempts_until_the_task_is_exhausted(
    campaign, actis, caller, in_call_hours
):
    campaign.max_attempts = 2
    campaign.retry_delay_minutes = 60
    campaign.save()
    make_household(actis)
    call_queue_refresh(campaign_id=campaign.pk)
    task = call_task_claim(campaign=campaign, user=caller)
    call_log_record(task=task, user=caller, report=CallReport(outcome="no_answer"))
    task.refresh_from_db()
    assert (task.status, task.attempts) == (TaskStatus.PENDING, 1)
    expected = in_call_hours + datetime.timedelta(minutes=60)
    assert abs(task.not_before - expected) < datetime.timedelta(seconds=5)
    assert call_task_claim(campaign=campaign, user=caller) is None  # not before the delay
    with time_machine.travel(in_call_hours + datetime.timedelta(minutes=61), tick=False):
        task = call_task_claim(campaign=campaign, user=caller)
        call_log_record(task=task, user=caller, report=CallReport(outcome="voicemail"))
    task.refresh_from_db()
    assert (task.status, task.attempts) == (TaskStatus.EXHAUSTED, 2)
    assert task.logs.count() == 2


def test_retry_after_closing_time_waits_for_the_next_call_day(campaign, actis, caller):
    make_household(actis)
    call_queue_refresh(campaign_id=campaign.pk)
    friday_evening = datetime.datetime(2026, 3, 13, 17, 30, tzinfo=PARIS)
    with time_machine.travel(friday_evening, tick=False):
        task = call_task_claim(campaign=campaign, user=caller)
        call_log_record(task=task, user=caller, report=CallReport(outcome="no_answer"))
    task.refresh_from_db()
    assert task.not_before == datetime.datetime(2026, 3, 16, 9, 0, tzinfo=PARIS)  # Monday 9:00


def test_call_backs_come_back_at_their_time_for_the_promising_caller(
    campaign, actis, caller, in_call_hours
):
    colleague = make_staff(actis, Role.CALLER)
    make_household(actis, name="call me back")
    call_queue_refresh(campaign_id=campaign.pk)
    task = call_task_claim(campaign=campaign, user=caller)
    at = in_call_hours + datetime.timedelta(hours=2)
    call_log_record(
        task=task,
        user=caller,
        report=CallReport(outcome="reached_well", callback_at=at, callback_personal=True),
    )
    assert call_task_claim(campaign=campaign, user=caller) is None
    with time_machine.travel(at + datetime.timedelta(minutes=1), tick=False):
        assert call_tasks_callbacks_due() == 1
        assert call_task_claim(campaign=campaign, user=colleague) is None  # kept for the caller
        assert call_task_claim(campaign=campaign, user=caller).household.name == "call me back"


def test_a_call_back_must_fall_inside_the_call_window(campaign, actis, caller, in_call_hours):
    make_household(actis)
    call_queue_refresh(campaign_id=campaign.pk)
    task = call_task_claim(campaign=campaign, user=caller)
    sunday = datetime.datetime(2026, 3, 15, 10, 0, tzinfo=PARIS)
    with pytest.raises(OutreachError, match="heures d'appel"):
        call_log_record(
            task=task, user=caller, report=CallReport(outcome="reached_well", callback_at=sunday)
        )
    assert not task.logs.exists()


def test_reached_needs_help_records_needs_referral_and_register(
    campaign, actis, caller, in_call_hours
):
    from outreach.models import Partner

    ccas = Partner.objects.create(name="CCAS de Grenoble", kind="senior_service")
    make_household(actis)
    call_queue_refresh(campaign_id=campaign.pk)
    task = call_task_claim(campaign=campaign, user=caller)
    log = call_log_record(
        task=task,
        user=caller,
        report=CallReport(
            outcome="reached_needs_help",
            notes="Vit seule, fille à Lyon.",
            needs=[("groceries", "courses le jeudi"), ("isolation", "")],
            referral_partner=ccas,
            referral_reason="Portage de repas",
            solidarity_need="Appel hebdomadaire",
        ),
    )
    assert set(Need.objects.filter(call_log=log).values_list("kind", flat=True)) == {
        "groceries",
        "isolation",
    }
    assert Referral.objects.get().partner == ccas
    assert SolidarityEntry.objects.get().need == "Appel hebdomadaire"
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_needs_and_referral_recorded_on_a_call_appear_on_its_campaign_dashboard(
    campaign, actis, caller, in_call_hours
):
    from outreach.models import Campaign, Partner
    from outreach.selectors.dashboard import campaign_dashboard

    ccas = Partner.objects.create(name="CCAS de Grenoble", kind="senior_service")
    other = Campaign.objects.create(landlord=actis, name="Canicule", status="active")
    make_household(actis)
    call_queue_refresh(campaign_id=campaign.pk)
    call_log_record(
        task=call_task_claim(campaign=campaign, user=caller),
        user=caller,
        report=CallReport(
            outcome="reached_needs_help",
            needs=[("groceries", ""), ("medicine", "")],
            referral_partner=ccas,
            referral_reason="Portage de repas",
        ),
    )
    dashboard = campaign_dashboard(campaign)
    assert sorted((f.value, f.count) for f in dashboard.needs) == [
        ("groceries", 1),
        ("medicine", 1),
    ]
    assert [(f.label, f.count) for f in dashboard.referrals] == [("CCAS de Grenoble", 1)]
    assert (campaign_dashboard(other).needs, campaign_dashboard(other).referrals) == ([], [])


def test_a_refused_log_writes_nothing(campaign, actis, caller, in_call_hours):
    from outreach.models import Partner

    ccas = Partner.objects.create(name="CCAS", kind="senior_service")
    make_household(actis)
    call_queue_refresh(campaign_id=campaign.pk)
    task = call_task_claim(campaign=campaign, user=caller)
    with pytest.raises(OutreachError, match="motif"):
        call_log_record(
            task=task,
            user=caller,
            report=CallReport(
                outcome="reached_needs_help", referral_partner=ccas, needs=[("health", "")]
            ),
        )
    assert not Need.objects.exists()
    task.refresh_from_db()
    assert task.status == TaskStatus.HELD


def test_wrong_number_flags_the_phone_for_correction(campaign, actis, caller, in_call_hours):
    household = make_household(actis)
    call_queue_refresh(campaign_id=campaign.pk)
    task = call_task_claim(campaign=campaign, user=caller)
    call_log_record(task=task, user=caller, report=CallReport(outcome="wrong_number"))
    household.refresh_from_db()
    assert household.phone_needs_check


def test_release_skip_and_done_for_the_day(campaign, actis, caller, in_call_hours):
    for name in ("a", "b"):
        make_household(actis, name=name)
    call_queue_refresh(campaign_id=campaign.pk)
    task = call_task_claim(campaign=campaign, user=caller)
    call_task_release(task=task, user=caller)
    assert CallTask.objects.filter(status=TaskStatus.PENDING).count() == 2
    task = call_task_claim(campaign=campaign, user=caller)
    with pytest.raises(OutreachError):
        call_task_skip(task=task, user=caller, reason="  ")
    call_task_skip(task=task, user=caller, reason="Locataire suivi par l'assistante sociale")
    assert CallTask.objects.get(pk=task.pk).status == TaskStatus.SKIPPED
    call_task_claim(campaign=campaign, user=caller)
    assert call_tasks_release_all(user=caller) == 1
    assert not CallTask.objects.filter(status=TaskStatus.HELD).exists()


def test_calls_held_past_the_limit_go_back_to_the_queue(campaign, actis, caller, in_call_hours):
    make_household(actis)
    call_queue_refresh(campaign_id=campaign.pk)
    task = call_task_claim(campaign=campaign, user=caller)
    assert call_tasks_release_expired(now=in_call_hours + datetime.timedelta(minutes=19)) == 0
    assert call_tasks_release_expired(now=in_call_hours + datetime.timedelta(minutes=21)) == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING
    with pytest.raises(OutreachError, match="plus attribué"):
        call_log_record(task=task, user=caller, report=CallReport(outcome="no_answer"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_callers_claiming_at_once_never_get_the_same_household(actis):
    from outreach.models import Campaign

    campaign = Campaign.objects.create(landlord=actis, name="Concurrence", status="active")
    for _ in range(60):
        make_household(actis)
    call_queue_refresh(campaign_id=campaign.pk)
    callers = [make_staff(actis, Role.CALLER) for _ in range(20)]
    barrier = threading.Barrier(20)
    claimed, errors = [], []

    def work(user):
        try:
            barrier.wait()
            for _ in range(3):
                task = call_task_claim(campaign=campaign, user=user)
                if task is None:
                    break
                claimed.append(task.pk)
                call_log_record(task=task, user=user, report=CallReport(outcome="reached_well"))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(user,)) for user in callers]
    # Time is moved once for every thread (time-machine patches the whole process).
    with time_machine.travel(TUESDAY_10AM, tick=True):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    assert connection.vendor == "postgresql"
    assert len(claimed) == 60
    assert len(set(claimed)) == 60, "a household was served to two callers"
