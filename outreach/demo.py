"""Demo call campaigns for the three landlords, as they ran them in 2020 (see the article)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from housing.models import Landlord
from outreach.models import Campaign, CampaignStatus
from outreach.services.campaigns import questionnaire_add_default
from outreach.services.queue import call_queue_refresh


@dataclass(frozen=True)
class CampaignSpec:
    landlord_slug: str
    name: str
    purpose: str
    status: str = CampaignStatus.ACTIVE
    min_age: int | None = None
    require_isolated: bool = False
    require_payment_difficulty: bool = False
    min_arrears: Decimal | None = None
    require_priority_transfer: bool = False


CAMPAIGNS = [
    CampaignSpec(
        "actis",
        "Appels de courtoisie – locataires de 70 ans et plus",
        "Prendre des nouvelles des locataires âgés et faire le lien avec les services des communes.",
        min_age=70,
    ),
    CampaignSpec(
        "actis",
        "Ménages en difficulté de paiement",
        "Faire le point avec les ménages en impayé et proposer un rendez-vous.",
        require_payment_difficulty=True,
        min_arrears=Decimal("300"),
    ),
    CampaignSpec(
        "actis",
        "Demandeurs de mutation prioritaires",
        "Garder le contact avec les demandeurs de mutation prioritaires.",
        status=CampaignStatus.DRAFT,
        require_priority_transfer=True,
    ),
    CampaignSpec(
        "alpes-isere-habitat",
        "Recensement des personnes isolées de 70 ans et plus",
        "Recenser les personnes isolées et les orienter vers les plateformes d'entraide.",
        min_age=70,
    ),
    CampaignSpec(
        "sdh",
        "Lien avec les ménages en difficulté",
        "Garder un lien avec les ménages en difficulté ou susceptibles de l'être.",
        require_payment_difficulty=True,
    ),
]


def seed_outreach_demo() -> dict[str, int]:
    """Create the demo campaigns that are missing (by landlord and name) and build their queues.

    Existing campaigns are left as they are, so a second run changes nothing.
    """
    landlords = dict(Landlord.objects.values_list("slug", "pk"))
    existing = set(Campaign.objects.values_list("landlord_id", "name"))
    created = []
    with transaction.atomic():
        for spec in CAMPAIGNS:
            landlord_id = landlords.get(spec.landlord_slug)
            if landlord_id is None or (landlord_id, spec.name) in existing:
                continue
            campaign = Campaign.objects.create(
                landlord_id=landlord_id,
                name=spec.name,
                purpose=spec.purpose,
                status=spec.status,
                start_date=datetime.date(2026, 1, 5),
                min_age=spec.min_age,
                require_isolated=spec.require_isolated,
                require_payment_difficulty=spec.require_payment_difficulty,
                min_arrears=spec.min_arrears,
                require_priority_transfer=spec.require_priority_transfer,
                script=_(
                    "Bonjour, je vous appelle de la part de votre bailleur pour prendre de vos "
                    "nouvelles. Avez-vous quelques minutes à m'accorder ?"
                ),
            )
            questionnaire_add_default(campaign=campaign)
            created.append(campaign)
    tasks = 0
    for campaign in created:
        if campaign.status == CampaignStatus.ACTIVE:
            tasks += call_queue_refresh(campaign_id=campaign.pk).added
    return {"campaigns": len(created), "tasks": tasks}
