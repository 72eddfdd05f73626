"""The caller's screen: next call, household card, one form to log the call and its follow-ups."""

import datetime
import html

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from housing.models import Role
from outreach.models import (
    CallLog,
    CallTask,
    Campaign,
    Need,
    Partner,
    Question,
    Referral,
    SolidarityEntry,
    TaskStatus,
)
from outreach.services.queue import call_queue_refresh, call_task_claim
from tenants.models import Household, VulnerabilityFlag
from tests.factories import PersonFactory, VulnerabilityFlagFactory, make_staff
from tests.outreach.conftest import PARIS, make_household

pytestmark = pytest.mark.django_db

HOME = reverse("outreach:caller_home")


def _text(response) -> str:
    """The page as a reader sees it (entities such as &#x27; turned back into characters)."""
    return html.unescape(response.content.decode())


def _next(client, campaign):
    return client.post(reverse("outreach:caller_next", args=[campaign.pk]))


def _url(name, task):
    return reverse(f"outreach:{name}", args=[task.pk])


def _held(user):
    return CallTask.objects.get(status=TaskStatus.HELD, held_by=user)


@pytest.fixture
def queue(campaign, actis):
    """Two households in the campaign's queue; the older one is served first."""
    first = make_household(actis, name="Mme Roux", birth_date=datetime.date(1940, 2, 3))
    second = make_household(actis, name="M. Blanc", birth_date=datetime.date(1950, 6, 1))
    call_queue_refresh(campaign_id=campaign.pk)
    return first, second


@pytest.fixture
def questions(campaign):
    alone = Question.objects.create(
        campaign=campaign, position=1, text="Êtes-vous seul(e) ?", kind="yes_no", required=True
    )
    who = Question.objects.create(
        campaign=campaign,
        position=2,
        text="Qui fait vos courses ?",
        kind="choice",
        choices="Moi-même\nUn voisin\nPersonne",
    )
    visits = Question.objects.create(
        campaign=campaign, position=3, text="Visites par semaine", kind="number"
    )
    return alone, who, visits


@pytest.fixture
def ccas(actis):
    return Partner.objects.create(landlord=actis, name="CCAS de Grenoble", kind="senior_service")


@pytest.fixture
def caller_client(client, caller):
    client.force_login(caller)
    return client


def _reached_needs_help(questions, ccas, **overrides):
    alone, who, visits = questions
    data = {
        "outcome": "reached_needs_help",
        f"q_{alone.pk}": "yes",
        f"q_{who.pk}": "Personne",
        f"q_{visits.pk}": "2",
        "notes": "Vit seule depuis le décès de son mari, ne sort plus.",
        "needs": ["groceries"],
        "need_note_groceries": "courses une fois par semaine",
        "requests": ["technical"],
        "need_note_technical": "fuite sous l'évier",
        "referral_partner": str(ccas.pk),
        "referral_reason": "Portage de repas à organiser.",
        "solidarity_need": "Personne isolée, à appeler chaque semaine.",
        "callback_date": "2026-03-11",
        "callback_time": "11:00",
        "callback_personal": "on",
    }
    data.update(overrides)
    return data


def _report_fields(response) -> str:
    """The report form's fields, from the outcome to « enchaîner »."""
    page = response.content.decode()
    return page[
        page.index('<fieldset class="caller-outcomes"') : page.index('data-shortcut="KeyS"')
    ]


# ---------------------------------------------------------------------------------------------
# Taking calls


def test_caller_home_lists_active_campaigns_with_calls_due(
    caller_client, campaign, actis, queue, in_call_hours
):
    Campaign.objects.create(landlord=actis, name="Brouillon", status="draft")
    response = caller_client.get(HOME)
    page = _text(response)
    assert "Appels 70 ans et plus" in page
    assert "Brouillon" not in page
    assert "Appel suivant" in page
    assert [(c.name, c.due, c.queued) for c in response.context["campaigns"]] == [
        ("Appels 70 ans et plus", 2, 2)
    ]


