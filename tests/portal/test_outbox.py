"""The outbox: work to enqueue is written in the caller's transaction and never lost."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.models import OutboxMessage
from portal.outbox import RunOnceTask, outbox_drain, outbox_publish
from portal.tasks import clear_expired_sessions, enqueue_on_commit
from tests.portal.outage import broker_down

pytestmark = pytest.mark.django_db
NOW = datetime.timedelta(0)


def test_a_message_is_written_with_the_work_and_published_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_on_commit(clear_expired_sessions)
        message = OutboxMessage.objects.get()
        assert message.sent_at is None  # not before the commit
    message.refresh_from_db()
    assert message.task_name == "portal.clear_expired_sessions"
    assert (message.sent_at is not None, message.attempts, message.last_error) == (True, 1, "")


def test_a_rolled_back_transaction_takes_its_message_with_it(django_capture_on_commit_callbacks):
    def failing_work():
        with transaction.atomic():
            enqueue_on_commit(clear_expired_sessions)
            raise RuntimeError("the work failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_work()
    assert callbacks == []
    assert not OutboxMessage.objects.exists()


def test_with_the_broker_down_the_message_waits_and_the_drain_delivers_it(
    django_capture_on_commit_callbacks,
):
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(clear_expired_sessions)
    message = OutboxMessage.objects.get()
    assert message.sent_at is None
    assert message.attempts == 1
    assert "6390" in message.last_error

    with broker_down():  # still down: the drain stops at the first failure and loses nothing
        assert outbox_drain(min_age=NOW) == {"published": 0, "remaining": 1}
    assert outbox_drain(min_age=NOW) == {"published": 1, "remaining": 0}
    message.refresh_from_db()
    assert (message.sent_at is not None, message.attempts, message.last_error) == (True, 3, "")
    assert outbox_drain(min_age=NOW) == {"published": 0, "remaining": 0}


def test_the_drain_leaves_young_messages_to_their_own_publish():
    OutboxMessage.objects.create(task_name="portal.clear_expired_sessions")
    assert outbox_drain() == {"published": 0, "remaining": 1}
    assert outbox_drain(min_age=NOW)["published"] == 1


def test_the_drain_command_reports_what_it_sent():
    OutboxMessage.objects.create(task_name="portal.clear_expired_sessions")
    out = io.StringIO()
    call_command("drain_outbox", stdout=out)
    assert out.getvalue().strip() == "1 tâche(s) envoyée(s), 0 en attente."


def test_the_drain_runs_every_minute():
    from portal.schedules import PERIODIC_TASKS

    assert {"task": "portal.drain_outbox", "every_seconds": 60}.items() <= next(
        entry for entry in PERIODIC_TASKS if entry["task"] == "portal.drain_outbox"
    ).items()


@pytest.fixture
def once_mail_task():
    from portal.celery import app

    @app.task(name="tests.send_one_mail", base=RunOnceTask, shared=False)
    def send_one_mail(to: str) -> None:
        mail.send_mail("Bonjour", "Texte", None, [to])

    yield send_one_mail
    app.tasks.pop("tests.send_one_mail", None)


def test_a_run_once_task_delivered_twice_sends_one_email(once_mail_task, mailoutbox):
    message = OutboxMessage.objects.create(task_name=once_mail_task.name, kwargs={"to": "a@b.fr"})
    assert outbox_publish(message=message, task=once_mail_task)
    # The "sent" mark was lost (a crash): the drain publishes the same message again.
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=None)
    message.refresh_from_db()
    assert outbox_publish(message=message, task=once_mail_task)
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.done_at is not None


def test_a_run_once_task_that_fails_can_run_again(once_mail_task, mailoutbox, monkeypatch):
    message = OutboxMessage.objects.create(task_name=once_mail_task.name, kwargs={"to": "a@b.fr"})

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP")

    with monkeypatch.context() as patch:
        patch.setattr(mail, "send_mail", smtp_down)
        assert not outbox_publish(message=message, task=once_mail_task)
    message.refresh_from_db()
    assert (message.done_at, message.sent_at) == (None, None)
    assert "SMTP" in message.last_error
    assert outbox_drain(min_age=NOW)["published"] == 1
    assert len(mailoutbox) == 1


def test_a_run_once_task_called_outside_the_outbox_just_runs(once_mail_task, mailoutbox):
    once_mail_task.apply(kwargs={"to": "a@b.fr"})
    once_mail_task.apply(kwargs={"to": "a@b.fr"})
    assert len(mailoutbox) == 2


def test_the_drain_purges_messages_sent_more_than_30_days_ago():
    now = timezone.now()
    old = OutboxMessage.objects.create(task_name="x", sent_at=now - datetime.timedelta(days=31))
    recent = OutboxMessage.objects.create(task_name="x", sent_at=now - datetime.timedelta(days=29))
    outbox_drain(min_age=NOW)
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk


def test_only_superusers_see_the_outbox_in_admin(client, actis):
    from housing.models import Role
    from portal.models import User
    from tests.factories import make_staff

    OutboxMessage.objects.create(task_name="portal.clear_expired_sessions")
    url = reverse("admin:portal_outboxmessage_changelist")
    client.force_login(make_staff(actis, Role.LANDLORD_ADMIN, email="a@actis.fr", is_staff=True))
    assert client.get(url).status_code == 403
    client.force_login(User.objects.create_superuser("root@portail.example", "x"))
    page = client.get(url)
    assert page.status_code == 200
    assert "portal.clear_expired_sessions" in page.content.decode()
    change = reverse("admin:portal_outboxmessage_change", args=[OutboxMessage.objects.get().pk])
    assert client.post(change, {"task_name": "autre"}).status_code == 403
