"""The second wall: PostgreSQL row-level security under the application role (portal/rls.py).

Every test here runs as ``portal_app_rls`` (neither owner nor superuser) after its data is in; a
query that forgot its scoping must still return no row of another landlord.
"""

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from housing.models import Landlord
from outreach.models import CallLog, CallOutcome, CallTask, Campaign
from portal import rls
from tenants.models import Household, HouseholdQuerySet, Person, TechnicalRequest
from tests.apiclient import token_client
from tests.factories import HouseholdFactory, make_tenant
from tests.outreach.test_campaign_pages import make_log
from tests.tenants.conftest import file_request

# owner_role: these tests switch to the application role themselves, after their data is in.
pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.owner_role]


def call_log(household, caller):
    campaign, _ = Campaign.objects.get_or_create(
        landlord=household.landlord, name="Appels été", defaults={"status": "active"}
    )
    return make_log(campaign, household, caller, CallOutcome.REACHED_WELL, timezone.now())


@pytest.fixture
def two_landlords(actis_household, sdh_household, alice, charlie):
    call_log(actis_household, alice)
    call_log(sdh_household, charlie)
    file_request(actis_household, alice)
    file_request(sdh_household, charlie)


@pytest.fixture
def forgotten_scoping(monkeypatch):
    """Every household queryset "forgets" its scoping: only the database wall is left."""
    monkeypatch.setattr(HouseholdQuerySet, "visible_to", lambda self, user: self)


def landlords_of(queryset) -> set[str]:
    return set(queryset.values_list("landlord__slug", flat=True))


# ---------------------------------------------------------------------------------------------
# The policies themselves


def test_an_unscoped_query_under_the_app_role_sees_only_the_current_landlords_rows(
    two_landlords, actis, app_role
):
    app_role()
    rls.set_scope(landlord_ids=[actis.pk])
    assert landlords_of(Household.objects.all()) == {"actis"}
    assert set(Person.objects.values_list("household__landlord__slug", flat=True)) == {"actis"}
    assert landlords_of(CallLog.objects.all()) == {"actis"}
    assert landlords_of(CallTask.objects.all()) == {"actis"}
    assert landlords_of(TechnicalRequest.objects.all()) == {"actis"}
    # Housing tables are outside the wall: both landlords stay listed.
    assert Landlord.objects.count() == 2


def test_no_landlord_set_means_no_row_and_all_landlords_means_every_row(two_landlords, app_role):
    app_role()
    rls.clear_scope()
    assert Household.objects.count() == 0
    assert CallLog.objects.count() == 0
    rls.set_scope(all_landlords=True)
    assert landlords_of(Household.objects.all()) == {"actis", "sdh"}


def test_the_app_role_cannot_write_a_row_of_another_landlord(
    two_landlords, actis, sdh, sdh_household, app_role
):
    app_role()
    rls.set_scope(landlord_ids=[actis.pk])
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        HouseholdFactory(landlord=sdh)
    # An update of a row it cannot see touches nothing.
    assert Household.objects.filter(pk=sdh_household.pk).update(name="Piraté") == 0
    HouseholdFactory(landlord=actis)  # its own landlord: accepted


def test_rows_of_a_child_table_follow_their_parents_landlord(two_landlords, sdh, app_role):
    app_role()
    rls.set_scope(landlord_ids=[sdh.pk])
    assert {event.request.landlord.slug for event in _events()} == {"sdh"}


def _events():
    from tenants.models import RequestEvent

    return RequestEvent.objects.select_related("request__landlord")


def test_every_protected_table_has_row_security_enabled_but_not_forced():
    tables = [model._meta.db_table for model in rls.protected_models().values()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(%s) AND relkind = 'r'",
            [tables],
        )
        rows = {name: (enabled, forced) for name, enabled, forced in cursor.fetchall()}
    assert rows == dict.fromkeys(tables, (True, False))


def test_every_model_with_a_landlord_is_protected_or_deliberately_left_out():
    """A new landlord-owned model must be added to PROTECTED, or to LEFT_OUT with its reason."""
    owned = set()
    for model in apps.get_models():
        landlord_path = getattr(model._default_manager.get_queryset(), "landlord_path", None)
        has_landlord = any(
            field.concrete and getattr(field, "related_model", None) is Landlord
            for field in model._meta.get_fields()
        )
        if landlord_path or has_landlord:
            owned.add(model._meta.label)
    assert not set(rls.PROTECTED) & set(rls.LEFT_OUT)
    assert sorted(owned - set(rls.PROTECTED) - set(rls.LEFT_OUT)) == []
    # The history of a protected model is protected too.
    for label in rls.PROTECTED:
        app_label, name = label.split(".")
        history = f"{app_label}.Historical{name}"
        if any(model._meta.label == history for model in apps.get_models()):
            assert history in rls.PROTECTED


# ---------------------------------------------------------------------------------------------
# Through real requests: the middleware writes the user's landlords


