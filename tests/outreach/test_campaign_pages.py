"""Supervisor's campaign pages: form and preview, dashboard, status, queue build, questionnaire,
CSV export; scoped to the landlord and to the roles that may see or change campaigns."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from housing.models import Role, StaffMembership
from outreach.models import (
    CallLog,
    CallOutcome,
    CallTask,
    Campaign,
    CampaignStatus,
    Need,
    NeedKind,
    Partner,
    PartnerKind,
    Question,
    QuestionKind,
    QueueBuild,
    Referral,
    ReferralStatus,
    TaskStatus,
)
from outreach.selectors.dashboard import campaign_dashboard, nice_ceiling
from outreach.targeting import selected_households
from tenants.models import Household, VulnerabilityFlag
from tests.factories import (
    HouseholdFactory,
    LandlordFactory,
    VulnerabilityFlagFactory,
    make_staff,
)
from tests.outreach.conftest import PARIS, make_household

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 3, 9, 10, 0, tzinfo=PARIS)
TUESDAY = MONDAY + datetime.timedelta(days=1)


@pytest.fixture
def sdh_supervisor(sdh):
    """A supervisor of another landlord: holds the manager role, but not at Actis."""
    return make_staff(sdh, Role.SUPERVISOR, email="dave@sdh.example", first_name="Dave")


@pytest.fixture
def technician(actis):
    return make_staff(actis, Role.TECHNICIAN, email="tech@actis.example")


@pytest.fixture
def draft(actis):
    return Campaign.objects.create(landlord=actis, name="Appels isolés", status="draft")


@pytest.fixture
def sdh_campaign(sdh):
    return Campaign.objects.create(landlord=sdh, name="Appels SDH", status="active")


def form_data(landlord, **overrides) -> dict:
    data = {
        "name": "Appels 70 ans et plus",
        "purpose": "Prendre des nouvelles pendant le confinement.",
        "landlord": landlord.pk,
        "start_date": "2026-03-16",
        "end_date": "2026-04-30",
        "min_age": "70",
        "call_weekdays": ["0", "2", "4"],
        "call_start": "09:30",
        "call_end": "17:00",
        "max_attempts": "3",
        "retry_delay_minutes": "240",
        "hold_minutes": "20",
        "script": "Bonjour, je vous appelle de la part de votre bailleur.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_log(campaign, household, caller, outcome, called_at, **fields) -> CallLog:
    task, _ = CallTask.objects.get_or_create(
        campaign=campaign, household=household, defaults={"landlord": campaign.landlord}
    )
    return CallLog.objects.create(
        task=task,
        campaign=campaign,
        household=household,
        landlord=campaign.landlord,
        caller=caller,
        outcome=outcome,
        called_at=called_at,
        **fields,
    )


def page(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------------------------------------
# Creating and editing a campaign


def test_supervisor_creates_a_draft_campaign_with_the_default_questionnaire(
    client, bob, actis, actis_household
):
    building = actis_household.leases.get().dwelling.building
    client.force_login(bob)
    form = client.get(reverse("outreach:campaign_create"))
    # Bob manages campaigns at Actis only: the landlord is not asked.
    assert 'type="hidden" name="landlord"' in page(form)
    response = client.post(
        reverse("outreach:campaign_create"),
        form_data(actis, buildings=[building.pk], require_isolated="on"),
        follow=True,
    )
    campaign = Campaign.objects.get()
    assert response.redirect_chain[-1][0] == reverse("outreach:campaign_detail", args=[campaign.pk])
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.landlord == actis
    assert campaign.created_by == bob
    assert campaign.call_weekdays == [0, 2, 4]
    assert campaign.require_isolated is True
    assert list(campaign.buildings.all()) == [building]
    questions = list(campaign.questions.all())
    assert len(questions) == 6
    assert questions[0].text == "Êtes-vous seul(e) à la maison en ce moment ?"
    assert "est créée en brouillon" in page(response)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"start_date": "2026-04-30", "end_date": "2026-03-16"},
            "end_date",
            "La date de fin ne peut pas précéder la date de début.",
        ),
        (
            {"call_start": "17:00", "call_end": "09:00"},
            "call_end",
            "L'heure de fin des appels doit suivre l'heure de début.",
        ),
        (
            {"min_arrears": "500"},
            "min_arrears",
            "Un impayé minimum n'a de sens qu'avec le critère « difficulté de paiement ».",
        ),
        ({"call_weekdays": None}, "call_weekdays", "Choisissez au moins un jour d'appel."),
        ({"name": ""}, "name", "Ce champ est obligatoire."),
    ],
)
def test_campaign_form_errors_are_in_french_and_nothing_is_saved(
    client, bob, actis, overrides, field, message
):
    client.force_login(bob)
    response = client.post(reverse("outreach:campaign_create"), form_data(actis, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message.replace("'", "&#x27;") in page(response)
    assert "La campagne n'est pas enregistrée" in page(response)
    assert not Campaign.objects.exists()
    assert not Question.objects.exists()


def test_landlord_and_buildings_are_limited_to_landlords_i_manage(
    client, bob, actis, sdh, sdh_household
):
    client.force_login(bob)
    url = reverse("outreach:campaign_create")
    refused = client.post(url, form_data(sdh))
    assert "landlord" in refused.context["form"].errors
    sdh_building = sdh_household.leases.get().dwelling.building
    refused = client.post(url, form_data(actis, buildings=[sdh_building.pk]))
    assert "buildings" in refused.context["form"].errors
    assert not Campaign.objects.exists()


def test_a_supervisor_of_two_landlords_chooses_among_them(client, actis, sdh):
    both = make_staff(actis, Role.SUPERVISOR, email="both@example.fr")
    StaffMembership.objects.create(user=both, landlord=sdh, role=Role.SUPERVISOR)
    aih = LandlordFactory(slug="aih", name="Alpes Isère Habitat")
    StaffMembership.objects.create(user=both, landlord=aih, role=Role.CALLER)
    client.force_login(both)
    response = client.get(reverse("outreach:campaign_create"))
    # Alpes Isère Habitat is left out: there the user calls but does not manage campaigns.
    assert set(response.context["form"].fields["landlord"].queryset) == {actis, sdh}
    assert '<select name="landlord"' in page(response)


def test_update_changes_the_campaign_and_a_closed_one_is_refused(client, bob, draft):
    client.force_login(bob)
    url = reverse("outreach:campaign_update", args=[draft.pk])
    assert client.get(url).context["form"]["name"].value() == "Appels isolés"
    client.post(url, form_data(draft.landlord, name="Appels isolés – printemps"))
    draft.refresh_from_db()
    assert draft.name == "Appels isolés – printemps"
    assert draft.min_age == 70

    Campaign.objects.filter(pk=draft.pk).update(status=CampaignStatus.CLOSED)
    response = client.get(url, follow=True)
    assert "Une campagne clôturée ne peut plus être modifiée." in page(response)
    response = client.post(url, form_data(draft.landlord, name="Rouverte"), follow=True)
    assert "Une campagne clôturée ne peut plus être modifiée." in page(response)
    draft.refresh_from_db()
    assert draft.name == "Appels isolés – printemps"


def test_editing_an_active_campaign_rebuilds_its_queue(
    client, bob, actis, campaign, django_capture_on_commit_callbacks
):
    make_household(actis, name="senior", birth_date=datetime.date(1940, 1, 1))
    make_household(actis, name="young", birth_date=datetime.date(1990, 1, 1))
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach:campaign_build", args=[campaign.pk]))
    assert CallTask.objects.filter(campaign=campaign, status=TaskStatus.PENDING).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("outreach:campaign_update", args=[campaign.pk]),
            form_data(actis, name=campaign.name, min_age="70"),
        )
    pending = CallTask.objects.filter(campaign=campaign, status=TaskStatus.PENDING)
    assert list(pending.values_list("household__name", flat=True)) == ["senior"]


# ---------------------------------------------------------------------------------------------
# Preview of the criteria


def test_preview_counts_the_households_the_criteria_select(client, bob, actis, sdh):
    senior = make_household(actis, birth_date=datetime.date(1940, 1, 1))
    isolated_senior = make_household(actis, birth_date=datetime.date(1945, 1, 1))
    VulnerabilityFlagFactory(household=isolated_senior, kind=VulnerabilityFlag.Kind.ISOLATED)
    make_household(actis, birth_date=datetime.date(1990, 1, 1))
    make_household(sdh, birth_date=datetime.date(1940, 1, 1))  # another landlord: never counted
    client.force_login(bob)
    url = reverse("outreach:campaign_preview")

    def count(**criteria):
        response = client.get(url, {"landlord": actis.pk, **criteria}, HTTP_HX_REQUEST="true")
        return response.context["preview_count"], page(response)

    assert count() == (3, count()[1])
    assert count(min_age=70)[0] == 2
    number, fragment = count(min_age=70, require_isolated="on")
    assert number == 1
    assert "<strong>1</strong> ménage correspond à ces critères" in fragment
    building = senior.leases.get().dwelling.building
    assert count(min_age=70, buildings=[building.pk])[0] == 1
    # The figure is the targeting's own count for the same criteria.
    in_memory = Campaign(landlord=actis, min_age=70)
    assert (
        count(min_age=70)[0]
        == selected_households(in_memory, estate_ids=[], building_ids=[]).count()
    )
    assert not Campaign.objects.exists()


def test_preview_asks_to_correct_invalid_criteria(client, bob, actis):
    client.force_login(bob)
    response = client.get(
        reverse("outreach:campaign_preview"), {"landlord": actis.pk, "min_age": "vieux"}
    )
    assert response.context["preview_count"] is None
    assert "Corrigez les critères" in page(response)


def test_campaign_form_shows_the_count_before_the_campaign_starts(client, bob, actis, draft):
    make_household(actis, birth_date=datetime.date(1940, 1, 1))
    make_household(actis, birth_date=datetime.date(1990, 1, 1))
    Campaign.objects.filter(pk=draft.pk).update(min_age=70)
    client.force_login(bob)
    create = client.get(reverse("outreach:campaign_create"))
    assert "<strong>2</strong> ménages correspondent" in page(create)
    update = client.get(reverse("outreach:campaign_update", args=[draft.pk]))
    assert "<strong>1</strong> ménage correspond" in page(update)
    assert 'hx-get="{}"'.format(reverse("outreach:campaign_preview")) in page(update)


# ---------------------------------------------------------------------------------------------
# Status, queue build


def test_launching_a_draft_builds_its_queue(
    client, bob, actis, draft, django_capture_on_commit_callbacks
):
    make_household(actis)
    client.force_login(bob)
    url = reverse("outreach:campaign_status", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"status": "active"}, follow=True)
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.ACTIVE
    assert "La campagne est maintenant « en cours »." in page(response)
    assert CallTask.objects.filter(campaign=draft).count() == 1
    assert QueueBuild.objects.get(campaign=draft).status == QueueBuild.Status.DONE


@pytest.mark.parametrize(
    ("current", "target"), [("active", "draft"), ("closed", "active"), ("draft", "paused")]
)
def test_a_transition_not_allowed_is_refused_with_a_message(client, bob, draft, current, target):
    Campaign.objects.filter(pk=draft.pk).update(status=current)
    client.force_login(bob)
    response = client.post(
        reverse("outreach:campaign_status", args=[draft.pk]), {"status": target}, follow=True
    )
    assert "ne peut pas passer à" in page(response)
    draft.refresh_from_db()
    assert draft.status == current


def test_dashboard_offers_only_the_allowed_status_buttons(client, bob, campaign):
    client.force_login(bob)
    html = page(client.get(reverse("outreach:campaign_detail", args=[campaign.pk])))
    assert 'value="paused"' in html
    assert 'value="closed"' in html
    assert 'value="active"' not in html
    assert "Mettre en pause" in html


def test_a_caller_sees_the_dashboard_but_cannot_change_the_status(client, alice, campaign):
    client.force_login(alice)
    response = client.get(reverse("outreach:campaign_detail", args=[campaign.pk]))
    assert response.status_code == 200
    assert "Mettre en pause" not in page(response)
    assert "Construire la file maintenant" not in page(response)
    url = reverse("outreach:campaign_status", args=[campaign.pk])
    assert client.post(url, {"status": "closed"}).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE


def test_build_button_records_a_build_and_the_queue_is_built(
    client, bob, actis, campaign, django_capture_on_commit_callbacks
):
    make_household(actis)
    make_household(actis)
    client.force_login(bob)
    detail = page(client.get(reverse("outreach:campaign_detail", args=[campaign.pk])))
    assert "Construire la file maintenant" in detail
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("outreach:campaign_build", args=[campaign.pk]), HTTP_HX_REQUEST="true"
        )
    assert len(callbacks) == 1
    build = QueueBuild.objects.get(campaign=campaign)
    assert build.requested_by == bob
    # The fragment answered before the worker ran: it polls the build's status.
    status_url = reverse("outreach:campaign_build_status", args=[campaign.pk, build.pk])
    assert f'hx-get="{status_url}"' in page(response)
    assert 'hx-trigger="every 2s"' in page(response)
    assert CallTask.objects.filter(campaign=campaign).count() == 2

    done = client.get(status_url, HTTP_HX_REQUEST="true")
    assert "2 ménages ajoutés" in page(done)
    assert "hx-trigger" not in page(done)


def test_build_status_keeps_polling_until_the_build_has_finished(client, alice, campaign):
    build = QueueBuild.objects.create(campaign=campaign, status=QueueBuild.Status.RUNNING)
    client.force_login(alice)
    url = reverse("outreach:campaign_build_status", args=[campaign.pk, build.pk])
    running = page(client.get(url))
    assert "en cours" in running
    assert 'hx-trigger="every 2s"' in running
    QueueBuild.objects.filter(pk=build.pk).update(
        status=QueueBuild.Status.DONE, added=5, removed=1, restored=0
    )
    done = page(client.get(url))
    assert "5 ménages ajoutés" in done
    assert "1 retiré" in done
    assert "hx-trigger" not in done
    QueueBuild.objects.filter(pk=build.pk).update(status=QueueBuild.Status.FAILED)
    assert "a échoué" in page(client.get(url))


def test_building_the_queue_of_a_draft_is_refused(client, bob, draft):
    client.force_login(bob)
    response = client.post(reverse("outreach:campaign_build", args=[draft.pk]), follow=True)
    assert "Seule une campagne en cours a une file d&#x27;appels." in page(response)
    assert not QueueBuild.objects.exists()


# ---------------------------------------------------------------------------------------------
# Dashboard


@pytest.fixture
def known_campaign(actis, alice, bob, campaign):
    """Four households queued and one removed; four calls over two days (Paris time)."""
    h1, h2, h3, h4, h5 = (HouseholdFactory(landlord=actis, name=f"H{n}") for n in range(1, 6))
    for household, status, outcome in [
        (h1, TaskStatus.DONE, CallOutcome.REACHED_WELL),
        (h2, TaskStatus.DONE, CallOutcome.REACHED_NEEDS_HELP),
        (h3, TaskStatus.PENDING, CallOutcome.NO_ANSWER),
        (h4, TaskStatus.PENDING, ""),
        (h5, TaskStatus.REMOVED, ""),
    ]:
        CallTask.objects.create(
            campaign=campaign, household=household, landlord=actis, status=status,
            last_outcome=outcome,
        )  # fmt: skip
    make_log(campaign, h3, alice, CallOutcome.NO_ANSWER, MONDAY)
    make_log(campaign, h1, alice, CallOutcome.REACHED_WELL, MONDAY + datetime.timedelta(hours=1))
    # 00:30 in Paris on Tuesday is still Monday in UTC: it counts on Tuesday.
    helped = make_log(
        campaign,
        h2,
        bob,
        CallOutcome.REACHED_NEEDS_HELP,
        datetime.datetime(2026, 3, 10, 0, 30, tzinfo=PARIS),
    )
    make_log(campaign, h1, alice, CallOutcome.REACHED_WELL, TUESDAY)  # reached again: not new
    Need.objects.create(call_log=helped, household=h2, kind=NeedKind.GROCERIES)
    Need.objects.create(call_log=helped, household=h2, kind=NeedKind.MEDICINE, handled=True)
    ccas = Partner.objects.create(name="CCAS de Grenoble", kind=PartnerKind.SENIOR_SERVICE)
    Referral.objects.create(
        landlord=actis,
        household=h2,
        partner=ccas,
        call_log=helped,
        reason="Courses",
        created_by=bob,
    )
    return campaign


def test_dashboard_figures_for_a_known_data_set(client, bob, known_campaign):
    client.force_login(bob)
    response = client.get(reverse("outreach:campaign_detail", args=[known_campaign.pk]))
    dashboard = response.context["dashboard"]
    by_status = {figure.value: figure.count for figure in dashboard.by_status}
    assert by_status == {
        "pending": 2, "held": 0, "callback": 0, "done": 2, "exhausted": 0, "skipped": 0,
        "removed": 1,
    }  # fmt: skip
    by_outcome = {figure.value: figure.count for figure in dashboard.by_outcome if figure.count}
    assert by_outcome == {"": 1, "reached_well": 1, "reached_needs_help": 1, "no_answer": 1}
    assert dashboard.queued == 4
    assert dashboard.reached_households == 2
    assert dashboard.share_reached == 0.5
    assert dashboard.calls == 4
    assert [(p.day.day, p.calls, p.newly_reached, p.reached_total) for p in dashboard.progress] == [
        (9, 2, 1, 1),
        (10, 2, 1, 2),
    ]
    assert [
        (day.day.day, [(c.name.split()[0], c.calls, c.reached) for c in day.callers])
        for day in dashboard.caller_days
    ] == [(10, [("Alice", 1, 1), ("Bob", 1, 1)]), (9, [("Alice", 2, 1)])]
    assert [(f.value, f.count, f.extra) for f in dashboard.needs] == [
        ("groceries", 1, 0),
        ("medicine", 1, 1),
    ]
    assert [(f.label, f.count, f.extra) for f in dashboard.referrals] == [
        ("CCAS de Grenoble", 1, 1)
    ]
    html = page(response)
    assert "50&nbsp;%" in html
    assert '<title id="chart-title">Avancement de la campagne</title>' in html
    assert '<th scope="row">10/03/2026</th>' in html  # the chart's data table
    assert "Êtes-vous seul(e)" not in html  # this campaign was made without the default questions


def test_dashboard_counts_only_the_needs_and_referrals_of_its_own_campaign(
    client, bob, actis, known_campaign
):
    """The household helped in the known campaign is called again in a second campaign: what that
    call found, and a referral made outside any call, stay off the first campaign's dashboard."""
    second = Campaign.objects.create(landlord=actis, name="Canicule", status="active")
    h2 = Household.objects.get(name="H2")
    again = make_log(second, h2, bob, CallOutcome.REACHED_NEEDS_HELP, TUESDAY)
    Need.objects.create(call_log=again, household=h2, kind=NeedKind.GROCERIES)
    Need.objects.create(call_log=again, household=h2, kind=NeedKind.RENT, handled=True)
    ccas = Partner.objects.get(name="CCAS de Grenoble")
    for call_log in (again, None):
        Referral.objects.create(
            landlord=actis, household=h2, partner=ccas, call_log=call_log, reason="Loyer",
            created_by=bob, status=ReferralStatus.CLOSED,
        )  # fmt: skip
    client.force_login(bob)

    def figures(campaign):
        response = client.get(reverse("outreach:campaign_detail", args=[campaign.pk]))
        dashboard = response.context["dashboard"]
        return (
            [(f.value, f.count, f.extra) for f in dashboard.needs],
            [(f.label, f.count, f.extra) for f in dashboard.referrals],
        )

    assert figures(known_campaign) == (
        [("groceries", 1, 0), ("medicine", 1, 1)],
        [("CCAS de Grenoble", 1, 1)],
    )
    assert figures(second) == (
        [("groceries", 1, 0), ("rent", 1, 1)],
        [("CCAS de Grenoble", 1, 0)],
    )


