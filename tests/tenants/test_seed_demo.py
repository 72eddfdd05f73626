"""``manage.py seed_demo`` and ``manage.py demo_logins``: the demo data of the Villeneuves."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.models import F

from housing.models import Agency, Building, Dwelling, Estate, Landlord, Role, StaffMembership
from tenants.demo import DEMO_PASSWORD, SUPERUSER_EMAIL
from tenants.models import Household, Lease, Person, VulnerabilityFlag

# owner_role: seed_demo is an admin command, run as the database owner (README: Deploying).
pytestmark = [pytest.mark.django_db, pytest.mark.owner_role]

User = get_user_model()
MODELS = (
    Landlord,
    Agency,
    Estate,
    Building,
    Dwelling,
    Household,
    Person,
    Lease,
    VulnerabilityFlag,
    User,
    StaffMembership,
    Group,
    User.groups.through,
    Group.permissions.through,
)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The seed hashes one password per run; keep that cheap in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(households=100, seed=7) -> str:
    out = StringIO()
    call_command("seed_demo", households=households, seed=seed, stdout=out)
    return out.getvalue()


def every_row() -> dict:
    """Every value of every row the seed writes, timestamps and ids included."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def demo_content() -> dict:
    """The demo data by natural keys: what a person sees, whatever the ids and password salts."""
    return {
        "landlords": list(
            Landlord.objects.order_by("slug").values_list("slug", "name", "kind", "email", "phone")
        ),
        "buildings": list(
            Building.objects.order_by("landlord__slug", "reference").values_list(
                "landlord__slug", "reference", "estate__slug", "agency__name", "name", "status"
            )
        ),
        "dwellings": list(
            Dwelling.objects.order_by("landlord__slug", "reference").values_list(
                "landlord__slug",
                "reference",
                "building__reference",
                "typology",
                "floor",
                "surface",
                "rent",
                "charges",
                "status",
            )
        ),
        "households": list(
            Household.objects.order_by("landlord__slug", "reference").values_list(
                "landlord__slug", "reference", "name", "email", "contact_preference", "do_not_call"
            )
        ),
        "people": sorted(
            Person.objects.values_list(
                "household__landlord__slug",
                "household__reference",
                "first_name",
                "last_name",
                "birth_date",
                "role",
                "user__email",
            ),
            key=str,
        ),
        "leases": sorted(
            Lease.objects.values_list(
                "household__reference", "dwelling__reference", "start_date", "end_date"
            ),
            key=str,
        ),
        "flags": sorted(
            VulnerabilityFlag.objects.values_list(
                "household__reference", "kind", "arrears_amount", "source", "start_date"
            ),
            key=str,
        ),
        "users": list(
            User.objects.order_by("email").values_list(
                "email", "first_name", "last_name", "is_staff", "is_superuser", "date_joined"
            )
        ),
        "memberships": sorted(
            StaffMembership.objects.values_list("user__email", "landlord__slug", "role"), key=str
        ),
    }


def wipe() -> None:
    """Empty every table the seed writes to (every app's data: seed_demo fills them all)."""
    keep = {"django_content_type", "auth_permission", "django_migrations"}
    tables = [
        table
        for table in connection.introspection.django_table_names(only_existing=True)
        if table not in keep
    ]
    if connection.vendor == "postgresql":
        # TRUNCATE refuses while deferred foreign-key checks are pending in the test transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    seed(seed=7)
    first = demo_content()
    wipe()
    seed(seed=7)
    assert demo_content() == first
    wipe()
    seed(seed=8)
    other = demo_content()
    assert other["households"] != first["households"]
    assert other["people"] != first["people"]
    assert other["landlords"] == first["landlords"]


def test_a_second_run_changes_nothing():
    first_output = seed()
    before = every_row()
    second_output = seed()
    assert every_row() == before  # no new row, no changed value, not even updated_at
    assert "Ménages : 100 créé(s)" in first_output
    assert "rien à créer" in second_output


def test_a_bigger_run_after_a_smaller_one_gives_the_data_of_the_bigger_run():
    seed(households=60)
    seed(households=150)
    grown = demo_content()
    wipe()
    seed(households=150)
    assert demo_content() == grown
    assert Household.objects.count() == 150


def test_the_three_landlords_have_the_public_contacts_of_the_article():
    seed()
    contacts = {
        landlord.slug: (landlord.name, landlord.kind, landlord.email, str(landlord.phone))
        for landlord in Landlord.objects.all()
    }
    assert contacts == {
        "actis": ("Actis", "oph", "agence-vovn@actis.fr", ""),
        "sdh": (
            "SDH – Société Dauphinoise pour l'Habitat",
            "esh",
            "information@sdh.fr",
            "04 76 68 39 39",
        ),
        "alpes-isere-habitat": (
            "Alpes Isère Habitat",
            "oph",
            "contact.echirolles@alpeshabitat.fr",
            "",
        ),
    }
    agency = Agency.objects.get(name="Agence Villeneuve / Village Olympique")
    assert agency.landlord.slug == "actis"
    assert agency.email == "agence-vovn@actis.fr"
    assert agency.opening_hours
    assert set(Estate.objects.values_list("slug", "city")) == {
        ("villeneuve-grenoble", "Grenoble"),
        ("villeneuve-echirolles", "Échirolles"),
    }