def test_staff_pages_show_only_their_landlord_even_when_the_scoping_is_forgotten(
    client, two_landlords, alice, actis_household, sdh_household, app_role, forgotten_scoping
):
    app_role()
    client.force_login(alice)
    listing = client.get(reverse("tenants:household_list"))
    assert listing.status_code == 200
    assert actis_household.name in listing.content.decode()
    assert sdh_household.name not in listing.content.decode()
    assert (
        client.get(reverse("tenants:household_detail", args=[actis_household.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("tenants:household_detail", args=[sdh_household.pk])).status_code == 404
    )


def test_the_caller_screen_works_under_the_app_role(client, two_landlords, alice, app_role):
    app_role()
    client.force_login(alice)
    assert client.get(reverse("outreach:caller_home")).status_code == 200


def test_a_tenant_sees_their_home_under_the_app_role(
    client, actis_household, sdh_household, app_role
):
    tenant = make_tenant(actis_household, email="jeanne@exemple.fr", first_name="Jeanne")
    app_role()
    client.force_login(tenant)
    response = client.get(reverse("tenant_home"))
    assert response.status_code == 200
    assert "Jeanne Martin" in response.content.decode()
    assert "Benali" not in response.content.decode()
    assert landlords_of(Household.objects.all()) == {"actis"}  # the tenant's landlord, no other


def test_each_kind_of_user_gets_the_landlords_it_works_with(two_landlords, actis, sdh, app_role):
    """Staff, a committee member with no staff role, a tenant who applied elsewhere, a superuser."""
    from allocations.models import Committee, CommitteeMember
    from tests.allocations.conftest import make_application
    from tests.factories import UserFactory

    elected = UserFactory(email="elu@grenoble.example")
    committee = Committee.objects.create(landlord=sdh, name="CALEOL SDH")
    CommitteeMember.objects.create(committee=committee, name="Élu", role="mayor", user=elected)
    actis_tenant = make_tenant(Household.objects.get(landlord=actis), email="t@exemple.fr")
    make_application(sdh, current_household=Household.objects.get(landlord=actis))
    app_role()
    seen = {}
    for name, user in [
        ("elected", elected),
        ("tenant", actis_tenant),
        ("superuser", UserFactory(is_superuser=True, email="root@portail.example")),
    ]:
        rls.scope_request_user(user)
        seen[name] = landlords_of(Household.objects.all())
    assert seen == {
        "elected": {"sdh"},
        "tenant": {"actis", "sdh"},
        "superuser": {"actis", "sdh"},
    }


def test_anonymous_visitors_reach_the_public_pages_and_no_tenant_row(
    client, two_landlords, app_role
):
    app_role()
    rls.set_scope(all_landlords=True)  # whatever the connection held before
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("public_works_index")).status_code == 200
    assert client.get(reverse("tenant_home")).status_code == 302
    # The anonymous request wrote "no landlord" into the connection.
    assert Household.objects.count() == 0


def test_an_api_token_reads_only_its_landlords_households(
    actis, actis_household, two_landlords, app_role, forgotten_scoping
):
    api = token_client(actis)
    app_role()
    response = api.get("/api/v1/households/")
    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == [actis_household.reference]


def test_all_landlords_opens_the_wall_for_a_block_and_restores_the_scope(
    two_landlords, actis, app_role
):
    app_role()
    rls.set_scope(landlord_ids=[actis.pk])
    with rls.all_landlords():
        assert Household.objects.count() == 2
    assert landlords_of(Household.objects.all()) == {"actis"}


# ---------------------------------------------------------------------------------------------
# Celery: tasks are trusted system code (task_prerun opens every landlord, task_postrun closes)


def test_a_task_under_the_app_role_reads_every_landlord_and_closes_after(
    actis_household, app_role, django_capture_on_commit_callbacks
):
    tenant = make_tenant(actis_household, email="jeanne@exemple.fr")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        file_request(actis_household, tenant)
    app_role()
    rls.clear_scope()
    for callback in callbacks:
        callback()  # send_request_confirmation.delay(...), eager: the real signals fire
    assert len(mail.outbox) == 1
    assert Household.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# The application role of a deployment (created inside the test transaction, rolled back after)


def test_create_app_role_makes_a_login_role_that_is_neither_superuser_nor_bypassing(tmp_path):
    password = tmp_path / "password"
    password.write_text("s3cret-du-portail\n")
    call_command("create_app_role", name="portal_app_cmd_rls", password_file=str(password))
    call_command("create_app_role", name="portal_app_cmd_rls", password_file=str(password))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolcanlogin, rolsuper, rolbypassrls, "
            "has_table_privilege(rolname, 'tenants_household', 'SELECT, INSERT, UPDATE, DELETE') "
            "FROM pg_roles WHERE rolname = 'portal_app_cmd_rls'"
        )
        assert cursor.fetchall() == [(True, False, False, True)]
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'tenants_household'")
        assert cursor.fetchone()[0] != "portal_app_cmd_rls"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ('portal"; DROP', "x", "Nom de rôle invalide"),
        ("portal_app_cmd_rls", "", "vide"),
    ],
)
def test_create_app_role_refuses_a_bad_name_or_an_empty_password(tmp_path, name, content, message):
    password = tmp_path / "password"
    password.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("create_app_role", name=name, password_file=str(password))
