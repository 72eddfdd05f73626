"""A courtesy-call agent's journey in a real browser, with axe-core on every page of the screen."""

import datetime
import re

import pytest
from django.utils import timezone

from outreach.models import CallLog, CallTask, Campaign, Partner, Referral, TaskStatus
from outreach.services.campaigns import DEFAULT_QUESTIONNAIRE, questionnaire_add_default
from outreach.services.queue import call_queue_refresh
from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import expect
from tests.outreach.conftest import make_household


@pytest.fixture
def open_campaign(actis, monkeypatch):
    """An active campaign whose call window is open whenever the test runs.

    The live server's clock is real (time cannot be frozen across its thread), so the window
    covers every day from 00:00 to 23:59; French public holidays would still close it (and refuse
    tomorrow's call-back), so they are switched off for this test only.
    """
    monkeypatch.setattr("outreach.calendar.is_public_holiday", lambda day: False)
    campaign = Campaign.objects.create(
        landlord=actis,
        name="Appels 70 ans et plus",
        status="active",
        call_weekdays=[0, 1, 2, 3, 4, 5, 6],
        call_start=datetime.time(0, 0),
        call_end=datetime.time(23, 59),
        script="Bonjour, ici Actis : nous prenons des nouvelles de nos locataires.",
    )
    questionnaire_add_default(campaign=campaign)
    make_household(actis, name="Mme Roux", birth_date=datetime.date(1938, 4, 2))
    make_household(actis, name="M. Blanc", birth_date=datetime.date(1948, 9, 20))
    call_queue_refresh(campaign_id=campaign.pk)
    return campaign


def test_caller_works_through_two_calls_with_the_keyboard_and_one_form(
    journey, log_in, live_server, alice, open_campaign, actis
):
    Partner.objects.create(landlord=actis, name="CCAS de Grenoble", kind="senior_service")
    page = journey.page
    log_in(alice)

    # No link to the caller's screen in the main navigation yet (templates/base.html is shared).
    page.goto("/personnel/appels/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Appels de courtoisie")
    campaigns = page.get_by_role("table")
    expect(campaigns.get_by_role("rowheader", name="Appels 70 ans et plus")).to_be_visible()
    expect(page.get_by_text("Raccourcis clavier")).to_be_visible()
    journey.step("appels")
    check_accessibility(page)

    # First call: nobody answers.
    page.get_by_role("button", name="Appel suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mme Roux")
    expect(page.get_by_role("link", name="Appeler le 06 12 34 56 78")).to_have_attribute(
        "href", "tel:+33612345678"
    )
    expect(page.get_by_text("nous prenons des nouvelles de nos locataires")).to_be_visible()
    journey.step("premier-appel")
    check_accessibility(page)

    # Saving without an outcome is refused in place: what was typed stays.
    page.get_by_label("Notes").fill("Sonne dans le vide, pas de messagerie.")
    page.get_by_role("button", name="Enregistrer l'appel").click()
    errors = page.get_by_role("alert")
    expect(errors).to_contain_text("Le compte rendu n'a pas été enregistré.")
    expect(errors).to_be_focused()
    expect(page.get_by_label("Notes")).to_have_value("Sonne dans le vide, pas de messagerie.")
    assert not CallLog.objects.exists()
    journey.step("resultat-manquant")
    check_accessibility(page)

    outcome = page.get_by_role("group", name=re.compile("Résultat de l'appel"))
    page.keyboard.press("Alt+O")  # to the outcome choices
    expect(outcome.get_by_role("radio").first).to_be_focused()
    outcome.get_by_label("Pas de réponse").check()
    page.keyboard.press("Alt+S")  # save
    expect(page).to_have_url(f"{live_server.url}/personnel/appels/?apres={open_campaign.pk}")
    expect(page.get_by_role("status")).to_contain_text("Appel enregistré : Mme Roux")
    next_call = page.get_by_role("button", name="Appel suivant")
    expect(next_call).to_be_focused()
    journey.step("apres-premier-appel")
    check_accessibility(page)

    # Second call: reached, needs help; questionnaire, needs, referral and call-back in one form.
    page.keyboard.press("Alt+N")
    expect(page.get_by_role("heading", level=1)).to_have_text("M. Blanc")
    # Reloading shows the same call.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("M. Blanc")

    answers = ["Oui", "Oui", "Non", "Non", "Non", "Oui"]
    for question, answer in zip(DEFAULT_QUESTIONNAIRE, answers, strict=True):
        group = page.get_by_role("group", name=str(question))
        group.get_by_label(answer, exact=True).check()
    page.get_by_role("group", name=re.compile("Résultat de l'appel")).get_by_label(
        "Joint, a besoin d'aide"
    ).check()
    page.get_by_label("Notes").fill("Seul depuis l'hospitalisation de sa femme.")
    page.get_by_label("Courses", exact=True).check()
    page.get_by_label("Précision (courses)").fill("pharmacie et courses de la semaine")
    page.get_by_label("Orienter vers un partenaire").select_option(label="CCAS de Grenoble")
    page.get_by_label("Motif de l'orientation").fill("Portage de repas.")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.get_by_label("Date du rappel").fill(tomorrow.isoformat())
    page.get_by_label("Heure du rappel").fill("10:00")
    page.get_by_label("Je rappellerai moi-même").check()
    journey.step("deuxieme-appel-rempli")
    check_accessibility(page)

    page.get_by_role("button", name="Enregistrer l'appel").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Appel enregistré : M. Blanc – joint, a besoin d'aide."
    )
    journey.step("apres-deuxieme-appel")
    check_accessibility(page)

    logs = {log.household.name: log for log in CallLog.objects.select_related("household")}
    assert {name: log.outcome for name, log in logs.items()} == {
        "Mme Roux": "no_answer",
        "M. Blanc": "reached_needs_help",
    }
    questions = {str(q.pk): q.text for q in open_campaign.questions.all()}
    assert {questions[pk]: value for pk, value in logs["M. Blanc"].answers.items()} == {
        str(question): answer == "Oui"
        for question, answer in zip(DEFAULT_QUESTIONNAIRE, answers, strict=True)
    }
    assert logs["M. Blanc"].needs.get().note == "pharmacie et courses de la semaine"
    referral = Referral.objects.get()
    assert (referral.partner.name, referral.reason) == ("CCAS de Grenoble", "Portage de repas.")
    task = CallTask.objects.get(household__name="M. Blanc")
    assert task.status == TaskStatus.CALLBACK
    assert timezone.localtime(task.callback_at).replace(tzinfo=None) == datetime.datetime.combine(
        tomorrow, datetime.time(10, 0)
    )
    assert task.callback_for == alice


