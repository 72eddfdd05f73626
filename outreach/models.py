"""Wellbeing-call campaigns: targeting, call rules, questionnaire, queue, logs and follow-ups."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from housing.models import Building, Estate, Landlord
from housing.scoping import ScopedQuerySet, scope, scoped_queryset
from portal.compiled import compiled_query
from portal.fields import PhoneField
from portal.history import history_user
from portal.models import TimeStampedModel
from tenants.models import Household, Person

# ---------------------------------------------------------------------------------------------
# Partners


class PartnerKind(models.TextChoices):
    SENIOR_SERVICE = "senior_service", _("service municipal pour les personnes âgées (CCAS)")
    MUTUAL_AID = "mutual_aid", _("plateforme d'entraide")
    SOCIAL_SERVICE = "social_service", _("service social")
    HEALTH = "health", _("santé")
    OTHER = "other", _("autre")


class PartnerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A landlord's own partners, plus the partners shared by all landlords (no landlord)."""
        own = scope(self, user, landlord_path="landlord")
        if not getattr(user, "is_authenticated", False) or user.is_superuser:
            return own
        from housing.scoping import staff_landlord_ids

        if not staff_landlord_ids(user):
            return self.none()
        return self.filter(Q(pk__in=own.values("pk")) | Q(landlord__isnull=True))


