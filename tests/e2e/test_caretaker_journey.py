"""A caretaker's day on a phone: tick a round, carry groceries, report a problem; the board."""

import re

from django.utils import timezone

from housing.models import ALL_WEEKDAYS, DutyCompletion, DutyRound, Role
from outreach.models import SolidarityTask, SolidarityTaskStatus
from tenants.models import RequestChannel, TechnicalRequest
from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import expect
from tests.factories import make_staff

PHONE = {"width": 390, "height": 844}


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_caretaker_ticks_a_round_completes_a_grocery_task_and_reports_a_problem_on_a_phone(
    journey, log_in, actis, actis_household, bob
):
    building = actis_household.leases.get().dwelling.building
    caretaker = make_staff(actis, Role.CARETAKER, email="karim@actis.example", first_name="Karim")
    building.caretaker_assignments.create(user=caretaker)
    duty_round = DutyRound.objects.create(
        building=building,
        kind=DutyRound.Kind.WASTE_OUT,
        weekdays=ALL_WEEKDAYS,
        starts_on=timezone.localdate(),
        details="Bacs gris et jaunes",
    )
    task = SolidarityTask.objects.create(
        landlord=actis,
        household=actis_household,
        assigned_to=caretaker,
        description="Porter les courses de Mme Martin, 2e étage",
        due_on=timezone.localdate(),
        created_by=bob,
    )
    page = journey.page
    page.set_viewport_size(PHONE)
    log_in(caretaker)

    page.get_by_role("link", name="Ma journée").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ma journée")
    rounds = page.locator("#tournees")
    expect(rounds.get_by_role("heading", name="Sortie des ordures ménagères")).to_be_visible()
    expect(rounds.get_by_text("À faire", exact=True)).to_be_visible()
    assert _fits_the_screen(page)
    journey.step("ma-journee")
    check_accessibility(page)

    # Tick the round with a note, from the keyboard.
    rounds.get_by_label("Note (facultative)").fill("Bac jaune abîmé")
    rounds.get_by_label("Note (facultative)").press("Tab")
    expect(rounds.get_by_role("button", name=re.compile("C'est fait"))).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("cochée pour")
    expect(rounds.get_by_text(re.compile("^Faite à"))).to_be_visible()
    expect(rounds.get_by_text("Note : Bac jaune abîmé")).to_be_visible()
    done = DutyCompletion.objects.get()
    assert (done.round, done.note, done.done_by) == (duty_round, "Bac jaune abîmé", caretaker)
    journey.step("tournee-cochee")
    check_accessibility(page)

    # The grocery task.
    tasks = page.locator("#taches")
    expect(tasks.get_by_role("heading", name="Porter les courses de Mme Martin")).to_be_visible()
    tasks.get_by_label("Note (facultative)").fill("Courses portées, tout va bien")
    tasks.get_by_role("button", name=re.compile("Tâche faite")).click()
    expect(page.get_by_role("status")).to_contain_text("Tâche faite")
    expect(tasks.get_by_text("Aucune tâche solidaire en attente.")).to_be_visible()
    task.refresh_from_db()
    assert (task.status, task.done_note) == (
        SolidarityTaskStatus.DONE,
        "Courses portées, tout va bien",
    )
    journey.step("tache-faite")
    check_accessibility(page)

    # Report a problem: a forgotten description is refused in place, nothing is filed.
    report = page.locator("#signaler")
    report.get_by_label("Pour quel ménage ?").select_option(
        label=f"{actis_household.name} ({actis_household.reference})"
    )
    report.get_by_label("Dans les parties communes").check()
    report.get_by_label("Quel est le problème ?").select_option("lift")
    report.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.locator("#signaler .errorlist")).to_be_visible()
    assert not TechnicalRequest.objects.exists()
    check_accessibility(page)
    page.locator("#signaler").get_by_label("Décrivez le problème").fill(
        "Ascenseur en panne depuis ce matin"
    )
    page.locator("#signaler").get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("status")).to_contain_text("enregistrée pour M. et Mme Martin")
    created = TechnicalRequest.objects.get()
    assert (created.channel, created.location, created.created_by) == (
        RequestChannel.ON_SITE,
        "common_area",
        caretaker,
    )
    assert _fits_the_screen(page)
    journey.step("signalement")
    check_accessibility(page)


def test_supervisor_sees_the_week_board(journey, log_in, actis, actis_household, bob):
    building = actis_household.leases.get().dwelling.building
    caretaker = make_staff(actis, Role.CARETAKER, email="karim@actis.example")
    building.caretaker_assignments.create(user=caretaker)
    duty_round = DutyRound.objects.create(
        building=building,
        kind=DutyRound.Kind.CLEANING,
        weekdays=ALL_WEEKDAYS,
        starts_on=timezone.localdate(),
    )
    DutyCompletion.objects.create(
        round=duty_round, date=timezone.localdate(), done_by=caretaker, done_at=timezone.now()
    )
    page = journey.page
    log_in(bob)
    page.get_by_role("link", name="Gardiennage").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gardiennage : semaine du")
    row = page.get_by_role("row", name=re.compile(building.name))
    expect(row).to_contain_text("1")
    journey.step("tableau")
    check_accessibility(page)
    page.get_by_role("link", name="← Semaine précédente").click()
    expect(page.get_by_role("row", name=re.compile(building.name))).to_be_visible()
    check_accessibility(page)
