"""Broker outage, end to end: with the broker unreachable every web action still succeeds; when it
is back the outbox is drained through the real broker to a real worker, and every e-mail and task
arrives exactly once, even when every message is published a second time."""

import datetime
import time

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.urls import reverse

from housing.models import Role
from outreach.models import Appointment, CallLog, CallTask, Campaign, QueueBuild
from outreach.services.queue import call_queue_refresh
from portal.celery import app
from portal.models import OutboxMessage
from portal.outbox import outbox_drain, outbox_publish
from tenants.models import TechnicalRequest, TenantInvitation
from tests.conftest import missing_service
from tests.factories import (
    AgencyFactory,
    LandlordFactory,
    PersonFactory,
    make_staff,
    make_tenant,
)
from tests.outreach.appointments_support import MONDAY_9AM, make_slot
from tests.outreach.conftest import TUESDAY_10AM, make_household
from tests.portal.outage import broker_down

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

NOW = datetime.timedelta(0)
HANG_GUARD_SECONDS = 15  # far above the broker timeouts: only a hang would reach it


@pytest.fixture
def redis_broker(transactional_db):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        missing_service("this test needs Redis (set CELERY_BROKER_URL=redis://…)")
    with app.connection_for_write() as connection:  # an empty queue: nothing from earlier runs
        connection.default_channel.queue_purge("celery")


def _timed(action, label, timings):
    started = time.monotonic()
    response = action()
    timings[label] = time.monotonic() - started
    assert response.status_code == 302, (label, response.content.decode()[-3000:])
    assert timings[label] < HANG_GUARD_SECONDS, f"{label} hung on the broker"
    return response


def _web_actions(client, timings):
    """Every action of the portal that enqueues work, through the test client."""
    actis = LandlordFactory(slug="actis", name="Actis")
    household = make_household(actis, name="M. et Mme Martin", email="martin@exemple.fr")
    tenant = make_tenant(household, email="jeanne@exemple.fr", first_name="Jeanne")
    person = PersonFactory(household=household, first_name="Paul")
    supervisor = make_staff(actis, Role.SUPERVISOR, email="responsable@actis.example")
    adviser = make_staff(actis, Role.SOCIAL_ADVISER, email="cesf@actis.example", first_name="Cl")
    agency = AgencyFactory(landlord=actis)

    # A tenant books an appointment (confirmation e-mail) then cancels it (e-mail, freed slot).
    with time_machine.travel(MONDAY_9AM - datetime.timedelta(days=3), tick=True):
        slot = make_slot(adviser, agency, MONDAY_9AM)
        client.force_login(tenant)
        client.post(
            reverse("appointments:book_start"),
            {"reason": "budget_advice", "mode": "phone", "phone": "06 12 34 56 78"},
        )
        client.post(reverse("appointments:book_slots"), {"creneau": slot.pk})
        _timed(
            lambda: client.post(reverse("appointments:book_confirm"), {"creneau": slot.pk}),
            "prendre un rendez-vous",
            timings,
        )
        appointment = Appointment.objects.get()
        _timed(
            lambda: client.post(reverse("appointments:cancel", args=[appointment.pk])),
            "annuler un rendez-vous",
            timings,
        )
    # The tenant files a technical request (confirmation e-mail).
    client.force_login(tenant)  # the session opened in March has expired
    _timed(
        lambda: client.post(
            reverse("tenant_request_create"),
            {"category": "plumbing", "location": "dwelling", "description": "Fuite sous l'évier"},
        ),
        "déposer une demande technique",
        timings,
    )
    request = TechnicalRequest.objects.get()
    # Staff: a status change (e-mail), an invitation (e-mail), a queue build (task).
    client.force_login(supervisor)
    _timed(
        lambda: client.post(
            reverse("tenants:request_status", args=[request.pk]),
            {"status": "visit_scheduled", "message": "Visite jeudi 14 h"},
        ),
        "changer le statut d'une demande",
        timings,
    )
    _timed(
        lambda: client.post(
            reverse("tenants:tenant_invite", args=[household.pk, person.pk]),
            {"email": "paul@exemple.fr"},
        ),
        "inviter un locataire",
        timings,
    )
    campaign = Campaign.objects.create(landlord=actis, name="Appels", status="active")
    _timed(
        lambda: client.post(reverse("outreach:campaign_build", args=[campaign.pk])),
        "construire une file d'appels",
        timings,
    )
    # A caller logs a call: nothing to enqueue, and it must work all the same.
    call_queue_refresh(campaign_id=campaign.pk)
    with time_machine.travel(TUESDAY_10AM, tick=True):
        client.force_login(supervisor)
        client.post(reverse("outreach:caller_next", args=[campaign.pk]))
        task = CallTask.objects.get(campaign=campaign)
        _timed(
            lambda: client.post(
                reverse("outreach:caller_log", args=[task.pk]),
                {"outcome": "reached_well", "notes": "Tout va bien."},
            ),
            "noter un appel",
            timings,
        )
    assert CallLog.objects.count() == 1
    assert TenantInvitation.objects.count() == 1


def _deliver_with_a_real_worker(expected_mails: int) -> None:
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        deadline = time.monotonic() + 60
        while (
            len(mail.outbox) < expected_mails
            or QueueBuild.objects.exclude(status=QueueBuild.Status.DONE).exists()
        ):
            assert time.monotonic() < deadline, "the worker did not deliver within 60 s"
            time.sleep(0.2)
        time.sleep(1)  # let any duplicate arrive, so that the count below would see it


def test_every_action_succeeds_during_a_broker_outage_and_arrives_once_after(
    redis_broker, client, settings, capsys
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    timings: dict[str, float] = {}
    with broker_down():
        _web_actions(client, timings)
        waiting = list(OutboxMessage.objects.order_by("pk"))
        assert waiting, "the actions enqueued nothing"
        assert all(m.sent_at is None and m.attempts == 1 for m in waiting), [
            (m.task_name, m.sent_at, m.attempts, m.last_error) for m in waiting
        ]
        assert mail.outbox == []

    # The broker is back: the drain publishes through Redis, a real worker runs the tasks.
    assert outbox_drain(min_age=NOW) == {"published": len(waiting), "remaining": 0}
    expected = {
        "Votre rendez-vous est confirmé": 1,
        "Votre rendez-vous est annulé": 1,
    }
    _deliver_with_a_real_worker(expected_mails=5)
    first = sorted(m.subject for m in mail.outbox)

    # Every "sent" mark is lost (a crash after publishing): everything is published again.
    OutboxMessage.objects.update(sent_at=None)
    for message in OutboxMessage.objects.all():
        assert outbox_publish(message=message)
    _deliver_with_a_real_worker(expected_mails=5)

    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == first
    assert len(subjects) == 5
    for subject, count in expected.items():
        assert subjects.count(subject) == count
    recipients = sorted(r for m in mail.outbox for r in m.to)
    assert recipients.count("paul@exemple.fr") == 1
    assert set(QueueBuild.objects.values_list("status", flat=True)) == {QueueBuild.Status.DONE}
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    with capsys.disabled():
        print(
            f"\nbroker outage: {len(timings)} web actions, {len(waiting)} messages kept, "
            f"{len(subjects)} e-mails delivered once; slowest action {max(timings.values()):.2f} s"
        )