class Partner(TimeStampedModel):
    landlord = models.ForeignKey(
        Landlord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name=_("bailleur"),
        help_text=_("Laisser vide pour un partenaire commun aux trois bailleurs."),
    )
    name = models.CharField(_("nom"), max_length=150)
    kind = models.CharField(_("type"), max_length=20, choices=PartnerKind.choices)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    phone = PhoneField(_("téléphone"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("site internet"), blank=True)
    notes = models.TextField(_("remarques"), blank=True)
    is_active = models.BooleanField(_("actif"), default=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PartnerKind.values), name="partner_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------------------------------------
# Campaigns


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("brouillon")
    ACTIVE = "active", _("en cours")
    PAUSED = "paused", _("en pause")
    CLOSED = "closed", _("clôturée")


# The one place where a campaign's allowed status changes live.
CAMPAIGN_TRANSITIONS: dict[str, set[str]] = {
    CampaignStatus.DRAFT: {CampaignStatus.ACTIVE, CampaignStatus.CLOSED},
    CampaignStatus.ACTIVE: {CampaignStatus.PAUSED, CampaignStatus.CLOSED},
    CampaignStatus.PAUSED: {CampaignStatus.ACTIVE, CampaignStatus.CLOSED},
    CampaignStatus.CLOSED: set(),
}


class CampaignKind(models.TextChoices):
    WELLBEING = "wellbeing", _("appels de bien-être")
    TENANT_CALLBACKS = "tenant_callbacks", _("rappels demandés par les locataires")


def default_call_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday to Friday


class Campaign(TimeStampedModel):
    Status = CampaignStatus
    Kind = CampaignKind

    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("bailleur")
    )
    name = models.CharField(_("nom"), max_length=150)
    purpose = models.TextField(_("objet"), blank=True)
    # A standing campaign of call-backs the tenants asked for (one per landlord) is fed by their
    # requests, not by the targeting criteria below.
    kind = models.CharField(
        _("nature"), max_length=20, choices=CampaignKind.choices, default=CampaignKind.WELLBEING
    )
    status = models.CharField(
        _("état"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin"), null=True, blank=True)

    # Targeting: every criterion given must hold (AND).
    min_age = models.PositiveSmallIntegerField(
        _("âge minimum d'un membre du ménage"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
    )
    require_isolated = models.BooleanField(_("personne isolée"), default=False)
    require_payment_difficulty = models.BooleanField(_("difficulté de paiement"), default=False)
    min_arrears = models.DecimalField(
        _("impayé minimum (€)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Avec « difficulté de paiement » : seuil d'impayé."),
    )
    require_disability = models.BooleanField(_("handicap"), default=False)
    require_priority_transfer = models.BooleanField(
        _("demandeur de mutation prioritaire"), default=False
    )
    estates = models.ManyToManyField(
        Estate, blank=True, related_name="campaigns", verbose_name=_("quartiers")
    )
    buildings = models.ManyToManyField(
        Building, blank=True, related_name="campaigns", verbose_name=_("immeubles")
    )
    not_reached_days = models.PositiveSmallIntegerField(
        _("non joints depuis (jours)"),
        null=True,
        blank=True,
        help_text=_(
            "Seulement les ménages qu'aucune campagne n'a joints pendant ce nombre de jours."
        ),
    )

    # Call rules.
    call_weekdays = models.JSONField(
        _("jours d'appel"),
        default=default_call_weekdays,
        help_text=_("0 = lundi … 6 = dimanche. Les jours fériés français sont toujours exclus."),
    )
    call_start = models.TimeField(_("appels à partir de"), default=datetime.time(9, 0))
    call_end = models.TimeField(_("appels jusqu'à"), default=datetime.time(18, 0))
    max_attempts = models.PositiveSmallIntegerField(
        _("tentatives au maximum"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    retry_delay_minutes = models.PositiveIntegerField(
        _("délai entre deux tentatives sans réponse (minutes)"),
        default=240,
        validators=[MinValueValidator(5)],
    )
    hold_minutes = models.PositiveSmallIntegerField(
        _("durée maximale de garde d'un appel (minutes)"),
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    script = models.TextField(_("script d'appel"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("campagne d'appels")
        verbose_name_plural = _("campagnes d'appels")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values), name="campaign_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(call_start__lt=F("call_end")), name="campaign_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="campaign_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="campaign_attempts_min"),
            models.CheckConstraint(
                condition=Q(kind__in=CampaignKind.values), name="campaign_kind_valid"
            ),
            # One standing call-back campaign per landlord: the service creates it on demand.
            models.UniqueConstraint(
                fields=["landlord"],
                condition=Q(kind="tenant_callbacks"),
                name="campaign_one_tenant_callbacks_per_landlord",
            ),
        ]
        indexes = [
            # call_task_claim(): the landlord's call-back campaign, looked up on every claim.
            models.Index(fields=["landlord", "kind", "status"], name="campaign_landlord_kind_idx"),
        ]

    def __str__(self):
        return self.name

    def can_become(self, status: str) -> bool:
        return status in CAMPAIGN_TRANSITIONS[self.status]


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", _("oui / non")
    CHOICE = "choice", _("choix dans une liste")
    NUMBER = "number", _("nombre")
    TEXT = "text", _("texte libre")


class Question(TimeStampedModel):
    Kind = QuestionKind

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="questions", verbose_name=_("campagne")
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    text = models.CharField(_("question"), max_length=255)
    kind = models.CharField(_("type de réponse"), max_length=10, choices=QuestionKind.choices)
    choices = models.TextField(
        _("choix possibles"), blank=True, help_text=_("Un choix par ligne (type « choix »).")
    )
    required = models.BooleanField(_("réponse obligatoire"), default=False)

    objects = scoped_queryset("campaign__landlord").as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="choice") | ~Q(choices=""), name="question_choice_has_choices"
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------
# The queue


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("à appeler")
    HELD = "held", _("en cours d'appel")
    CALLBACK = "callback", _("rappel prévu")
    DONE = "done", _("terminé")
    EXHAUSTED = "exhausted", _("injoignable")
    SKIPPED = "skipped", _("écarté")
    REMOVED = "removed", _("retiré de la file")


# Statuses a queue refresh may move a task out of (no conversation has closed it yet).
OPEN_TASK_STATUSES = [TaskStatus.PENDING, TaskStatus.CALLBACK]


class CallTaskQuerySet(ScopedQuerySet):
    landlord_path = "landlord"


class CallTask(TimeStampedModel):
    """One household in one campaign's queue."""

    Status = TaskStatus

    # No index of its own: the unique (campaign, household) index and the claim indexes all lead
    # with the campaign and serve its lookups; the redundant index cost about 6 % of a 100,000-task
    # queue build (bench/README.md, call_queue).
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("campagne"),
        db_index=False,
    )
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="call_tasks", verbose_name=_("ménage")
    )
    # The campaign's landlord, kept on the row for scoping and the claim index.
    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="+", verbose_name=_("bailleur")
    )
    status = models.CharField(
        _("état"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    phone = PhoneField(_("numéro à appeler"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    not_before = models.DateTimeField(_("pas avant"), null=True, blank=True)
    callback_at = models.DateTimeField(_("rappel prévu le"), null=True, blank=True)
    callback_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rappel réservé à"),
    )
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="held_call_tasks",
        verbose_name=_("appel tenu par"),
    )
    held_at = models.DateTimeField(_("pris le"), null=True, blank=True)
    hold_until = models.DateTimeField(_("rendu à la file après"), null=True, blank=True)
    last_outcome = models.CharField(_("dernier résultat"), max_length=20, blank=True)
    skip_reason = models.CharField(_("motif de mise à l'écart"), max_length=255, blank=True)
    # Risk, captured when the task is queued, for the queue's order.
    risk_isolated = models.BooleanField(_("isolé"), default=False)
    oldest_birth_date = models.DateField(_("naissance du plus âgé"), null=True, blank=True)
    arrears = models.DecimalField(_("impayé (€)"), max_digits=10, decimal_places=2, default=0)

    objects = CallTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("appel à passer")
        verbose_name_plural = _("appels à passer")
        ordering = ["campaign", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"], name="calltask_one_per_household_per_campaign"
            ),
            # A caller holds at most one call at a time: the database says so.
            models.UniqueConstraint(
                fields=["held_by"],
                condition=Q(status="held"),
                name="calltask_one_held_per_caller",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="held")
                    & Q(held_by__isnull=False)
                    & Q(held_at__isnull=False)
                    & Q(hold_until__isnull=False)
                )
                | (~Q(status="held") & Q(held_by__isnull=True)),
                name="calltask_held_has_holder",
            ),
            models.CheckConstraint(
                condition=~Q(status="callback") | Q(callback_at__isnull=False),
                name="calltask_callback_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="calltask_status_valid"
            ),
        ]
        indexes = [
            # call_task_claim(): the open tasks of one campaign, in queue order.
            models.Index(
                fields=["campaign", "status", "callback_at", "attempts"],
                name="calltask_claim_idx",
            ),
            # call_tasks_release_expired(): held tasks past their limit.
            models.Index(fields=["status", "hold_until"], name="calltask_held_idx"),
            # call_task_claim(): the next never-tried and the next tried task, in risk order, read
            # straight from the index instead of sorting the whole queue on every claim.
            models.Index(
                F("campaign"),
                F("risk_isolated").desc(),
                F("oldest_birth_date"),  # ASC sorts NULLs last on PostgreSQL, as the claim asks
                F("arrears").desc(),
                F("id"),
                condition=Q(status="pending", attempts=0),
                name="calltask_untried_order_idx",
            ),
            models.Index(
                F("campaign"),
                F("risk_isolated").desc(),
                F("oldest_birth_date"),
                F("arrears").desc(),
                F("id"),
                condition=Q(status="pending", attempts__gt=0),
                name="calltask_tried_order_idx",
            ),
        ]

    def __str__(self):
        return f"{self.campaign} – {self.household}"


class CallOutcome(models.TextChoices):
    REACHED_WELL = "reached_well", _("joint, tout va bien")
    REACHED_NEEDS_HELP = "reached_needs_help", _("joint, a besoin d'aide")
    NO_ANSWER = "no_answer", _("pas de réponse")
    VOICEMAIL = "voicemail", _("messagerie")
    WRONG_NUMBER = "wrong_number", _("faux numéro")
    REFUSED = "refused", _("refuse l'appel")
    MOVED_OUT = "moved_out", _("a déménagé")
    HOSPITALISED = "hospitalised", _("hospitalisé(e)")
    DECEASED = "deceased", _("décédé(e)")


UNANSWERED_OUTCOMES = {CallOutcome.NO_ANSWER, CallOutcome.VOICEMAIL}
REACHED_OUTCOMES = {CallOutcome.REACHED_WELL, CallOutcome.REACHED_NEEDS_HELP}


class CallLog(TimeStampedModel):
    """One attempt: who called whom, when, and what came of it."""

    Outcome = CallOutcome

    task = models.ForeignKey(
        CallTask, on_delete=models.PROTECT, related_name="logs", verbose_name=_("appel")
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="logs", verbose_name=_("campagne")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="call_logs", verbose_name=_("ménage")
    )
    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="+", verbose_name=_("bailleur")
    )
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="call_logs",
        verbose_name=_("appelant(e)"),
    )
    phone = PhoneField(_("numéro appelé"), blank=True)
    outcome = models.CharField(_("résultat"), max_length=20, choices=CallOutcome.choices)
    answers = models.JSONField(_("réponses au questionnaire"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    called_at = models.DateTimeField(_("appelé le"))
    anonymised_at = models.DateTimeField(
        _("anonymisé le"),
        null=True,
        blank=True,
        help_text=_("Notes et réponses effacées selon la durée de conservation du bailleur."),
    )

    objects = scoped_queryset("landlord").as_manager()
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("compte rendu d'appel")
        verbose_name_plural = _("comptes rendus d'appel")
        ordering = ["-called_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=CallOutcome.values), name="calllog_outcome_valid"
            ),
        ]
        indexes = [
            # Dashboard figures and the CSV export: a campaign's logs by date.
            models.Index(fields=["campaign", "called_at"], name="calllog_campaign_date_idx"),
            # The dashboard's summaries: a campaign's logs after the folded mark (id > mark).
            models.Index(fields=["campaign", "id"], name="calllog_campaign_id_idx"),
            # "Not reached in the last N days": a household's reached calls by date.
            models.Index(
                fields=["household", "outcome", "called_at"], name="calllog_household_idx"
            ),
        ]

    def __str__(self):
        return f"{self.household} – {self.get_outcome_display()}"


class CampaignStatsMark(TimeStampedModel):
    """How far a campaign's call logs are folded into its daily summaries (issue 10).

    Logs up to ``log_id`` are counted in ``CampaignCallerDay`` and ``CampaignReachDay``; the
    dashboard adds the later ones live. ``outreach.fold_campaign_stats`` moves the mark.
    """

    campaign = models.OneToOneField(
        Campaign,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stats_mark",
        verbose_name=_("campagne"),
    )
    log_id = models.BigIntegerField(_("dernier compte rendu compté"), default=0)

    class Meta:
        verbose_name = _("repère des statistiques de campagne")
        verbose_name_plural = _("repères des statistiques de campagne")

    def __str__(self):
        return f"{self.campaign} – {self.log_id}"


class CampaignCallerDay(TimeStampedModel):
    """Calls of one caller on one day (Paris) in one campaign, folded from the call logs."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campagne")
    )
    day = models.DateField(_("jour"))
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("appelant(e)"),
    )
    calls = models.PositiveIntegerField(_("appels"), default=0)
    reached = models.PositiveIntegerField(_("appels aboutis"), default=0)

    class Meta:
        verbose_name = _("appels du jour d'un appelant")
        verbose_name_plural = _("appels du jour des appelants")
        constraints = [
            # One row per campaign, day and caller: the fold adds to it (ON CONFLICT).
            models.UniqueConstraint(fields=["campaign", "day", "caller"], name="callerday_unique"),
            models.CheckConstraint(
                condition=Q(reached__lte=F("calls")), name="callerday_reached_within_calls"
            ),
        ]

    def __str__(self):
        return f"{self.campaign} – {self.day} – {self.caller}"


class CampaignReachDay(TimeStampedModel):
    """Households of one campaign reached for the first time on one day (Paris), folded."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campagne")
    )
    day = models.DateField(_("jour"))
    households = models.PositiveIntegerField(_("ménages joints pour la première fois"), default=0)

    class Meta:
        verbose_name = _("ménages joints du jour")
        verbose_name_plural = _("ménages joints par jour")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day"], name="reachday_unique"),
        ]

    def __str__(self):
        return f"{self.campaign} – {self.day}"