def test_a_queue_of_more_than_a_thousand_calls_reads_plus_de_1_000(
    caller_client, actis, in_call_hours
):
    """The home counts up to the cap and says « plus de 1 000 » past it (exact figures: the
    supervisor's dashboard)."""
    from tests.perf.builders import bulk_households

    big = Campaign.objects.create(landlord=actis, name="Grande file", status="active")
    bulk_households(actis, 1001)
    call_queue_refresh(campaign_id=big.pk)
    response = caller_client.get(HOME)
    assert [(c.due, c.queued) for c in response.context["campaigns"]] == [(1001, 1001)]
    cells = _text(response).replace("\xa0", " ").replace("\u202f", " ")
    assert cells.count("plus de 1 000") == 2  # calls due now, and left in the queue
    assert "1001" not in cells


def test_caller_gets_the_next_call_and_sees_the_household_card(
    caller_client, caller, campaign, actis, in_call_hours
):
    campaign.script = "Bonjour, ici Actis, nous prenons de vos nouvelles."
    campaign.save()
    household = make_household(
        actis, name="Mme Roux", birth_date=datetime.date(1940, 2, 3), phone="+33476000001"
    )
    PersonFactory(household=household, first_name="Odette", last_name="Roux", birth_date=None)
    VulnerabilityFlagFactory(household=household, kind=VulnerabilityFlag.Kind.ISOLATED)
    call_queue_refresh(campaign_id=campaign.pk)
    colleague = make_staff(actis, Role.CALLER, first_name="Karim", last_name="Haddad")
    earlier = call_task_claim(campaign=campaign, user=colleague)
    CallLog.objects.create(
        task=earlier,
        campaign=campaign,
        household=household,
        landlord=actis,
        caller=colleague,
        outcome="voicemail",
        notes="Message laissé sur le répondeur.",
        called_at=in_call_hours - datetime.timedelta(days=3),
    )
    CallTask.objects.filter(pk=earlier.pk).update(
        status="pending", held_by=None, held_at=None, hold_until=None, attempts=1
    )

    response = _next(caller_client, campaign)
    task = _held(caller)
    assert response.status_code == 302
    assert response.url == _url("caller_call", task)
    page = _text(caller_client.get(response.url))
    assert "<h1>Mme Roux</h1>" in page
    assert "86 ans" in page  # born 3 February 1940, on 10 March 2026
    assert 'href="tel:+33612345678"' in page  # the mobile, chosen when the task was queued
    assert 'href="tel:+33476000001"' in page  # the landline, among the other numbers
    lease = household.leases.get()
    assert lease.dwelling.reference in page
    assert lease.dwelling.building.name in page
    assert "Personne isolée" in page
    assert "07/03/2026 10:00" in page
    assert "Message laissé sur le répondeur." in page
    assert "Karim Haddad" in page
    assert "Bonjour, ici Actis, nous prenons de vos nouvelles." in page
    assert "Raccourcis clavier" in page


def test_reloading_shows_the_same_call(caller_client, caller, campaign, queue, in_call_hours):
    first = _next(caller_client, campaign).url
    assert caller_client.get(first).status_code == 200
    assert _next(caller_client, campaign).url == first  # one call at a time
    home = _text(caller_client.get(HOME))
    assert "Votre appel en cours" in home
    assert first in home
    assert CallTask.objects.filter(status=TaskStatus.HELD).count() == 1