@pytest.mark.django_db(transaction=True)
def test_migration_gives_existing_needs_and_referrals_the_campaign_of_their_call(
    bob, actis, known_campaign
):
    """outreach 0009 adds the campaign to needs and referrals already recorded: unapplied (the
    columns dropped) and applied again, the known campaign's dashboard shows the same figures."""
    ccas = Partner.objects.get(name="CCAS de Grenoble")
    Referral.objects.create(
        landlord=actis, household=Household.objects.get(name="H1"), partner=ccas, reason="Aide",
        created_by=bob,
    )  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.migrate([("outreach", "0008_tenant_callbacks")])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("outreach"))

    dashboard = campaign_dashboard(known_campaign)
    assert [(f.value, f.count, f.extra) for f in dashboard.needs] == [
        ("groceries", 1, 0),
        ("medicine", 1, 1),
    ]
    assert [(f.label, f.count, f.extra) for f in dashboard.referrals] == [
        ("CCAS de Grenoble", 1, 1)
    ]
    assert set(Need.objects.values_list("campaign", flat=True)) == {known_campaign.pk}
    assert {(r.call_log_id is None, r.campaign_id) for r in Referral.objects.all()} == {
        (False, known_campaign.pk),
        (True, None),  # made outside a call: no campaign
    }


