"""Campaign life: creation with the default questionnaire, status changes, queue builds."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from housing.models import Role
from housing.scoping import landlord_ids_with_role
from outreach.errors import OutreachError
from outreach.models import (
    CAMPAIGN_TRANSITIONS,
    Campaign,
    CampaignStatus,
    Question,
    QuestionKind,
    QueueBuild,
)
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


# ---------------------------------------------------------------------------------------------
# Campaign pages: editing a campaign and its questionnaire.

# A campaign whose definition may still change (a closed campaign is a record).
EDITABLE_STATUSES = [CampaignStatus.DRAFT, CampaignStatus.ACTIVE, CampaignStatus.PAUSED]


def _check_editable(*, campaign: Campaign, user, message: str) -> None:
    if not can_manage_campaigns(user, campaign.landlord_id):
        raise OutreachError(message)
    if campaign.status not in EDITABLE_STATUSES:
        raise OutreachError(_("Une campagne clôturée ne peut plus être modifiée."))


@transaction.atomic
def campaign_update(*, campaign: Campaign, user, **fields) -> Campaign:
    """Change a campaign's definition (not its landlord nor its status).

    A closed campaign is refused. The queue of an active campaign is rebuilt after the change so
    that it follows the new criteria.
    """
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_editable(
        campaign=campaign,
        user=user,
        message=_("Seul un responsable du bailleur peut modifier une campagne."),
    )
    estates = fields.pop("estates", None)
    buildings = fields.pop("buildings", None)
    fields.pop("landlord", None)
    fields.pop("status", None)
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    if estates is not None:
        campaign.estates.set(estates)
    if buildings is not None:
        campaign.buildings.set(buildings)
    if campaign.status == CampaignStatus.ACTIVE:
        queue_build_request(campaign=campaign, user=user)
    return campaign


@dataclass
class QuestionInput:
    """One row of the questionnaire as the supervisor left it (``pk`` None for a new question)."""

    text: str
    kind: str
    choices: str = ""
    required: bool = False
    position: int | None = None
    pk: int | None = None


@transaction.atomic
def questionnaire_save(
    *, campaign: Campaign, user, questions: list[QuestionInput], deleted: list[int]
) -> list[Question]:
    """Write a campaign's questionnaire: update, add and delete questions in a few statements.

    Allowed while the campaign is draft, active or paused. Questions without a position go after
    the others, in the order given. Answers already recorded stay in the call logs.
    """
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_editable(
        campaign=campaign,
        user=user,
        message=_("Seul un responsable du bailleur peut modifier le questionnaire."),
    )
    existing = {question.pk: question for question in campaign.questions.all()}
    unknown = ({item.pk for item in questions if item.pk} | set(deleted)) - set(existing)
    if unknown:
        raise OutreachError(_("Une des questions n'appartient pas à cette campagne."))
    Question.objects.filter(campaign=campaign, pk__in=deleted).delete()

    next_position = max(
        [question.position for pk, question in existing.items() if pk not in deleted]
        + [item.position or 0 for item in questions]
        + [0]
    )
    now = timezone.now()
    changed, added = [], []
    for item in questions:
        if item.pk in deleted:
            continue
        text = item.text.strip()
        if not text:
            raise OutreachError(_("Chaque question doit avoir un texte."))
        choices = ""
        if item.kind == QuestionKind.CHOICE:
            choices = "\n".join(line.strip() for line in item.choices.splitlines() if line.strip())
            if not choices:
                raise OutreachError(
                    _("La question « %(text)s » attend au moins un choix (un par ligne).")
                    % {"text": text}
                )
        if item.position is None:
            next_position += 1
            position = next_position
        else:
            position = item.position
        question = existing[item.pk] if item.pk else Question(campaign=campaign)
        question.text, question.kind, question.choices = text, item.kind, choices
        question.required, question.position = item.required, position
        question.updated_at = now
        question.full_clean(validate_constraints=False)
        (changed if item.pk else added).append(question)
    if changed:
        Question.objects.bulk_update(
            changed, ["text", "kind", "choices", "required", "position", "updated_at"]
        )
    Question.objects.bulk_create(added)
    return list(campaign.questions.all())