class NeedKind(models.TextChoices):
    GROCERIES = "groceries", _("courses")
    MEDICINE = "medicine", _("médicaments")
    HEALTH = "health", _("inquiétude de santé")
    ISOLATION = "isolation", _("isolement")
    TECHNICAL = "technical", _("problème technique dans le logement")
    RENT = "rent", _("difficulté à payer le loyer")
    ADVISER = "adviser", _("souhaite un rendez-vous avec un conseiller")
    CARETAKER_HELP = "caretaker_help", _("aide du gardien (courses, port de charges)")
    OTHER = "other", _("autre")


class CampaignOfCallMixin:
    """Needs and referrals carry the campaign of the call they came from, so that the campaign's
    dashboard counts them without joining every call of the campaign.

    ``save()`` copies it from ``call_log`` (none without a call); bulk inserts set it themselves.
    """

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"call_log", "call_log_id"} & set(update_fields):
            self.campaign_id = self.call_log.campaign_id if self.call_log_id else None
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "campaign"}
        super().save(*args, **kwargs)


def campaign_of_call_field(related_name: str) -> models.ForeignKey:
    """The ``campaign`` of a need or referral: kept with the campaign (PROTECT, like the calls).
    No index of its own: the model's dashboard index starts with it."""
    return models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        db_index=False,
        related_name=related_name,
        verbose_name=_("campagne"),
    )