def test_dashboard_of_an_empty_campaign_says_so(client, alice, campaign):
    client.force_login(alice)
    response = client.get(reverse("outreach:campaign_detail", args=[campaign.pk]))
    assert response.context["dashboard"].share_reached is None
    assert "Aucun appel n'a encore été passé." in page(response)


def _grow_campaign(campaign, caller, count):
    households = HouseholdFactory.create_batch(count, landlord=campaign.landlord)
    tasks = CallTask.objects.bulk_create(
        CallTask(campaign=campaign, household=h, landlord=campaign.landlord, status="done")
        for h in households
    )
    partner = Partner.objects.create(name=f"Partenaire {count}", kind=PartnerKind.MUTUAL_AID)
    logs = CallLog.objects.bulk_create(
        CallLog(
            task=task,
            campaign=campaign,
            household=task.household,
            landlord=campaign.landlord,
            caller=caller,
            outcome=CallOutcome.REACHED_NEEDS_HELP,
            called_at=MONDAY + datetime.timedelta(days=index % 20, minutes=index),
            answers={},
        )
        for index, task in enumerate(tasks)
    )
    Need.objects.bulk_create(
        Need(call_log=log, household=log.household, kind=NeedKind.GROCERIES) for log in logs
    )
    Referral.objects.bulk_create(
        Referral(
            landlord=campaign.landlord,
            household=log.household,
            partner=partner,
            call_log=log,
            reason="Courses",
            created_by=caller,
        )
        for log in logs
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.slow
def test_dashboard_runs_the_same_number_of_queries_for_10_and_200_calls(client, bob, campaign):
    client.force_login(bob)
    url = reverse("outreach:campaign_detail", args=[campaign.pk])
    _grow_campaign(campaign, bob, 10)
    client.get(url)  # warm the session and the content-type caches
    few = _queries(client, url)
    _grow_campaign(campaign, make_staff(campaign.landlord, Role.CALLER), 190)
    assert _queries(client, url) == few
    assert client.get(url).context["dashboard"].calls == 200


@pytest.mark.slow
def test_campaign_list_runs_the_same_number_of_queries_for_10_and_200_campaigns(
    client, bob, actis, settings
):
    settings.PAGE_SIZE = 500
    client.force_login(bob)
    url = reverse("outreach:campaign_list")

    def add_campaigns(count):
        campaigns = Campaign.objects.bulk_create(
            Campaign(landlord=actis, name=f"Campagne {n}") for n in range(count)
        )
        households = HouseholdFactory.create_batch(count, landlord=actis)
        CallTask.objects.bulk_create(
            CallTask(campaign=c, household=h, landlord=actis)
            for c, h in zip(campaigns, households, strict=True)
        )

    add_campaigns(10)
    client.get(url)
    few = _queries(client, url)
    add_campaigns(190)
    assert _queries(client, url) == few
    assert client.get(url).context["paginator"].count == 200


def test_campaign_list_shows_my_landlords_campaigns_with_task_counts(
    client, alice, actis, campaign, sdh_campaign
):
    for status in (TaskStatus.PENDING, TaskStatus.PENDING, TaskStatus.DONE, TaskStatus.REMOVED):
        CallTask.objects.create(
            campaign=campaign, household=HouseholdFactory(landlord=actis), landlord=actis,
            status=status,
        )  # fmt: skip
    client.force_login(alice)
    response = client.get(reverse("outreach:campaign_list"))
    [listed] = response.context["campaigns"]
    assert listed == campaign
    assert (listed.queued_count, listed.pending_count, listed.done_count) == (3, 2, 1)
    assert sdh_campaign.name not in page(response)
    # Alice calls but does not manage campaigns: no creation button.
    assert reverse("outreach:campaign_create") not in page(response)


def test_chart_axis_maxima_are_even_round_numbers():
    assert [nice_ceiling(n) for n in (0, 1, 3, 7, 9, 11, 45, 120)] == [2, 2, 4, 8, 10, 20, 60, 200]


# ---------------------------------------------------------------------------------------------
# Questionnaire


def _formset_data(questions, new=None, changes=None) -> dict:
    data = {
        "questions-TOTAL_FORMS": str(len(questions) + 1),
        "questions-INITIAL_FORMS": str(len(questions)),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for index, question in enumerate(questions):
        row = {
            "id": question.pk,
            "text": question.text,
            "kind": question.kind,
            "choices": question.choices,
            "position": question.position,
        }
        if question.required:
            row["required"] = "on"
        row.update((changes or {}).get(index, {}))
        data.update({f"questions-{index}-{key}": value for key, value in row.items()})
    # The blank row for a new question, as the browser sends it when left alone.
    blank = {"text": "", "kind": "yes_no", "choices": "", "position": "", **(new or {})}
    for key, value in blank.items():
        data[f"questions-{len(questions)}-{key}"] = value
    return data


def test_supervisor_edits_adds_and_deletes_questions(client, bob, draft):
    first = Question.objects.create(campaign=draft, position=1, text="Seul(e) ?", kind="yes_no")
    second = Question.objects.create(campaign=draft, position=2, text="Âge ?", kind="number")
    client.force_login(bob)
    url = reverse("outreach:campaign_questions", args=[draft.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        _formset_data(
            [first, second],
            new={
                "text": "Qui fait vos courses ?",
                "kind": "choice",
                "choices": "Famille\n\nVoisins\n",
            },
            changes={0: {"text": "Êtes-vous seul(e) ?", "required": "on"}, 1: {"DELETE": "on"}},
        ),
        follow=True,
    )
    assert "Le questionnaire est enregistré." in page(response)
    questions = list(draft.questions.all())
    assert [(q.text, q.kind, q.required, q.position) for q in questions] == [
        ("Êtes-vous seul(e) ?", "yes_no", True, 1),
        ("Qui fait vos courses ?", "choice", False, 2),
    ]
    assert questions[1].choice_list == ["Famille", "Voisins"]


def test_the_blank_row_left_alone_adds_no_question(client, bob, draft):
    question = Question.objects.create(campaign=draft, position=1, text="Seul(e) ?", kind="yes_no")
    client.force_login(bob)
    response = client.post(
        reverse("outreach:campaign_questions", args=[draft.pk]),
        _formset_data([question], changes={0: {"text": "Vivez-vous seul(e) ?"}}),
        follow=True,
    )
    assert "Le questionnaire est enregistré." in page(response)
    assert list(draft.questions.values_list("text", flat=True)) == ["Vivez-vous seul(e) ?"]


def test_a_choice_question_without_choices_is_refused_in_french(client, bob, draft):
    client.force_login(bob)
    response = client.post(
        reverse("outreach:campaign_questions", args=[draft.pk]),
        _formset_data([], new={"text": "Votre préférence ?", "kind": QuestionKind.CHOICE}),
    )
    assert "Indiquez au moins un choix, un par ligne." in page(response)
    assert not draft.questions.exists()


def test_the_questionnaire_of_a_closed_campaign_cannot_change(client, bob, draft):
    question = Question.objects.create(campaign=draft, text="Seul(e) ?", kind="yes_no")
    Campaign.objects.filter(pk=draft.pk).update(status=CampaignStatus.CLOSED)
    client.force_login(bob)
    url = reverse("outreach:campaign_questions", args=[draft.pk])
    assert "Enregistrer le questionnaire" not in page(client.get(url))
    response = client.post(
        url, _formset_data([question], changes={0: {"text": "Changée"}}), follow=True
    )
    assert "Une campagne clôturée ne peut plus être modifiée." in page(response)
    question.refresh_from_db()
    assert question.text == "Seul(e) ?"


# ---------------------------------------------------------------------------------------------
# CSV export


def test_csv_export_is_excel_friendly_scoped_and_one_row_per_call(
    client, bob, alice, actis, sdh, campaign, sdh_campaign, charlie
):
    question = Question.objects.create(
        campaign=campaign, position=1, text="Seul(e) ?", kind="yes_no"
    )
    household = HouseholdFactory(landlord=actis, name="Mme Roux", reference="MEN-42")
    make_log(campaign, household, alice, CallOutcome.NO_ANSWER, MONDAY)
    helped = make_log(
        campaign,
        household,
        alice,
        CallOutcome.REACHED_NEEDS_HELP,
        TUESDAY,
        answers={str(question.pk): True},
        notes="=appeler la fille",
    )
    Need.objects.create(call_log=helped, household=household, kind=NeedKind.GROCERIES, note="lait")
    outsider = HouseholdFactory(landlord=sdh, name="M. Bailleur-Voisin")
    make_log(sdh_campaign, outsider, charlie, CallOutcome.REACHED_WELL, MONDAY)
    client.force_login(bob)
    response = client.get(reverse("outreach:campaign_export", args=[campaign.pk]))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="appels-appels-70-ans-et-plus-'
    )
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Date", "Heure", "Ménage", "Référence", "Appelant(e)", "Résultat", "Besoins",
        "Orientations", "Notes", "Seul(e) ?",
    ]  # fmt: skip
    assert len(rows) == 3  # the header and one row per call of this campaign only
    assert rows[1][:6] == [
        "09/03/2026",
        "10:00",
        "Mme Roux",
        "MEN-42",
        "Alice " + alice.last_name,
        "pas de réponse",
    ]
    assert rows[2][5:] == [
        "joint, a besoin d'aide",
        "courses (lait)",
        "",
        "'=appeler la fille",
        "oui",
    ]
    assert outsider.name not in body.decode("utf-8-sig")


# ---------------------------------------------------------------------------------------------
# Access: another landlord's campaign answers 404; a role without rights gets 403


def _campaign_urls(campaign, build):
    return [
        ("get", reverse("outreach:campaign_detail", args=[campaign.pk])),
        ("get", reverse("outreach:campaign_build_status", args=[campaign.pk, build.pk])),
        ("get", reverse("outreach:campaign_update", args=[campaign.pk])),
        ("post", reverse("outreach:campaign_update", args=[campaign.pk])),
        ("post", reverse("outreach:campaign_status", args=[campaign.pk])),
        ("post", reverse("outreach:campaign_build", args=[campaign.pk])),
        ("get", reverse("outreach:campaign_questions", args=[campaign.pk])),
        ("post", reverse("outreach:campaign_questions", args=[campaign.pk])),
        ("get", reverse("outreach:campaign_export", args=[campaign.pk])),
    ]


def test_every_page_of_another_landlords_campaign_answers_404(
    client, campaign, charlie, sdh_supervisor
):
    build = QueueBuild.objects.create(campaign=campaign)
    client.force_login(sdh_supervisor)
    for method, url in _campaign_urls(campaign, build):
        response = getattr(client, method)(url, {"status": "closed"} if method == "post" else {})
        assert response.status_code == 404, url
        assert campaign.name not in page(response)
    # A caller of another landlord: the pages callers may open answer 404 as well.
    client.force_login(charlie)
    for _method, url in _campaign_urls(campaign, build)[:2]:
        assert client.get(url).status_code == 404, url
    assert campaign.name not in page(client.get(reverse("outreach:campaign_list")))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE


def test_a_role_without_rights_gets_403_everywhere(client, campaign, technician):
    build = QueueBuild.objects.create(campaign=campaign)
    client.force_login(technician)
    urls = [
        ("get", reverse("outreach:campaign_list")),
        ("get", reverse("outreach:campaign_create")),
        ("get", reverse("outreach:campaign_preview")),
        *_campaign_urls(campaign, build),
    ]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 403, url


def test_a_caller_cannot_open_the_pages_that_change_a_campaign(client, alice, campaign):
    client.force_login(alice)
    for url in [
        reverse("outreach:campaign_create"),
        reverse("outreach:campaign_update", args=[campaign.pk]),
        reverse("outreach:campaign_questions", args=[campaign.pk]),
        reverse("outreach:campaign_export", args=[campaign.pk]),
    ]:
        assert client.get(url).status_code == 403, url


def test_pages_ask_anonymous_visitors_to_log_in(client, campaign):
    response = client.get(reverse("outreach:campaign_detail", args=[campaign.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
