# ruff: noqa: F811 (pytest fixtures imported from appointments_support)
"""Appointments admin: scoped reminders staff can read, and rules that regenerate slots."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from housing.models import Role
from outreach.models import Reminder, Slot
from outreach.services.appointments import appointment_book
from tests.factories import make_staff
from tests.outreach.appointments_support import (  # noqa: F401
    MONDAY_9AM,
    PHONE_BOOKING,
    adviser,
    agency,
    make_slot,
)


def admin_of(landlord, email):
    user = make_staff(landlord, Role.LANDLORD_ADMIN, email=email, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="outreach"))
    return user


def test_failed_reminders_are_visible_to_their_landlord_only(
    client, actis, sdh, adviser, agency, actis_household
):
    slot = make_slot(adviser, agency, MONDAY_9AM)
    appointment = appointment_book(
        household=actis_household,
        slot=slot,
        request=PHONE_BOOKING,
        now=MONDAY_9AM - datetime.timedelta(days=3),
    )
    Reminder.objects.filter(appointment=appointment).update(
        attempts=2, last_error="Serveur de messagerie injoignable"
    )
    url = reverse("admin:outreach_reminder_changelist")
    client.force_login(admin_of(actis, "admin@actis.example"))
    assert "Serveur de messagerie injoignable" in client.get(url).text
    client.force_login(admin_of(sdh, "admin@sdh.example"))
    assert "Serveur de messagerie injoignable" not in client.get(url).text
    change = reverse("admin:outreach_reminder_change", args=[appointment.reminder.pk])
    assert client.get(change).status_code == 404


def test_saving_a_rule_in_admin_generates_the_slots(
    client, actis, adviser, agency, django_capture_on_commit_callbacks
):
    client.force_login(admin_of(actis, "admin@actis.example"))
    with (
        time_machine.travel(datetime.datetime(2026, 9, 1, 8, tzinfo=datetime.UTC)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("admin:outreach_availabilityrule_add"),
            {
                "landlord": actis.pk,
                "agency": agency.pk,
                "adviser": adviser.pk,
                "kind": "social_adviser",
                "weekday": 3,
                "start_time": "14:00",
                "end_time": "15:00",
                "slot_minutes": 30,
                "offers_phone": "on",
                "is_active": "on",
            },
        )
    assert response.status_code == 302, response.text[:2000]
    assert Slot.objects.count() == 16  # 8 Thursdays, 2 slots each
    assert not Slot.objects.filter(offers_agency=True).exists()


pytestmark = pytest.mark.django_db
