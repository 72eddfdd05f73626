"""Worker killed mid-task: tasks are acknowledged late and given back to the queue when their
worker dies, so a batch may run twice or stop halfway and run again; nothing is done twice."""

import datetime

import pytest
import time_machine
from django.core.mail import EmailMessage

from outreach.models import CallTask, QueueBuild, Reminder
from outreach.services import queue
from outreach.services.appointments import CLAIM_TIMEOUT, appointment_book
from outreach.tasks import build_campaign_queue, refresh_active_queues, send_due_reminders
from portal.celery import app
from tests.factories import AgencyFactory, make_staff
from tests.outreach.appointments_support import MONDAY_9AM, PHONE_BOOKING, make_slot
from tests.outreach.conftest import make_household

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside the task: nothing after it runs."""


def test_tasks_are_acknowledged_late_and_given_back_when_the_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_time_limit > app.conf.task_soft_time_limit > 0


@pytest.fixture
def three_reminders(actis):
    adviser = make_staff(actis, "social_adviser", email="cesf@actis.example")
    agency = AgencyFactory(landlord=actis)
    reminders = []
    for minutes in (0, 30, 60):
        slot = make_slot(adviser, agency, MONDAY_9AM + datetime.timedelta(minutes=minutes))
        appointment = appointment_book(
            household=make_household(actis),
            slot=slot,
            request=PHONE_BOOKING,
            now=MONDAY_9AM - datetime.timedelta(days=3),
        )
        reminders.append(appointment.reminder)
    return reminders


def test_a_reminder_batch_killed_halfway_and_run_again_sends_each_reminder_once(
    three_reminders, mailoutbox, monkeypatch
):
    send = EmailMessage.send
    calls = []

    def killed_on_the_second(message, *args, **kwargs):
        calls.append(message.to)
        if len(calls) == 2:
            raise WorkerKilled
        return send(message, *args, **kwargs)

    evening = MONDAY_9AM - datetime.timedelta(hours=20)
    with time_machine.travel(evening, tick=False):
        monkeypatch.setattr(EmailMessage, "send", killed_on_the_second)
        with pytest.raises(WorkerKilled):
            send_due_reminders()
        monkeypatch.setattr(EmailMessage, "send", send)
        assert len(mailoutbox) == 1
        # The message comes back (acks_late): the first is sent, the second is still claimed.
        assert send_due_reminders() == 1
        assert send_due_reminders() == 0
    assert len(mailoutbox) == 2
    # Once its claim has expired, the reminder the dead worker held goes out, once.
    with time_machine.travel(evening + CLAIM_TIMEOUT + datetime.timedelta(minutes=1), tick=False):
        assert send_due_reminders() == 1
        assert send_due_reminders() == 0
    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert len(recipients) == len(set(recipients)) == 3
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 3


@pytest.fixture
def campaign_with_households(actis, campaign):
    for _ in range(5):
        make_household(actis, birth_date=datetime.date(1945, 1, 1))
    return campaign


def test_a_queue_build_delivered_twice_queues_each_household_once(campaign_with_households):
    build = QueueBuild.objects.create(campaign=campaign_with_households)
    build_campaign_queue(build.pk)
    assert CallTask.objects.count() == 5
    # The worker died before acknowledging: the same message runs again, even from the start.
    QueueBuild.objects.filter(pk=build.pk).update(status=QueueBuild.Status.QUEUED)
    build_campaign_queue(build.pk)
    refresh_active_queues()
    assert CallTask.objects.count() == 5
    assert CallTask.objects.values("household").distinct().count() == 5


def test_a_queue_build_killed_after_its_insert_leaves_nothing_and_runs_again(
    campaign_with_households, monkeypatch
):
    build = QueueBuild.objects.create(campaign=campaign_with_households)
    insert = queue._insert_new_tasks

    def killed_after_the_insert(*args, **kwargs):
        assert insert(*args, **kwargs) == 5
        raise WorkerKilled

    monkeypatch.setattr(queue, "_insert_new_tasks", killed_after_the_insert)
    with pytest.raises(WorkerKilled):
        build_campaign_queue(build.pk)
    # One transaction: the dead worker's half-done build left no row behind.
    assert not CallTask.objects.exists()
    monkeypatch.setattr(queue, "_insert_new_tasks", insert)
    build_campaign_queue(build.pk)
    build_campaign_queue(build.pk)
    assert CallTask.objects.count() == 5
    assert QueueBuild.objects.get(pk=build.pk).status == QueueBuild.Status.DONE
