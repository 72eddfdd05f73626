"""Works sites in a real browser: a suspension, a notice read by a tenant, the public page, the
rehousing of a demolition; axe-core on every page."""

import datetime

import pytest

from housing.models import Role
from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import expect
from tests.factories import (
    BuildingFactory,
    DwellingFactory,
    HouseholdFactory,
    LeaseFactory,
    WorksEventFactory,
    WorksSiteFactory,
    make_staff,
    make_tenant,
)


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()


@pytest.mark.slow
def test_staff_suspend_a_site_and_publish_a_notice_that_the_tenant_and_the_public_read(
    journey, log_in, actis, actis_household, estate
):
    building = actis_household.leases.get().dwelling.building
    site = WorksSiteFactory(
        landlord=actis, name="Réhabilitation de l'Arlequin", buildings=[building]
    )
    WorksEventFactory(site=site, kind="started", date=datetime.date(2020, 1, 6))
    supervisor = make_staff(actis, Role.SUPERVISOR, email="resp@actis.example", first_name="Rémi")
    tenant = make_tenant(actis_household, email="jeanne@exemple.fr", first_name="Jeanne")
    page = journey.page

    log_in(supervisor)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Chantiers"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chantiers")
    journey.step("chantiers")
    check_accessibility(page)

    page.get_by_role("link", name="Réhabilitation de l'Arlequin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réhabilitation de l'Arlequin")
    check_accessibility(page)
    page.get_by_label("Événement").select_option(label="suspendu")
    page.get_by_label("Date").fill("2020-03-17")
    page.get_by_label("Motif").fill("Confinement")
    page.get_by_role("button", name="Ajouter l'événement").click()
    expect(page.get_by_text("L'événement a été ajouté au chantier.")).to_be_visible()
    expect(page.get_by_role("table", name="Suspensions")).to_contain_text("Confinement")
    expect(page.locator(".tag").first).to_have_text("Suspendu")
    journey.step("suspension")
    check_accessibility(page)

    page.get_by_role("link", name="Rédiger un avis").click()
    check_accessibility(page)
    page.get_by_label("Titre").fill("Chantier suspendu")
    page.get_by_label("Texte").fill("Les échafaudages restent en place pendant le confinement.")
    page.get_by_label("Publier tout de suite").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("L'avis est publié.")).to_be_visible()
    log_out(page)

    page.goto(f"/travaux/{estate.slug}/")
    expect(
        page.get_by_role("heading", level=2, name="Réhabilitation de l'Arlequin")
    ).to_be_visible()
    expect(page.get_by_text("Les échafaudages restent en place")).to_be_visible()
    expect(page.get_by_text(actis_household.name)).to_have_count(0)
    journey.step("page-publique")
    check_accessibility(page)

    log_in(tenant)
    expect(page.get_by_role("heading", name="Travaux dans mon immeuble")).to_be_visible()
    expect(page.get_by_role("heading", name="Chantier suspendu")).to_be_visible()
    journey.step("accueil-locataire")
    check_accessibility(page)
    page.get_by_role("link", name="Tous les avis de travaux").click()
    expect(page.get_by_role("heading", name="Chantier suspendu")).to_be_visible()
    check_accessibility(page)


@pytest.mark.slow
def test_a_letting_agent_opens_the_rehousing_files_of_a_demolition(journey, log_in, actis):
    building = BuildingFactory(landlord=actis, name="7-9 Limousin")
    for name in ["Famille Achour", "M. Blanc"]:
        LeaseFactory(
            household=HouseholdFactory(landlord=actis, name=name), dwelling__building=building
        )
    DwellingFactory(building=building, status="vacant")
    site = WorksSiteFactory(
        landlord=actis, kind="demolition", name="Démolition du 7-9 Limousin", buildings=[building]
    )
    WorksEventFactory(site=site, kind="started", date=datetime.date(2020, 6, 2))
    agent = make_staff(actis, Role.LETTING_AGENT, email="loc@actis.example")
    page = journey.page

    log_in(agent)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Relogement"
    ).click()
    check_accessibility(page)
    page.get_by_role("link", name="Démolition du 7-9 Limousin").click()
    page.get_by_role("button", name="Ouvrir les dossiers de relogement").click()
    expect(page.get_by_text("2 dossier(s) ouvert(s), 1 logement(s) vacant(s)")).to_be_visible()
    expect(page.get_by_text("2 ménages à reloger sur 2").first).to_be_visible()
    journey.step("dossiers")
    check_accessibility(page)

    page.get_by_role("link", name="M. Blanc").click()
    check_accessibility(page)
    page.get_by_label("État").select_option(label="souhaits recueillis")
    page.get_by_label("Typologie souhaitée").select_option("T2")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le dossier de relogement est à jour.")).to_be_visible()
    expect(page.get_by_text("2 ménages à reloger sur 2").first).to_be_visible()
    journey.step("dossier-a-jour")
