# ruff: noqa: F811 (pytest fixtures imported from appointments_support)
"""Appointment pages: the tenant's three steps, their appointments, signed links, staff desk."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from housing.models import Role
from outreach.models import Appointment
from outreach.services.appointments import appointment_book, appointment_link_token
from tests.factories import HouseholdFactory, LeaseFactory, make_staff
from tests.outreach.appointments_support import (  # noqa: F401
    MONDAY_9AM,
    PHONE_BOOKING,
    adviser,
    agency,
    make_slot,
    sdh_tenant,
    tenant,
)

FRIDAY_BEFORE = MONDAY_9AM - datetime.timedelta(days=3)


@pytest.fixture(autouse=True)
def _friday_before():
    with time_machine.travel(FRIDAY_BEFORE, tick=True):
        yield


@pytest.fixture
def slots(adviser, agency):
    return [
        make_slot(adviser, agency, MONDAY_9AM + datetime.timedelta(minutes=30 * i))
        for i in range(4)
    ]


@pytest.fixture
def booked(slots, actis_household):
    return appointment_book(household=actis_household, slot=slots[0], request=PHONE_BOOKING)


def test_tenant_books_in_three_steps_and_sees_the_confirmation(
    client, tenant, slots, actis_household, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(tenant)
    response = client.post(
        reverse("appointments:book_start"),
        {"reason": "budget_advice", "mode": "phone", "phone": "06 12 34 56 78"},
    )
    assert response.url == reverse("appointments:book_slots")
    page = client.get(reverse("appointments:book_slots"), {"semaine": "2026-03-02"})
    assert page.status_code == 200
    assert 'name="creneau"' in page.text
    assert "Claire Morel" in page.text
    response = client.post(reverse("appointments:book_slots"), {"creneau": slots[1].pk})
    confirm = client.get(response.url)
    assert "lundi 2 mars 2026" in confirm.text
    assert "09:30" in confirm.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm.request["PATH_INFO"], {"creneau": slots[1].pk})
    appointment = Appointment.objects.get()
    assert response.url == reverse("appointments:confirmation", args=[appointment.pk])
    page = client.get(response.url)
    assert "Rendez-vous confirmé" in page.text
    assert (appointment.household, appointment.phone.as_e164) == (actis_household, "+33612345678")
    assert [m.subject for m in mailoutbox] == ["Votre rendez-vous est confirmé"]


def test_phone_mode_needs_a_number(client, tenant):
    client.force_login(tenant)
    response = client.post(
        reverse("appointments:book_start"), {"reason": "other", "mode": "phone", "phone": ""}
    )
    assert response.status_code == 200
    assert "Indiquez le numéro" in response.text


def test_the_loser_of_a_race_sees_other_free_slots(client, tenant, slots, sdh_household):
    from tests.outreach.test_appointments_services import other_household

    client.force_login(tenant)
    client.post(
        reverse("appointments:book_start"),
        {"reason": "budget_advice", "mode": "phone", "phone": "0612345678"},
    )
    appointment_book(
        household=other_household(slots[0].landlord), slot=slots[0], request=PHONE_BOOKING
    )
    response = client.post(
        reverse("appointments:book_confirm") + f"?creneau={slots[0].pk}", {"creneau": slots[0].pk}
    )
    assert response.status_code == 200
    assert "vient d&#x27;être réservé par quelqu&#x27;un d&#x27;autre" in response.text
    assert f'value="{slots[1].pk}"' in response.text
    assert f'value="{slots[0].pk}"' not in response.text


def test_my_appointments_cancel_and_move(client, tenant, booked, slots):
    client.force_login(tenant)
    page = client.get(reverse("appointments:my_appointments"))
    assert "lundi 2 mars 2026" in page.text
    response = client.post(reverse("appointments:move", args=[booked.pk]), {"creneau": slots[2].pk})
    assert response.url == reverse("appointments:confirmation", args=[booked.pk])
    booked.refresh_from_db()
    assert (booked.slot, booked.moves) == (slots[2], 1)
    client.post(reverse("appointments:cancel", args=[booked.pk]))
    booked.refresh_from_db()
    assert booked.status == "cancelled"


def test_a_tenant_cannot_see_or_change_another_households_appointment(
    client, sdh_tenant, booked, slots
):
    client.force_login(sdh_tenant)
    for name in ("confirmation", "cancel", "move"):
        assert client.get(reverse(f"appointments:{name}", args=[booked.pk])).status_code == 404
    assert client.post(reverse("appointments:cancel", args=[booked.pk])).status_code == 404
    response = client.post(reverse("appointments:move", args=[booked.pk]), {"creneau": slots[1].pk})
    assert response.status_code == 404
    booked.refresh_from_db()
    assert (booked.status, booked.slot) == ("booked", slots[0])


def test_tenant_pages_need_a_household(client, alice):
    assert client.get(reverse("appointments:my_appointments")).status_code == 302
    client.force_login(alice)
    assert client.get(reverse("appointments:my_appointments")).status_code == 404


def test_the_week_of_free_slots_reads_in_constant_queries(
    client, tenant, adviser, agency, django_assert_max_num_queries
):
    client.force_login(tenant)
    client.post(
        reverse("appointments:book_start"),
        {"reason": "budget_advice", "mode": "phone", "phone": "0612345678"},
    )
    make_slot(adviser, agency, MONDAY_9AM)
    url = reverse("appointments:book_slots") + "?semaine=2026-03-02"
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for day in range(1, 5):
        for hour in range(6):
            make_slot(adviser, agency, MONDAY_9AM + datetime.timedelta(days=day, hours=hour))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.text.count('name="creneau"') == 25


# ---------------------------------------------------------------------------------------------
# Signed links


def test_a_signed_link_cancels_without_logging_in(client, booked):
    token = appointment_link_token(appointment_id=booked.pk, purpose="cancel")
    url = reverse("appointments:appointment_link_cancel", args=[booked.pk, token])
    assert "Oui, annuler ce rendez-vous" in client.get(url).text
    response = client.post(url)
    assert "Rendez-vous annulé" in response.text
    booked.refresh_from_db()
    assert booked.status == "cancelled"


def test_a_signed_link_cannot_be_used_on_another_appointment_or_purpose(
    client, booked, slots, actis
):
    other = HouseholdFactory(landlord=actis)
    LeaseFactory(household=other)
    theirs = appointment_book(household=other, slot=slots[2], request=PHONE_BOOKING)
    token = appointment_link_token(appointment_id=booked.pk, purpose="cancel")
    response = client.post(reverse("appointments:appointment_link_cancel", args=[theirs.pk, token]))
    assert response.status_code == 400
    assert "pas valable" in response.text
    response = client.post(
        reverse("appointments:appointment_link_move", args=[booked.pk, token]),
        {"creneau": slots[3].pk},
    )
    assert response.status_code == 400
    theirs.refresh_from_db()
    booked.refresh_from_db()
    assert (theirs.status, booked.slot) == ("booked", slots[0])


def test_a_signed_link_moves_the_appointment(client, booked, slots):
    token = appointment_link_token(appointment_id=booked.pk, purpose="move")
    url = reverse("appointments:appointment_link_move", args=[booked.pk, token])
    page = client.get(url + "?semaine=2026-03-02")
    assert f'value="{slots[1].pk}"' in page.text
    response = client.post(url, {"creneau": slots[1].pk})
    assert "Rendez-vous déplacé" in client.get(response.url).text
    booked.refresh_from_db()
    assert booked.slot == slots[1]


# ---------------------------------------------------------------------------------------------
# Staff desk


def test_the_adviser_sees_the_day_with_the_household(client, adviser, booked):
    client.force_login(adviser)
    page = client.get(reverse("outreach:appointment_day"), {"jour": "2026-03-02"})
    assert page.status_code == 200
    assert "M. et Mme Martin" in page.text
    assert "libre" in page.text
    week = client.get(reverse("outreach:appointment_week"), {"semaine": "2026-03-02"})
    assert "M. et Mme Martin" in week.text


def test_the_day_view_reads_in_constant_queries(
    client, adviser, agency, slots, actis, django_assert_max_num_queries
):
    client.force_login(adviser)
    url = reverse("outreach:appointment_day") + "?jour=2026-03-02"
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for slot in slots:
        household = HouseholdFactory(landlord=actis)
        appointment_book(household=household, slot=slot, request=PHONE_BOOKING)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.text.count("/personnel/rendez-vous/") >= 4


def test_staff_of_another_landlord_get_404_and_other_roles_403(client, booked, sdh, alice):
    outsider = make_staff(sdh, Role.SOCIAL_ADVISER, email="cesf@sdh.example")
    client.force_login(outsider)
    assert client.get(reverse("outreach:appointment_detail", args=[booked.pk])).status_code == 404
    url = reverse("outreach:appointment_staff_book", args=[booked.household_id])
    assert client.get(url).status_code == 404
    client.force_login(alice)  # a caller: no access to the advisers' diaries
    assert client.get(reverse("outreach:appointment_day")).status_code == 403


def test_tenants_cannot_open_the_staff_desk(client, tenant, booked):
    client.force_login(tenant)
    assert client.get(reverse("outreach:appointment_detail", args=[booked.pk])).status_code == 403


def test_staff_book_for_a_tenant_who_phones_even_at_short_notice(
    client, adviser, slots, actis_household
):
    client.force_login(adviser)
    query = "?reason=rent_difficulty&mode=phone&phone=0612345678&semaine=2026-03-02"
    slots[0].kind = "recovery_officer"
    slots[0].save()
    url = reverse("outreach:appointment_staff_book", args=[actis_household.pk]) + query
    page = client.get(url)
    assert f'value="{slots[0].pk}"' in page.text
    assert f'value="{slots[1].pk}"' not in page.text  # a social adviser's slot
    with time_machine.travel(MONDAY_9AM - datetime.timedelta(hours=2), tick=False):
        response = client.post(url, {"creneau": slots[0].pk})
    appointment = Appointment.objects.get()
    assert response.url == reverse("outreach:appointment_detail", args=[appointment.pk])
    assert appointment.booked_by_staff


def test_the_adviser_marks_a_no_show_with_a_note(client, adviser, booked):
    client.force_login(adviser)
    url = reverse("outreach:appointment_detail", args=[booked.pk])
    response = client.post(url, {"status": "no_show", "note": "Pas de réponse."})
    assert "pas encore eu lieu" in response.text
    with time_machine.travel(MONDAY_9AM + datetime.timedelta(hours=1), tick=False):
        client.post(url, {"status": "no_show", "note": "Pas de réponse à deux appels."})
    booked.refresh_from_db()
    assert (booked.status, booked.outcome_note) == ("no_show", "Pas de réponse à deux appels.")
    assert "absent(e)" in client.get(url).text


# ---------------------------------------------------------------------------------------------
# Waiting list


def test_a_tenant_joins_the_waiting_list_and_takes_the_freed_slot(
    client, tenant, booked, slots, actis_household, actis, django_capture_on_commit_callbacks
):
    from outreach.models import WaitingListEntry
    from outreach.services.appointments import appointment_cancel
    from tests.outreach.test_appointments_services import other_household

    # Another household holds the only slot the tenant wants.
    Appointment.objects.filter(pk=booked.pk).update(household=other_household(actis))
    client.force_login(tenant)
    client.post(
        reverse("appointments:book_start"),
        {"reason": "budget_advice", "mode": "phone", "phone": "0612345678"},
    )
    response = client.post(
        reverse("appointments:waiting_join"),
        {"kind": "social_adviser", "earliest": "2026-03-02", "latest": "2026-03-02"},
    )
    assert response.url == reverse("appointments:my_appointments")
    assert "Liste d'attente" in client.get(response.url).text
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=booked)
    entry = WaitingListEntry.objects.get(household=actis_household)
    assert (entry.status, entry.offered_slot) == ("offered", slots[0])
    page = client.get(reverse("appointments:waiting_offer", args=[entry.pk]))
    assert "Un créneau s'est libéré" in page.text
    response = client.post(reverse("appointments:waiting_offer", args=[entry.pk]))
    mine = Appointment.objects.get(household=actis_household)
    assert response.url == reverse("appointments:confirmation", args=[mine.pk])
    assert (mine.slot, mine.waiting_entry) == (slots[0], entry)
    entry.refresh_from_db()
    assert entry.status == "booked"


def test_my_appointments_read_in_constant_queries(
    client, tenant, slots, actis_household, django_assert_max_num_queries
):
    client.force_login(tenant)
    url = reverse("appointments:my_appointments")
    appointment_book(household=actis_household, slot=slots[0], request=PHONE_BOOKING)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    appointment_book(household=actis_household, slot=slots[2], request=PHONE_BOOKING)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.text.count("Déplacer") == 2


def test_my_appointments_show_the_ten_latest_past_or_cancelled_and_how_many_in_all(
    client, tenant, adviser, agency, actis_household, django_assert_max_num_queries
):
    """A household that booked and cancelled often still gets a short page, in as many queries."""
    client.force_login(tenant)
    url = reverse("appointments:my_appointments")

    def cancel_one_more(index):
        slot = make_slot(adviser, agency, MONDAY_9AM + datetime.timedelta(hours=index))
        appointment = appointment_book(household=actis_household, slot=slot, request=PHONE_BOOKING)
        Appointment.objects.filter(pk=appointment.pk).update(status="cancelled")

    cancel_one_more(0)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for index in range(1, 12):
        cancel_one_more(index)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert "Les 10 plus récents sur 12" in page.text
    assert page.text.count(": annulé") == 10
    # The most recent first: the last slot (Monday 20:00) is listed, the first two are not.
    assert "20:00" in page.text
    assert "09:00" not in page.text


def test_the_week_view_opens_on_the_first_week_with_a_free_slot(client, tenant, adviser, agency):
    later = make_slot(adviser, agency, MONDAY_9AM + datetime.timedelta(weeks=3))
    client.force_login(tenant)
    client.post(
        reverse("appointments:book_start"),
        {"reason": "other", "mode": "agency", "phone": ""},
    )
    page = client.get(reverse("appointments:book_slots"))
    assert f'value="{later.pk}"' in page.text
    assert "semaine du 23 mars 2026" in page.text


def test_staff_find_the_household_of_a_tenant_who_phones(client, adviser, actis_household, sdh):
    from tests.factories import HouseholdFactory

    HouseholdFactory(landlord=sdh, name="M. et Mme Martinez")
    client.force_login(adviser)
    page = client.get(reverse("outreach:appointment_book_search"), {"q": "Martin"})
    assert reverse("outreach:appointment_staff_book", args=[actis_household.pk]) in page.text
    assert "Martinez" not in page.text


def test_emails_show_paris_time_whoever_books(
    client, adviser, slots, actis_household, mailoutbox, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    timezone.activate("America/New_York")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            appointment_book(
                household=actis_household, slot=slots[0], request=PHONE_BOOKING, staff=True
            )
    finally:
        timezone.deactivate()
    assert "09:00 – 09:30" in mailoutbox[0].body
