"""Campaign life: creation with the default questionnaire, status changes, queue builds."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from housing.models import Role
from housing.scoping import landlord_ids_with_role
from outreach.errors import OutreachError
from outreach.models import CAMPAIGN_TRANSITIONS, Campaign, CampaignStatus, Question, QueueBuild
from portal.tasks import enqueue_on_commit

# Who may define and steer campaigns, and who may work their queues.
CAMPAIGN_MANAGERS = [Role.SUPERVISOR, Role.LANDLORD_ADMIN]
CALLERS = [Role.CALLER, Role.SUPERVISOR, Role.LANDLORD_ADMIN, Role.SOCIAL_ADVISER]

DEFAULT_QUESTIONNAIRE = [
    gettext_lazy("Êtes-vous seul(e) à la maison en ce moment ?"),
    gettext_lazy("Avez-vous besoin d'aide pour vos courses ou vos médicaments ?"),
    gettext_lazy("Avez-vous une inquiétude pour votre santé ?"),
    gettext_lazy("Avez-vous un problème technique dans votre logement ?"),
    gettext_lazy("Avez-vous des difficultés pour payer votre loyer ?"),
    gettext_lazy("Souhaitez-vous être rappelé(e) par une conseillère sociale ?"),
]


def can_manage_campaigns(user, landlord_id: int) -> bool:
    return landlord_id in landlord_ids_with_role(user, CAMPAIGN_MANAGERS)


def can_call(user, landlord_id: int) -> bool:
    return landlord_id in landlord_ids_with_role(user, CALLERS)


def questionnaire_add_default(*, campaign: Campaign) -> None:
    Question.objects.bulk_create(
        [
            Question(campaign=campaign, position=index, text=str(text), kind=Question.Kind.YES_NO)
            for index, text in enumerate(DEFAULT_QUESTIONNAIRE, start=1)
        ]
    )


@transaction.atomic
def campaign_create(*, user, with_default_questionnaire: bool = True, **fields) -> Campaign:
    estates = fields.pop("estates", [])
    buildings = fields.pop("buildings", [])
    landlord = fields["landlord"]
    if not can_manage_campaigns(user, landlord.pk):
        raise OutreachError(_("Seul un responsable du bailleur peut créer une campagne."))
    campaign = Campaign(created_by=user, **fields)
    campaign.full_clean()
    campaign.save()
    campaign.estates.set(estates)
    campaign.buildings.set(buildings)
    if with_default_questionnaire:
        questionnaire_add_default(campaign=campaign)
    return campaign


def campaign_set_status(*, campaign: Campaign, user, status: str) -> Campaign:
    """Move a campaign to ``status`` if the transition is allowed; starting it builds its queue."""
    if not can_manage_campaigns(user, campaign.landlord_id):
        raise OutreachError(
            _("Seul un responsable du bailleur peut changer l'état d'une campagne.")
        )
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if status not in CAMPAIGN_TRANSITIONS[campaign.status]:
            raise OutreachError(
                _("Une campagne « %(current)s » ne peut pas passer à « %(target)s ».")
                % {
                    "current": campaign.get_status_display(),
                    "target": CampaignStatus(status).label,
                }
            )
        campaign.status = status
        campaign.save(update_fields=["status", "updated_at"])
        if status == CampaignStatus.ACTIVE:
            queue_build_request(campaign=campaign, user=user)
    return campaign


def queue_build_request(*, campaign: Campaign, user=None) -> QueueBuild:
    """Record a queue build, then hand it to the worker once the transaction commits."""
    from outreach.tasks import build_campaign_queue

    if campaign.status != CampaignStatus.ACTIVE:
        raise OutreachError(_("Seule une campagne en cours a une file d'appels."))
    with transaction.atomic():
        build = QueueBuild.objects.create(campaign=campaign, requested_by=user)
        enqueue_on_commit(build_campaign_queue, build_id=build.pk)
    return build