def test_log_no_answer_then_take_the_next_call(
    caller_client, caller, campaign, queue, in_call_hours
):
    roux, blanc = queue
    _next(caller_client, campaign)
    task = _held(caller)
    assert task.household == roux
    response = caller_client.post(
        _url("caller_log", task), {"outcome": "no_answer", "notes": "Sonne dans le vide."}
    )
    assert response.status_code == 302
    assert response.url == f"{HOME}?apres={campaign.pk}"
    log = CallLog.objects.get()
    assert (log.outcome, log.notes, log.caller, log.household) == (
        "no_answer",
        "Sonne dans le vide.",
        caller,
        roux,
    )
    task.refresh_from_db()
    assert (task.status, task.attempts) == (TaskStatus.PENDING, 1)

    home = caller_client.get(response.url)
    page = _text(home)
    assert "Appel enregistré : Mme Roux – pas de réponse." in page
    assert f'id="appel-suivant-{campaign.pk}" data-shortcut="KeyN"' in page
    # The campaign's "Next call" button has the focus.
    assert (
        f'id="appel-suivant-{campaign.pk}" data-shortcut="KeyN" aria-keyshortcuts="Alt+N" autofocus'
        in page
    )

    following = _next(caller_client, campaign)
    assert _held(caller).household == blanc
    assert following.url == _url("caller_call", _held(caller))


def test_log_reached_needs_help_with_referral_and_call_back_creates_the_rows(
    caller_client, caller, campaign, queue, questions, ccas, in_call_hours
):
    alone, who, visits = questions
    roux, _ = queue
    _next(caller_client, campaign)
    task = _held(caller)
    response = caller_client.post(_url("caller_log", task), _reached_needs_help(questions, ccas))
    assert response.status_code == 302

    log = CallLog.objects.get()
    assert log.outcome == "reached_needs_help"
    assert log.answers == {str(alone.pk): True, str(who.pk): "Personne", str(visits.pk): 2}
    assert set(Need.objects.values_list("kind", "note", "call_log")) == {
        ("groceries", "courses une fois par semaine", log.pk),
        ("technical", "fuite sous l'évier", log.pk),
    }
    referral = Referral.objects.get()
    assert (referral.partner, referral.reason, referral.call_log, referral.created_by) == (
        ccas,
        "Portage de repas à organiser.",
        log,
        caller,
    )
    entry = SolidarityEntry.objects.get()
    assert (entry.household, entry.need) == (roux, "Personne isolée, à appeler chaque semaine.")
    task.refresh_from_db()
    assert task.status == TaskStatus.CALLBACK
    assert task.callback_at == datetime.datetime(2026, 3, 11, 11, 0, tzinfo=PARIS)
    assert task.callback_for == caller

    # The household's next card shows what this call found.
    CallTask.objects.filter(pk=task.pk).update(
        status="held", held_by=caller, held_at=timezone.now(), hold_until=timezone.now()
    )
    page = _text(caller_client.get(_url("caller_call", task)))
    assert "Vit seule depuis le décès de son mari" in page
    assert "CCAS de Grenoble" in page
    assert "Portage de repas à organiser." in page
    assert "fuite sous l'évier" in page


def test_requests_to_colleagues_are_recorded_as_needs(
    caller_client, caller, campaign, queue, in_call_hours
):
    _next(caller_client, campaign)
    task = _held(caller)
    caller_client.post(
        _url("caller_log", task),
        {
            "outcome": "reached_well",
            "requests": ["caretaker_help", "adviser"],
            # A note typed next to an unticked need still means the need.
            "need_note_medicine": "ordonnance à retirer",
        },
    )
    assert set(Need.objects.values_list("kind", flat=True)) == {
        "caretaker_help",
        "adviser",
        "medicine",
    }


def test_ticking_enchainer_goes_straight_to_the_next_call(
    caller_client, caller, campaign, queue, in_call_hours
):
    roux, blanc = queue
    _next(caller_client, campaign)
    first = _held(caller)
    response = caller_client.post(
        _url("caller_log", first), {"outcome": "reached_well", "chain": "on"}
    )
    second = _held(caller)
    assert second.household == blanc
    assert response.url == _url("caller_call", second)
    # The choice is remembered for the next form.
    page = _text(caller_client.get(response.url))
    assert 'name="chain" id="id_chain" checked' in page


