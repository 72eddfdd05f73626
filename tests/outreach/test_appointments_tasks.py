# ruff: noqa: F811 (pytest fixtures imported from appointments_support)
"""Beat tasks of the appointments: ids in, safe to run twice."""

import datetime

import time_machine

from outreach.models import Slot, WaitingListEntry
from outreach.tasks import expire_waiting_offers, generate_appointment_slots
from tests.factories import AgencyFactory, make_staff
from tests.outreach.appointments_support import (  # noqa: F401
    PARIS,
    adviser,
    agency,
    make_rule,
    make_slot,
)


def test_daily_generation_covers_every_landlord_and_is_idempotent(actis, sdh, adviser, agency):
    sdh_adviser = make_staff(sdh, "recovery_officer", email="recouvrement@sdh.example")
    make_rule(adviser, agency, weekday=2, start=(9, 0), end=(9, 30))
    make_rule(
        sdh_adviser,
        AgencyFactory(landlord=sdh),
        weekday=3,
        start=(14, 0),
        end=(15, 0),
        kind="recovery_officer",
    )
    with time_machine.travel(datetime.datetime(2026, 9, 1, 6, tzinfo=PARIS), tick=False):
        assert generate_appointment_slots() == 8 + 16
        assert generate_appointment_slots() == 0
    assert Slot.objects.filter(landlord=sdh, kind="recovery_officer").count() == 16


def test_expired_offers_run_twice_expire_once(actis, adviser, agency, actis_household):
    slot = make_slot(adviser, agency, datetime.datetime(2026, 9, 7, 9, tzinfo=PARIS))
    WaitingListEntry.objects.create(
        landlord=actis,
        household=actis_household,
        kind="social_adviser",
        reason="other",
        mode="agency",
        earliest=datetime.date(2026, 9, 7),
        latest=datetime.date(2026, 9, 7),
        status="offered",
        offered_slot=slot,
        offer_expires_at=datetime.datetime(2026, 9, 1, 10, tzinfo=PARIS),
    )
    with time_machine.travel(datetime.datetime(2026, 9, 1, 12, tzinfo=PARIS), tick=False):
        assert expire_waiting_offers() == 1
        assert expire_waiting_offers() == 0
    assert WaitingListEntry.objects.get().status == "expired"
