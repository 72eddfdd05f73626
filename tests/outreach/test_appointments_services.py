# ruff: noqa: F811 (pytest fixtures imported from appointments_support)
"""Appointments with advisers: slots from rules, booking rules, cancel and move, links, reminders."""

import datetime
import threading

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from outreach.errors import OutreachError
from outreach.models import (
    Appointment,
    AvailabilityException,
    Reminder,
    Slot,
    WaitingListEntry,
)
from outreach.services.appointments import (
    BookingRequest,
    SlotTaken,
    appointment_book,
    appointment_cancel,
    appointment_from_token,
    appointment_link_token,
    appointment_move,
    appointment_set_outcome,
    reminder_send,
    slots_generate,
    waiting_list_join,
    waiting_offers_expire,
)
from outreach.tasks import send_due_reminders
from tests.factories import HouseholdFactory, LeaseFactory
from tests.outreach.appointments_support import (  # noqa: F401
    MONDAY_9AM,
    PARIS,
    PHONE_BOOKING,
    adviser,
    agency,
    make_rule,
    make_slot,
    paris_times,
    set_rules,
    tenant,
)

UTC = datetime.UTC


def at(year, month, day, hour=9, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


# ---------------------------------------------------------------------------------------------
# Slot generation


def test_slots_keep_their_paris_hours_across_the_spring_dst_change(actis, adviser, agency):
    make_rule(adviser, agency, weekday=0, start=(9, 0), end=(10, 0))
    slots_generate(landlord_id=actis.pk, now=at(2026, 3, 20))
    before = Slot.objects.filter(start__range=(at(2026, 3, 23, 0), at(2026, 3, 24, 0)))
    after = Slot.objects.filter(start__range=(at(2026, 3, 30, 0), at(2026, 3, 31, 0)))
    # Winter: 9:00 in Paris is 8:00 UTC; summer time from Sunday 29 March: 7:00 UTC.
    assert [s.start for s in before][0] == datetime.datetime(2026, 3, 23, 8, 0, tzinfo=UTC)
    assert [s.start for s in after] == [
        datetime.datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
        datetime.datetime(2026, 3, 30, 7, 30, tzinfo=UTC),
    ]
    hours = {s.start.astimezone(PARIS).strftime("%H:%M") for s in Slot.objects.all()}
    assert hours == {"09:00", "09:30"}


def test_slots_keep_their_paris_hours_across_the_autumn_dst_change(actis, adviser, agency):
    make_rule(adviser, agency, weekday=0, start=(14, 0), end=(14, 30))
    slots_generate(landlord_id=actis.pk, now=at(2026, 10, 16))
    # Last Sunday of October 2026 is the 25th: 14:00 in Paris is 12:00 UTC before, 13:00 after.
    assert list(Slot.objects.order_by("start").values_list("start", flat=True)[:2]) == [
        datetime.datetime(2026, 10, 19, 12, 0, tzinfo=UTC),
        datetime.datetime(2026, 10, 26, 13, 0, tzinfo=UTC),
    ]


def test_public_holidays_are_closed(actis, adviser, agency):
    make_rule(adviser, agency, weekday=0, start=(9, 0), end=(9, 30))
    slots_generate(landlord_id=actis.pk, now=at(2026, 3, 27))
    days = [s.start.astimezone(PARIS).date() for s in Slot.objects.order_by("start")]
    assert datetime.date(2026, 3, 30) in days
    assert datetime.date(2026, 4, 6) not in days  # Easter Monday
    assert datetime.date(2026, 4, 13) in days
    assert datetime.date(2026, 5, 25) not in days  # Whit Monday


def test_slots_are_generated_eight_weeks_ahead_once(actis, adviser, agency):
    make_rule(adviser, agency, weekday=1, start=(9, 0), end=(10, 0))
    first = slots_generate(landlord_id=actis.pk, now=at(2026, 9, 7))
    second = slots_generate(landlord_id=actis.pk, now=at(2026, 9, 7))
    assert first["created"] == 16  # 8 Tuesdays, 2 slots each
    assert second == {"created": 0, "deleted": 0, "closed": 0, "reopened": 0}
    assert Slot.objects.count() == 16


def test_new_rules_never_touch_booked_slots(actis, adviser, agency, actis_household):
    rule = make_rule(adviser, agency, weekday=0, start=(9, 0), end=(10, 0))
    now = at(2026, 9, 1)
    slots_generate(landlord_id=actis.pk, now=now)
    booked = Slot.objects.order_by("start").first()
    appointment_book(household=actis_household, slot=booked, request=PHONE_BOOKING, now=now)
    rule.is_active = False
    rule.save()
    result = slots_generate(landlord_id=actis.pk, now=now)
    assert list(Slot.objects.all()) == [booked]
    assert result["deleted"] == 15
    assert Appointment.objects.get().slot == booked


def test_leave_closes_slots_and_extra_hours_open_some(actis, adviser, agency):
    make_rule(adviser, agency, weekday=0, start=(9, 0), end=(10, 0))
    AvailabilityException.objects.create(
        landlord=actis,
        adviser=adviser,
        kind="leave",
        starts_at=at(2026, 9, 14, 0),
        ends_at=at(2026, 9, 16, 0),
    )
    AvailabilityException.objects.create(
        landlord=actis,
        adviser=adviser,
        kind="extra",
        agency=agency,
        adviser_kind="social_adviser",
        starts_at=at(2026, 9, 16, 17),
        ends_at=at(2026, 9, 16, 18),
        offers_agency=False,
    )
    slots_generate(landlord_id=actis.pk, now=at(2026, 9, 1))
    week = paris_times(Slot.objects.filter(start__range=(at(2026, 9, 14, 0), at(2026, 9, 19, 0))))
    assert week == ["2026-09-16 17:00", "2026-09-16 17:30"]
    assert not Slot.objects.filter(start__range=(at(2026, 9, 16, 17), at(2026, 9, 16, 18)))[
        0
    ].offers_agency


# ---------------------------------------------------------------------------------------------
# Booking rules


@pytest.fixture
def monday(adviser, agency):
    """Four 30-minute slots from 9:00 on Monday 2 March 2026."""
    return [
        make_slot(adviser, agency, MONDAY_9AM + datetime.timedelta(minutes=30 * i))
        for i in range(4)
    ]


def other_household(landlord):
    household = HouseholdFactory(landlord=landlord)
    LeaseFactory(household=household)
    return household


def test_tenants_book_at_least_24_hours_ahead_but_staff_may_book_sooner(
    actis, monday, actis_household
):
    too_late = MONDAY_9AM - datetime.timedelta(hours=23)
    with pytest.raises(OutreachError, match="24 heures à l'avance"):
        appointment_book(
            household=actis_household, slot=monday[0], request=PHONE_BOOKING, now=too_late
        )
    appointment = appointment_book(
        household=actis_household, slot=monday[0], request=PHONE_BOOKING, staff=True, now=too_late
    )
    assert appointment.status == "booked"


def test_buffer_keeps_the_next_slot_of_the_adviser_free(actis, monday, actis_household):
    set_rules(actis, buffer_minutes=15)
    now = MONDAY_9AM - datetime.timedelta(days=3)
    appointment_book(household=actis_household, slot=monday[0], request=PHONE_BOOKING, now=now)
    with pytest.raises(OutreachError, match="trop proche"):
        appointment_book(
            household=other_household(actis), slot=monday[1], request=PHONE_BOOKING, now=now
        )
    appointment_book(
        household=other_household(actis), slot=monday[2], request=PHONE_BOOKING, now=now
    )


def test_daily_maximum_per_adviser(actis, monday, actis_household):
    set_rules(actis, max_per_day=2)
    now = MONDAY_9AM - datetime.timedelta(days=3)
    for slot in monday[:2]:
        appointment_book(
            household=other_household(actis), slot=slot, request=PHONE_BOOKING, now=now
        )
    with pytest.raises(OutreachError, match="plus de rendez-vous libre ce jour-là"):
        appointment_book(household=actis_household, slot=monday[2], request=PHONE_BOOKING, now=now)


def test_a_household_has_at_most_two_upcoming_appointments(actis, monday, actis_household):
    now = MONDAY_9AM - datetime.timedelta(days=3)
    for slot in monday[:2]:
        appointment_book(household=actis_household, slot=slot, request=PHONE_BOOKING, now=now)
    with pytest.raises(OutreachError, match="déjà 2 rendez-vous à venir"):
        appointment_book(household=actis_household, slot=monday[3], request=PHONE_BOOKING, now=now)


def test_phone_appointments_need_a_number_and_a_phone_slot(actis, adviser, agency, actis_household):
    slot = make_slot(adviser, agency, MONDAY_9AM)
    Slot.objects.filter(pk=slot.pk).update(offers_phone=False)
    slot.refresh_from_db()
    now = MONDAY_9AM - datetime.timedelta(days=3)
    with pytest.raises(OutreachError, match="numéro"):
        appointment_book(
            household=actis_household,
            slot=slot,
            request=BookingRequest(reason="other", mode="phone"),
            now=now,
        )
    with pytest.raises(OutreachError, match="pas proposé pour ce mode"):
        appointment_book(household=actis_household, slot=slot, request=PHONE_BOOKING, now=now)


@pytest.mark.parametrize(
    ("phone", "details", "message"),
    [
        ("0" * 200, "", "n'est pas valide"),
        ("pas un numéro", "", "n'est pas valide"),
        ("06 12 34 56 78", "x" * 501, "500 caractères"),
    ],
)
def test_a_bad_number_or_too_long_details_are_refused_in_french_and_book_nothing(
    actis, adviser, agency, actis_household, phone, details, message
):
    """Found by hypothesis: a 200-digit « number » reached the database (varchar 128) and failed."""
    slot = make_slot(adviser, agency, MONDAY_9AM)
    with pytest.raises(OutreachError, match=message):
        appointment_book(
            household=actis_household,
            slot=slot,
            request=BookingRequest(reason="other", mode="phone", phone=phone, details=details),
            now=MONDAY_9AM - datetime.timedelta(days=3),
        )
    assert not Appointment.objects.exists()


def test_a_phone_number_is_stored_in_international_form(actis, adviser, agency, actis_household):
    slot = make_slot(adviser, agency, MONDAY_9AM)
    appointment = appointment_book(
        household=actis_household,
        slot=slot,
        request=BookingRequest(reason="other", mode="phone", phone="06 12 34 56 78"),
        now=MONDAY_9AM - datetime.timedelta(days=3),
    )
    appointment.refresh_from_db()
    assert appointment.phone.as_e164 == "+33612345678"


def test_a_slot_of_another_landlord_cannot_be_booked(sdh_household, monday):
    with pytest.raises(OutreachError, match="pas proposé par votre bailleur"):
        appointment_book(
            household=sdh_household,
            slot=monday[0],
            request=PHONE_BOOKING,
            now=MONDAY_9AM - datetime.timedelta(days=3),
        )


def test_the_loser_of_a_race_gets_a_french_message_and_other_free_slots(
    actis, monday, actis_household
):
    now = MONDAY_9AM - datetime.timedelta(days=3)
    appointment_book(
        household=other_household(actis), slot=monday[0], request=PHONE_BOOKING, now=now
    )
    with pytest.raises(SlotTaken, match="vient d'être réservé") as caught:
        appointment_book(household=actis_household, slot=monday[0], request=PHONE_BOOKING, now=now)
    assert caught.value.alternatives == monday[1:]


def test_the_database_refuses_two_active_bookings_of_one_slot(actis, monday, actis_household):
    fields = {"landlord": actis, "slot": monday[0], "reason": "other", "mode": "agency"}
    Appointment.objects.create(household=actis_household, **fields)
    Appointment.objects.create(household=actis_household, status="cancelled", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(household=other_household(actis), **fields)


def test_two_no_shows_in_six_months_leave_booking_to_staff(actis, monday, actis_household):
    past = [
        make_slot(monday[0].adviser, monday[0].agency, MONDAY_9AM - datetime.timedelta(days=d))
        for d in (30, 60)
    ]
    long_ago = MONDAY_9AM - datetime.timedelta(days=120)
    for slot in past:
        appointment = appointment_book(
            household=actis_household, slot=slot, request=PHONE_BOOKING, now=long_ago
        )
        appointment_set_outcome(appointment=appointment, status="no_show", now=MONDAY_9AM)
    now = MONDAY_9AM - datetime.timedelta(days=3)
    with pytest.raises(OutreachError, match="par téléphone auprès de votre agence"):
        appointment_book(household=actis_household, slot=monday[0], request=PHONE_BOOKING, now=now)
    appointment_book(
        household=actis_household, slot=monday[0], request=PHONE_BOOKING, staff=True, now=now
    )


# ---------------------------------------------------------------------------------------------
# Cancel and move


def test_cancel_frees_the_slot_at_once_until_the_cutoff(actis, monday, actis_household):
    now = MONDAY_9AM - datetime.timedelta(days=3)
    first = appointment_book(
        household=actis_household, slot=monday[0], request=PHONE_BOOKING, now=now
    )
    with pytest.raises(OutreachError, match="appelez votre agence"):
        appointment_cancel(appointment=first, now=MONDAY_9AM - datetime.timedelta(minutes=90))
    appointment_cancel(appointment=first, now=now)
    assert Appointment.objects.get(pk=first.pk).status == "cancelled"
    assert not Reminder.objects.filter(appointment=first).exists()
    again = appointment_book(
        household=other_household(actis), slot=monday[0], request=PHONE_BOOKING, now=now
    )
    assert again.slot == monday[0]


def test_an_appointment_moves_twice_at_most(actis, monday, actis_household):
    now = MONDAY_9AM - datetime.timedelta(days=3)
    appointment = appointment_book(
        household=actis_household, slot=monday[0], request=PHONE_BOOKING, now=now
    )
    appointment = appointment_move(appointment=appointment, new_slot=monday[1], now=now)
    appointment = appointment_move(appointment=appointment, new_slot=monday[2], now=now)
    assert (appointment.slot, appointment.moves) == (monday[2], 2)
    with pytest.raises(OutreachError, match="déjà été déplacé 2 fois"):
        appointment_move(appointment=appointment, new_slot=monday[3], now=now)
    # The slots left behind are free again.
    appointment_book(
        household=other_household(actis), slot=monday[0], request=PHONE_BOOKING, now=now
    )


def test_a_move_is_checked_without_the_appointment_it_moves(actis, monday, actis_household):
    """At the household's and the adviser's maximum, next to the slot it leaves: the appointment
    being moved counts in none of the rules, or no full diary could ever be rearranged."""
    set_rules(actis, buffer_minutes=15, max_per_day=2)
    now = MONDAY_9AM - datetime.timedelta(days=3)
    first = appointment_book(
        household=actis_household, slot=monday[0], request=PHONE_BOOKING, now=now
    )
    appointment_book(household=actis_household, slot=monday[3], request=PHONE_BOOKING, now=now)
    moved = appointment_move(appointment=first, new_slot=monday[1], now=now)
    assert (moved.slot, moved.moves) == (monday[1], 1)
    # Another household still meets every rule: the adviser's day is full.
    with pytest.raises(OutreachError, match="plus de rendez-vous libre ce jour-là"):
        appointment_book(
            household=other_household(actis), slot=monday[2], request=PHONE_BOOKING, now=now
        )


def test_a_move_onto_a_booked_slot_is_refused(actis, monday, actis_household):
    now = MONDAY_9AM - datetime.timedelta(days=3)
    mine = appointment_book(
        household=actis_household, slot=monday[0], request=PHONE_BOOKING, now=now
    )
    appointment_book(
        household=other_household(actis), slot=monday[2], request=PHONE_BOOKING, now=now
    )
    with pytest.raises(SlotTaken):
        appointment_move(appointment=mine, new_slot=monday[2], now=now)
    assert Appointment.objects.get(pk=mine.pk).slot == monday[0]


# ---------------------------------------------------------------------------------------------
# Signed links


def test_signed_links_expire_and_stay_bound_to_one_appointment_and_purpose(
    actis, monday, actis_household
):
    now = MONDAY_9AM - datetime.timedelta(days=3)
    mine = appointment_book(
        household=actis_household, slot=monday[0], request=PHONE_BOOKING, now=now
    )
    theirs = appointment_book(
        household=other_household(actis), slot=monday[2], request=PHONE_BOOKING, now=now
    )
    token = appointment_link_token(appointment_id=mine.pk, purpose="cancel")
    assert appointment_from_token(appointment_id=mine.pk, token=token, purpose="cancel") == mine
    with pytest.raises(OutreachError, match="pas valable"):
        appointment_from_token(appointment_id=theirs.pk, token=token, purpose="cancel")
    with pytest.raises(OutreachError, match="pas valable"):
        appointment_from_token(appointment_id=mine.pk, token=token, purpose="move")
    later = datetime.datetime.now(tz=UTC) + datetime.timedelta(days=61)
    with time_machine.travel(later), pytest.raises(OutreachError, match="expiré"):
        appointment_from_token(appointment_id=mine.pk, token=token, purpose="cancel")


# ---------------------------------------------------------------------------------------------
# E-mails and reminders


def test_confirmation_email_is_in_paris_time_with_an_ics_file(
    actis, monday, actis_household, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment_book(
            household=actis_household,
            slot=monday[1],
            request=PHONE_BOOKING,
            now=MONDAY_9AM - datetime.timedelta(days=3),
        )
    [message] = mailoutbox
    assert message.subject == "Votre rendez-vous est confirmé"
    assert "lundi 2 mars 2026" in message.body
    assert "09:30 – 10:00" in message.body  # 8:30 UTC
    assert "/espace/rendez-vous/lien/" in message.body
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("rendez-vous.ics", "text/calendar")
    assert "DTSTART:20260302T083000Z" in str(content)


def test_reminders_go_out_once_even_if_the_task_runs_twice(
    actis, monday, actis_household, mailoutbox
):
    appointment = appointment_book(
        household=actis_household,
        slot=monday[0],
        request=PHONE_BOOKING,
        now=MONDAY_9AM - datetime.timedelta(days=3),
    )
    assert appointment.reminder.due_at == MONDAY_9AM - datetime.timedelta(hours=24)
    with time_machine.travel(MONDAY_9AM - datetime.timedelta(hours=25), tick=False):
        assert send_due_reminders() == 0
    with time_machine.travel(MONDAY_9AM - datetime.timedelta(hours=23), tick=False):
        assert send_due_reminders() == 1
        assert send_due_reminders() == 0
        assert reminder_send(reminder_id=appointment.reminder.pk) is False
    assert [m.subject for m in mailoutbox] == ["Rappel : votre rendez-vous de demain"]
    reminder = Reminder.objects.get()
    assert (reminder.attempts, reminder.sent_at is not None) == (1, True)


def test_a_booking_inside_the_reminder_window_gets_its_reminder_at_once(
    actis, monday, actis_household, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(MONDAY_9AM - datetime.timedelta(hours=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        appointment_book(
            household=actis_household, slot=monday[0], request=PHONE_BOOKING, staff=True
        )
    assert sorted(m.subject for m in mailoutbox) == [
        "Rappel : votre rendez-vous de demain",
        "Votre rendez-vous est confirmé",
    ]
    assert Reminder.objects.get().sent_at is not None


def test_a_failed_reminder_is_written_on_its_row(actis, monday, actis_household):
    actis_household.email = ""
    actis_household.save()
    appointment = appointment_book(
        household=actis_household,
        slot=monday[0],
        request=PHONE_BOOKING,
        now=MONDAY_9AM - datetime.timedelta(days=3),
    )
    with time_machine.travel(MONDAY_9AM - datetime.timedelta(hours=2), tick=False):
        assert send_due_reminders() == 0
    reminder = Reminder.objects.get(appointment=appointment)
    assert reminder.sent_at is None
    assert reminder.attempts == 1
    assert "adresse e-mail" in reminder.last_error


# ---------------------------------------------------------------------------------------------
# Waiting list


def test_a_freed_slot_is_offered_to_the_first_in_line_then_the_next(
    actis, monday, actis_household, mailoutbox, django_capture_on_commit_callbacks
):
    now = MONDAY_9AM - datetime.timedelta(days=3)
    booked = appointment_book(
        household=actis_household, slot=monday[0], request=PHONE_BOOKING, now=now
    )
    first, second = other_household(actis), other_household(actis)
    for household in (first, second):
        waiting_list_join(
            household=household,
            kind="social_adviser",
            reason="budget_advice",
            mode="phone",
            phone="+33611111111",
            earliest=datetime.date(2026, 3, 1),
            latest=datetime.date(2026, 3, 6),
        )
    with (
        time_machine.travel(now, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        appointment_cancel(appointment=booked)
    offered = WaitingListEntry.objects.get(status="offered")
    assert (offered.household, offered.offered_slot) == (first, monday[0])
    assert offered.offer_expires_at == now + datetime.timedelta(hours=2)
    assert "Un créneau s'est libéré pour vous" in [m.subject for m in mailoutbox]
    # Held for the first in line: nobody else books it meanwhile.
    with pytest.raises(OutreachError, match="liste d'attente"):
        appointment_book(
            household=second,
            slot=monday[0],
            request=PHONE_BOOKING,
            now=now + datetime.timedelta(hours=1),
        )
    later = now + datetime.timedelta(hours=2, minutes=1)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert waiting_offers_expire() == 1
    assert WaitingListEntry.objects.get(household=first).status == "expired"
    assert WaitingListEntry.objects.get(household=second).status == "offered"


# ---------------------------------------------------------------------------------------------
# Concurrency (PostgreSQL)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_tenants_booking_one_slot_at_once_give_exactly_one_booking(actis, adviser, agency):
    slot = make_slot(adviser, agency, MONDAY_9AM)
    households = [other_household(actis) for _ in range(50)]
    barrier = threading.Barrier(50)
    results: list[str] = []
    lock = threading.Lock()

    def attempt(household):
        try:
            connection.ensure_connection()  # connected before the start: the race is the booking
            barrier.wait(timeout=30)
            appointment_book(
                household=household,
                slot=slot,
                request=PHONE_BOOKING,
                now=MONDAY_9AM - datetime.timedelta(days=3),
            )
            outcome = "booked"
        except SlotTaken as error:
            outcome = error.message
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(h,)) for h in households]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert connection.vendor == "postgresql"
    assert results.count("booked") == 1
    assert len(results) == 50
    assert all("vient d'être réservé" in r for r in results if r != "booked")
    assert Appointment.objects.filter(slot=slot, status="booked").count() == 1
