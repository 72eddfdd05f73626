"""A caller's first steps in the portal, in a real browser, with axe-core on every page."""

import re

import pytest

from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import expect, fill_login_form


@pytest.mark.slow
def test_caller_logs_in_and_sees_only_her_landlords_households(
    journey, live_server, alice, actis_household, sdh_household
):
    page = journey.page

    page.goto("/comptes/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    journey.step("connexion")
    check_accessibility(page)

    fill_login_form(page, alice.email)
    expect(page).to_have_url(f"{live_server.url}/personnel/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Alice")
    journey.step("accueil-personnel")
    check_accessibility(page)

    navigation = page.get_by_role("navigation", name="Navigation principale")
    navigation.get_by_role("link", name="Ménages", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/personnel/menages/")
    households = page.get_by_role("table")
    expect(households.locator("caption")).to_have_text("1 ménage")
    expect(households.get_by_role("link", name="M. et Mme Martin")).to_be_visible()
    expect(page.get_by_text("Benali")).to_have_count(0)
    journey.step("menages")
    check_accessibility(page)

    households.get_by_role("link", name="M. et Mme Martin").click()
    expect(page).to_have_url(f"{live_server.url}/personnel/menages/{actis_household.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("M. et Mme Martin")
    # The people table (a second table lists tenant accounts).
    people = page.get_by_role("table").filter(has_text="Titulaire du bail")
    expect(people.get_by_role("rowheader", name="Jeanne MARTIN")).to_be_visible()
    journey.step("menage-actis")
    check_accessibility(page)

    response = page.goto(f"/personnel/menages/{sdh_household.pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page.get_by_text("Benali")).to_have_count(0)
    journey.step("menage-sdh-introuvable")
    check_accessibility(page)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(journey, log_in, alice):
    page = journey.page
    log_in(alice)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Bonjour"))

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    expect(skip_link).to_be_focused()
    # Hidden off-screen until focused: a keyboard user must see where the focus is.
    expect(skip_link).to_be_in_viewport()
    journey.step("lien-d-evitement")

    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    journey.step("contenu")