def test_a_tenant_asks_for_a_call_back_and_the_next_call_serves_it_first(
    journey, log_in, alice, open_campaign, actis
):
    from outreach.services.tenant_callbacks import tenant_callbacks_campaign_get
    from tenants.models import ContactRequest
    from tests.factories import make_tenant

    # The standing call-back campaign, open all day like the wellbeing one (the clock is real).
    Campaign.objects.filter(pk=tenant_callbacks_campaign_get(landlord_id=actis.pk).pk).update(
        call_weekdays=[0, 1, 2, 3, 4, 5, 6],
        call_start=datetime.time(0, 0),
        call_end=datetime.time(23, 59),
    )
    household = make_household(actis, name="Mme Chevalier", birth_date=datetime.date(1985, 5, 5))
    tenant = make_tenant(household, email="chevalier@exemple.fr", first_name="Lucie")
    page = journey.page
    log_in(tenant)
    page.goto("/espace/")
    page.get_by_role("link", name="Demander à être rappelé").click()
    page.get_by_label("À quel sujet ?").fill("Question sur la régularisation des charges.")
    page.get_by_label("Quand vous appeler ?").fill("dès que possible")
    journey.step("demande-de-rappel")
    check_accessibility(page)
    page.get_by_role("button", name="Demander un appel").click()
    expect(page.get_by_role("heading", name="Mes demandes de rappel")).to_be_visible()
    expect(page.get_by_text("en attente : nous allons vous appeler")).to_be_visible()
    check_accessibility(page)

    page.context.clear_cookies()
    log_in(alice)
    page.goto("/personnel/appels/")
    # « Appel suivant » of the wellbeing campaign: the tenant who asked comes first.
    page.get_by_role("row", name=re.compile("Appels 70 ans et plus")).get_by_role(
        "button", name="Appel suivant"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mme Chevalier")
    card = page.get_by_role("region", name="Le locataire a demandé à être rappelé")
    expect(card).to_contain_text("Question sur la régularisation des charges.")
    expect(card).to_contain_text("dès que possible")
    journey.step("appel-du-rappel")
    check_accessibility(page)
    page.get_by_role("group", name=re.compile("Résultat de l'appel")).get_by_label(
        "Joint, tout va bien"
    ).check()
    page.get_by_role("button", name="Enregistrer l'appel").click()
    expect(page.get_by_role("status")).to_contain_text("Appel enregistré : Mme Chevalier")
    assert ContactRequest.objects.get(household=household).handled_by == alice

    page.context.clear_cookies()
    log_in(tenant)
    page.goto("/espace/")
    expect(page.get_by_text(re.compile("traitée le"))).to_be_visible()
    check_accessibility(page)
