# ruff: noqa: F811 (pytest fixtures imported from appointments_support)
"""A tenant books a phone appointment by keyboard only, moves it and cancels it; the adviser sees
it in the day view. axe-core on every page of the way."""

import datetime
import re

import pytest
from django.utils import timezone

from outreach.models import Appointment
from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import expect
from tests.outreach.appointments_support import (  # noqa: F401
    PARIS,
    adviser,
    agency,
    make_slot,
    tenant,
)


def tab_to(page, locator, limit: int = 80) -> None:
    """Press Tab until ``locator`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"Tab never reached {locator}")


@pytest.fixture
def next_week_slots(adviser, agency):
    """The live server's clock is real: slots next Tuesday and Wednesday, always > 24 h ahead."""
    today = timezone.localdate(timezone.now(), PARIS)
    tuesday = today + datetime.timedelta(days=7 - today.weekday() + 1)
    starts = [
        datetime.datetime.combine(day, datetime.time(10, minute), tzinfo=PARIS)
        for day in (tuesday, tuesday + datetime.timedelta(days=1))
        for minute in (0, 30)
    ]
    return [make_slot(adviser, agency, start) for start in starts]


def test_tenant_books_moves_and_cancels_a_phone_appointment_by_keyboard(
    journey, log_in, tenant, adviser, next_week_slots, mailoutbox
):
    page = journey.page
    log_in(tenant)
    page.goto("/espace/rendez-vous/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes rendez-vous")
    check_accessibility(page)
    tab_to(page, page.get_by_role("link", name="Prendre rendez-vous avec un conseiller"))
    page.keyboard.press("Enter")

    # Step 1: reason, mode and number, with arrows in the radio groups.
    expect(page.get_by_role("heading", level=1)).to_have_text("Prendre rendez-vous")
    check_accessibility(page)
    tab_to(page, page.get_by_label("difficulté à payer le loyer"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("conseil sur le budget")).to_be_checked()
    tab_to(page, page.get_by_label("à l'agence"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("par téléphone")).to_be_checked()
    tab_to(page, page.get_by_label("Numéro auquel vous appeler"))
    page.keyboard.press("Control+a")
    page.keyboard.type("06 98 76 54 32")
    journey.step("motif-et-mode")
    page.keyboard.press("Enter")

    # Step 2: the week view opens on the first week with a free slot; a slot by arrows.
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir un créneau")
    table = page.get_by_role("table")
    expect(table.get_by_role("radio")).to_have_count(4)
    check_accessibility(page)
    tab_to(page, table.get_by_role("radio").first)
    page.keyboard.press("ArrowRight")
    expect(table.get_by_role("radio").nth(1)).to_be_checked()
    journey.step("creneaux")
    tab_to(page, page.get_by_role("button", name="Continuer"))
    page.keyboard.press("Enter")

    # Step 3: confirm.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer le rendez-vous")
    check_accessibility(page)
    tab_to(page, page.get_by_role("button", name="Confirmer le rendez-vous"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rendez-vous confirmé")
    expect(page.get_by_text("Par téléphone : le conseiller vous appelle au")).to_be_visible()
    check_accessibility(page)
    journey.step("confirmation")
    appointment = Appointment.objects.get()
    assert appointment.phone.as_e164 == "+33698765432"
    assert [m.subject for m in mailoutbox] == ["Votre rendez-vous est confirmé"]
    first_slot = appointment.slot

    # Move it.
    tab_to(page, page.locator("#contenu").get_by_role("link", name="Mes rendez-vous"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name=re.compile("^Déplacer")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Déplacer le rendez-vous")
    table = page.get_by_role("table")
    expect(table.get_by_role("radio")).to_have_count(3)  # not the current slot
    check_accessibility(page)
    tab_to(page, table.get_by_role("radio").first)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    tab_to(page, page.get_by_role("button", name="Déplacer le rendez-vous"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Votre rendez-vous est déplacé.")
    appointment.refresh_from_db()
    assert (appointment.moves, appointment.slot != first_slot) == (1, True)
    journey.step("deplace")

    # The adviser sees it in the day view.
    log_in(adviser)
    day = timezone.localtime(appointment.slot.start, PARIS).date()
    page.goto(f"/personnel/rendez-vous/?jour={day:%Y-%m-%d}")
    expect(page.get_by_role("link", name="M. et Mme Martin")).to_be_visible()
    check_accessibility(page)
    journey.step("journee-du-conseiller")

    # Cancel it.
    log_in(tenant)
    page.goto("/espace/rendez-vous/")
    tab_to(page, page.get_by_role("link", name=re.compile("^Annuler")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuler le rendez-vous")
    check_accessibility(page)
    tab_to(page, page.get_by_role("button", name="Oui, annuler ce rendez-vous"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Votre rendez-vous est annulé.")
    expect(page.get_by_text("Aucun rendez-vous à venir.")).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
