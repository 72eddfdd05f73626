from io import StringIO

import pytest
from django.core.management import call_command

from outreach.models import CallLog, CallTask, Campaign, CampaignKind, Partner
from tenants.models import ContactRequest

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_partners_and_campaigns_with_their_queues_once():
    call_command("seed_demo", households=150, seed=3, stdout=StringIO())
    campaigns = dict(Campaign.objects.values_list("name", "status"))
    assert campaigns["Appels de courtoisie – locataires de 70 ans et plus"] == "active"
    assert campaigns["Demandeurs de mutation prioritaires"] == "draft"
    assert Partner.objects.filter(name__startswith="CCAS", landlord__isnull=True).count() == 2
    seniors = Campaign.objects.get(name__startswith="Appels de courtoisie")
    assert seniors.questions.count() == 6
    assert CallTask.objects.filter(campaign=seniors).exists()
    # A fortnight of past calls, so the supervisor's dashboard has figures to show.
    assert seniors.logs.filter(outcome="reached_needs_help").exists()
    assert seniors.logs.order_by().values("called_at__date").distinct().count() >= 2
    # The demo's open call-back requests wait in their landlord's standing call-back campaign.
    open_callbacks = ContactRequest.objects.filter(kind="callback", handled_at__isnull=True)
    assert open_callbacks.exists()
    assert set(
        CallTask.objects.filter(campaign__kind=CampaignKind.TENANT_CALLBACKS).values_list(
            "household", flat=True
        )
    ) == set(open_callbacks.values_list("household", flat=True))
    before = (
        Campaign.objects.count(),
        CallTask.objects.count(),
        Partner.objects.count(),
        CallLog.objects.count(),
        sorted(CallTask.objects.values_list("pk", "status", "updated_at")),
    )

    call_command("seed_demo", households=150, seed=3, stdout=StringIO())

    assert (
        Campaign.objects.count(),
        CallTask.objects.count(),
        Partner.objects.count(),
        CallLog.objects.count(),
        sorted(CallTask.objects.values_list("pk", "status", "updated_at")),
    ) == before
