"""Caretakers' duties: assignments, rounds ticked once a day, and the weekly figures."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.urls import reverse

from housing.duties import (
    DutyError,
    DutyWeek,
    caretaker_assign,
    caretaker_rounds_today,
    duty_round_complete,
    duty_week_board,
)
from housing.models import ALL_WEEKDAYS, DutyCompletion, DutyRound, Role
from tests.factories import BuildingFactory, make_staff

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime.date(2026, 3, 9)
THURSDAY = MONDAY + datetime.timedelta(days=3)
MON_WED_FRI = 0b0010101


def make_round(building, *, kind=DutyRound.Kind.CLEANING, weekdays=ALL_WEEKDAYS, **fields):
    fields.setdefault("starts_on", datetime.date(2026, 1, 1))
    return DutyRound.objects.create(building=building, kind=kind, weekdays=weekdays, **fields)


@pytest.fixture
def building(actis):
    return BuildingFactory(landlord=actis, name="50 galerie de l'Arlequin")


@pytest.fixture
def caretaker(actis, building):
    user = make_staff(actis, Role.CARETAKER, email="gardien@actis.example", first_name="Karim")
    building.caretaker_assignments.create(user=user)
    return user


def test_database_refuses_a_second_completion_of_a_round_on_one_day(building, caretaker):
    duty_round = make_round(building)
    DutyCompletion.objects.create(
        round=duty_round,
        date=MONDAY,
        done_by=caretaker,
        done_at=datetime.datetime.now(datetime.UTC),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyCompletion.objects.create(
            round=duty_round,
            date=MONDAY,
            done_by=caretaker,
            done_at=datetime.datetime.now(datetime.UTC),
        )


@pytest.mark.parametrize("weekdays", [0, 128])
def test_database_refuses_a_round_without_valid_weekdays(building, weekdays):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_round(building, weekdays=weekdays)


def test_the_assigned_caretaker_ticks_a_round_once_a_day(building, caretaker):
    duty_round = make_round(building)
    with time_machine.travel(datetime.datetime(2026, 3, 9, 9, 0, tzinfo=PARIS), tick=False):
        done = duty_round_complete(duty_round=duty_round, user=caretaker, note="  Hall lavé ")
        assert done.date == MONDAY
        assert done.note == "Hall lavé"
        with pytest.raises(DutyError, match="déjà cochée pour le 09/03/2026"):
            duty_round_complete(duty_round=duty_round, user=caretaker)
    assert DutyCompletion.objects.count() == 1


def test_a_round_is_ticked_only_on_a_day_it_is_due_and_never_ahead(building, caretaker):
    duty_round = make_round(building, weekdays=MON_WED_FRI)
    with time_machine.travel(
        datetime.datetime(2026, 3, 10, 9, 0, tzinfo=PARIS), tick=False
    ):  # Tuesday
        with pytest.raises(DutyError, match="n'est pas prévue le 10/03/2026"):
            duty_round_complete(duty_round=duty_round, user=caretaker)
        with pytest.raises(DutyError, match="à l'avance"):
            duty_round_complete(
                duty_round=duty_round, user=caretaker, on=MONDAY + datetime.timedelta(days=2)
            )
        duty_round_complete(duty_round=duty_round, user=caretaker, on=MONDAY)
    assert DutyCompletion.objects.get().date == MONDAY


def test_a_caretaker_of_another_building_cannot_tick_the_round(actis, building, caretaker):
    other = make_staff(actis, Role.CARETAKER, email="autre@actis.example")
    BuildingFactory(landlord=actis).caretaker_assignments.create(user=other)
    with pytest.raises(DutyError, match="un de vos immeubles"):
        duty_round_complete(duty_round=make_round(building), user=other)
    assert not DutyCompletion.objects.exists()


def test_only_a_caretaker_of_the_landlord_is_assigned_by_its_supervisor(actis, sdh, building, bob):
    caretaker = make_staff(actis, Role.CARETAKER, email="k@actis.example")
    assignment = caretaker_assign(user=caretaker, building=building, by=bob)
    assert assignment.building == building
    # Running it again changes nothing.
    assert caretaker_assign(user=caretaker, building=building, by=bob) == assignment

    sdh_caretaker = make_staff(sdh, Role.CARETAKER, email="k@sdh.example")
    with pytest.raises(DutyError, match="n'est pas gardien"):
        caretaker_assign(user=sdh_caretaker, building=building, by=bob)
    with pytest.raises(DutyError, match="Seul un responsable"):
        caretaker_assign(user=caretaker, building=building, by=caretaker)


def test_rounds_of_today_are_those_of_my_buildings_due_today(actis, building, caretaker):
    due = make_round(building, weekdays=MON_WED_FRI)
    make_round(building, kind=DutyRound.Kind.WASTE_OUT, weekdays=0b0000010)  # Tuesday only
    make_round(building, kind=DutyRound.Kind.INSPECTION, is_active=False)
    make_round(building, kind=DutyRound.Kind.WASTE_IN, starts_on=MONDAY + datetime.timedelta(7))
    make_round(BuildingFactory(landlord=actis))  # not my building
    assert list(caretaker_rounds_today(caretaker, MONDAY)) == [due]


def test_week_board_counts_rounds_due_done_and_missed(actis, sdh, building, caretaker, bob):
    daily = make_round(building)
    make_round(building, kind=DutyRound.Kind.WASTE_OUT, weekdays=MON_WED_FRI)
    # Started on Wednesday: due Wednesday and Friday only.
    make_round(
        building,
        kind=DutyRound.Kind.WASTE_IN,
        weekdays=MON_WED_FRI,
        starts_on=MONDAY + datetime.timedelta(days=2),
    )
    make_round(building, kind=DutyRound.Kind.INSPECTION, is_active=False)
    for offset in (0, 1, 3):  # Monday, Tuesday and Thursday (today) done
        DutyCompletion.objects.create(
            round=daily,
            date=MONDAY + datetime.timedelta(days=offset),
            done_by=caretaker,
            done_at=datetime.datetime.now(datetime.UTC),
        )
    quiet = BuildingFactory(landlord=actis, name="Sans tournée")
    make_round(BuildingFactory(landlord=sdh))

    week = DutyWeek(start=MONDAY, today=THURSDAY)
    board = list(duty_week_board(bob, landlord_ids=[actis.pk], week=week))

    assert [row.pk for row in board] == [building.pk]
    assert quiet.pk not in [row.pk for row in board]
    row = board[0]
    assert row.due == 7 + 3 + 2
    assert row.done == 3
    # Before Thursday: daily Mon-Wed (3, Wednesday missed) + waste out Mon, Wed (2) + waste in Wed (1).
    assert row.missed == 1 + 2 + 1


def test_admin_of_duties_is_scoped_to_the_landlord(client, actis, sdh, building, caretaker):
    admin_user = make_staff(actis, Role.LANDLORD_ADMIN, email="adm@actis.example", is_staff=True)
    admin_user.user_permissions.set(Permission.objects.filter(content_type__app_label="housing"))
    mine = make_round(building)
    theirs = make_round(BuildingFactory(landlord=sdh))
    sdh_caretaker = make_staff(sdh, Role.CARETAKER, email="k@sdh.example")
    their_assignment = theirs.building.caretaker_assignments.create(user=sdh_caretaker)
    client.force_login(admin_user)

    assert client.get(reverse("admin:housing_dutyround_change", args=[mine.pk])).status_code == 200
    their_completion = DutyCompletion.objects.create(
        round=theirs,
        date=MONDAY,
        done_by=sdh_caretaker,
        done_at=datetime.datetime.now(datetime.UTC),
    )
    for name, obj in [
        ("dutyround", theirs),
        ("caretakerassignment", their_assignment),
        ("dutycompletion", their_completion),
    ]:
        response = client.get(reverse(f"admin:housing_{name}_change", args=[obj.pk]))
        assert response.status_code == 404
    rows = client.get(reverse("admin:housing_dutyround_changelist")).context["cl"].queryset
    assert list(rows) == [mine]


def test_admin_refuses_to_assign_someone_who_is_not_caretaker_there(client, actis, building):
    admin_user = make_staff(actis, Role.LANDLORD_ADMIN, email="adm@actis.example", is_staff=True)
    admin_user.user_permissions.set(Permission.objects.filter(content_type__app_label="housing"))
    caller = make_staff(actis, Role.CALLER, email="c@actis.example")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:housing_caretakerassignment_add"),
        {"user": caller.pk, "building": building.pk},
    )
    assert response.status_code == 200
    assert "n&#x27;est pas gardien(ne) chez Actis" in response.content.decode()
    assert not building.caretaker_assignments.exists()


def test_admin_edits_a_rounds_weekdays_as_checkboxes(client, actis, building):
    admin_user = make_staff(actis, Role.LANDLORD_ADMIN, email="adm@actis.example", is_staff=True)
    admin_user.user_permissions.set(Permission.objects.filter(content_type__app_label="housing"))
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:housing_dutyround_add"),
        {
            "building": building.pk,
            "kind": "waste_out",
            "weekdays": ["0", "3"],
            "time": "07:00",
            "details": "",
            "starts_on": "2026-03-01",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    duty_round = DutyRound.objects.get()
    assert duty_round.weekdays == 0b0001001
    assert duty_round.weekday_labels == ["lundi", "jeudi"]


def test_admin_assigns_a_caretaker_through_the_service(client, actis, building):
    admin_user = make_staff(actis, Role.LANDLORD_ADMIN, email="adm@actis.example", is_staff=True)
    admin_user.user_permissions.set(Permission.objects.filter(content_type__app_label="housing"))
    caretaker = make_staff(actis, Role.CARETAKER, email="k@actis.example")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:housing_caretakerassignment_add"),
        {"user": caretaker.pk, "building": building.pk},
    )
    assert response.status_code == 302
    assert list(building.caretaker_assignments.values_list("user", flat=True)) == [caretaker.pk]