def test_7_9_limousin_at_echirolles_is_being_demolished_and_nobody_lives_there():
    seed()
    building = Building.objects.get(name="7-9 Limousin")
    assert building.status == Building.Status.BEING_DEMOLISHED
    assert (building.estate.slug, building.city, building.postal_code) == (
        "villeneuve-echirolles",
        "Échirolles",
        "38130",
    )
    assert building.dwellings.exists()
    assert not Lease.objects.current().filter(dwelling__building=building).exists()


def test_leases_and_dwellings_stay_within_one_landlord():
    seed(households=200)
    assert not Dwelling.objects.exclude(landlord=F("building__landlord")).exists()
    assert not Lease.objects.exclude(household__landlord=F("dwelling__landlord")).exists()
    assert Lease.objects.current().count() == Household.objects.count() == 200
    occupied = set(Dwelling.objects.filter(status="occupied").values_list("pk", flat=True))
    assert occupied == set(Lease.objects.current().values_list("dwelling_id", flat=True))
    assert Dwelling.objects.filter(status="vacant").exists()


def test_there_is_demo_staff_for_every_role_at_every_landlord():
    seed()
    for landlord in Landlord.objects.all():
        roles = set(
            StaffMembership.objects.filter(landlord=landlord).values_list("role", flat=True)
        )
        assert roles == set(Role.values), landlord.slug
    caller = User.objects.get(email="caller@actis.demo")
    assert caller.check_password(DEMO_PASSWORD)
    assert not caller.is_staff
    assert set(Household.objects.visible_to(caller).values_list("landlord__slug", flat=True)) == {
        "actis"
    }
    for email in ("landlord-admin@sdh.demo", "committee-secretary@alpeshabitat.demo"):
        admin_user = User.objects.get(email=email)
        assert admin_user.is_staff
        assert admin_user.has_perm("tenants.change_household")
        assert admin_user.has_perm("housing.view_building")
    superuser = User.objects.get(email=SUPERUSER_EMAIL)
    assert superuser.is_superuser
    assert superuser.check_password(DEMO_PASSWORD)


def test_demo_tenants_log_in_and_see_their_own_household(client):
    seed()
    # Through the login form: django-axes needs the request that client.login() does not give.
    response = client.post(
        "/comptes/login/", {"username": "locataire1@actis.demo", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    tenant = User.objects.get(email="locataire1@actis.demo")
    person = tenant.tenant_person
    assert person.role == Person.Role.LEASE_HOLDER
    assert (tenant.first_name, tenant.last_name) == (person.first_name, person.last_name)
    assert person.household.landlord.slug == "actis"
    assert person.household.leases.current().exists()
    assert list(Household.objects.visible_to(tenant)) == [person.household]
    assert Person.objects.filter(user__email__endswith=".demo").count() == 9


def test_the_shares_of_seniors_arrears_and_isolated_people_are_plausible():
    seed(households=300)
    households = Household.objects.count()
    seniors = Household.objects.with_senior().count() / households
    arrears = VulnerabilityFlag.objects.filter(kind="payment_difficulty").count() / households
    isolated = VulnerabilityFlag.objects.filter(kind="isolated").count() / households
    assert 0.10 <= seniors <= 0.35
    assert 0.04 <= arrears <= 0.18
    assert 0.03 <= isolated <= 0.15
    assert not VulnerabilityFlag.objects.filter(
        kind="payment_difficulty", arrears_amount__isnull=True
    ).exists()


def test_demo_logins_prints_the_url_and_the_accounts():
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "seed_demo" in out.getvalue()  # nothing seeded yet: says what to run

    seed()
    out = StringIO()
    call_command("demo_logins", url="http://localhost:9000", stdout=out)
    text = out.getvalue()
    assert "http://localhost:9000/" in text
    assert DEMO_PASSWORD in text
    for email in (
        SUPERUSER_EMAIL,
        "caller@actis.demo",
        "supervisor@sdh.demo",
        "locataire1@sdh.demo",
    ):
        assert email in text
    line = next(line for line in text.splitlines() if line.startswith("caller@actis.demo"))
    assert "chargé(e) de relation clientèle" in line
    assert "Actis" in line


def test_seed_demo_refuses_a_negative_number_of_households():
    with pytest.raises(CommandError, match="négatif"):
        call_command("seed_demo", households=-1, stdout=StringIO())
