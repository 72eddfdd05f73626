"""A tenant's journey in a real browser: a request with a photo, a staff answer, axe on each page."""

import io
import re

import pytest
from PIL import Image

from tenants.models import TechnicalRequest
from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import expect
from tests.factories import AgencyFactory, make_tenant


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def small_png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 90, 200)).save(output, format="PNG")
    return output.getvalue()


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()


def test_tenant_files_a_request_with_a_photo_and_reads_the_staff_answer(
    journey, log_in, actis, actis_household, bob
):
    lease = actis_household.leases.get()
    building = lease.dwelling.building
    building.agency = AgencyFactory(landlord=actis, name="Agence Arlequin")
    building.save()
    tenant = make_tenant(actis_household, email="jeanne@exemple.fr", first_name="Jeanne")
    page = journey.page

    # The two ways in without a password yet: readable and accessible too.
    page.goto("/espace/activation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ouvrir mon espace avec un code")
    check_accessibility(page)

    log_in(tenant)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Jeanne")
    expect(page.get_by_text("Agence Arlequin")).to_be_visible()
    journey.step("accueil")
    check_accessibility(page)

    page.get_by_role("link", name="Signaler un problème").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler un problème")
    check_accessibility(page)
    page.get_by_label("Quel est le problème ?").select_option(label="plomberie")
    page.get_by_label("Décrivez le problème").fill("Fuite sous l'évier de la cuisine")
    page.get_by_label("Quand êtes-vous disponible pour une visite ?").fill("le matin")
    page.get_by_label("Photos (facultatif)").set_input_files(
        files=[{"name": "evier.png", "mimeType": "image/png", "buffer": small_png()}]
    )
    journey.step("formulaire")
    page.get_by_role("button", name="Envoyer ma demande").click()

    # Read the database once the answer page is there, not while the POST may still be running.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Demande "))
    tech_request = TechnicalRequest.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Demande {tech_request.reference}")
    expect(page.get_by_role("img", name="Photo 1 de la demande")).to_be_visible()
    # Visible means laid out, not decoded: wait for the decoding before reading its width.
    natural_width = page.get_by_role("img", name="Photo 1 de la demande").evaluate(
        "img => img.decode().then(() => img.naturalWidth)"
    )
    assert natural_width == 40
    journey.step("demande")
    check_accessibility(page)

    page.get_by_role("link", name="Mes demandes").first.click()
    expect(page.get_by_role("link", name=f"{tech_request.reference} – Plomberie")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Mes données").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données")
    check_accessibility(page)
    page.get_by_role("link", name="Demander une correction").click()
    check_accessibility(page)
    page.get_by_role("link", name="Être rappelé").click()
    check_accessibility(page)
    log_out(page)

    log_in(bob)
    page.goto("/personnel/demandes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes techniques")
    check_accessibility(page)
    page.get_by_role("link", name=tech_request.reference).click()
    check_accessibility(page)
    page.get_by_label("Nouvel état").select_option(label="visite programmée")
    page.get_by_label("Message au locataire").first.fill("Le plombier passe jeudi à 9 h.")
    page.get_by_role("button", name="Changer l'état").click()
    expect(page.get_by_text("le locataire est prévenu par e-mail")).to_be_visible()
    journey.step("personnel")
    log_out(page)

    log_in(tenant)
    page.goto(f"/espace/demandes/{tech_request.pk}/")
    expect(page.get_by_text("État : visite programmée")).to_be_visible()
    expect(page.get_by_text("Le plombier passe jeudi à 9 h.")).to_be_visible()
    journey.step("reponse")
    check_accessibility(page)
