"""Schemathesis against the API's own schema: no server error, no answer the schema contradicts."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from housing.models import TokenScope
from portal.wsgi import application
from tests.apiclient import make_token
from tests.factories import DwellingFactory, LandlordFactory, LeaseFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@schema.hook
def map_query(ctx, query):
    """Cursors are opaque values the API hands out: a made-up one cannot be valid."""
    if query:
        query.pop("cursor", None)
    return query


pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Called as a WSGI app, Django closes the database connection after each request, and with
    it the test's transaction (on PostgreSQL): keep it open, as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(db):
    actis = LandlordFactory(slug="actis", name="Actis")
    LeaseFactory(household__landlord=actis)
    DwellingFactory(landlord=actis, building__landlord=actis)
    _token, key = make_token(actis, scope=TokenScope.WRITE)
    return key


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case, api_key):
    # A bulk upsert refers to rows that must exist: a schema-valid payload may rightly be refused.
    writes_by_reference = case.path.endswith(("/bulk/", "/arrears/"))
    excluded = [checks.positive_data_acceptance] if writes_by_reference else []
    case.call_and_validate(headers={"Authorization": f"Bearer {api_key}"}, excluded_checks=excluded)
