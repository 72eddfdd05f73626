"""The technical-request demo: idempotent, silent, with overdue and quiet requests to show."""

import pytest
from django.core import mail

from tenants.demo_requests import seed_tenant_requests_demo
from tenants.models import ContactRequest, TechnicalRequest
from tenants.selectors import stale_requests
from tests.factories import HouseholdFactory, LeaseFactory

pytestmark = pytest.mark.django_db


def test_demo_requests_are_seeded_once_without_emails(actis, technician):
    for _ in range(10):
        LeaseFactory(household=HouseholdFactory(landlord=actis))
    first = seed_tenant_requests_demo()
    assert first["requests"] == 10
    assert seed_tenant_requests_demo() == {"requests": 0, "events": 0, "contacts": 0}
    assert TechnicalRequest.objects.count() == 10
    assert ContactRequest.objects.count() == 2
    assert stale_requests().exists()
    assert TechnicalRequest.objects.filter(assignee=technician).exists()
    assert mail.outbox == []