class Need(CampaignOfCallMixin, TimeStampedModel):
    """A need found during a call (several per call), kept apart from the contact result."""

    Kind = NeedKind

    call_log = models.ForeignKey(
        CallLog, on_delete=models.CASCADE, related_name="needs", verbose_name=_("appel")
    )
    campaign = campaign_of_call_field("needs")
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="needs", verbose_name=_("ménage")
    )
    kind = models.CharField(_("besoin"), max_length=20, choices=NeedKind.choices)
    note = models.CharField(_("précision"), max_length=255, blank=True)
    handled = models.BooleanField(_("traité"), default=False)

    objects = scoped_queryset("household__landlord").as_manager()

    class Meta:
        verbose_name = _("besoin repéré")
        verbose_name_plural = _("besoins repérés")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NeedKind.values), name="need_kind_valid"),
        ]
        indexes = [
            # The campaign dashboard: a campaign's needs by kind, handled or not (index only).
            models.Index(fields=["campaign", "kind", "handled"], name="need_campaign_kind_idx"),
        ]

    def __str__(self):
        return self.get_kind_display()


class ReferralStatus(models.TextChoices):
    TO_SEND = "to_send", _("à transmettre")
    SENT = "sent", _("transmise")
    ACKNOWLEDGED = "acknowledged", _("prise en charge")
    CLOSED = "closed", _("close")


REFERRAL_TRANSITIONS: dict[str, set[str]] = {
    ReferralStatus.TO_SEND: {ReferralStatus.SENT, ReferralStatus.CLOSED},
    ReferralStatus.SENT: {ReferralStatus.ACKNOWLEDGED, ReferralStatus.CLOSED},
    ReferralStatus.ACKNOWLEDGED: {ReferralStatus.CLOSED},
    ReferralStatus.CLOSED: set(),
}


