"""The access log: each opening of a household's page or call card by staff is recorded; landlord
admins read and export it for their landlord; tenants see who opened their file; it is
append-only and purged after 12 months."""

import csv
import datetime
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from housing.models import Role
from outreach.models import CallTask, Campaign
from tenants.models import AccessScreen, HouseholdAccess
from tenants.services.access_log import household_access_purge
from tenants.tasks import purge_access_log
from tests.factories import HouseholdFactory, make_staff, make_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def actis_admin(actis):
    return make_staff(actis, Role.LANDLORD_ADMIN, email="admin@actis.example", last_name="Admin")


@pytest.fixture
def sdh_admin(sdh):
    return make_staff(sdh, Role.LANDLORD_ADMIN, email="admin@sdh.example")


# 6 since the header reads the landlord names with the memberships (2 fewer on staff pages), plus
# the user's own household ids that the scoping reads once (housing.scoping.tenant_household_ids);
# 4 since the user, their memberships, household ids and committee seat are one query
# (housing.auth): session, user, count, page.
QUERIES_OF_THE_LOG_PAGE = 4


def _log(user, household, *, when=None, screen=AccessScreen.HOUSEHOLD_PAGE):
    return HouseholdAccess.objects.create(
        user=user,
        landlord_id=household.landlord_id,
        household=household,
        screen=screen,
        accessed_at=when or timezone.now(),
    )


def test_opening_a_household_page_records_who_when_and_which_screen(client, alice, actis_household):
    client.force_login(alice)
    assert (
        client.get(reverse("tenants:household_detail", args=[actis_household.pk])).status_code
        == 200
    )
    access = HouseholdAccess.objects.get()
    assert (access.user, access.household, access.landlord_id, access.screen) == (
        alice,
        actis_household,
        actis_household.landlord_id,
        AccessScreen.HOUSEHOLD_PAGE,
    )
    assert timezone.now() - access.accessed_at < datetime.timedelta(minutes=1)


def test_a_refused_household_page_records_nothing(client, charlie, actis_household):
    client.force_login(charlie)
    assert (
        client.get(reverse("tenants:household_detail", args=[actis_household.pk])).status_code
        == 404
    )
    assert not HouseholdAccess.objects.exists()


def test_opening_a_call_card_records_the_caller_card_screen(client, alice, actis, actis_household):
    campaign = Campaign.objects.create(landlord=actis, name="Appels", status="active")
    task = CallTask.objects.create(
        campaign=campaign,
        household=actis_household,
        landlord=actis,
        status="held",
        held_by=alice,
        held_at=timezone.now(),
        hold_until=timezone.now() + datetime.timedelta(minutes=20),
    )
    client.force_login(alice)
    assert client.get(reverse("outreach:caller_call", args=[task.pk])).status_code == 200
    access = HouseholdAccess.objects.get()
    assert (access.user, access.household, access.screen) == (
        alice,
        actis_household,
        AccessScreen.CALLER_CARD,
    )


def test_landlord_admins_read_only_their_landlords_log(
    client, actis_admin, alice, charlie, actis_household, sdh_household
):
    _log(alice, actis_household)
    _log(charlie, sdh_household)
    client.force_login(actis_admin)
    page = client.get(reverse("tenants:access_log")).content.decode()
    assert actis_household.reference in page
    assert sdh_household.reference not in page


def test_other_roles_cannot_read_the_log(client, alice, actis_household):
    _log(alice, actis_household)
    client.force_login(alice)
    assert client.get(reverse("tenants:access_log")).status_code == 403
    assert client.get(reverse("tenants:access_log_export")).status_code == 403