def test_the_enchainer_choice_rewrites_the_session_only_when_it_changes(
    caller_client, caller, campaign, queue, in_call_hours
):
    def session_writes(data) -> int:
        _next(caller_client, campaign)
        with CaptureQueriesContext(connection) as queries:
            caller_client.post(_url("caller_log", _held(caller)), {"outcome": "no_answer", **data})
        return sum(
            'django_session"' in q["sql"] and not q["sql"].startswith("SELECT") for q in queries
        )

    assert session_writes({}) == 0  # unticked, as it was: nothing to remember
    assert session_writes({"chain": "on"}) == 1


def test_next_call_says_when_nothing_is_due(caller_client, campaign, in_call_hours):
    response = _next(caller_client, campaign)
    assert response.url == f"{HOME}?apres={campaign.pk}"
    assert "Aucun appel à passer pour le moment" in _text(caller_client.get(response.url))


def test_next_call_outside_the_call_window_says_why(caller_client, campaign, queue):
    with time_machine.travel(datetime.datetime(2026, 3, 14, 10, 0, tzinfo=PARIS), tick=False):
        response = _next(caller_client, campaign)
        page = _text(caller_client.get(response.url))
    assert "en dehors des heures d'appel" in page
    assert not CallTask.objects.filter(status=TaskStatus.HELD).exists()


# ---------------------------------------------------------------------------------------------
# Refused input keeps what was typed and writes nothing


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outcome": ""}, "Choisissez le résultat de l'appel."),
        (
            {"callback_date": "2026-03-15"},  # a Sunday
            "Le rappel doit tomber dans les heures d'appel de la campagne",
        ),
        ({"referral_reason": ""}, "Indiquez le motif de l'orientation."),
        ({"callback_time": ""}, "Indiquez l'heure du rappel."),
        ({"q_ALONE": ""}, "Réponse obligatoire manquante : Êtes-vous seul(e) ?"),
    ],
    ids=[
        "missing-outcome",
        "call-back-on-sunday",
        "referral-without-reason",
        "call-back-without-time",
        "required-answer-missing",
    ],
)
def test_refused_report_is_shown_again_with_what_was_typed_and_writes_nothing(
    caller_client, caller, campaign, queue, questions, ccas, in_call_hours, change, message
):
    _next(caller_client, campaign)
    task = _held(caller)
    change = {key.replace("ALONE", str(questions[0].pk)): value for key, value in change.items()}
    response = caller_client.post(
        _url("caller_log", task), _reached_needs_help(questions, ccas, **change)
    )
    assert response.status_code == 200
    page = _text(response)
    assert message in page
    assert "Le compte rendu n'a pas été enregistré." in page
    assert "Vit seule depuis le décès de son mari, ne sort plus." in page
    assert "fuite sous l'évier" in page
    assert f'value="{ccas.pk}" selected' in page
    assert "<h1>Mme Roux</h1>" in page  # the whole page, card included, without htmx
    assert not CallLog.objects.exists()
    assert not Need.objects.exists()
    assert not Referral.objects.exists()
    assert not SolidarityEntry.objects.exists()
    task.refresh_from_db()
    assert (task.status, task.held_by) == (TaskStatus.HELD, caller)


def test_refused_report_sent_by_htmx_redraws_only_the_form(
    caller_client, caller, campaign, queue, in_call_hours
):
    _next(caller_client, campaign)
    task = _held(caller)
    response = caller_client.post(
        _url("caller_log", task),
        {"notes": "Répondeur plein."},
        headers={"HX-Request": "true"},
    )
    page = _text(response)
    assert response.status_code == 200
    assert page.startswith('<section id="compte-rendu"')
    assert "<html" not in page
    assert "Répondeur plein." in page
    assert "Choisissez le résultat de l'appel." in page


