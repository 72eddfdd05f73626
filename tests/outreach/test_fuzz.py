# ruff: noqa: F811 (pytest fixtures imported from appointments_support)
"""Fuzzing (hypothesis) of call logging and booking: no server error, every rejection in French,
nothing written by a rejected input."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from outreach.errors import OutreachError
from outreach.models import Appointment, CallLog, CallOutcome, CallTask, TaskStatus
from outreach.services.appointments import BookingRequest, appointment_book
from outreach.services.queue import call_queue_refresh
from tests.fuzz import FUZZ, assert_french, field_text, form_errors, one_of_or_text, rolled_back
from tests.outreach.appointments_support import (  # noqa: F401
    MONDAY_9AM,
    adviser,
    agency,
    make_slot,
    tenant,
)
from tests.outreach.conftest import TUESDAY_10AM, make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_call(client, alice, campaign, actis):
    make_household(actis, name="Mme Roux", birth_date=datetime.date(1940, 2, 3))
    call_queue_refresh(campaign_id=campaign.pk)
    with time_machine.travel(TUESDAY_10AM, tick=True):
        client.force_login(alice)
        client.post(reverse("outreach:caller_next", args=[campaign.pk]))
        yield CallTask.objects.get(status=TaskStatus.HELD)


@FUZZ
@given(
    outcome=one_of_or_text(CallOutcome.values),
    notes=field_text,
    callback_date=st.one_of(field_text, st.just("2026-03-11")),
    callback_time=st.one_of(field_text, st.just("11:00")),
    needs=st.lists(one_of_or_text(["groceries", "health", "technical"]), max_size=3),
)
def test_logging_a_call_never_fails_and_refuses_in_french(
    client, held_call, outcome, notes, callback_date, callback_time, needs
):
    with rolled_back():
        response = client.post(
            reverse("outreach:caller_log", args=[held_call.pk]),
            {
                "outcome": outcome,
                "notes": notes,
                "callback_date": callback_date,
                "callback_time": callback_time,
                "needs": needs,
            },
        )
        assert response.status_code in (200, 302, 400)
        if response.status_code == 302:
            assert CallLog.objects.count() == 1
        else:
            assert not CallLog.objects.exists()
            assert CallTask.objects.get(pk=held_call.pk).status == TaskStatus.HELD
            assert_french(form_errors(response))


@FUZZ
@given(
    reason=one_of_or_text(["budget_advice", "rent_arrears", "other"]),
    mode=one_of_or_text(["phone", "agency"]),
    phone=st.one_of(field_text, st.just("+33612345678"), st.just("06 12 34 56 78")),
    details=field_text,
)
def test_booking_refuses_bad_requests_in_french_and_writes_nothing(
    actis_household, adviser, agency, reason, mode, phone, details
):
    with rolled_back():
        slot = make_slot(adviser, agency, MONDAY_9AM)
        try:
            appointment_book(
                household=actis_household,
                slot=slot,
                request=BookingRequest(reason=reason, mode=mode, phone=phone, details=details),
                now=MONDAY_9AM - datetime.timedelta(days=3),
            )
        except OutreachError as error:
            assert_french([error.message])
            assert not Appointment.objects.exists()
        else:
            assert Appointment.objects.count() == 1


@FUZZ
@given(reason=field_text, mode=field_text, phone=field_text)
def test_the_booking_form_never_fails_and_refuses_in_french(client, tenant, reason, mode, phone):
    client.force_login(tenant)
    response = client.post(
        reverse("appointments:book_start"), {"reason": reason, "mode": mode, "phone": phone}
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert_french(form_errors(response))