def test_the_export_is_a_french_csv_of_the_landlords_log_with_the_filter(
    client, actis_admin, alice, charlie, actis, actis_household, sdh_household
):
    other = HouseholdFactory(landlord=actis)
    _log(alice, actis_household, when=datetime.datetime(2026, 3, 2, 9, 5, tzinfo=datetime.UTC))
    _log(alice, other)
    _log(charlie, sdh_household)
    client.force_login(actis_admin)
    response = client.get(
        reverse("tenants:access_log_export"), {"menage": actis_household.reference}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # streamed
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Date", "Bailleur", "Personne", "E-mail", "Ménage", "Écran"]
    assert rows[1:] == [
        [
            "02/03/2026 10:05",
            "Actis",
            alice.get_full_name(),
            alice.email,
            actis_household.reference,
            "Fiche du ménage",
        ]
    ]


# owner_role: exact query counts; under RLS_APP_ROLE=1 each request adds its set_config.
@pytest.mark.owner_role
@pytest.mark.parametrize("rows", [10, 200])
def test_the_log_page_runs_a_constant_number_of_queries(client, actis_admin, alice, actis, rows):
    households = HouseholdFactory.create_batch(5, landlord=actis)
    HouseholdAccess.objects.bulk_create(
        HouseholdAccess(
            user=alice,
            landlord=actis,
            household=households[i % 5],
            screen=AccessScreen.HOUSEHOLD_PAGE,
        )
        for i in range(rows)
    )
    client.force_login(actis_admin)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("tenants:access_log")).status_code == 200
    # Session, user (with memberships), count, page…: the same whatever the row count.
    assert len(queries) == QUERIES_OF_THE_LOG_PAGE, [q["sql"] for q in queries]


def test_tenants_see_who_opened_their_household_file_and_nothing_else(
    client, alice, charlie, actis, actis_household, sdh_household
):
    tenant = make_tenant(actis_household, email="locataire@exemple.fr")
    alice.first_name, alice.last_name = "Alice", "Durand"
    alice.save()
    _log(alice, actis_household)
    neighbour = HouseholdFactory(landlord=actis)
    bob = make_staff(
        actis, Role.CALLER, email="bob2@actis.example", first_name="Robert", last_name="Voisin"
    )
    _log(bob, neighbour)
    client.force_login(tenant)
    page = client.get(reverse("tenant_access_log")).content.decode()
    assert "Alice Durand" in page
    assert "Robert Voisin" not in page


def test_the_purge_forgets_lines_older_than_twelve_months_and_is_idempotent(alice, actis_household):
    now = timezone.now()
    old = _log(alice, actis_household, when=now - datetime.timedelta(days=370))
    recent = _log(alice, actis_household, when=now - datetime.timedelta(days=300))
    assert household_access_purge(now=now) == 1
    assert household_access_purge(now=now) == 0
    assert list(HouseholdAccess.objects.all()) == [recent]
    assert not HouseholdAccess.objects.filter(pk=old.pk).exists()
    assert purge_access_log() == 0


def test_the_purge_is_a_nightly_periodic_job():
    from portal.schedules import PERIODIC_TASKS

    assert "tenants.purge_access_log" in {job["task"] for job in PERIODIC_TASKS}


def test_admin_shows_the_log_read_only(client, actis_household, alice):
    from tests.factories import UserFactory

    access = _log(alice, actis_household)
    root = UserFactory(email="root@exemple.fr", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get(reverse("admin:tenants_householdaccess_changelist")).status_code == 200
    assert client.get(reverse("admin:tenants_householdaccess_add")).status_code == 403
    delete = reverse("admin:tenants_householdaccess_delete", args=[access.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert HouseholdAccess.objects.filter(pk=access.pk).exists()


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_a_line(alice, actis_household):
    access = _log(alice, actis_household)
    with pytest.raises(DatabaseError), transaction.atomic():
        HouseholdAccess.objects.filter(pk=access.pk).update(screen=AccessScreen.CALLER_CARD)
    with pytest.raises(DatabaseError), transaction.atomic():
        HouseholdAccess.objects.filter(pk=access.pk).delete()
    access.refresh_from_db()
    assert access.screen == AccessScreen.HOUSEHOLD_PAGE


def test_opening_a_household_in_admin_records_the_admin_screen(client, actis, actis_household):
    from django.contrib.auth.models import Permission

    admin_user = make_staff(actis, Role.LANDLORD_ADMIN, email="adm@actis.example", is_staff=True)
    admin_user.user_permissions.set(Permission.objects.filter(codename="view_household"))
    client.force_login(admin_user)
    url = reverse("admin:tenants_household_change", args=[actis_household.pk])
    assert client.get(url).status_code == 200
    access = HouseholdAccess.objects.get()
    assert (access.user, access.household, access.screen) == (
        admin_user,
        actis_household,
        AccessScreen.ADMIN,
    )