class Referral(CampaignOfCallMixin, TimeStampedModel):
    Status = ReferralStatus

    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("bailleur")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("ménage")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("partenaire")
    )
    call_log = models.ForeignKey(
        CallLog,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("appel d'origine"),
    )
    campaign = campaign_of_call_field("referrals")
    reason = models.TextField(_("motif"))
    status = models.CharField(
        _("état"), max_length=15, choices=ReferralStatus.choices, default=ReferralStatus.TO_SEND
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("orientée par"),
    )

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"
            ),
        ]
        indexes = [
            # The campaign dashboard: a campaign's referrals by partner, open or not (index only).
            models.Index(
                fields=["campaign", "partner", "status"], name="referral_campaign_partner_idx"
            ),
        ]

    def __str__(self):
        return f"{self.household} → {self.partner}"


class SolidarityStatus(models.TextChoices):
    OPEN = "open", _("suivi en cours")
    CLOSED = "closed", _("clos")


class SolidarityEntry(TimeStampedModel):
    """An isolated person found by the calls, followed up (registre de la solidarité)."""

    Status = SolidarityStatus

    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="+", verbose_name=_("bailleur")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="solidarity_entries",
        verbose_name=_("ménage"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("personne"),
    )
    call_log = models.ForeignKey(
        CallLog,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solidarity_entries",
        verbose_name=_("appel d'origine"),
    )
    found_on = models.DateField(_("repéré le"))
    need = models.TextField(_("besoin"))
    follow_up = models.TextField(_("suivi"), blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=SolidarityStatus.choices, default=SolidarityStatus.OPEN
    )
    closed_reason = models.CharField(_("motif de clôture"), max_length=255, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("inscription au registre de la solidarité")
        verbose_name_plural = _("registre de la solidarité")
        ordering = ["-found_on"]
        constraints = [
            # One open entry per household: a new finding updates it.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="open"),
                name="solidarity_one_open_per_household",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(closed_reason=""),
                name="solidarity_closed_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.household} ({self.found_on})"


class SolidarityTaskStatus(models.TextChoices):
    TO_DO = "to_do", _("à faire")
    DONE = "done", _("faite")
    CANCELLED = "cancelled", _("annulée")


# Every allowed status change of a solidarity task, in one place: done and cancelled are final.
SOLIDARITY_TASK_TRANSITIONS: dict[str, set[str]] = {
    SolidarityTaskStatus.TO_DO: {SolidarityTaskStatus.DONE, SolidarityTaskStatus.CANCELLED},
    SolidarityTaskStatus.DONE: set(),
    SolidarityTaskStatus.CANCELLED: set(),
}


class SolidarityTask(TimeStampedModel):
    """A helping hand a caretaker gives a household, e.g. "carry groceries for Mrs X, 3rd floor".

    Created by a caller or a supervisor from a call's follow-up (a need for the caretaker's help,
    the solidarity register); the caretaker marks it done with a note from their "today" page.
    """

    Status = SolidarityTaskStatus

    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="+", verbose_name=_("bailleur")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="solidarity_tasks",
        verbose_name=_("ménage"),
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solidarity_tasks",
        verbose_name=_("besoin d'origine"),
    )
    call_log = models.ForeignKey(
        CallLog,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solidarity_tasks",
        verbose_name=_("appel d'origine"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="solidarity_tasks",
        verbose_name=_("gardien(ne)"),
    )
    description = models.CharField(
        _("tâche"),
        max_length=255,
        help_text=_("Par exemple : « Porter les courses de Mme X, 3e étage »."),
    )
    due_on = models.DateField(_("à faire le"))
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=SolidarityTaskStatus.choices,
        default=SolidarityTaskStatus.TO_DO,
    )
    done_note = models.TextField(_("note"), blank=True)
    done_at = models.DateTimeField(_("faite ou annulée le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("demandée par"),
    )

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("tâche solidaire")
        verbose_name_plural = _("tâches solidaires")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SolidarityTaskStatus.values),
                name="solidarity_task_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="to_do") | Q(done_at__isnull=False),
                name="solidarity_task_closed_has_date",
            ),
        ]
        indexes = [
            # The caretaker's "today" page: their open tasks by due date.
            models.Index(
                fields=["assigned_to", "status", "due_on"], name="solidarity_task_mine_idx"
            ),
            # The supervisor's board: a landlord's open tasks by due date.
            models.Index(fields=["landlord", "status", "due_on"], name="solidarity_task_board_idx"),
        ]

    def __str__(self):
        return f"{self.description} ({self.household})"

    def can_become(self, status: str) -> bool:
        return status in SOLIDARITY_TASK_TRANSITIONS[self.status]


class QueueBuildStatus(models.TextChoices):
    QUEUED = "queued", _("demandée")
    RUNNING = "running", _("en cours")
    DONE = "done", _("terminée")
    FAILED = "failed", _("échec")