def test_report_sent_by_htmx_goes_home_by_a_client_redirect(
    caller_client, caller, campaign, queue, in_call_hours
):
    _next(caller_client, campaign)
    task = _held(caller)
    response = caller_client.post(
        _url("caller_log", task), {"outcome": "voicemail"}, headers={"HX-Request": "true"}
    )
    assert response.headers["HX-Redirect"] == f"{HOME}?apres={campaign.pk}"
    assert CallLog.objects.get().outcome == "voicemail"


def test_report_on_a_call_no_longer_held_keeps_the_notes(
    caller_client, caller, campaign, queue, in_call_hours
):
    _next(caller_client, campaign)
    task = _held(caller)
    CallTask.objects.filter(pk=task.pk).update(
        status="pending", held_by=None, held_at=None, hold_until=None
    )  # the hold expired and the beat job gave the call back
    response = caller_client.post(
        _url("caller_log", task), {"outcome": "reached_well", "notes": "Tout va bien."}
    )
    page = _text(response)
    assert "Cet appel ne vous est plus attribué" in page
    assert "Tout va bien." in page
    assert not CallLog.objects.exists()


# ---------------------------------------------------------------------------------------------
# Release, skip, end of day


def test_release_puts_the_call_back_in_the_queue(
    caller_client, caller, campaign, queue, in_call_hours
):
    _next(caller_client, campaign)
    task = _held(caller)
    response = caller_client.post(_url("caller_release", task))
    assert response.url == f"{HOME}?apres={campaign.pk}"
    task.refresh_from_db()
    assert (task.status, task.held_by) == (TaskStatus.PENDING, None)
    # The old address now says the call is over instead of showing it.
    assert caller_client.get(_url("caller_call", task)).url == f"{HOME}?apres={campaign.pk}"


def test_skip_needs_a_reason(caller_client, caller, campaign, queue, in_call_hours):
    _next(caller_client, campaign)
    task = _held(caller)
    response = caller_client.post(_url("caller_skip", task), {"reason": "  "})
    assert response.status_code == 200
    assert "Indiquez pourquoi vous écartez cet appel." in _text(response)
    task.refresh_from_db()
    assert task.status == TaskStatus.HELD

    caller_client.post(_url("caller_skip", task), {"reason": "Ménage suivi par le CCAS."})
    task.refresh_from_db()
    assert (task.status, task.skip_reason) == (TaskStatus.SKIPPED, "Ménage suivi par le CCAS.")


def test_done_for_the_day_releases_the_held_call(
    caller_client, caller, campaign, queue, in_call_hours
):
    _next(caller_client, campaign)
    response = caller_client.post(reverse("outreach:caller_done_for_day"))
    assert not CallTask.objects.filter(status=TaskStatus.HELD).exists()
    page = _text(caller_client.get(response.url))
    assert "1 appel a été rendu à la file" in page


# ---------------------------------------------------------------------------------------------
# Who may see what


def test_another_callers_held_call_answers_404(client, caller, campaign, queue, in_call_hours):
    colleague = make_staff(campaign.landlord, Role.CALLER)
    task = call_task_claim(campaign=campaign, user=colleague)
    client.force_login(caller)
    assert client.get(_url("caller_call", task)).status_code == 404
    for name in ("caller_log", "caller_release", "caller_skip"):
        response = client.post(_url(name, task), {"outcome": "refused", "reason": "x"})
        assert response.status_code == 404, name
    task.refresh_from_db()
    assert (task.status, task.held_by) == (TaskStatus.HELD, colleague)
    assert not CallLog.objects.exists()


def test_another_landlords_campaign_and_call_answer_404(
    client, charlie, caller, campaign, queue, in_call_hours
):
    task = call_task_claim(campaign=campaign, user=caller)
    client.force_login(charlie)
    assert _next(client, campaign).status_code == 404
    assert client.get(_url("caller_call", task)).status_code == 404
    for name in ("caller_log", "caller_release", "caller_skip"):
        assert client.post(_url(name, task), {"outcome": "refused"}).status_code == 404
    page = _text(client.get(HOME))
    assert campaign.name not in page
    assert "Mme Roux" not in page


