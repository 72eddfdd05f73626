# ruff: noqa: F811 (pytest fixtures imported from appointments_support)
"""An adviser adds a weekly rule and an absence by keyboard at « Mes disponibilités »; axe-clean."""

import datetime
import re

from django.utils import timezone

from outreach.models import AvailabilityException, AvailabilityRule
from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import expect
from tests.e2e.test_booking_journey import tab_to
from tests.outreach.appointments_support import PARIS, adviser, agency  # noqa: F401


def test_adviser_adds_a_rule_and_an_absence_by_keyboard(journey, log_in, adviser, agency):
    page = journey.page
    log_in(adviser)
    page.goto("/personnel/rendez-vous/")
    tab_to(page, page.get_by_role("link", name="Disponibilités et absences"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes disponibilités")
    check_accessibility(page)

    # A weekly rule: Tuesday 14:00–17:30 at the agency, phone only.
    tab_to(page, page.get_by_label(re.compile(r"^Jour")))
    page.keyboard.press("ArrowDown")  # lundi → mardi
    tab_to(page, page.get_by_label("De (heure)"))
    page.keyboard.type("14:00")
    tab_to(page, page.get_by_label("À (heure)"))
    page.keyboard.type("17:30")
    tab_to(page, page.get_by_label("À l'agence"))
    page.keyboard.press("Space")  # unticked: phone only
    journey.step("regle")
    tab_to(page, page.get_by_role("button", name="Ajouter la disponibilité"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Disponibilité ajoutée")
    expect(page.get_by_role("table").first).to_contain_text("14:00 – 17:30")
    check_accessibility(page)
    rule = AvailabilityRule.objects.get()
    assert (rule.weekday, rule.start_time, rule.end_time) == (
        1,
        datetime.time(14),
        datetime.time(17, 30),
    )
    assert (rule.offers_agency, rule.offers_phone) == (False, True)

    # An absence next month, first and last day included.
    first = timezone.localdate(timezone.now(), PARIS) + datetime.timedelta(days=30)
    last = first + datetime.timedelta(days=4)
    tab_to(page, page.get_by_label("congé", exact=True))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("formation", exact=True)).to_be_checked()
    tab_to(page, page.get_by_label("Premier jour"))
    page.keyboard.type(first.strftime("%d/%m/%Y"))
    tab_to(page, page.get_by_label("Dernier jour (inclus)"))
    page.keyboard.type(last.strftime("%d/%m/%Y"))
    tab_to(page, page.get_by_label("Remarque (facultatif)"))
    page.keyboard.type("Formation budget")
    journey.step("absence")
    tab_to(page, page.get_by_role("button", name="Enregistrer l'absence"))
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Formation budget")
    check_accessibility(page)
    absence = AvailabilityException.objects.get()
    assert absence.kind == "training"
    assert absence.starts_at.astimezone(PARIS).date() == first
    assert absence.ends_at.astimezone(PARIS).date() == last + datetime.timedelta(days=1)