class QueueBuild(TimeStampedModel):
    """One build or refresh of a campaign's queue: recorded before it is sent to the worker."""

    Status = QueueBuildStatus

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="builds", verbose_name=_("campagne")
    )
    status = models.CharField(
        _("état"), max_length=10, choices=QueueBuildStatus.choices, default=QueueBuildStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandée par"),
    )
    started_at = models.DateTimeField(_("commencée le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    added = models.PositiveIntegerField(_("ajoutés"), default=0)
    removed = models.PositiveIntegerField(_("retirés"), default=0)
    restored = models.PositiveIntegerField(_("remis dans la file"), default=0)
    error = models.TextField(_("erreur"), blank=True)

    objects = scoped_queryset("campaign__landlord").as_manager()

    class Meta:
        verbose_name = _("construction de file")
        verbose_name_plural = _("constructions de file")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.campaign} – {self.get_status_display()}"


# =============================================================================================
# Appointments with advisers (issue 5): availability rules, slots, bookings, reminders and the
# waiting list. Times are stored in UTC and shown in Europe/Paris.


class AdviserKind(models.TextChoices):
    """The two kinds of adviser a tenant can meet (the values are housing.Role values)."""

    RECOVERY_OFFICER = "recovery_officer", _("chargé(e) de recouvrement")
    SOCIAL_ADVISER = "social_adviser", _("conseiller(ère) en économie sociale et familiale")


class AppointmentMode(models.TextChoices):
    AGENCY = "agency", _("à l'agence")
    PHONE = "phone", _("par téléphone")


class AppointmentReason(models.TextChoices):
    RENT_DIFFICULTY = "rent_difficulty", _("difficulté à payer le loyer")
    BUDGET_ADVICE = "budget_advice", _("conseil sur le budget")
    FILE_HELP = "file_help", _("aide pour un dossier")
    OTHER = "other", _("autre")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("réservé")
    CANCELLED = "cancelled", _("annulé")
    DONE = "done", _("honoré")
    NO_SHOW = "no_show", _("absent(e)")


class BookingSettings(TimeStampedModel):
    """A landlord's booking rules; a landlord without a row gets the defaults."""

    landlord = models.OneToOneField(
        Landlord,
        on_delete=models.CASCADE,
        related_name="booking_settings",
        verbose_name=_("bailleur"),
    )
    min_notice_hours = models.PositiveSmallIntegerField(_("délai minimum (heures)"), default=24)
    buffer_minutes = models.PositiveSmallIntegerField(
        _("battement entre deux rendez-vous (minutes)"), default=0
    )
    max_per_day = models.PositiveSmallIntegerField(
        _("rendez-vous par jour et par conseiller, au plus"),
        default=8,
        validators=[MinValueValidator(1)],
    )
    cancel_cutoff_hours = models.PositiveSmallIntegerField(
        _("annulation ou déplacement jusqu'à (heures avant)"), default=2
    )
    max_moves = models.PositiveSmallIntegerField(
        _("déplacements par rendez-vous, au plus"), default=2
    )
    max_upcoming_per_household = models.PositiveSmallIntegerField(
        _("rendez-vous à venir par ménage, au plus"), default=2, validators=[MinValueValidator(1)]
    )
    no_show_limit = models.PositiveSmallIntegerField(
        _("absences avant réservation par le personnel seulement"),
        default=2,
        help_text=_("0 : jamais de limite."),
    )
    no_show_window_days = models.PositiveSmallIntegerField(
        _("période de décompte des absences (jours)"), default=183
    )
    weeks_ahead = models.PositiveSmallIntegerField(
        _("créneaux ouverts à l'avance (semaines)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
    )
    reminder_hours = models.PositiveSmallIntegerField(_("rappel (heures avant)"), default=24)
    offer_hours = models.PositiveSmallIntegerField(
        _("durée d'une proposition de la liste d'attente (heures)"),
        default=2,
        validators=[MinValueValidator(1)],
    )

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("règles de prise de rendez-vous")
        verbose_name_plural = _("règles de prise de rendez-vous")

    def __str__(self):
        return str(self.landlord)

    @classmethod
    def for_landlord(cls, landlord_id: int) -> "BookingSettings":
        found = _booking_settings_of.first(landlord_id=landlord_id)
        return found or cls(landlord_id=landlord_id)


@compiled_query
def _booking_settings_of(*, landlord_id):
    # Read on every booking page: compiled once (portal.compiled).
    return BookingSettings.objects.filter(landlord_id=landlord_id).order_by("pk")[:1]


class AvailabilityRule(TimeStampedModel):
    """Every week, on ``weekday``, an adviser receives at an agency between two times (Paris)."""

    landlord = models.ForeignKey(
        Landlord,
        on_delete=models.CASCADE,
        related_name="availability_rules",
        verbose_name=_("bailleur"),
    )
    agency = models.ForeignKey(
        "housing.Agency",
        on_delete=models.CASCADE,
        related_name="availability_rules",
        verbose_name=_("agence"),
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="availability_rules",
        verbose_name=_("conseiller"),
    )
    kind = models.CharField(_("type de conseiller"), max_length=20, choices=AdviserKind.choices)
    weekday = models.PositiveSmallIntegerField(
        _("jour"),
        choices=[
            (0, _("lundi")),
            (1, _("mardi")),
            (2, _("mercredi")),
            (3, _("jeudi")),
            (4, _("vendredi")),
            (5, _("samedi")),
            (6, _("dimanche")),
        ],
    )
    start_time = models.TimeField(_("de"))
    end_time = models.TimeField(_("à"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("durée d'un créneau (minutes)"),
        default=30,
        validators=[MinValueValidator(10), MaxValueValidator(240)],
    )
    offers_agency = models.BooleanField(_("à l'agence"), default=True)
    offers_phone = models.BooleanField(_("par téléphone"), default=True)
    valid_from = models.DateField(_("à partir du"), null=True, blank=True)
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("disponibilité hebdomadaire")
        verbose_name_plural = _("disponibilités hebdomadaires")
        ordering = ["adviser", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="availability_rule_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6), name="availability_rule_weekday"
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=10) & Q(slot_minutes__lte=240),
                name="availability_rule_slot_length",
            ),
            models.CheckConstraint(
                condition=Q(offers_agency=True) | Q(offers_phone=True),
                name="availability_rule_has_a_mode",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AdviserKind.values), name="availability_rule_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.adviser} – {self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class AvailabilityExceptionKind(models.TextChoices):
    LEAVE = "leave", _("congé")
    TRAINING = "training", _("formation")
    EXTRA = "extra", _("heures supplémentaires")


class AvailabilityException(TimeStampedModel):
    """A period closed to bookings (leave, training) or one-off extra hours at an agency."""

    Kind = AvailabilityExceptionKind

    landlord = models.ForeignKey(
        Landlord,
        on_delete=models.CASCADE,
        related_name="availability_exceptions",
        verbose_name=_("bailleur"),
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="availability_exceptions",
        verbose_name=_("conseiller"),
    )
    kind = models.CharField(_("type"), max_length=10, choices=AvailabilityExceptionKind.choices)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    # Extra hours only: where, as which adviser, how long a slot, which modes.
    agency = models.ForeignKey(
        "housing.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="availability_exceptions",
        verbose_name=_("agence"),
    )
    adviser_kind = models.CharField(
        _("type de conseiller"), max_length=20, choices=AdviserKind.choices, blank=True
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("durée d'un créneau (minutes)"),
        default=30,
        validators=[MinValueValidator(10), MaxValueValidator(240)],
    )
    offers_agency = models.BooleanField(_("à l'agence"), default=True)
    offers_phone = models.BooleanField(_("par téléphone"), default=True)
    note = models.CharField(_("remarque"), max_length=255, blank=True)

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("exception aux disponibilités")
        verbose_name_plural = _("exceptions aux disponibilités")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="availability_exception_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AvailabilityExceptionKind.values),
                name="availability_exception_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind="extra")
                | (Q(agency__isnull=False) & Q(adviser_kind__in=AdviserKind.values)),
                name="availability_exception_extra_has_agency_and_kind",
            ),
        ]

    def __str__(self):
        return f"{self.adviser} – {self.get_kind_display()}"


