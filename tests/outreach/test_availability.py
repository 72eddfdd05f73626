# ruff: noqa: F811 (pytest fixtures imported from appointments_support)
"""« Mes disponibilités »: advisers' weekly hours and absences edited from the staff pages."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from housing.models import Role
from outreach.errors import OutreachError
from outreach.models import Appointment, AvailabilityException, AvailabilityRule, Slot
from outreach.services.availability import (
    availability_absence_add,
    availability_absence_remove,
    availability_rule_add,
    availability_rule_end,
    availability_rule_remove,
    booked_during_absences,
)
from tests.factories import AgencyFactory, make_staff
from tests.outreach.appointments_support import (  # noqa: F401
    MONDAY_9AM,
    PARIS,
    adviser,
    agency,
    make_rule,
    make_slot,
)

TODAY = datetime.date(2026, 3, 2)
T9 = datetime.time(9)
T12 = datetime.time(12)


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 3, 1, 8, tzinfo=datetime.UTC), tick=False):
        yield


def add_rule(adviser, agency, **fields):
    values = {
        "adviser_id": adviser.pk,
        "agency": agency,
        "kind": "social_adviser",
        "weekday": 0,
        "start_time": T9,
        "end_time": T12,
    }
    return availability_rule_add(**(values | fields))


# Services -------------------------------------------------------------------------------------


def test_adding_a_rule_regenerates_the_landlords_slots(
    adviser, agency, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rule = add_rule(adviser, agency)
    assert len(callbacks) == 1
    assert rule.landlord_id == agency.landlord_id
    assert Slot.objects.filter(adviser=adviser).count() > 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end_time": datetime.time(8)}, "après l'heure de début"),
        ({"offers_agency": False, "offers_phone": False}, "au moins un mode"),
        ({"slot_minutes": 5}, "entre 10 et 240"),
        ({"kind": "recovery_officer"}, "n'a pas ce rôle"),
    ],
)
def test_a_bad_rule_is_refused_in_french_and_nothing_changes(adviser, agency, fields, message):
    with pytest.raises(OutreachError, match=message):
        add_rule(adviser, agency, **fields)
    assert not AvailabilityRule.objects.exists()


def test_a_rule_overlapping_another_of_the_same_day_is_refused(adviser, agency):
    add_rule(adviser, agency)
    with pytest.raises(OutreachError, match="chevauchent"):
        add_rule(adviser, agency, start_time=datetime.time(11), end_time=datetime.time(13))
    add_rule(adviser, agency, start_time=T12, end_time=datetime.time(13))  # touching is fine
    add_rule(adviser, agency, weekday=1)  # another day is fine
    assert AvailabilityRule.objects.count() == 3


def test_a_rule_that_ended_before_does_not_block_a_new_one(adviser, agency):
    add_rule(adviser, agency, valid_until=datetime.date(2026, 3, 31))
    add_rule(adviser, agency, valid_from=datetime.date(2026, 4, 1))
    assert AvailabilityRule.objects.count() == 2


def test_an_agency_of_another_landlord_is_refused(adviser, sdh):
    with pytest.raises(OutreachError, match="n'a pas ce rôle"):
        add_rule(adviser, AgencyFactory(landlord=sdh))


def test_removing_a_rule_removes_its_free_slots(
    adviser, agency, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rule = add_rule(adviser, agency)
    assert Slot.objects.filter(adviser=adviser).exists()
    with django_capture_on_commit_callbacks(execute=True):
        availability_rule_remove(rule_id=rule.pk)
    assert not Slot.objects.filter(adviser=adviser).exists()


def test_ending_a_rule_sets_its_last_day_and_refuses_the_past(adviser, agency):
    rule = make_rule(adviser, agency)
    with pytest.raises(OutreachError, match="passé"):
        availability_rule_end(rule_id=rule.pk, last_day=TODAY, today=TODAY + datetime.timedelta(1))
    availability_rule_end(rule_id=rule.pk, last_day=TODAY, today=TODAY)
    rule.refresh_from_db()
    assert rule.valid_until == TODAY


def test_an_absence_closes_free_slots_but_keeps_booked_ones_and_lists_them(
    adviser, agency, actis_household, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add_rule(adviser, agency)
    booked = Slot.objects.get(adviser=adviser, start=MONDAY_9AM)
    Appointment.objects.create(
        landlord=agency.landlord,
        slot=booked,
        household=actis_household,
        reason="budget_advice",
        mode="agency",
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        availability_absence_add(
            adviser_id=adviser.pk,
            landlord_id=agency.landlord_id,
            kind="leave",
            first_day=TODAY,
            last_day=TODAY,
            today=TODAY,
        )
    assert len(callbacks) == 1
    day_slots = Slot.objects.filter(adviser=adviser, start__date=TODAY)
    assert list(day_slots) == [booked]
    warned = booked_during_absences(
        adviser_id=adviser.pk,
        landlord_ids=[agency.landlord_id],
        now=datetime.datetime(2026, 3, 1, tzinfo=PARIS),
    )
    assert [a.slot_id for a in warned] == [booked.pk]


@pytest.mark.parametrize(
    ("first", "last", "kind", "message"),
    [
        (TODAY, TODAY - datetime.timedelta(1), "leave", "doit suivre"),
        (TODAY - datetime.timedelta(1), TODAY, "leave", "passé"),
        (TODAY, TODAY, "extra", "congé ou formation"),
    ],
)
def test_a_bad_absence_is_refused(adviser, actis, first, last, kind, message):
    with pytest.raises(OutreachError, match=message):
        availability_absence_add(
            adviser_id=adviser.pk,
            landlord_id=actis.pk,
            kind=kind,
            first_day=first,
            last_day=last,
            today=TODAY,
        )
    assert not AvailabilityException.objects.exists()


def test_only_an_absence_to_come_can_be_removed(adviser, actis):
    absence = availability_absence_add(
        adviser_id=adviser.pk,
        landlord_id=actis.pk,
        kind="training",
        first_day=TODAY,
        last_day=TODAY,
        today=TODAY,
    )
    with pytest.raises(OutreachError, match="à venir"):
        availability_absence_remove(exception_id=absence.pk, now=absence.starts_at)
    availability_absence_remove(
        exception_id=absence.pk, now=absence.starts_at - datetime.timedelta(hours=1)
    )
    assert not AvailabilityException.objects.exists()


def test_the_database_refuses_a_rule_ending_before_it_starts(adviser, agency):
    with pytest.raises(IntegrityError):
        make_rule(adviser, agency, start=(12, 0), end=(9, 0))


# Pages ----------------------------------------------------------------------------------------

PAGE = reverse("outreach:availability")


def test_an_adviser_sees_and_adds_their_own_hours(client, adviser, agency, frozen):
    client.force_login(adviser)
    assert "Mes disponibilités" in client.get(PAGE).text
    response = client.post(
        reverse("outreach:availability_rule_add"),
        {
            "conseiller": adviser.pk,
            "weekday": 1,
            "start_time": "14:00",
            "end_time": "17:30",
            "agency": agency.pk,
            "kind": "social_adviser",
            "slot_minutes": 30,
            "offers_agency": "on",
        },
    )
    assert response.status_code == 302
    rule = AvailabilityRule.objects.get()
    assert (rule.weekday, rule.end_time, rule.offers_phone) == (1, datetime.time(17, 30), False)
    assert "14:00 – 17:30" in client.get(PAGE).text


def test_a_bad_rule_shows_the_french_error_and_changes_nothing(client, adviser, agency):
    client.force_login(adviser)
    response = client.post(
        reverse("outreach:availability_rule_add"),
        {
            "conseiller": adviser.pk,
            "weekday": 1,
            "start_time": "14:00",
            "end_time": "13:00",
            "agency": agency.pk,
            "kind": "social_adviser",
            "slot_minutes": 30,
            "offers_agency": "on",
        },
    )
    assert response.status_code == 400
    assert "L&#x27;heure de fin doit être après" in response.text
    assert not AvailabilityRule.objects.exists()


def test_an_adviser_cannot_edit_a_colleague_but_a_supervisor_can(client, adviser, agency, bob):
    colleague = make_staff(agency.landlord, Role.RECOVERY_OFFICER, email="rec@actis.example")
    rule = make_rule(colleague, agency, kind="recovery_officer")
    client.force_login(adviser)
    assert client.get(PAGE, {"conseiller": colleague.pk}).status_code == 403
    remove = reverse("outreach:availability_rule_remove", args=[rule.pk])
    assert client.post(remove).status_code == 403
    client.force_login(bob)  # supervisor at Actis
    assert client.get(PAGE, {"conseiller": colleague.pk}).status_code == 200
    assert client.post(remove).status_code == 302
    assert not AvailabilityRule.objects.exists()


def test_another_landlords_adviser_and_rules_answer_404(client, adviser, agency, sdh, bob):
    sdh_adviser = make_staff(sdh, Role.SOCIAL_ADVISER, email="cesf@sdh.example")
    rule = make_rule(sdh_adviser, AgencyFactory(landlord=sdh))
    for user in (adviser, bob):
        client.force_login(user)
        assert client.get(PAGE, {"conseiller": sdh_adviser.pk}).status_code == 404
        for name in ("availability_rule_remove", "availability_rule_end"):
            assert client.post(reverse(f"outreach:{name}", args=[rule.pk])).status_code == 404
    assert AvailabilityRule.objects.filter(pk=rule.pk).exists()


def test_roles_without_appointments_are_refused(client, alice):
    client.force_login(alice)  # caller
    assert client.get(PAGE).status_code == 403


# owner_role: exact query counts; under RLS_APP_ROLE=1 each request adds its set_config.
@pytest.mark.owner_role
@pytest.mark.parametrize("rows", [10, 200])
def test_the_page_runs_a_constant_number_of_queries(client, adviser, agency, rows, frozen):
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            landlord=agency.landlord,
            agency=agency,
            adviser=adviser,
            kind="social_adviser",
            weekday=i % 7,
            start_time=datetime.time(8),
            end_time=datetime.time(9),
        )
        for i in range(rows)
    )
    start = datetime.datetime(2026, 4, 1, tzinfo=PARIS)
    AvailabilityException.objects.bulk_create(
        AvailabilityException(
            landlord=agency.landlord,
            adviser=adviser,
            kind="leave",
            starts_at=start + datetime.timedelta(days=i),
            ends_at=start + datetime.timedelta(days=i, hours=8),
        )
        for i in range(rows)
    )
    client.force_login(adviser)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    assert len(queries) == QUERY_BUDGET


# 13 since the header reads the landlord names with the memberships (2 fewer on staff pages);
# 12 since the adviser's landlords and kinds are read in one query (availability.adviser_roles);
# 10 since the memberships and the committee seat come with the user (housing.auth.PortalBackend).
QUERY_BUDGET = 10


def test_an_absence_added_on_the_page_lists_the_appointments_it_overlaps(
    client, adviser, agency, actis_household
):
    start = timezone.now() + datetime.timedelta(days=10)
    slot = make_slot(adviser, agency, start)
    Appointment.objects.create(
        landlord=agency.landlord,
        slot=slot,
        household=actis_household,
        reason="budget_advice",
        mode="agency",
    )
    day = timezone.localtime(start).date()
    client.force_login(adviser)
    response = client.post(
        reverse("outreach:availability_absence_add"),
        {
            "conseiller": adviser.pk,
            "kind": "leave",
            "first_day": day.strftime("%d/%m/%Y"),
            "last_day": day.strftime("%d/%m/%Y"),
            "landlord": agency.landlord_id,
            "note": "Congé",
        },
    )
    assert response.status_code == 302
    page = client.get(PAGE).text
    assert "Rendez-vous pris pendant une absence" in page
    assert actis_household.name in page
    assert Appointment.objects.get().status == "booked"


def test_a_bad_absence_on_the_page_shows_the_french_error(client, adviser, actis):
    client.force_login(adviser)
    response = client.post(
        reverse("outreach:availability_absence_add"),
        {
            "conseiller": adviser.pk,
            "kind": "leave",
            "first_day": "10/04/2030",
            "last_day": "09/04/2030",
            "landlord": actis.pk,
        },
    )
    assert response.status_code == 400
    assert "Le dernier jour d&#x27;absence doit suivre le premier." in response.text
    assert not AvailabilityException.objects.exists()


def test_a_landlord_admin_ends_a_rule_and_removes_an_absence_of_their_adviser(
    client, adviser, agency
):
    rule = make_rule(adviser, agency)
    absence = availability_absence_add(
        adviser_id=adviser.pk,
        landlord_id=agency.landlord_id,
        kind="leave",
        first_day=datetime.date(2030, 4, 1),
        last_day=datetime.date(2030, 4, 5),
    )
    client.force_login(make_staff(agency.landlord, Role.LANDLORD_ADMIN, email="adm@actis.example"))
    end = reverse("outreach:availability_rule_end", args=[rule.pk])
    assert client.post(end, {"last_day": "30/06/2030"}).status_code == 302
    rule.refresh_from_db()
    assert rule.valid_until == datetime.date(2030, 6, 30)
    remove = reverse("outreach:availability_absence_remove", args=[absence.pk])
    assert client.post(remove).status_code == 302
    assert not AvailabilityException.objects.exists()


def test_extra_hours_are_not_removed_from_the_page(client, adviser, agency):
    extra = AvailabilityException.objects.create(
        landlord=agency.landlord,
        adviser=adviser,
        kind="extra",
        agency=agency,
        adviser_kind="social_adviser",
        starts_at=datetime.datetime(2030, 4, 1, 9, tzinfo=PARIS),
        ends_at=datetime.datetime(2030, 4, 1, 12, tzinfo=PARIS),
    )
    client.force_login(adviser)
    remove = reverse("outreach:availability_absence_remove", args=[extra.pk])
    assert client.post(remove).status_code == 404
    assert AvailabilityException.objects.filter(pk=extra.pk).exists()
