"""A committee secretary runs a CALEOL sitting in Django admin, then reads its minutes."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from allocations import minutes_pdf
from allocations.models import CommitteeMember, Decision, Offer, Sitting, Vacancy
from housing.models import Role
from tests.allocations.conftest import make_application, make_committee, make_sitting, make_vacancy
from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import expect
from tests.factories import UserFactory, make_staff


@pytest.fixture
def secretary(actis):
    user = make_staff(
        actis,
        Role.COMMITTEE_SECRETARY,
        email="secretariat@actis.example",
        first_name="Sonia",
        is_staff=True,
    )
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="allocations"))
    return user


@pytest.fixture
def planned_sitting(actis):
    """Two T3 vacancies with plenty of applicants, one T5 with a single matching application."""
    committee = make_committee(actis)
    sitting = make_sitting(committee, mode=Sitting.Mode.REMOTE)
    today = timezone.localdate()
    for name in ["Mme Roux", "M. Blanc", "Mme Noir", "M. Vert"]:
        make_application(actis, applicant_name=name, wished_typologies=["T3"], registered_on=today)
    make_application(
        actis,
        applicant_name="Famille Diallo",
        wished_typologies=["T5"],
        dalo=True,
        registered_on=today,
    )
    for typology in ["T3", "T3", "T5"]:
        vacancy = make_vacancy(actis, typology=typology)
        sitting.agenda_items.create(vacancy=vacancy)
    return sitting


def _run_action(page, sitting, label: str) -> None:
    page.goto(reverse("admin:allocations_sitting_changelist"))
    page.locator(f'input[name="_selected_action"][value="{sitting.pk}"]').check()
    page.get_by_role("combobox", name="Action").select_option(label=label)
    page.get_by_role("button", name=re.compile("Envoyer|Go")).click()


def _record(page, candidacy, *, kind: str, rank: str = "", votes_for: int = 3, reason: str = ""):
    page.goto(reverse("admin:allocations_decision_add") + f"?candidacy={candidacy.pk}")
    page.get_by_label("Décision").select_option(label=kind)
    if rank:
        page.get_by_label("Rang").fill(rank)
    page.get_by_label("Voix pour").fill(str(votes_for))
    if reason:
        page.get_by_label("Motif").fill(reason)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()


@pytest.mark.slow
def test_secretary_runs_a_sitting_and_prints_its_minutes(
    journey, log_in, live_server, secretary, planned_sitting
):
    page = journey.page
    sitting = planned_sitting
    log_in(secretary)

    # Candidates proposed from the scored applications, then the sitting opens (quorum met).
    _run_action(page, sitting, "Proposer des candidats")
    expect(page.locator(".messagelist")).to_contain_text("7 candidat(s) proposé(s)")
    journey.step("candidats-proposes")
    _run_action(page, sitting, "Ouvrir la séance")
    expect(page.locator(".messagelist")).to_contain_text("1 séance(s) ouverte(s)")
    journey.step("seance-ouverte")

    big_one, big_two, small = sitting.agenda_items.order_by("pk")
    for item in (big_one, big_two):
        first, second, third = item.candidacies.order_by("-score", "pk")
        _record(page, first, kind="attribution")
        _record(page, second, kind="attribution par rang", rank="2")
        _record(page, third, kind="non-attribution", reason="Taux d'effort trop élevé.")
    journey.step("decisions")

    # The T5 has one candidate: closing is refused until the reason is recorded.
    _record(page, small.candidacies.get(), kind="attribution")
    _run_action(page, sitting, "Clore la séance")
    expect(page.locator(".messagelist .error")).to_contain_text("au moins trois")
    journey.step("cloture-refusee")

    page.goto(reverse("admin:allocations_agendaitem_change", args=[small.pk]))
    page.get_by_label("Motif de moins de trois candidats").select_option(
        label="pas assez de demandes correspondantes"
    )
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    _run_action(page, sitting, "Clore la séance")
    expect(page.locator(".messagelist .success")).to_contain_text("1 séance(s) close(s)")
    journey.step("seance-close")
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.CLOSED
    assert Offer.objects.count() == 3
    assert Vacancy.objects.filter(status=Vacancy.Status.OFFERED).count() == 3
    assert Decision.objects.count() == 7

    # The closed sitting is read-only; its page links to the minutes.
    page.goto(reverse("admin:allocations_sitting_change", args=[sitting.pk]))
    expect(page.get_by_role("button", name="Enregistrer", exact=True)).to_have_count(0)
    page.get_by_role("link", name="Procès-verbal").click()
    expect(page).to_have_url(
        f"{live_server.url}{reverse('allocations:sitting_minutes', args=[sitting.pk])}"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Procès-verbal")
    expect(page.get_by_text("Mme la maire adjointe – maire ou son représentant")).to_be_visible()
    expect(page.get_by_text("Taux d'effort trop élevé.")).to_have_count(2)
    expect(
        page.get_by_text("Moins de trois candidats : pas assez de demandes correspondantes.")
    ).to_be_visible()
    expect(page.get_by_role("rowheader", name=re.compile("Famille Diallo"))).to_be_visible()
    journey.step("proces-verbal")
    check_accessibility(page)
    if minutes_pdf.available():
        with page.expect_download() as download:
            page.get_by_role("link", name="Télécharger le procès-verbal (PDF)").click()
        assert download.value.suggested_filename.endswith(".pdf")

    # The letting pages a secretary also uses.
    page.goto(reverse("allocations:vacancy_list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Logements à louer")
    check_accessibility(page)
    page.goto(reverse("allocations:application_list"))
    expect(page.get_by_role("table").locator("caption")).to_have_text("5 demandes")
    check_accessibility(page)
    journey.step("demandes")
    page.goto(reverse("allocations:priority_quota"))
    expect(page.get_by_role("rowheader", name="Actis")).to_be_visible()
    check_accessibility(page)
    journey.step("quota-prioritaires")

    # A member who is not staff reads the agenda of the committee, without internal notes.
    big_one.internal_notes = "Note interne de l'agence."
    big_one.save()
    member = UserFactory(email="elu@grenoble.example")
    CommitteeMember.objects.filter(committee=sitting.committee, name="Membre 1").update(user=member)
    page.context.clear_cookies()
    log_in(member)
    page.goto(reverse("allocations:member_sitting_list"))
    page.get_by_role("link", name=re.compile(sitting.committee.name)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ordre du jour")
    expect(page.get_by_text("Mme Roux").first).to_be_visible()
    expect(page.get_by_text("Note interne")).to_have_count(0)
    check_accessibility(page)
    journey.step("ordre-du-jour-membre")