class SlotQuerySet(ScopedQuerySet):
    landlord_path = "landlord"

    def annotate_booking(self):
        """``booked``: an active booking holds the slot; ``used``: any booking ever did."""
        bookings = Appointment.objects.filter(slot=models.OuterRef("pk"))
        offers = WaitingListEntry.objects.filter(offered_slot=models.OuterRef("pk"))
        return self.annotate(
            booked=models.Exists(bookings.filter(status=AppointmentStatus.BOOKED)),
            used=models.Exists(bookings) | models.Exists(offers),
        )

    def free(self):
        """Open slots with no active booking."""
        return self.filter(is_open=True).exclude(
            models.Exists(
                Appointment.objects.filter(
                    slot=models.OuterRef("pk"), status=AppointmentStatus.BOOKED
                )
            )
        )


class Slot(models.Model):
    """A bookable time of one adviser, generated from the rules; never changed once booked."""

    landlord = models.ForeignKey(
        Landlord, on_delete=models.CASCADE, related_name="slots", verbose_name=_("bailleur")
    )
    agency = models.ForeignKey(
        "housing.Agency", on_delete=models.CASCADE, related_name="slots", verbose_name=_("agence")
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="slots",
        verbose_name=_("conseiller"),
    )
    kind = models.CharField(_("type de conseiller"), max_length=20, choices=AdviserKind.choices)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    offers_agency = models.BooleanField(_("à l'agence"), default=True)
    offers_phone = models.BooleanField(_("par téléphone"), default=True)
    is_open = models.BooleanField(
        _("ouvert"), default=True, help_text=_("Fermé quand les disponibilités ont changé.")
    )

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("créneau")
        verbose_name_plural = _("créneaux")
        ordering = ["start", "adviser"]
        constraints = [
            models.UniqueConstraint(fields=["adviser", "start"], name="slot_unique_adviser_start"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_ends_after_start"),
            models.CheckConstraint(
                condition=Q(offers_agency=True) | Q(offers_phone=True), name="slot_has_a_mode"
            ),
        ]
        indexes = [models.Index(fields=["landlord", "kind", "start"], name="slot_search_idx")]

    def __str__(self):
        return f"{self.adviser} – {self.start:%Y-%m-%d %H:%M} UTC"

    def offers(self, mode: str) -> bool:
        return self.offers_agency if mode == AppointmentMode.AGENCY else self.offers_phone


class Appointment(TimeStampedModel):
    Status = AppointmentStatus
    Mode = AppointmentMode
    Reason = AppointmentReason

    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("bailleur")
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("créneau")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("ménage")
    )
    reason = models.CharField(_("motif"), max_length=20, choices=AppointmentReason.choices)
    details = models.CharField(_("précisions"), max_length=500, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=AppointmentMode.choices)
    phone = PhoneField(_("numéro à appeler"), blank=True)
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    moves = models.PositiveSmallIntegerField(_("déplacements"), default=0)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réservé par"),
    )
    booked_by_staff = models.BooleanField(_("réservé par le personnel"), default=False)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    outcome_note = models.TextField(_("note du conseiller"), blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("noté par"),
    )
    waiting_entry = models.ForeignKey(
        "WaitingListEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("venu de la liste d'attente"),
    )

    objects = scoped_queryset("landlord", "household__people__user").as_manager()

    class Meta:
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        ordering = ["slot__start"]
        constraints = [
            # No double booking, ever: one active booking per slot.
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status="booked"),
                name="appointment_one_active_per_slot",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="appointment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=AppointmentMode.values), name="appointment_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=AppointmentReason.values), name="appointment_reason_valid"
            ),
            models.CheckConstraint(
                condition=~Q(mode="phone") | ~Q(phone=""), name="appointment_phone_has_number"
            ),
        ]
        indexes = [
            models.Index(fields=["household", "status"], name="appointment_household_idx"),
        ]

    def __str__(self):
        return f"{self.household} – {self.slot}"