def test_partners_offered_are_the_landlords_and_shared_ones(
    caller_client, caller, campaign, queue, ccas, sdh, in_call_hours
):
    Partner.objects.create(name="Plateforme d'entraide", kind="mutual_aid")
    Partner.objects.create(landlord=sdh, name="Partenaire SDH", kind="other")
    Partner.objects.create(landlord=campaign.landlord, name="Ancien", kind="other", is_active=False)
    _next(caller_client, campaign)
    form = caller_client.get(_url("caller_call", _held(caller))).context["form"]
    offered = [p.name for p in form.fields["referral_partner"].queryset]
    assert offered == ["CCAS de Grenoble", "Plateforme d'entraide"]


def test_role_without_calling_rights_gets_403(client, actis, campaign, queue, in_call_hours):
    technician = make_staff(actis, Role.TECHNICIAN)
    client.force_login(technician)
    assert client.get(HOME).status_code == 403
    assert _next(client, campaign).status_code == 403
    assert not CallTask.objects.filter(status=TaskStatus.HELD).exists()


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# ---------------------------------------------------------------------------------------------
# Query counts


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_history(task, caller, count: int) -> None:
    """``count`` earlier calls of the household, each with a need and a referral, plus people."""
    partner = Partner.objects.create(name=f"Partenaire {count}", kind="other")
    logs = CallLog.objects.bulk_create(
        CallLog(
            task=task,
            campaign=task.campaign,
            household=task.household,
            landlord_id=task.landlord_id,
            caller=caller,
            outcome="no_answer",
            notes=f"Essai {n}",
            called_at=timezone.now() - datetime.timedelta(days=n + 1),
        )
        for n in range(count)
    )
    Need.objects.bulk_create(
        Need(call_log=log, household=task.household, kind="groceries") for log in logs
    )
    Referral.objects.bulk_create(
        Referral(
            landlord_id=task.landlord_id,
            household=task.household,
            partner=partner,
            call_log=log,
            reason="suivi",
            created_by=caller,
        )
        for log in logs
    )
    PersonFactory.create_batch(count // 10, household=task.household)


def test_call_page_runs_the_same_queries_with_10_or_200_earlier_calls(
    caller_client, caller, campaign, actis, questions, in_call_hours
):
    counts = []
    for history in (10, 200):
        make_household(actis)
        call_queue_refresh(campaign_id=campaign.pk)
        _next(caller_client, campaign)
        task = _held(caller)
        _add_history(task, caller, history)
        counts.append(_count_queries(caller_client, _url("caller_call", task)))
        caller_client.post(_url("caller_release", task))
        CallTask.objects.filter(pk=task.pk).update(status=TaskStatus.SKIPPED)
    assert counts[0] == counts[1]


def test_caller_home_runs_the_same_queries_with_10_or_200_tasks(
    caller_client, caller, campaign, actis, sdh, in_call_hours
):
    other = Campaign.objects.create(landlord=actis, name="Impayés", status="active")
    counts = []
    for total in (10, 200):
        start = Household.objects.count()
        households = Household.objects.bulk_create(
            Household(landlord=actis, reference=f"Q{start + n}", name=f"Ménage {start + n}")
            for n in range(total)
        )
        CallTask.objects.bulk_create(
            CallTask(campaign=target, household=household, landlord=actis)
            for household in households
            for target in (campaign, other)
        )
        counts.append(_count_queries(caller_client, HOME))
    assert counts[0] == counts[1]
    due = {c.name: c.due for c in caller_client.get(HOME).context["campaigns"]}
    assert due == {"Appels 70 ans et plus": 210, "Impayés": 210}


def test_the_card_shows_open_technical_requests_and_upcoming_appointments(
    caller_client, caller, campaign, actis, in_call_hours
):
    from outreach.services.appointments import appointment_book
    from tests.factories import AgencyFactory
    from tests.outreach.appointments_support import PHONE_BOOKING, make_slot
    from tests.tenants.conftest import file_request

    household = make_household(actis, name="Mme Roux")
    request = file_request(household, caller, description="Radiateur froid")
    adviser = make_staff(actis, Role.SOCIAL_ADVISER, first_name="Inès", last_name="Morel")
    slot = make_slot(
        adviser, AgencyFactory(landlord=actis), in_call_hours + datetime.timedelta(days=3)
    )
    appointment_book(household=household, slot=slot, request=PHONE_BOOKING, staff=True)
    call_queue_refresh(campaign_id=campaign.pk)

    page = _text(caller_client.get(_next(caller_client, campaign).url))

    assert request.reference in page
    assert "Inès Morel" in page
    assert "13/03/2026 10:00" in page  # Paris time


# ---------------------------------------------------------------------------------------------
# The report's fields, kept rendered for an empty form


def test_the_kept_report_fields_are_the_ones_a_fresh_form_renders(
    caller_client, caller, campaign, queue, questions, ccas, in_call_hours
):
    from outreach.views import caller as views

    _next(caller_client, campaign)
    url = _url("caller_call", _held(caller))
    template = views.get_template("outreach/caller/_log_fields.html").template
    template.__dict__.pop("_portal_unbound_fields", None)
    with CaptureQueriesContext(connection) as rendering:
        rendered = caller_client.get(url)
    with CaptureQueriesContext(connection) as keeping:
        kept = caller_client.get(url)  # the same page again: its fields come from the cache
    assert _report_fields(kept) == _report_fields(rendered)
    assert len(keeping) == len(rendering)  # the same queries either way
    assert "Êtes-vous seul(e) ?" in _report_fields(rendered)
    assert "CCAS de Grenoble" in _report_fields(rendered)
    # A bound form (an error on one field) renders its fields without the cache, the same way.
    refused = caller_client.post(url + "compte-rendu/", {"outcome": ""})
    assert refused.status_code == 200
    assert "Choisissez le résultat de l" in _text(refused)


def test_the_call_page_shows_a_question_or_partner_changed_since_the_last_call(
    caller_client, caller, campaign, queue, questions, ccas, actis, in_call_hours
):
    """Nothing stale: the fields are kept for the questions and partners as they are now, even
    when they change without their modification date (a queryset update)."""
    _next(caller_client, campaign)
    url = _url("caller_call", _held(caller))
    caller_client.get(url)
    alone, _who, _visits = questions
    Question.objects.filter(pk=alone.pk).update(text="Vivez-vous seul(e) ?")
    page = _text(caller_client.get(url))
    assert "Vivez-vous seul(e) ?" in page
    assert "Êtes-vous seul(e) ?" not in page
    Partner.objects.filter(pk=ccas.pk).update(name="CCAS de la Ville de Grenoble")
    assert "CCAS de la Ville de Grenoble" in _text(caller_client.get(url))
    Partner.objects.create(landlord=actis, name="Épicerie solidaire", kind="mutual_aid")
    Partner.objects.filter(pk=ccas.pk).update(is_active=False)
    page = _text(caller_client.get(url))
    assert "Épicerie solidaire" in page
    assert "CCAS de" not in page


def test_another_landlords_partner_is_never_offered_even_from_the_cache(
    caller_client, caller, campaign, queue, ccas, sdh, in_call_hours
):
    Partner.objects.create(landlord=sdh, name="Partenaire de la SDH", kind="mutual_aid")
    Partner.objects.create(landlord=None, name="Plateforme commune", kind="mutual_aid")
    _next(caller_client, campaign)
    url = _url("caller_call", _held(caller))
    for _view in range(2):
        page = _text(caller_client.get(url))
        assert "Plateforme commune" in page
        assert "CCAS de Grenoble" in page
        assert "Partenaire de la SDH" not in page
