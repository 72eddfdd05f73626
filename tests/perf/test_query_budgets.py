"""Every busy page runs a fixed number of queries, the same with 10 and with 500 rows (issue 10).

Budgets are the exact counts measured on PostgreSQL and SQLite when they were set: a page that needs
one more query must raise its budget here, on purpose. Staff pages dropped two queries each when the
header's landlord names came with the memberships and the navigation stopped asking whether the
user is a tenant (27 November 2026). Staff pages that read tenant data then took one back: the
user's own household ids, read once per request (housing.scoping.tenant_household_ids), so that
each scoped query filters on a plain column instead of a subquery through the people. Later
that day every page lost one to three: the user is read with their memberships, household ids and
committee seat, in one query (housing.auth).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from allocations.models import AgendaItem, Candidacy, Sitting, Vacancy
from housing.models import Dwelling, Role
from outreach.models import Appointment, CallTask, Campaign, Slot, TaskStatus
from outreach.services.queue import call_queue_refresh
from tests.allocations.conftest import make_application, make_committee
from tests.factories import AgencyFactory, make_staff, make_tenant
from tests.perf.budget import assert_query_budget
from tests.perf.builders import (
    bulk_calls,
    bulk_campaign_calls,
    bulk_households,
    bulk_landlords_for,
    bulk_requests,
)

# owner_role: exact query counts; under RLS_APP_ROLE=1 each request adds its set_config.
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.owner_role]

PARIS = ZoneInfo("Europe/Paris")
# A Tuesday at 10:00 in Paris: inside every default call window, no public holiday that week.
TUESDAY_10AM = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)
NEXT_MONDAY = datetime.date(2026, 3, 16)


@pytest.fixture
def unpaginated(monkeypatch):
    """List pages show every row, so an N+1 on a row cannot hide behind the page size."""

    def unpaginate(*views):
        for view in views:
            monkeypatch.setattr(view, "paginate_by", 1000)

    return unpaginate


@pytest.fixture
def in_call_hours():
    with time_machine.travel(TUESDAY_10AM, tick=True):
        yield


# ---------------------------------------------------------------------------------------------
# Staff pages


def test_staff_home_budget(client, bob):
    client.force_login(bob)
    response = assert_query_budget(
        client, reverse("housing:staff_home"), lambda n: bulk_landlords_for(bob, n), budget=4
    )
    assert len(response.context["landlords"]) == 501


def test_household_list_budget(client, alice, actis, unpaginated):
    from tenants.views import HouseholdListView

    unpaginated(HouseholdListView)
    client.force_login(alice)
    response = assert_query_budget(
        client,
        reverse("tenants:household_list"),
        lambda n: bulk_households(actis, n),
        budget=6,
    )
    assert len(response.context["households"]) == 500


def test_household_page_budget(client, bob, actis):
    """A household with many people, requests and earlier calls."""
    household = bulk_households(actis, 1)[0]
    campaign = Campaign.objects.create(landlord=actis, name="Appels", status="active")
    task = CallTask.objects.create(campaign=campaign, household=household, landlord=actis)

    def grow(count):
        bulk_calls(task, bob, count)
        bulk_requests([household] * count, created_by=bob)

    client.force_login(bob)
    response = assert_query_budget(
        # 11: the access log's insert (who opened this household's page) is one of them.
        client,
        reverse("tenants:household_detail", args=[household.pk]),
        grow,
        budget=7,
    )
    assert response.status_code == 200


def test_caller_screen_budget(client, alice, actis, in_call_hours):
    campaign = Campaign.objects.create(landlord=actis, name="Appels 70 ans", status="active")
    bulk_households(actis, 3)
    call_queue_refresh(campaign_id=campaign.pk)
    client.force_login(alice)
    client.post(reverse("outreach:caller_next", args=[campaign.pk]))
    task = CallTask.objects.get(status=TaskStatus.HELD, held_by=alice)
    response = assert_query_budget(
        client,
        reverse("outreach:caller_call", args=[task.pk]),
        lambda n: bulk_calls(task, alice, n),
        # The access log's insert (who opened this household's card) is one of them; the report's
        # fields read their partners once, whether they come from the cache or are rendered.
        budget=14,
    )
    assert response.content.decode().count("Appel 4") >= 1


def test_caller_home_budget(client, alice, actis, in_call_hours):
    campaigns = [
        Campaign.objects.create(landlord=actis, name=f"Campagne {n}", status="active")
        for n in range(2)
    ]

    def grow(count):
        bulk_households(actis, count)
        for campaign in campaigns:
            call_queue_refresh(campaign_id=campaign.pk)

    client.force_login(alice)
    response = assert_query_budget(client, reverse("outreach:caller_home"), grow, budget=4)
    assert {c.due for c in response.context["campaigns"]} == {500}


def test_supervisor_dashboard_budget(client, alice, bob, actis):
    campaign = Campaign.objects.create(landlord=actis, name="Canicule", status="active")
    client.force_login(bob)
    response = assert_query_budget(
        client,
        reverse("outreach:campaign_detail", args=[campaign.pk]),
        lambda n: bulk_campaign_calls(campaign, [alice, bob], n),
        budget=14,
    )
    assert response.context["dashboard"].calls == 500


def test_triage_list_budget(client, actis, unpaginated):
    from tenants.request_views import RequestTriageView

    unpaginated(RequestTriageView)
    technician = make_staff(actis, Role.TECHNICIAN, email="tech@actis.example")
    officer = make_staff(actis, Role.LANDLORD_ADMIN, email="admin@actis.example")
    client.force_login(officer)
    response = assert_query_budget(
        client,
        reverse("tenants:request_list"),
        lambda n: bulk_requests(bulk_households(actis, n), assignee=technician),
        budget=6,
    )
    assert response.context["paginator"].count == 500


def _slots(advisers, agency, first: datetime.datetime, count: int, start_at: int, minutes: int):
    """``count`` slots of ``minutes``, dealt to ``advisers`` in turn, from the ``start_at``-th."""
    return Slot.objects.bulk_create(
        Slot(
            landlord=agency.landlord,
            agency=agency,
            adviser=advisers[n % len(advisers)],
            kind="social_adviser",
            start=first + datetime.timedelta(minutes=minutes * (n // len(advisers))),
            end=first + datetime.timedelta(minutes=minutes * (n // len(advisers) + 1)),
        )
        for n in range(start_at, start_at + count)
    )


def test_adviser_day_view_budget(client, actis):
    agency = AgencyFactory(landlord=actis)
    adviser = make_staff(actis, Role.SOCIAL_ADVISER, email="cesf@actis.example")
    first = datetime.datetime(2026, 3, 2, 0, 0, tzinfo=PARIS)
    made = {"slots": 0}

    def grow(count):
        slots = _slots([adviser], agency, first, count, made["slots"], minutes=2)
        made["slots"] += count
        households = bulk_households(actis, count)
        Appointment.objects.bulk_create(
            Appointment(
                landlord=actis,
                slot=slot,
                household=household,
                reason="budget_advice",
                mode="phone",
                phone="+33612345678",
            )
            for slot, household in zip(slots[::2], households, strict=False)
        )

    client.force_login(adviser)
    response = assert_query_budget(
        client, reverse("outreach:appointment_day") + "?jour=2026-03-02", grow, budget=5
    )
    assert len(response.context["slots"]) == 500


# ---------------------------------------------------------------------------------------------
# Tenant pages


def test_tenant_home_budget(client, actis):
    household = bulk_households(actis, 1)[0]
    tenant = make_tenant(household, email="jeanne@exemple.fr")
    client.force_login(tenant)
    response = assert_query_budget(
        client,
        reverse("tenant_home"),
        lambda n: bulk_requests([household] * n, created_by=tenant),
        # 10: the works notices of the building, whether « Ma demande de logement » shows, and
        # the latest call-back requests (« Mes demandes de rappel », handled or not).
        budget=9,
    )
    assert len(response.context["open_requests"]) == 500


def test_booking_week_view_budget(client, actis):
    household = bulk_households(actis, 1)[0]
    tenant = make_tenant(household, email="jeanne@exemple.fr")
    agency = AgencyFactory(landlord=actis)
    advisers = [
        make_staff(actis, Role.SOCIAL_ADVISER, email=f"cesf{n}@actis.example") for n in range(5)
    ]
    made = {"slots": 0}
    monday_8am = datetime.datetime.combine(NEXT_MONDAY, datetime.time(8), tzinfo=PARIS)

    def grow(count):
        # 100 slots of 5 minutes per adviser and day, Monday to Friday.
        for n in range(made["slots"], made["slots"] + count):
            day, rank = divmod(n, 100)
            _slots(advisers, agency, monday_8am + datetime.timedelta(days=day), 1, rank, 5)
        made["slots"] += count

    with time_machine.travel(TUESDAY_10AM, tick=True):
        client.force_login(tenant)
        client.post(
            reverse("appointments:book_start"),
            {"reason": "budget_advice", "mode": "phone", "phone": "0612345678"},
        )
        url = reverse("appointments:book_slots") + f"?semaine={NEXT_MONDAY.isoformat()}"
        # 7, with the one query that decides whether « Ma demande de logement » shows (the
        # household's people and leases are read by the home only since 27 November 2026).
        response = assert_query_budget(client, url, grow, budget=6)
    assert response.content.decode().count('name="creneau"') == 500


# ---------------------------------------------------------------------------------------------
# Committee admin


@pytest.fixture
def secretary(actis):
    user = make_staff(
        actis, Role.COMMITTEE_SECRETARY, email="secretariat@actis.example", is_staff=True
    )
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="allocations"))
    return user


def test_sitting_changelist_budget(client, actis, secretary, monkeypatch):
    from allocations.admin import SittingAdmin

    monkeypatch.setattr(SittingAdmin, "list_per_page", 1000)
    committee = make_committee(actis)

    def grow(count):
        Sitting.objects.bulk_create(
            Sitting(
                committee=committee,
                date=timezone.now() + datetime.timedelta(days=n),
                mode=Sitting.Mode.IN_PERSON,
                place="Agence Villeneuve",
            )
            for n in range(count)
        )

    client.force_login(secretary)
    response = assert_query_budget(
        client, reverse("admin:allocations_sitting_changelist"), grow, budget=10
    )
    assert response.context["cl"].result_count == 500


def test_sitting_change_view_budget(client, actis, secretary):
    committee = make_committee(actis)
    sitting = Sitting.objects.create(
        committee=committee, date=timezone.now(), mode=Sitting.Mode.IN_PERSON, place="Agence"
    )
    application = make_application(actis)

    def grow(count):
        households = bulk_households(actis, count)
        dwellings = Dwelling.objects.filter(leases__household__in=households).order_by("pk")
        vacancies = Vacancy.objects.bulk_create(
            Vacancy(
                landlord=actis,
                dwelling=dwelling,
                available_from=datetime.date(2026, 3, 2),
                rent=dwelling.rent,
                charges=dwelling.charges,
            )
            for dwelling in dwellings
        )
        items = AgendaItem.objects.bulk_create(
            AgendaItem(sitting=sitting, vacancy=vacancy) for vacancy in vacancies
        )
        Candidacy.objects.bulk_create(
            Candidacy(agenda_item=item, application=application, score=10) for item in items
        )

    client.force_login(secretary)
    url = reverse("admin:allocations_sitting_change", args=[sitting.pk])
    response = assert_query_budget(client, url, grow, budget=10)
    assert response.content.decode().count("1 candidat(s)") == 500


def test_agenda_item_change_view_budget(client, actis, secretary):
    """One vacancy of a sitting with its candidates (the inline the secretary fills)."""
    sitting = Sitting.objects.create(
        committee=make_committee(actis), date=timezone.now(), mode="in_person", place="Agence"
    )
    dwelling = bulk_households(actis, 1)[0].leases.get().dwelling
    item = AgendaItem.objects.create(
        sitting=sitting,
        vacancy=Vacancy.objects.create(
            landlord=actis,
            dwelling=dwelling,
            available_from=datetime.date(2026, 3, 2),
            rent=dwelling.rent,
            charges=dwelling.charges,
        ),
    )

    def grow(count):
        Candidacy.objects.bulk_create(
            Candidacy(agenda_item=item, application=make_application(actis), score=n)
            for n in range(count)
        )

    client.force_login(secretary)
    url = reverse("admin:allocations_agendaitem_change", args=[item.pk])
    response = assert_query_budget(client, url, grow, budget=13)
    assert response.content.decode().count("Enregistrer la décision") == 500


def test_works_notice_delivery_changelist_budget(client, actis, monkeypatch):
    from django.contrib.auth.models import Permission

    from housing.models import WorksNotice
    from tenants.admin import WorksNoticeDeliveryAdmin
    from tenants.models import WorksNoticeDelivery
    from tests.factories import WorksSiteFactory

    monkeypatch.setattr(WorksNoticeDeliveryAdmin, "list_per_page", 1000)
    notice = WorksNotice.objects.create(
        site=WorksSiteFactory(landlord=actis), title="Coupure d'eau", body="Mardi"
    )
    user = make_staff(actis, Role.LANDLORD_ADMIN, email="admin@actis.example", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__endswith="worksnoticedelivery"))

    def grow(count):
        WorksNoticeDelivery.objects.bulk_create(
            WorksNoticeDelivery(notice=notice, household=household)
            for household in bulk_households(actis, count)
        )

    client.force_login(user)
    response = assert_query_budget(
        client, reverse("admin:tenants_worksnoticedelivery_changelist"), grow, budget=9
    )
    assert response.context["cl"].result_count == 500