class Reminder(TimeStampedModel):
    """The reminder e-mail of one appointment: a row staff can see, so a failure is never silent."""

    appointment = models.OneToOneField(
        Appointment,
        on_delete=models.CASCADE,
        related_name="reminder",
        verbose_name=_("rendez-vous"),
    )
    due_at = models.DateTimeField(_("à envoyer le"))
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)

    objects = scoped_queryset("appointment__landlord").as_manager()

    class Meta:
        verbose_name = _("rappel")
        verbose_name_plural = _("rappels")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["sent_at", "due_at"], name="reminder_due_idx")]

    def __str__(self):
        return f"{self.appointment} – {self.due_at:%Y-%m-%d %H:%M} UTC"


class WaitingStatus(models.TextChoices):
    WAITING = "waiting", _("en attente")
    OFFERED = "offered", _("créneau proposé")
    BOOKED = "booked", _("rendez-vous pris")
    EXPIRED = "expired", _("proposition expirée")
    CANCELLED = "cancelled", _("retiré(e)")


class WaitingListEntry(TimeStampedModel):
    """A household waiting for a slot of an adviser type and mode between two dates."""

    Status = WaitingStatus

    landlord = models.ForeignKey(
        Landlord,
        on_delete=models.CASCADE,
        related_name="waiting_entries",
        verbose_name=_("bailleur"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        related_name="waiting_entries",
        verbose_name=_("ménage"),
    )
    kind = models.CharField(_("type de conseiller"), max_length=20, choices=AdviserKind.choices)
    reason = models.CharField(_("motif"), max_length=20, choices=AppointmentReason.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=AppointmentMode.choices)
    phone = PhoneField(_("numéro à appeler"), blank=True)
    earliest = models.DateField(_("à partir du"))
    latest = models.DateField(_("jusqu'au"))
    status = models.CharField(
        _("état"), max_length=10, choices=WaitingStatus.choices, default=WaitingStatus.WAITING
    )
    offered_slot = models.ForeignKey(
        Slot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="waiting_offers",
        verbose_name=_("créneau proposé"),
    )
    offer_expires_at = models.DateTimeField(
        _("proposition valable jusqu'au"), null=True, blank=True
    )

    objects = scoped_queryset("landlord", "household__people__user").as_manager()

    class Meta:
        verbose_name = _("inscription sur la liste d'attente")
        verbose_name_plural = _("liste d'attente")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latest__gte=F("earliest")), name="waiting_entry_range_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=WaitingStatus.values), name="waiting_entry_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="offered")
                | (Q(offered_slot__isnull=False) & Q(offer_expires_at__isnull=False)),
                name="waiting_entry_offer_has_slot_and_expiry",
            ),
            # One slot is offered to one household at a time.
            models.UniqueConstraint(
                fields=["offered_slot"],
                condition=Q(status="offered"),
                name="waiting_entry_one_offer_per_slot",
            ),
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waiting_entry_one_per_household_and_kind",
            ),
        ]

    def __str__(self):
        return f"{self.household} – {self.get_kind_display()}"
