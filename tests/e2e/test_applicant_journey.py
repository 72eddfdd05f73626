"""An applicant (a tenant asking for a transfer) reads their application, score, rank and the
committee's decision, reads the offer letter and accepts the offer; staff prepare the visits."""

import datetime
import re

import pytest
from django.utils import timezone

from allocations.models import Offer, VisitSlot
from housing.models import Role
from tenants.models import Lease
from tests.allocations.conftest import applicant, letting_sitting  # noqa: F401 - fixtures
from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import expect
from tests.factories import make_staff


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_applicant_sees_score_rank_and_decision_then_accepts_the_offer(
    journey,
    log_in,
    applicant,  # noqa: F811
    letting_sitting,  # noqa: F811
):
    offer = Offer.objects.get()
    page = journey.page
    log_in(applicant)
    page.get_by_role("link", name="Ma demande de logement").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma demande de logement")
    expect(page.get_by_role("heading", name=re.compile(r"^Demande n° "))).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ points"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Votre demande est classée \d+"))).to_be_visible()
    expect(page.get_by_role("cell", name="Logement attribué à un autre candidat.")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Proposition de logement en attente de votre réponse")
    ).to_be_visible()
    journey.step("demande")
    check_accessibility(page)

    page.get_by_role("link", name="Lire la lettre de proposition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Proposition de logement – réponse avant le ")
    )
    journey.step("lettre")
    check_accessibility(page)
    page.go_back()

    page.get_by_role("link", name="Accepter le logement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accepter le logement")
    check_accessibility(page)
    journey.step("confirmation")
    page.get_by_role("button", name="Je confirme : j'accepte ce logement").click()
    expect(page.get_by_text("Vous avez accepté le logement.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma demande de logement")
    journey.step("acceptee")
    check_accessibility(page)

    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    assert Lease.objects.get(status=Lease.Status.DRAFT).dwelling_id == offer.vacancy.dwelling_id


def test_letting_agent_opens_a_visit_slot_and_reads_the_decision_letter(
    journey,
    log_in,
    actis,
    letting_sitting,  # noqa: F811
):
    agent = make_staff(actis, Role.LETTING_AGENT, email="agent@actis.example", first_name="Léa")
    vacancy = Offer.objects.get().vacancy
    page = journey.page
    log_in(agent)
    page.goto(f"/personnel/logements-a-louer/{vacancy.pk}/")
    page.get_by_role("link", name="Photos, visites et étapes de la location").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Location du logement"))
    check_accessibility(page)
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=3)).replace(
        hour=10, minute=0
    )
    page.get_by_label("Date et heure de la visite").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Lieu de rendez-vous").fill("Hall B")
    page.get_by_role("button", name="Ouvrir le créneau").click()
    expect(page.get_by_text("Le créneau de visite est ouvert.")).to_be_visible()
    assert VisitSlot.objects.get().meeting_point == "Hall B"
    journey.step("visites")
    check_accessibility(page)

    page.get_by_role("link", name="lettre de proposition").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Proposition de logement")
    )
    check_accessibility(page)
