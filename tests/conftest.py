"""Fixtures shared by the whole suite.

Services: tests marked ``postgres`` need PostgreSQL; browser tests need Chromium. Where they are
missing the tests skip with the reason printed, unless ``REQUIRE_SERVICES=1`` (CI), where they fail.
"""

import os

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from housing.models import Role
from tests.factories import (
    EstateFactory,
    HouseholdFactory,
    LandlordFactory,
    LeaseFactory,
    PersonFactory,
    make_staff,
)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

# Every call of a compiled read (portal.compiled) also compiles its query the ORM's way and fails
# unless both are the same: each test that reaches one checks it.
settings.COMPILED_QUERIES_CHECK = True


def missing_service(reason: str) -> None:
    """Skip the test with ``reason``, or fail it when CI requires every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _require_postgres(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        missing_service("this test needs PostgreSQL (set DATABASE_URL=postgres://…)")


@pytest.fixture(autouse=True)
def _french_by_default():
    """Each test starts in French: a request in English must not leak into the next test."""
    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hashing is not what the tests measure: a fast hasher keeps logins and factories quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _second_factor_and_idle_expiry_off(settings):
    """Pages are tested without the second factor nor the staff idle timeout (tests travel in
    time after logging in); tests/security/ turns them on where it proves them."""
    settings.TWO_FACTOR_REQUIRED = False
    settings.STAFF_SESSION_IDLE_MINUTES = 0


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    """Tasks run in the test process; the tests that prove the real worker path opt out."""
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


# ---------------------------------------------------------------------------------------------
# The second wall: run a test as the application role, under row-level security (portal/rls.py)

APP_ROLE = "portal_app_rls"  # roles are cluster-wide: the suffix keeps other runs' roles apart
RLS_APP_ROLE = os.environ.get("RLS_APP_ROLE") == "1"


def switch_to_app_role(settings) -> None:
    """From here to the end of the test transaction, the connection is the application role.

    The role (NOLOGIN: only ``SET ROLE`` reaches it) and its grants are created inside the test
    transaction, so the rollback takes them away again.
    """
    from portal.rls import app_role_grants_sql

    if connection.vendor != "postgresql":
        missing_service("row-level security needs PostgreSQL (set DATABASE_URL=postgres://…)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == APP_ROLE:  # already there (RLS_APP_ROLE=1)
            return
        cursor.execute(
            "DO $$ BEGIN CREATE ROLE " + APP_ROLE + " NOLOGIN NOSUPERUSER NOBYPASSRLS; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        cursor.execute(app_role_grants_sql(APP_ROLE))
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
    settings.PORTAL_RLS = True


@pytest.fixture
def app_role(db, settings):
    """Switch to the application role after the test's own data is in (call it last)."""
    return lambda: switch_to_app_role(settings)


@pytest.fixture(autouse=True)
def _whole_suite_under_the_app_role(request):
    """RLS_APP_ROLE=1: every database test runs as the application role.

    The test's own code (factories, assertions) acts as trusted system code, like a Celery task:
    all landlords; each request through the test client gets its user's landlords from the
    middleware, and ``rls.after_request`` gives the trusted scope back when the view returns.
    """
    if (
        not RLS_APP_ROLE
        or "transactional_db" in request.fixturenames
        or request.node.get_closest_marker("owner_role")
    ):
        yield
        return
    if "db" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        yield
        return
    request.getfixturevalue("db")
    settings = request.getfixturevalue("settings")
    from portal import rls

    switch_to_app_role(settings)
    rls.set_scope(all_landlords=True)
    request.getfixturevalue("monkeypatch").setattr(
        rls, "after_request", lambda using="default": rls.set_scope(all_landlords=True, using=using)
    )
    yield


@pytest.fixture
def actis(db):
    return LandlordFactory(slug="actis", name="Actis")


@pytest.fixture
def sdh(db):
    return LandlordFactory(slug="sdh", name="SDH", kind="esh")


@pytest.fixture
def estate(db):
    return EstateFactory()


@pytest.fixture
def alice(actis):
    """A caller at Actis: the owner in permission tests."""
    return make_staff(actis, Role.CALLER, email="alice@actis.example", first_name="Alice")


@pytest.fixture
def bob(actis):
    """Alice's colleague at Actis."""
    return make_staff(actis, Role.SUPERVISOR, email="bob@actis.example", first_name="Bob")


@pytest.fixture
def charlie(sdh):
    """An outsider: staff of another landlord (SDH)."""
    return make_staff(sdh, Role.CALLER, email="charlie@sdh.example", first_name="Charlie")


@pytest.fixture
def actis_household(actis):
    household = HouseholdFactory(landlord=actis, name="M. et Mme Martin")
    PersonFactory(household=household, first_name="Jeanne", last_name="Martin")
    LeaseFactory(household=household)
    return household


@pytest.fixture
def sdh_household(sdh):
    household = HouseholdFactory(landlord=sdh, name="Mme Benali")
    PersonFactory(household=household, first_name="Fatima", last_name="Benali")
    LeaseFactory(household=household)
    return household
