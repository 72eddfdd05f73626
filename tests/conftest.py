"""Fixtures shared by the whole suite.

Services: tests marked ``postgres`` need PostgreSQL; browser tests need Chromium. Where they are
missing the tests skip with the reason printed, unless ``REQUIRE_SERVICES=1`` (CI), where they fail.
"""

import os

import pytest
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
