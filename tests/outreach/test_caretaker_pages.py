"""The caretaker's "today" page, solidarity tasks and the supervisors' week board."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from housing.models import ALL_WEEKDAYS, DutyCompletion, DutyRound, Role
from outreach.errors import OutreachError
from outreach.models import (
    CallLog,
    CallOutcome,
    CallTask,
    Campaign,
    Need,
    NeedKind,
    SolidarityTask,
    SolidarityTaskStatus,
)
from outreach.services.caretakers import (
    solidarity_task_cancel,
    solidarity_task_complete,
    solidarity_task_create,
)
from tenants.models import RequestChannel, TechnicalRequest
from tests.factories import (
    BuildingFactory,
    DwellingFactory,
    HouseholdFactory,
    LeaseFactory,
    make_staff,
    make_tenant,
)

pytestmark = pytest.mark.django_db

TODAY_URL = reverse("outreach:caretaker_today")
BOARD_URL = reverse("outreach:duty_board")
TASKS_URL = reverse("outreach:solidarity_task_list")


def make_round(building, kind=DutyRound.Kind.CLEANING, **fields):
    fields.setdefault("starts_on", datetime.date(2020, 1, 1))
    fields.setdefault("weekdays", ALL_WEEKDAYS)
    return DutyRound.objects.create(building=building, kind=kind, **fields)


def make_task(household, caretaker, *, by, description="Porter les courses, 3e étage", **fields):
    fields.setdefault("due_on", timezone.localdate())
    return SolidarityTask.objects.create(
        landlord_id=household.landlord_id,
        household=household,
        assigned_to=caretaker,
        description=description,
        created_by=by,
        **fields,
    )


def make_need(household, caller, note="Courses le jeudi"):
    campaign, _ = Campaign.objects.get_or_create(
        landlord_id=household.landlord_id, name="Appels 70 ans et plus"
    )
    task = CallTask.objects.create(
        campaign=campaign, household=household, landlord_id=household.landlord_id
    )
    log = CallLog.objects.create(
        task=task,
        campaign=campaign,
        household=household,
        landlord_id=household.landlord_id,
        caller=caller,
        outcome=CallOutcome.REACHED_NEEDS_HELP,
        called_at=timezone.now(),
    )
    return Need.objects.create(
        call_log=log, household=household, kind=NeedKind.CARETAKER_HELP, note=note
    )


@pytest.fixture
def building(actis_household):
    return actis_household.leases.get().dwelling.building


@pytest.fixture
def caretaker(actis, building):
    user = make_staff(actis, Role.CARETAKER, email="karim@actis.example", first_name="Karim")
    building.caretaker_assignments.create(user=user)
    return user


@pytest.fixture
def other_building(actis):
    return BuildingFactory(landlord=actis, name="Autre immeuble")


@pytest.fixture
def other_caretaker(actis, other_building):
    user = make_staff(actis, Role.CARETAKER, email="nadia@actis.example", first_name="Nadia")
    other_building.caretaker_assignments.create(user=user)
    return user


@pytest.fixture
def sdh_caretaker(sdh, sdh_household):
    user = make_staff(sdh, Role.CARETAKER, email="gardien@sdh.example")
    sdh_household.leases.get().dwelling.building.caretaker_assignments.create(user=user)
    return user


def page(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------------------------------------
# The "today" page


def test_caretaker_sees_only_the_rounds_of_their_buildings_and_their_own_tasks(
    client, actis_household, building, caretaker, other_building, other_caretaker, bob
):
    make_round(building, details="Hall et escaliers A")
    make_round(other_building, details="Hall de l'autre immeuble")
    make_task(actis_household, caretaker, by=bob, description="Courses de Mme Martin")
    make_task(actis_household, other_caretaker, by=bob, description="Tâche de Nadia")
    client.force_login(caretaker)
    response = client.get(TODAY_URL)
    assert response.status_code == 200
    text = page(response)
    assert "Hall et escaliers A" in text
    assert "Courses de Mme Martin" in text
    assert "Hall de l&#x27;autre immeuble" not in text
    assert "Tâche de Nadia" not in text


def test_ticking_a_round_with_a_note_records_it_once(client, building, caretaker):
    duty_round = make_round(building)
    client.force_login(caretaker)
    url = reverse("outreach:caretaker_round_done", args=[duty_round.pk])
    response = client.post(url, {"note": "Poubelles sorties, bac cassé"})
    assert response.status_code == 302
    assert response["Location"].endswith("#tournees")
    done = DutyCompletion.objects.get()
    assert (done.round, done.date, done.done_by) == (duty_round, timezone.localdate(), caretaker)
    assert done.note == "Poubelles sorties, bac cassé"
    again = client.post(url, {"note": ""}, follow=True)
    assert "déjà cochée" in page(again)
    assert DutyCompletion.objects.count() == 1
    assert "Faite à" in page(client.get(TODAY_URL))


def test_a_round_of_another_building_or_landlord_answers_404(
    client, caretaker, other_building, sdh_caretaker, sdh_household
):
    theirs = make_round(other_building)
    sdh_round = make_round(sdh_household.leases.get().dwelling.building)
    client.force_login(caretaker)
    for duty_round in (theirs, sdh_round):
        url = reverse("outreach:caretaker_round_done", args=[duty_round.pk])
        assert client.post(url, {"note": ""}).status_code == 404
    assert not DutyCompletion.objects.exists()


def test_caretaker_marks_their_task_done_and_done_is_final(client, actis_household, caretaker, bob):
    task = make_task(actis_household, caretaker, by=bob)
    client.force_login(caretaker)
    url = reverse("outreach:caretaker_task_done", args=[task.pk])
    response = client.post(url, {"note": "Courses portées, tout va bien"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == SolidarityTaskStatus.DONE
    assert task.done_note == "Courses portées, tout va bien"
    assert task.done_at is not None
    refused = client.post(url, {"note": ""}, follow=True)
    assert "ne peut pas passer" in page(refused)
    with pytest.raises(OutreachError):
        solidarity_task_cancel(task=task, user=bob, reason="Erreur")


def test_a_task_of_another_caretaker_or_landlord_answers_404(
    client, actis_household, sdh_household, caretaker, other_caretaker, sdh_caretaker, bob, sdh
):
    theirs = make_task(actis_household, other_caretaker, by=bob)
    sdh_boss = make_staff(sdh, Role.SUPERVISOR, email="resp@sdh.example")
    sdh_task = make_task(sdh_household, sdh_caretaker, by=sdh_boss)
    client.force_login(caretaker)
    for task in (theirs, sdh_task):
        url = reverse("outreach:caretaker_task_done", args=[task.pk])
        assert client.post(url, {"note": ""}).status_code == 404
    assert not SolidarityTask.objects.filter(status=SolidarityTaskStatus.DONE).exists()
    with pytest.raises(OutreachError, match="ne vous est pas confiée"):
        solidarity_task_complete(task=theirs, user=caretaker)


def test_caretaker_reports_a_problem_on_site_for_a_household_of_their_building(
    client, actis_household, caretaker
):
    client.force_login(caretaker)
    response = client.post(
        TODAY_URL,
        {
            "household": actis_household.pk,
            "location": "common_area",
            "category": "lift",
            "description": "Ascenseur bloqué au 3e étage",
        },
    )
    assert response.status_code == 302
    created = TechnicalRequest.objects.get()
    assert created.channel == RequestChannel.ON_SITE
    assert created.household == actis_household
    assert created.created_by == caretaker
    assert created.location == "common_area"


def test_caretaker_cannot_report_for_a_household_outside_their_buildings(
    client, actis, sdh_household, caretaker
):
    elsewhere = HouseholdFactory(landlord=actis)
    LeaseFactory(household=elsewhere)
    client.force_login(caretaker)
    for household in (elsewhere, sdh_household):
        response = client.post(
            TODAY_URL,
            {
                "household": household.pk,
                "location": "dwelling",
                "category": "plumbing",
                "description": "Fuite",
            },
        )
        assert response.status_code == 400
        assert "Sélectionnez un choix valide" in page(response)
    assert not TechnicalRequest.objects.exists()


def test_today_page_is_for_caretakers_only(client, alice, actis_household, bob):
    client.force_login(alice)
    assert client.get(TODAY_URL).status_code == 403
    client.force_login(make_tenant(actis_household))
    assert client.get(TODAY_URL).status_code == 403


def _fill_today(building, household, caretaker, by, count):
    for n in range(count):
        make_round(building, details=f"Tournée {n}")
        make_task(household, caretaker, by=by, description=f"Tâche {n}")


def test_today_page_runs_a_constant_number_of_queries(
    client, actis_household, building, caretaker, bob
):
    client.force_login(caretaker)
    _fill_today(building, actis_household, caretaker, bob, 10)
    client.get(TODAY_URL)
    with CaptureQueriesContext(connection) as few:
        assert client.get(TODAY_URL).status_code == 200
    _fill_today(building, actis_household, caretaker, bob, 190)
    with CaptureQueriesContext(connection) as many:
        response = client.get(TODAY_URL)
    assert len(response.context["rounds"]) == 200
    assert len(response.context["tasks"]) == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# ---------------------------------------------------------------------------------------------
# Solidarity tasks from a call's follow-up


def test_a_caller_hands_a_caretaker_help_need_to_the_caretaker(
    client, alice, actis_household, caretaker
):
    need = make_need(actis_household, alice)
    client.force_login(alice)
    assert "Courses le jeudi" in page(client.get(TASKS_URL))
    url = reverse("outreach:solidarity_task_create") + f"?besoin={need.pk}"
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert list(form_page.context["form"].fields["assigned_to"].queryset) == [caretaker]
    due = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        url,
        {
            "assigned_to": caretaker.pk,
            "description": "Porter les courses de Mme Martin, 2e étage",
            "due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    task = SolidarityTask.objects.get()
    assert (task.household, task.need, task.call_log) == (actis_household, need, need.call_log)
    assert (task.assigned_to, task.created_by, task.due_on) == (caretaker, alice, due)
    need.refresh_from_db()
    assert need.handled
    client.force_login(caretaker)
    assert "Porter les courses de Mme Martin" in page(client.get(TODAY_URL))


def test_a_task_goes_only_to_a_caretaker_of_the_households_landlord(
    alice, actis_household, sdh_caretaker, caretaker
):
    with pytest.raises(OutreachError, match="gardien"):
        solidarity_task_create(
            household=actis_household,
            assigned_to=sdh_caretaker,
            description="Courses",
            due_on=timezone.localdate(),
            created_by=alice,
        )
    with pytest.raises(OutreachError, match="passée"):
        solidarity_task_create(
            household=actis_household,
            assigned_to=caretaker,
            description="Courses",
            due_on=timezone.localdate() - datetime.timedelta(days=1),
            created_by=alice,
        )
    with pytest.raises(OutreachError, match="rôle"):
        solidarity_task_create(
            household=actis_household,
            assigned_to=caretaker,
            description="Courses",
            due_on=timezone.localdate(),
            created_by=caretaker,
        )
    assert not SolidarityTask.objects.exists()


def test_task_pages_of_another_landlord_answer_404(
    client, alice, charlie, sdh_household, actis_household, caretaker
):
    need = make_need(sdh_household, charlie)
    task = make_task(actis_household, caretaker, by=alice)
    client.force_login(alice)
    create = reverse("outreach:solidarity_task_create")
    assert client.get(f"{create}?besoin={need.pk}").status_code == 404
    assert client.get(f"{create}?menage={sdh_household.pk}").status_code == 404
    assert client.get(create).status_code == 404
    assert "Courses le jeudi" not in page(client.get(TASKS_URL))
    client.force_login(charlie)
    cancel = reverse("outreach:solidarity_task_cancel", args=[task.pk])
    assert client.post(cancel, {"reason": "Erreur"}).status_code == 404
    task.refresh_from_db()
    assert task.status == SolidarityTaskStatus.TO_DO


def test_cancelling_a_task_needs_a_reason(client, alice, actis_household, caretaker):
    task = make_task(actis_household, caretaker, by=alice)
    client.force_login(alice)
    url = reverse("outreach:solidarity_task_cancel", args=[task.pk])
    refused = client.post(url, {"reason": " "}, follow=True)
    assert "Indiquez pourquoi" in page(refused)
    task.refresh_from_db()
    assert task.status == SolidarityTaskStatus.TO_DO
    client.post(url, {"reason": "Sa fille s'en occupe"})
    task.refresh_from_db()
    assert (task.status, task.done_note) == (SolidarityTaskStatus.CANCELLED, "Sa fille s'en occupe")


def test_the_solidarity_register_offers_to_hand_a_task_to_the_caretaker(
    client, alice, actis_household
):
    from outreach.services.calls import solidarity_register_add

    solidarity_register_add(household=actis_household, need="Seule depuis l'hiver")
    client.force_login(alice)
    text = page(client.get(reverse("outreach:solidarity_list")))
    assert f"{reverse('outreach:solidarity_task_create')}?menage={actis_household.pk}" in text


# ---------------------------------------------------------------------------------------------
# The supervisors' week board


def test_supervisor_sees_the_week_per_building_and_open_tasks(
    client, actis_household, building, caretaker, bob, sdh_household
):
    today = timezone.localdate()
    duty_round = make_round(building)
    make_round(sdh_household.leases.get().dwelling.building)
    monday = today - datetime.timedelta(days=today.weekday())
    DutyCompletion.objects.create(
        round=duty_round, date=monday, done_by=caretaker, done_at=timezone.now()
    )
    make_task(actis_household, caretaker, by=bob, description="Courses de Mme Martin")
    client.force_login(bob)
    response = client.get(BOARD_URL)
    assert response.status_code == 200
    rows = response.context["buildings"]
    assert [row.pk for row in rows] == [building.pk]
    assert (rows[0].due, rows[0].done) == (7, 1)
    assert rows[0].missed == max(today.weekday() - 1, 0)
    assert "Courses de Mme Martin" in page(response)

    last_week = client.get(
        BOARD_URL, {"semaine": (monday - datetime.timedelta(days=3)).isoformat()}
    )
    assert last_week.context["week"].start == monday - datetime.timedelta(days=7)
    assert last_week.context["buildings"][0].done == 0


def test_week_board_is_for_supervisors_and_scoped(client, caretaker, charlie, building, sdh):
    make_round(building)
    client.force_login(caretaker)
    assert client.get(BOARD_URL).status_code == 403
    sdh_boss = make_staff(sdh, Role.SUPERVISOR, email="resp@sdh.example")
    client.force_login(sdh_boss)
    assert client.get(BOARD_URL).context["buildings"] == []


def _fill_board(landlord, caretaker, count):
    for _ in range(count):
        building = BuildingFactory(landlord=landlord)
        duty_round = make_round(building)
        DwellingFactory(building=building)
        DutyCompletion.objects.create(
            round=duty_round, date=timezone.localdate(), done_by=caretaker, done_at=timezone.now()
        )


def test_week_board_runs_a_constant_number_of_queries(client, actis, bob, caretaker):
    client.force_login(bob)
    _fill_board(actis, caretaker, 10)
    client.get(BOARD_URL)
    with CaptureQueriesContext(connection) as few:
        assert client.get(BOARD_URL).status_code == 200
    _fill_board(actis, caretaker, 190)
    with CaptureQueriesContext(connection) as many:
        response = client.get(BOARD_URL)
    assert len(response.context["buildings"]) == 200
    assert response.context["totals"]["done"] == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# ---------------------------------------------------------------------------------------------
# Admin


def test_solidarity_task_admin_is_scoped(client, actis, alice, actis_household, caretaker, sdh):
    admin_user = make_staff(actis, Role.LANDLORD_ADMIN, email="adm@actis.example", is_staff=True)
    admin_user.user_permissions.set(Permission.objects.filter(content_type__app_label="outreach"))
    mine = make_task(actis_household, caretaker, by=alice)
    sdh_household = HouseholdFactory(landlord=sdh)
    sdh_caretaker = make_staff(sdh, Role.CARETAKER)
    theirs = make_task(sdh_household, sdh_caretaker, by=make_staff(sdh, Role.CALLER))
    client.force_login(admin_user)
    change = "admin:outreach_solidaritytask_change"
    assert client.get(reverse(change, args=[mine.pk])).status_code == 200
    assert client.get(reverse(change, args=[theirs.pk])).status_code == 404
    rows = client.get(reverse("admin:outreach_solidaritytask_changelist")).context["cl"].queryset
    assert list(rows) == [mine]


def test_solidarity_task_pages_are_refused_to_caretakers_and_tenants(
    client, caretaker, actis_household
):
    create = reverse("outreach:solidarity_task_create") + f"?menage={actis_household.pk}"
    for user in (caretaker, make_tenant(actis_household)):
        client.force_login(user)
        assert client.get(TASKS_URL).status_code == 403
        assert client.get(create).status_code == 403
        assert client.get(BOARD_URL).status_code == 403


# ---------------------------------------------------------------------------------------------
# Problems in the common areas, for no household in particular


def test_caretaker_reports_a_common_area_problem_for_no_household(
    client, building, caretaker, bob, mailoutbox
):
    client.force_login(caretaker)
    response = client.post(
        TODAY_URL,
        {
            "location": "common_area",
            "building": building.pk,
            "household": "",
            "category": "lift",
            "description": "Ascenseur bloqué au 3e étage",
        },
    )
    assert response.status_code == 302
    created = TechnicalRequest.objects.get()
    assert (created.household, created.building, created.dwelling) == (None, building, None)
    assert (created.channel, created.landlord_id) == (RequestChannel.ON_SITE, building.landlord_id)
    assert mailoutbox == []

    # The request desk sees it, opens it and moves it on; no tenant is e-mailed.
    client.force_login(bob)
    triage = client.get(reverse("tenants:request_list"), {"building": building.pk})
    assert created.reference in page(triage)
    detail = client.get(reverse("tenants:request_detail", args=[created.pk]))
    assert detail.status_code == 200
    assert "parties communes" in page(detail)
    client.post(
        reverse("tenants:request_status", args=[created.pk]),
        {"status": "visit_scheduled", "message": "Ascensoriste jeudi"},
    )
    created.refresh_from_db()
    assert created.status == "visit_scheduled"
    assert mailoutbox == []


def test_a_problem_in_a_dwelling_needs_the_household_and_a_building_must_be_mine(
    client, building, caretaker, other_building
):
    client.force_login(caretaker)
    dwelling = client.post(
        TODAY_URL,
        {
            "location": "dwelling",
            "building": building.pk,
            "category": "plumbing",
            "description": "Fuite",
        },
    )
    assert dwelling.status_code == 400
    assert "Choisissez le ménage" in page(dwelling)
    elsewhere = client.post(
        TODAY_URL,
        {
            "location": "common_area",
            "building": other_building.pk,
            "category": "lift",
            "description": "Panne",
        },
    )
    assert elsewhere.status_code == 400
    assert "Sélectionnez un choix valide" in page(elsewhere)
    assert not TechnicalRequest.objects.exists()


def test_solidarity_task_admin_keeps_the_task_with_a_caretaker_of_the_landlord(
    client, actis, alice, actis_household, caretaker
):
    admin_user = make_staff(actis, Role.LANDLORD_ADMIN, email="adm@actis.example", is_staff=True)
    admin_user.user_permissions.set(Permission.objects.filter(content_type__app_label="outreach"))
    task = make_task(actis_household, caretaker, by=alice)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:outreach_solidaritytask_change", args=[task.pk]),
        {
            "assigned_to": alice.pk,  # a caller, not a caretaker
            "description": task.description,
            "due_on": task.due_on.isoformat(),
            "done_note": "",
        },
    )
    assert response.status_code == 200
    assert "Choisissez un(e) gardien(ne) du bailleur du ménage." in page(response)
    task.refresh_from_db()
    assert task.assigned_to == caretaker
