"""Outreach admin: scoped like the pages, history kept, rules applied through the services."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from housing.models import Role
from outreach.models import (
    CallLog,
    CallOutcome,
    CallTask,
    Campaign,
    CampaignStatus,
    Need,
    Partner,
    PartnerKind,
    QueueBuild,
    Referral,
    ReferralStatus,
    SolidarityEntry,
    SolidarityStatus,
    TaskStatus,
)
from portal.models import User
from tests.factories import HouseholdFactory, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def actis_admin(actis):
    user = make_staff(actis, Role.LANDLORD_ADMIN, email="admin@actis.example", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["outreach", "housing", "tenants"])
    )
    return user


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@portail.example", "mot-de-passe-2026")


def _objects_of(landlord):
    caller = make_staff(landlord, Role.CALLER)
    household = HouseholdFactory(landlord=landlord)
    partner = Partner.objects.create(
        landlord=landlord, name=f"Partenaire {landlord.slug}", kind=PartnerKind.OTHER
    )
    campaign = Campaign.objects.create(landlord=landlord, name=f"Campagne {landlord.slug}")
    task = CallTask.objects.create(campaign=campaign, household=household, landlord=landlord)
    log = CallLog.objects.create(
        task=task,
        campaign=campaign,
        household=household,
        landlord=landlord,
        caller=caller,
        outcome=CallOutcome.REACHED_NEEDS_HELP,
        called_at=timezone.now(),
    )
    return {
        "partner": partner,
        "campaign": campaign,
        "calltask": task,
        "calllog": log,
        "need": Need.objects.create(call_log=log, household=household, kind="groceries"),
        "referral": Referral.objects.create(
            landlord=landlord,
            household=household,
            partner=partner,
            call_log=log,
            reason="Courses",
            created_by=caller,
        ),
        "solidarityentry": SolidarityEntry.objects.create(
            landlord=landlord,
            household=household,
            call_log=log,
            found_on=datetime.date(2026, 3, 10),
            need="Isolée",
        ),
        "queuebuild": QueueBuild.objects.create(campaign=campaign),
    }


MODELS = [
    "partner",
    "campaign",
    "calltask",
    "calllog",
    "need",
    "referral",
    "solidarityentry",
    "queuebuild",
]


@pytest.mark.parametrize("model", MODELS)
def test_admin_change_page_of_another_landlord_answers_404(client, actis_admin, actis, sdh, model):
    mine = _objects_of(actis)[model]
    theirs = _objects_of(sdh)[model]
    client.force_login(actis_admin)
    assert client.get(reverse(f"admin:outreach_{model}_change", args=[mine.pk])).status_code == 200
    response = client.get(reverse(f"admin:outreach_{model}_change", args=[theirs.pk]))
    assert response.status_code == 404
    changelist = client.get(reverse(f"admin:outreach_{model}_changelist"))
    assert changelist.status_code == 200
    rows = list(changelist.context["cl"].queryset)
    assert mine in rows
    assert theirs not in rows
    if str(theirs) != str(mine):
        # Neither in the rows nor in the filters of the sidebar.
        assert escape(str(theirs)) not in changelist.content.decode()


@pytest.mark.parametrize("model", ["calltask", "calllog", "referral", "queuebuild"])
def test_admin_filters_do_not_name_another_landlords_campaigns_or_partners(
    client, actis_admin, actis, sdh, model
):
    _objects_of(actis)
    _objects_of(sdh)
    client.force_login(actis_admin)
    page = client.get(reverse(f"admin:outreach_{model}_changelist")).content.decode()
    assert "Campagne actis" in page or "Partenaire actis" in page
    assert "Campagne sdh" not in page
    assert "Partenaire sdh" not in page


def test_call_logs_cannot_be_deleted_from_admin(client, actis_admin, superuser, actis):
    log = _objects_of(actis)["calllog"]
    for user in (actis_admin, superuser):
        client.force_login(user)
        url = reverse("admin:outreach_calllog_delete", args=[log.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"post": "yes"}).status_code == 403
        changelist = client.get(reverse("admin:outreach_calllog_changelist"))
        assert "delete_selected" not in changelist.content.decode()
    assert CallLog.objects.filter(pk=log.pk).exists()


def test_a_logged_call_keeps_its_outcome_time_and_caller(client, actis_admin, actis):
    log = _objects_of(actis)["calllog"]
    before = (log.outcome, log.called_at, log.caller_id)
    client.force_login(actis_admin)
    url = reverse("admin:outreach_calllog_change", args=[log.pk])
    response = client.post(
        url,
        {
            "outcome": CallOutcome.REFUSED,
            "called_at_0": "01/01/2020",
            "called_at_1": "10:00",
            "caller": actis_admin.pk,
            "notes": "Complément après rappel",
            "needs-TOTAL_FORMS": "1",
            "needs-INITIAL_FORMS": "1",
            "needs-0-id": log.needs.get().pk,
            "needs-0-call_log": log.pk,
            "needs-0-kind": "groceries",
            "needs-0-handled": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    log.refresh_from_db()
    assert (log.outcome, log.called_at, log.caller_id) == before
    assert log.notes == "Complément après rappel"
    assert log.needs.get().handled


def test_shared_partners_are_seen_by_staff_admins_but_changed_only_by_superusers(
    client, actis_admin, superuser
):
    shared = Partner.objects.create(name="CCAS de Grenoble", kind=PartnerKind.SENIOR_SERVICE)
    url = reverse("admin:outreach_partner_change", args=[shared.pk])
    client.force_login(actis_admin)
    changelist = client.get(reverse("admin:outreach_partner_changelist"))
    assert shared in list(changelist.context["cl"].queryset)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    response = client.post(url, {"name": "Renommé", "kind": PartnerKind.OTHER})
    assert response.status_code == 403
    assert client.get(reverse("admin:outreach_partner_delete", args=[shared.pk])).status_code == 403
    shared.refresh_from_db()
    assert shared.name == "CCAS de Grenoble"
    client.force_login(superuser)
    assert client.get(url).context["has_change_permission"] is True
    response = client.post(
        url, {"name": "CCAS de Grenoble", "kind": "senior_service", "city": "Grenoble"}
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.city == "Grenoble"


def test_a_landlord_admin_cannot_create_a_shared_partner(client, actis_admin, actis):
    client.force_login(actis_admin)
    url = reverse("admin:outreach_partner_add")
    response = client.post(url, {"name": "Sans bailleur", "kind": PartnerKind.OTHER})
    assert response.status_code == 200
    assert "landlord" in response.context["adminform"].form.errors
    response = client.post(
        url,
        {
            "landlord": actis.pk,
            "name": "Avec bailleur",
            "kind": PartnerKind.OTHER,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Partner.objects.get(name="Avec bailleur").landlord == actis


def test_a_closed_campaign_is_read_only_in_admin(client, actis_admin, actis):
    campaign = Campaign.objects.create(
        landlord=actis, name="Canicule 2025", status=CampaignStatus.CLOSED
    )
    client.force_login(actis_admin)
    url = reverse("admin:outreach_campaign_change", args=[campaign.pk])
    form = client.get(url).context["adminform"].form
    assert "name" not in form.fields
    assert "max_attempts" not in form.fields
    client.post(url, {"name": "Renommée"})
    campaign.refresh_from_db()
    assert campaign.name == "Canicule 2025"
    assert (
        client.get(reverse("admin:outreach_campaign_delete", args=[campaign.pk])).status_code == 403
    )


def test_a_campaign_added_in_admin_gets_the_default_questionnaire(client, actis_admin, actis):
    client.force_login(actis_admin)
    response = client.post(
        reverse("admin:outreach_campaign_add"),
        {
            "landlord": actis.pk,
            "name": "Appels 70 ans",
            "call_weekdays": "[0, 1, 2, 3, 4]",
            "call_start": "09:00",
            "call_end": "18:00",
            "max_attempts": "3",
            "retry_delay_minutes": "240",
            "hold_minutes": "20",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign = Campaign.objects.get(name="Appels 70 ans")
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.created_by == actis_admin
    assert campaign.questions.count() == 6


def test_build_queue_now_action_records_a_build_for_active_campaigns_only(
    client, actis_admin, actis, django_capture_on_commit_callbacks
):
    active = Campaign.objects.create(landlord=actis, name="En cours", status="active")
    draft = Campaign.objects.create(landlord=actis, name="Brouillon")
    client.force_login(actis_admin)
    response = client.post(
        reverse("admin:outreach_campaign_changelist"),
        {"action": "build_queue_now", "_selected_action": [active.pk, draft.pk]},
        follow=True,
    )
    assert QueueBuild.objects.filter(campaign=active).count() == 1
    assert not QueueBuild.objects.filter(campaign=draft).exists()
    messages = [str(m) for m in response.context["messages"]]
    assert "Construction de la file demandée pour 1 campagne." in messages
    assert "Brouillon : seule une campagne en cours a une file d'appels." in messages


def test_campaign_status_actions_follow_the_transitions(client, actis_admin, actis):
    draft = Campaign.objects.create(landlord=actis, name="Brouillon")
    closed = Campaign.objects.create(landlord=actis, name="Close", status="closed")
    client.force_login(actis_admin)
    response = client.post(
        reverse("admin:outreach_campaign_changelist"),
        {"action": "campaign_to_paused", "_selected_action": [draft.pk, closed.pk]},
        follow=True,
    )
    draft.refresh_from_db()
    closed.refresh_from_db()
    assert (draft.status, closed.status) == ("draft", "closed")
    messages = [str(m) for m in response.context["messages"]]
    assert any("ne peut pas passer à « en pause »" in m for m in messages)


def test_release_action_hands_held_calls_back_to_the_queue(client, actis_admin, actis):
    task = _objects_of(actis)["calltask"]
    holder = make_staff(actis, Role.CALLER)
    now = timezone.now()
    CallTask.objects.filter(pk=task.pk).update(
        status=TaskStatus.HELD,
        held_by=holder,
        held_at=now,
        hold_until=now + datetime.timedelta(minutes=20),
    )
    client.force_login(actis_admin)
    response = client.post(
        reverse("admin:outreach_calltask_changelist"),
        {"action": "release_held", "_selected_action": [task.pk]},
        follow=True,
    )
    task.refresh_from_db()
    assert (task.status, task.held_by) == (TaskStatus.PENDING, None)
    assert "1 appel rendu à la file." in [str(m) for m in response.context["messages"]]


def test_referral_action_moves_status_through_the_service(client, actis_admin, actis):
    referral = _objects_of(actis)["referral"]
    client.force_login(actis_admin)
    client.post(
        reverse("admin:outreach_referral_changelist"),
        {"action": "referral_to_sent", "_selected_action": [referral.pk]},
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    history = client.get(reverse("admin:outreach_referral_history", args=[referral.pk]))
    assert "État : à transmettre → transmise" in history.content.decode()


def test_typing_a_closing_reason_in_admin_closes_the_register_entry(client, actis_admin, actis):
    entry = _objects_of(actis)["solidarityentry"]
    client.force_login(actis_admin)
    url = reverse("admin:outreach_solidarityentry_change", args=[entry.pk])
    response = client.post(
        url,
        {
            "landlord": actis.pk,
            "household": entry.household_id,
            "found_on": "10/03/2026",
            "need": "Isolée",
            "follow_up": "",
            "closed_reason": "Relayée au CCAS",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry.refresh_from_db()
    assert entry.status == SolidarityStatus.CLOSED
    assert entry.closed_reason == "Relayée au CCAS"
    assert entry.closed_at is not None
    # Closed entries are frozen.
    form = client.get(url).context["adminform"].form
    assert "need" not in form.fields
    assert (
        client.get(reverse("admin:outreach_solidarityentry_delete", args=[entry.pk])).status_code
        == 403
    )


def test_queue_builds_are_read_only(client, actis_admin, actis):
    build = _objects_of(actis)["queuebuild"]
    client.force_login(actis_admin)
    response = client.get(reverse("admin:outreach_queuebuild_change", args=[build.pk]))
    assert response.context["has_change_permission"] is False
    assert client.get(reverse("admin:outreach_queuebuild_add")).status_code == 403
