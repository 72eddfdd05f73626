"""Demo call campaigns for the three landlords, as they ran them in 2020 (see the article)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from housing.models import Landlord
from outreach.calendar import PARIS
from outreach.models import (
    UNANSWERED_OUTCOMES,
    CallLog,
    CallOutcome,
    CallTask,
    Campaign,
    CampaignStatus,
    Need,
    NeedKind,
    Partner,
    PartnerKind,
    Referral,
    TaskStatus,
)
from outreach.services.campaigns import questionnaire_add_default
from outreach.services.queue import call_queue_refresh
from outreach.services.tenant_callbacks import tenant_callbacks_sync_all


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
    seen_landlords = set()
    for campaign in created:
        if campaign.status == CampaignStatus.ACTIVE:
            tasks += call_queue_refresh(campaign_id=campaign.pk).added
            if campaign.landlord_id not in seen_landlords:
                seen_landlords.add(campaign.landlord_id)
                _simulate_calls(campaign)
    # The tenants' demo call-back requests reach each landlord's standing call-back campaign.
    tasks += tenant_callbacks_sync_all()
    return {"campaigns": len(created), "tasks": tasks}


# A fortnight of calls on each landlord's first campaign, so the dashboard has something to show.
_OUTCOME_CYCLE = [
    CallOutcome.REACHED_WELL,
    CallOutcome.NO_ANSWER,
    CallOutcome.REACHED_WELL,
    CallOutcome.REACHED_NEEDS_HELP,
    CallOutcome.VOICEMAIL,
    CallOutcome.REACHED_WELL,
    CallOutcome.WRONG_NUMBER,
    CallOutcome.REACHED_NEEDS_HELP,
]
_NEEDS = [NeedKind.GROCERIES, NeedKind.ISOLATION, NeedKind.ADVISER, NeedKind.TECHNICAL]


def _simulate_calls(campaign: Campaign, *, calls: int = 48) -> None:
    """Log ``calls`` past calls on the campaign's first tasks (deterministic: fixed dates)."""
    from tenants.demo import LANDLORDS, staff_email

    spec = next(s for s in LANDLORDS if s.slug == campaign.landlord.slug)
    caller = get_user_model().objects.filter(email=staff_email(spec, "caller")).first()
    partner = Partner.objects.filter(landlord__isnull=True, kind=PartnerKind.SENIOR_SERVICE).first()
    if caller is None:
        return
    tasks = list(CallTask.objects.filter(campaign=campaign).order_by("pk")[:calls])
    day = datetime.date(2026, 1, 5)  # a Monday
    logs, needs, referrals = [], [], []
    for index, task in enumerate(tasks):
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        called_at = datetime.datetime.combine(
            day, datetime.time(9, 30), tzinfo=PARIS
        ) + datetime.timedelta(minutes=12 * (index % 6))
        outcome = _OUTCOME_CYCLE[index % len(_OUTCOME_CYCLE)]
        log = CallLog(
            task=task,
            campaign=campaign,
            household_id=task.household_id,
            landlord_id=campaign.landlord_id,
            caller=caller,
            phone=task.phone,
            outcome=outcome,
            called_at=called_at,
            notes=_("Appel de démonstration."),
        )
        logs.append(log)
        task.attempts = 1
        task.last_outcome = outcome
        task.status = TaskStatus.PENDING if outcome in UNANSWERED_OUTCOMES else TaskStatus.DONE
        if index % 6 == 5:
            day += datetime.timedelta(days=1)
    CallLog.objects.bulk_create(logs)
    for index, log in enumerate(logs):
        if log.outcome == CallOutcome.REACHED_NEEDS_HELP:
            kind = _NEEDS[index % len(_NEEDS)]
            needs.append(
                Need(call_log=log, campaign=campaign, household_id=log.household_id, kind=kind)
            )
            if partner is not None and kind == NeedKind.ISOLATION:
                referrals.append(
                    Referral(
                        landlord_id=campaign.landlord_id,
                        household_id=log.household_id,
                        partner=partner,
                        call_log=log,
                        campaign=campaign,
                        reason=_("Personne isolée : proposer des visites de convivialité."),
                        created_by=caller,
                    )
                )
    Need.objects.bulk_create(needs)
    Referral.objects.bulk_create(referrals)
    CallTask.objects.bulk_update(tasks, ["attempts", "last_outcome", "status"])
