"""Letting and allocation: vacancies, housing applications, scoring, committees (CALEOL), offers.

Rules that need more than one row (quorum, three candidates, cascade of offers) live in
``allocations.services``; what one row can say about itself is a database constraint here.
"""

import datetime
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from housing.models import Dwelling, Estate, Landlord, Typology
from housing.scoping import scoped_queryset
from portal.dates import years_ago
from portal.history import history_user
from portal.models import TimeStampedModel
from tenants.models import Household

# The national unique registration number ("numéro unique"): department (3 digits), year and
# month of registration (4 digits), a sequence and a check letter. Overridable in settings.
DEFAULT_REGISTRATION_NUMBER_PATTERN = r"^\d{3}\d{2}\d{2}\d{5,8}[A-Z]$"


def registration_number_pattern() -> str:
    return getattr(
        settings, "ALLOCATIONS_REGISTRATION_NUMBER_PATTERN", DEFAULT_REGISTRATION_NUMBER_PATTERN
    )


def validate_registration_number(value: str) -> None:
    if not re.fullmatch(registration_number_pattern(), value or ""):
        raise ValidationError(
            gettext("« %(value)s » n'est pas un numéro unique d'enregistrement valide."),
            code="invalid_registration_number",
            params={"value": value},
        )


# ---------------------------------------------------------------------------------------------
# Letting


class VacancyStatus(models.TextChoices):
    TO_LET = "to_let", _("à louer")
    PRESENTED = "presented", _("présenté en commission")
    OFFERED = "offered", _("proposé")
    LET = "let", _("loué")
    WITHDRAWN = "withdrawn", _("retiré")


OPEN_VACANCY_STATUSES = [VacancyStatus.TO_LET, VacancyStatus.PRESENTED, VacancyStatus.OFFERED]


class Vacancy(TimeStampedModel):
    Status = VacancyStatus

    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="vacancies", verbose_name=_("bailleur")
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.PROTECT, related_name="vacancies", verbose_name=_("logement")
    )
    available_from = models.DateField(_("disponible le"))
    rent = models.DecimalField(
        _("loyer mensuel (€)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    charges = models.DecimalField(
        _("charges mensuelles (€)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    description = models.TextField(_("description"), blank=True)
    virtual_visit_url = models.URLField(
        _("visite virtuelle"),
        blank=True,
        help_text=_("Lien vers une visite à 360° ou une vidéo."),
    )
    status = models.CharField(
        _("état"), max_length=20, choices=VacancyStatus.choices, default=VacancyStatus.TO_LET
    )

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("logement à louer")
        verbose_name_plural = _("logements à louer")
        ordering = ["available_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=VacancyStatus.values), name="vacancy_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(rent__gte=0) & Q(charges__gte=0), name="vacancy_money_not_negative"
            ),
            # A dwelling is offered for letting once at a time.
            models.UniqueConstraint(
                fields=["dwelling"],
                condition=Q(status__in=OPEN_VACANCY_STATUSES),
                name="vacancy_one_open_per_dwelling",
                violation_error_message=_("Ce logement est déjà proposé à la location."),
            ),
        ]

    def __str__(self):
        return f"{self.dwelling.reference} – {self.dwelling.typology}"

    @property
    def total_monthly(self):
        return self.rent + self.charges

    @property
    def embeddable_visit_url(self) -> str:
        """The address to put in an iframe, for hosts known to allow it ("" otherwise)."""
        url = self.virtual_visit_url
        match = re.match(r"^https://(?:www\.)?youtube\.com/watch\?v=([\w-]+)", url)
        if match:
            return f"https://www.youtube-nocookie.com/embed/{match.group(1)}"
        if re.match(r"^https://(?:my\.)?matterport\.com/show/", url):
            return url
        match = re.match(r"^https://vimeo\.com/(\d+)", url)
        if match:
            return f"https://player.vimeo.com/video/{match.group(1)}"
        return ""


# ---------------------------------------------------------------------------------------------
# Housing applications and scoring


class Criterion(models.TextChoices):
    DALO = "dalo", _("DALO désigné par le préfet")
    DISABILITY = "disability", _("handicap")
    MUTATION = "mutation", _("mutation (locataire actuel)")
    PRIORITY_TRANSFER = "priority_transfer", _("mutation prioritaire")
    OVER_OCCUPANCY = "over_occupancy", _("sur-occupation")
    VIOLENCE = "violence", _("violences")
    OTHER = "other", _("autre critère de priorité")


# Criteria of the priority groups of article L441-1 (DALO and the listed situations).
PRIORITY_CRITERIA = [
    Criterion.DALO,
    Criterion.DISABILITY,
    Criterion.PRIORITY_TRANSFER,
    Criterion.OVER_OCCUPANCY,
    Criterion.VIOLENCE,
]


class ApplicationStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    HOUSED = "housed", _("satisfaite")
    CANCELLED = "cancelled", _("annulée")


class HousingApplication(TimeStampedModel):
    Status = ApplicationStatus

    landlord = models.ForeignKey(
        Landlord,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("bailleur instructeur"),
    )
    registration_number = models.CharField(
        _("numéro unique"),
        max_length=30,
        unique=True,
        validators=[validate_registration_number],
    )
    applicant_name = models.CharField(_("demandeur"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    registered_on = models.DateField(_("enregistrée le"))
    renewed_on = models.DateField(_("renouvelée le"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=ApplicationStatus.choices, default="active"
    )
    adults = models.PositiveSmallIntegerField(_("adultes"), default=1)
    children = models.PositiveSmallIntegerField(_("enfants"), default=0)
    monthly_income = models.DecimalField(
        _("ressources mensuelles (€)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    wished_estates = models.ManyToManyField(
        Estate, blank=True, related_name="+", verbose_name=_("quartiers souhaités")
    )
    wished_typologies = models.JSONField(
        _("typologies souhaitées"), default=list, blank=True, help_text=_("Par exemple T2, T3.")
    )
    current_household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="housing_applications",
        verbose_name=_("ménage locataire (mutation)"),
    )
    dalo = models.BooleanField(_("DALO désigné par le préfet"), default=False)
    disability = models.BooleanField(_("handicap"), default=False)
    priority_transfer = models.BooleanField(_("mutation prioritaire"), default=False)
    over_occupancy = models.BooleanField(_("sur-occupation"), default=False)
    violence = models.BooleanField(_("violences"), default=False)
    other_priority = models.CharField(_("autre critère de priorité"), max_length=200, blank=True)

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("demande de logement")
        verbose_name_plural = _("demandes de logement")
        ordering = ["registered_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(renewed_on__isnull=True) | Q(renewed_on__gte=models.F("registered_on")),
                name="application_renewed_after_registration",
            ),
            models.CheckConstraint(condition=Q(adults__gte=1), name="application_has_an_adult"),
            # A priority transfer is a transfer: the applicant is a current tenant.
            models.CheckConstraint(
                condition=Q(priority_transfer=False) | Q(current_household__isnull=False),
                name="application_priority_transfer_is_mutation",
            ),
        ]

    def __str__(self):
        return f"{self.registration_number} – {self.applicant_name}"

    def clean(self):
        super().clean()
        if self.priority_transfer and not self.current_household_id:
            raise ValidationError(
                {
                    "current_household": _(
                        "Une mutation prioritaire concerne un ménage déjà locataire."
                    )
                }
            )
        unknown = set(self.wished_typologies or []) - set(Typology.values)
        if unknown:
            raise ValidationError(
                {"wished_typologies": _("Typologies inconnues : %s.") % ", ".join(sorted(unknown))}
            )

    @property
    def household_size(self) -> int:
        return self.adults + self.children

    @property
    def last_renewal(self) -> datetime.date:
        return self.renewed_on or self.registered_on

    def is_expired(self, today: datetime.date | None = None) -> bool:
        """Not renewed within a year of its registration or last renewal."""
        return self.last_renewal < years_ago(1, today)

    @property
    def is_mutation(self) -> bool:
        return self.current_household_id is not None

    def criteria(self) -> list[str]:
        found = [c for c in (Criterion.DALO, Criterion.DISABILITY) if getattr(self, c)]
        if self.is_mutation:
            found.append(Criterion.MUTATION)
        found += [
            c
            for c in (Criterion.PRIORITY_TRANSFER, Criterion.OVER_OCCUPANCY, Criterion.VIOLENCE)
            if getattr(self, c)
        ]
        if self.other_priority:
            found.append(Criterion.OTHER)
        return found


def not_expired(queryset, today: datetime.date | None = None):
    """Applications renewed (or registered) within the last year."""
    limit = years_ago(1, today)
    return queryset.filter(
        Q(renewed_on__gte=limit) | Q(renewed_on__isnull=True, registered_on__gte=limit)
    )


class ScoringGrid(TimeStampedModel):
    """A landlord's points grid (cotation): points per criterion and per month of seniority."""

    landlord = models.OneToOneField(
        Landlord, on_delete=models.CASCADE, related_name="scoring_grid", verbose_name=_("bailleur")
    )
    dalo = models.PositiveSmallIntegerField(_("points DALO"), default=100)
    disability = models.PositiveSmallIntegerField(_("points handicap"), default=40)
    mutation = models.PositiveSmallIntegerField(_("points mutation"), default=10)
    priority_transfer = models.PositiveSmallIntegerField(
        _("points mutation prioritaire"), default=50
    )
    over_occupancy = models.PositiveSmallIntegerField(_("points sur-occupation"), default=30)
    violence = models.PositiveSmallIntegerField(_("points violences"), default=80)
    other = models.PositiveSmallIntegerField(_("points autre critère"), default=10)
    per_month = models.PositiveSmallIntegerField(_("points par mois d'ancienneté"), default=1)

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("grille de cotation")
        verbose_name_plural = _("grilles de cotation")

    def __str__(self):
        return gettext("Grille de cotation – %s") % self.landlord

    def breakdown(
        self, application: HousingApplication, today: datetime.date | None = None
    ) -> list[tuple[str, int]]:
        """(label, points) lines; their sum is the score."""
        today = today or timezone.localdate()
        lines = [(Criterion(c).label, getattr(self, c)) for c in application.criteria()]
        months = (today.year - application.registered_on.year) * 12 + (
            today.month - application.registered_on.month
        )
        if today.day < application.registered_on.day:
            months -= 1
        months = max(months, 0)
        lines.append(
            (
                gettext("ancienneté : %(months)d mois × %(points)d")
                % {"months": months, "points": self.per_month},
                months * self.per_month,
            )
        )
        return lines

    def score(self, application: HousingApplication, today: datetime.date | None = None) -> int:
        return sum(points for _, points in self.breakdown(application, today))


# ---------------------------------------------------------------------------------------------
# Committees


class Committee(TimeStampedModel):
    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="committees", verbose_name=_("bailleur")
    )
    name = models.CharField(_("nom"), max_length=150)
    territory = models.CharField(_("territoire"), max_length=150)
    quorum = models.PositiveSmallIntegerField(
        _("quorum"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Nombre de membres à voix délibérative présents pour siéger."),
    )

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("commission d'attribution (CALEOL)")
        verbose_name_plural = _("commissions d'attribution (CALEOL)")
        ordering = ["landlord__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["landlord", "name"], name="committee_unique_name_per_landlord"
            ),
            models.CheckConstraint(condition=Q(quorum__gte=1), name="committee_quorum_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.territory})"


class MemberRole(models.TextChoices):
    BOARD = "board", _("administrateur du bailleur")
    TENANTS_REPRESENTATIVE = "tenants_representative", _("représentant des locataires")
    MAYOR = "mayor", _("maire ou son représentant")
    PREFECT = "prefect", _("représentant du préfet")
    EPCI = "epci", _("président de l'EPCI")
    ADVISORY = "advisory", _("membre consultatif")


class CommitteeMember(TimeStampedModel):
    Role = MemberRole

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="members", verbose_name=_("commission")
    )
    name = models.CharField(_("nom"), max_length=150)
    role = models.CharField(_("qualité"), max_length=30, choices=MemberRole.choices)
    has_vote = models.BooleanField(_("voix délibérative"), default=True)
    casting_vote = models.BooleanField(
        _("voix prépondérante"), default=False, help_text=_("En cas de partage des voix.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_seats",
        verbose_name=_("compte"),
    )

    objects = scoped_queryset("committee__landlord").as_manager()

    class Meta:
        verbose_name = _("membre de la commission")
        verbose_name_plural = _("membres de la commission")
        ordering = ["committee", "role", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=MemberRole.values), name="member_role_valid"
            ),
            models.UniqueConstraint(
                fields=["committee"],
                condition=Q(casting_vote=True),
                name="member_one_casting_vote_per_committee",
            ),
            models.CheckConstraint(
                condition=Q(casting_vote=False) | Q(has_vote=True),
                name="member_casting_vote_needs_vote",
            ),
        ]

    def __str__(self):
        return f"{self.name} – {self.get_role_display()}"


class SittingMode(models.TextChoices):
    IN_PERSON = "in_person", _("en présentiel")
    REMOTE = "remote", _("dématérialisée")
    HYBRID = "hybrid", _("mixte")


class SittingStatus(models.TextChoices):
    PLANNED = "planned", _("prévue")
    OPEN = "open", _("ouverte")
    CLOSED = "closed", _("close")


class Sitting(TimeStampedModel):
    Mode = SittingMode
    Status = SittingStatus

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="sittings", verbose_name=_("commission")
    )
    date = models.DateTimeField(_("date"))
    mode = models.CharField(_("modalité"), max_length=20, choices=SittingMode.choices)
    place = models.CharField(_("lieu"), max_length=255, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=SittingStatus.choices, default=SittingStatus.PLANNED
    )
    members_present = models.ManyToManyField(
        CommitteeMember, blank=True, related_name="sittings", verbose_name=_("membres présents")
    )
    opened_at = models.DateTimeField(_("ouverte le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)

    objects = scoped_queryset("committee__landlord").as_manager()

    class Meta:
        verbose_name = _("séance")
        verbose_name_plural = _("séances")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SittingStatus.values), name="sitting_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=SittingMode.values), name="sitting_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(mode="remote") | ~Q(place=""), name="sitting_in_person_has_place"
            ),
            models.CheckConstraint(
                condition=Q(mode="in_person") | ~Q(video_link=""),
                name="sitting_remote_has_video_link",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="sitting_closed_has_date",
            ),
        ]

    def __str__(self):
        local = timezone.localtime(self.date)
        return f"{self.committee.name} – {local:%d/%m/%Y %H:%M}"

    def clean(self):
        super().clean()
        if self.mode != SittingMode.REMOTE and not self.place:
            raise ValidationError({"place": _("Indiquez le lieu de la séance.")})
        if self.mode != SittingMode.IN_PERSON and not self.video_link:
            raise ValidationError({"video_link": _("Indiquez le lien de visioconférence.")})

    @property
    def is_closed(self) -> bool:
        return self.status == SittingStatus.CLOSED


class FewerCandidatesReason(models.TextChoices):
    NOT_ENOUGH = "not_enough", _("pas assez de demandes correspondantes")
    DALO = "dalo", _("ménage DALO désigné par le préfet")


MIN_CANDIDATES = 3


class AgendaItem(TimeStampedModel):
    FewerReason = FewerCandidatesReason

    sitting = models.ForeignKey(
        Sitting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("séance")
    )
    vacancy = models.ForeignKey(
        Vacancy, on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("logement")
    )
    fewer_candidates_reason = models.CharField(
        _("motif de moins de trois candidats"),
        max_length=20,
        choices=FewerCandidatesReason.choices,
        blank=True,
    )
    internal_notes = models.TextField(_("notes internes"), blank=True)

    objects = scoped_queryset("sitting__committee__landlord").as_manager()

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("ordre du jour")
        ordering = ["sitting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "vacancy"],
                name="agenda_item_vacancy_once_per_sitting",
                violation_error_message=_("Ce logement est déjà à l'ordre du jour de la séance."),
            ),
            models.CheckConstraint(
                condition=Q(fewer_candidates_reason="")
                | Q(fewer_candidates_reason__in=FewerCandidatesReason.values),
                name="agenda_item_reason_valid",
            ),
        ]

    def __str__(self):
        return str(self.vacancy)


class Candidacy(TimeStampedModel):
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="candidacies", verbose_name=_("point")
    )
    application = models.ForeignKey(
        HousingApplication,
        on_delete=models.PROTECT,
        related_name="candidacies",
        verbose_name=_("demande"),
    )
    score = models.PositiveIntegerField(_("cotation"), default=0)

    objects = scoped_queryset("agenda_item__sitting__committee__landlord").as_manager()

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["agenda_item", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "application"],
                name="candidacy_once_per_item",
                violation_error_message=_("Ce demandeur est déjà candidat pour ce logement."),
            ),
        ]

    def __str__(self):
        return str(self.application)


class DecisionKind(models.TextChoices):
    ALLOCATION = "allocation", _("attribution")
    RANKED = "ranked", _("attribution par rang")
    CONDITIONAL = "conditional", _("attribution sous condition suspensive")
    NON_ALLOCATION = "non_allocation", _("non-attribution")
    INADMISSIBLE = "inadmissible", _("irrecevabilité")


ALLOCATING_KINDS = [DecisionKind.ALLOCATION, DecisionKind.RANKED, DecisionKind.CONDITIONAL]


class Decision(TimeStampedModel):
    Kind = DecisionKind

    candidacy = models.OneToOneField(
        Candidacy, on_delete=models.CASCADE, related_name="decision", verbose_name=_("candidature")
    )
    # Kept on the row so that "one rank 1 per vacancy" is a constraint of the database.
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("point")
    )
    kind = models.CharField(_("décision"), max_length=20, choices=DecisionKind.choices)
    rank = models.PositiveSmallIntegerField(_("rang"), null=True, blank=True)
    reason = models.TextField(_("motif"), blank=True)
    missing_document = models.CharField(_("pièce manquante"), max_length=200, blank=True)
    document_deadline = models.DateField(_("à fournir avant le"), null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("voix pour"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("voix contre"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisie par"),
    )

    objects = scoped_queryset("agenda_item__sitting__committee__landlord").as_manager()
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["agenda_item", "rank", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DecisionKind.values), name="decision_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["agenda_item"],
                condition=Q(rank=1),
                name="decision_one_rank_one_per_item",
                violation_error_message=_("Un seul candidat au rang 1 par logement."),
            ),
            models.UniqueConstraint(
                fields=["agenda_item", "rank"], name="decision_rank_once_per_item"
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=ALLOCATING_KINDS) & Q(rank__gte=1))
                | (~Q(kind__in=ALLOCATING_KINDS) & Q(rank__isnull=True)),
                name="decision_rank_only_for_allocations",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[DecisionKind.NON_ALLOCATION, DecisionKind.INADMISSIBLE])
                | ~Q(reason=""),
                name="decision_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind=DecisionKind.CONDITIONAL)
                | (~Q(missing_document="") & Q(document_deadline__isnull=False)),
                name="decision_condition_has_document_and_deadline",
            ),
        ]

    def __str__(self):
        label = self.get_kind_display()
        if self.rank:
            label = gettext("%(kind)s (rang %(rank)d)") % {"kind": label, "rank": self.rank}
        return f"{self.candidacy} – {label}"


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("en attente de réponse")
    ACCEPTED = "accepted", _("acceptée")
    REFUSED = "refused", _("refusée")
    EXPIRED = "expired", _("sans réponse dans le délai")


class Offer(TimeStampedModel):
    Status = OfferStatus

    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, related_name="offer", verbose_name=_("décision")
    )
    vacancy = models.ForeignKey(
        Vacancy, on_delete=models.PROTECT, related_name="offers", verbose_name=_("logement")
    )
    application = models.ForeignKey(
        HousingApplication,
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("demande"),
    )
    sent_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    deadline = models.DateField(_("réponse attendue au plus tard le"))
    status = models.CharField(
        _("état"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    answered_at = models.DateTimeField(_("réponse le"), null=True, blank=True)

    objects = scoped_queryset("vacancy__landlord").as_manager()

    class Meta:
        verbose_name = _("proposition de logement")
        verbose_name_plural = _("propositions de logement")
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OfferStatus.values), name="offer_status_valid"
            ),
            # One offer waits for an answer per vacancy: the cascade cannot issue two.
            models.UniqueConstraint(
                fields=["vacancy"],
                condition=Q(status="pending"),
                name="offer_one_pending_per_vacancy",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(answered_at__isnull=False),
                name="offer_answered_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.vacancy} – {self.application}"


# ---------------------------------------------------------------------------------------------
# Occupancy review (article L442-5-2)


class OccupancySituation(models.TextChoices):
    OVER_OCCUPANCY = "over_occupancy", _("sur-occupation")
    UNDER_OCCUPANCY = "under_occupancy", _("sous-occupation")
    ADAPTED_NOT_NEEDED = "adapted_not_needed", _("logement adapté au handicap plus nécessaire")
    INCOME_OVER_CEILING = "income_over_ceiling", _("ressources au-dessus du plafond")


class OccupancyReview(TimeStampedModel):
    """A household whose occupancy a sitting examines, and the committee's finding."""

    Situation = OccupancySituation

    sitting = models.ForeignKey(
        Sitting,
        on_delete=models.CASCADE,
        related_name="occupancy_reviews",
        verbose_name=_("séance"),
    )
    lease = models.ForeignKey(
        "tenants.Lease", on_delete=models.PROTECT, related_name="+", verbose_name=_("bail")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("ménage")
    )
    situations = models.JSONField(_("situations relevées"), default=list)
    finding = models.TextField(_("constat de la commission"), blank=True)
    finding_recorded_at = models.DateTimeField(_("constat enregistré le"), null=True, blank=True)

    objects = scoped_queryset("household__landlord").as_manager()

    class Meta:
        verbose_name = _("examen de l'occupation")
        verbose_name_plural = _("examens de l'occupation")
        ordering = ["sitting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "lease"],
                name="occupancy_review_once_per_sitting",
                violation_error_message=_("Ce bail est déjà à l'ordre du jour de la séance."),
            ),
            models.CheckConstraint(
                condition=Q(finding_recorded_at__isnull=True) | ~Q(finding=""),
                name="occupancy_review_finding_has_text",
            ),
        ]

    def __str__(self):
        return str(self.household)

    @property
    def situation_labels(self) -> list[str]:
        return [str(OccupancySituation(s).label) for s in self.situations]


# ---------------------------------------------------------------------------------------------
# What follows the committee: letters sent, letting steps, vacancy photos and visit slots


class LetterKind(models.TextChoices):
    DECISION = "decision", _("lettre de décision")
    OFFER = "offer", _("lettre de proposition")
    OCCUPANCY = "occupancy", _("notification du constat d'occupation")


class LetterDispatch(TimeStampedModel):
    """A letter e-mailed once: the row is written before the e-mail leaves, in one transaction,
    so a task that runs twice finds it and sends nothing more."""

    Kind = LetterKind

    kind = models.CharField(_("lettre"), max_length=20, choices=LetterKind.choices)
    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="+", verbose_name=_("bailleur")
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("décision"),
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("proposition"),
    )
    occupancy_review = models.ForeignKey(
        OccupancyReview,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("examen de l'occupation"),
    )
    recipient = models.EmailField(_("destinataire"))
    sent_at = models.DateTimeField(_("envoyée le"), default=timezone.now)

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("lettre envoyée")
        verbose_name_plural = _("lettres envoyées")
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=LetterKind.values), name="letter_kind_valid"
            ),
            # Exactly the object of its kind is set.
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=LetterKind.DECISION,
                        decision__isnull=False,
                        offer__isnull=True,
                        occupancy_review__isnull=True,
                    )
                    | Q(
                        kind=LetterKind.OFFER,
                        decision__isnull=True,
                        offer__isnull=False,
                        occupancy_review__isnull=True,
                    )
                    | Q(
                        kind=LetterKind.OCCUPANCY,
                        decision__isnull=True,
                        offer__isnull=True,
                        occupancy_review__isnull=False,
                    )
                ),
                name="letter_object_matches_kind",
            ),
            # Each letter is sent once.
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(kind=LetterKind.DECISION),
                name="letter_decision_sent_once",
            ),
            models.UniqueConstraint(
                fields=["offer"], condition=Q(kind=LetterKind.OFFER), name="letter_offer_sent_once"
            ),
            models.UniqueConstraint(
                fields=["occupancy_review"],
                condition=Q(kind=LetterKind.OCCUPANCY),
                name="letter_occupancy_sent_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.recipient}"


class LettingStep(models.TextChoices):
    OFFER_ISSUED = "offer_issued", _("proposition envoyée")
    OFFER_ACCEPTED = "offer_accepted", _("proposition acceptée")
    OFFER_REFUSED = "offer_refused", _("proposition refusée")
    OFFER_EXPIRED = "offer_expired", _("proposition sans réponse dans le délai")
    LEASE_DRAFTED = "lease_drafted", _("bail préparé")
    VACANCY_LET = "vacancy_let", _("logement loué")
    BACK_TO_LET = "back_to_let", _("logement remis en location")


class LettingEvent(models.Model):
    """One step of a vacancy's letting after the committee, in the order it happened."""

    Step = LettingStep

    vacancy = models.ForeignKey(
        Vacancy, on_delete=models.CASCADE, related_name="events", verbose_name=_("logement")
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("proposition"),
    )
    step = models.CharField(_("étape"), max_length=20, choices=LettingStep.choices)
    detail = models.CharField(_("précision"), max_length=255, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    at = models.DateTimeField(_("le"), default=timezone.now)

    objects = scoped_queryset("vacancy__landlord").as_manager()

    class Meta:
        verbose_name = _("étape de la location")
        verbose_name_plural = _("étapes de la location")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(step__in=LettingStep.values), name="letting_event_step_valid"
            ),
        ]
        indexes = [
            # The history of one vacancy, in order (vacancy page, admin).
            models.Index(fields=["vacancy", "at"], name="letting_event_vacancy_idx"),
        ]

    def __str__(self):
        return f"{self.vacancy} – {self.get_step_display()}"


# An applicant sees a vacancy's photos and visit slots once they are a candidate for it.
APPLICANT_PATH = "vacancy__agenda_items__candidacies__application__current_household__people__user"


def vacancy_photo_path(instance, filename: str) -> str:
    # A random name: nothing of the uploaded file's name is kept.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"logements-a-louer/{instance.vacancy.landlord_id}/{uuid.uuid4().hex}.{extension}"


class VacancyPhoto(models.Model):
    """A photo of a vacancy, re-encoded without metadata; served only through a scoped view."""

    vacancy = models.ForeignKey(
        Vacancy, on_delete=models.CASCADE, related_name="photos", verbose_name=_("logement")
    )
    image = models.FileField(_("photo"), upload_to=vacancy_photo_path, max_length=200)
    caption = models.CharField(_("légende"), max_length=150)
    content_type = models.CharField(_("type"), max_length=30)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("envoyée par"),
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    objects = scoped_queryset("vacancy__landlord", APPLICANT_PATH).as_manager()

    class Meta:
        verbose_name = _("photo d'un logement à louer")
        verbose_name_plural = _("photos des logements à louer")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.caption


class VisitSlot(TimeStampedModel):
    """A physical visit of a vacancy that one applicant (or staff for them) can book."""

    vacancy = models.ForeignKey(
        Vacancy, on_delete=models.CASCADE, related_name="visit_slots", verbose_name=_("logement")
    )
    starts_at = models.DateTimeField(_("début"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"), default=30, validators=[MinValueValidator(5)]
    )
    meeting_point = models.CharField(_("lieu de rendez-vous"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )

    objects = scoped_queryset("vacancy__landlord", APPLICANT_PATH).as_manager()

    class Meta:
        verbose_name = _("créneau de visite")
        verbose_name_plural = _("créneaux de visite")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vacancy", "starts_at"],
                name="visit_slot_once_per_vacancy",
                violation_error_message=_("Ce créneau existe déjà pour ce logement."),
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5), name="visit_slot_duration_positive"
            ),
        ]
        indexes = [
            # The slots of one vacancy still to come (vacancy page, applicant page).
            models.Index(fields=["vacancy", "starts_at"], name="visit_slot_vacancy_idx"),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.vacancy} – {local:%d/%m/%Y %H:%M}"


class VisitBookingStatus(models.TextChoices):
    BOOKED = "booked", _("réservée")
    CANCELLED = "cancelled", _("annulée")


class VisitBooking(TimeStampedModel):
    Status = VisitBookingStatus

    slot = models.ForeignKey(
        VisitSlot, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("créneau")
    )
    application = models.ForeignKey(
        HousingApplication,
        on_delete=models.PROTECT,
        related_name="visit_bookings",
        verbose_name=_("demande"),
    )
    status = models.CharField(
        _("état"),
        max_length=20,
        choices=VisitBookingStatus.choices,
        default=VisitBookingStatus.BOOKED,
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réservée par"),
    )
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    objects = scoped_queryset(
        "slot__vacancy__landlord", "application__current_household__people__user"
    ).as_manager()

    class Meta:
        verbose_name = _("visite réservée")
        verbose_name_plural = _("visites réservées")
        ordering = ["slot__starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=VisitBookingStatus.values), name="visit_booking_status_valid"
            ),
            # A slot is booked by one applicant at a time (a cancelled booking frees it).
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status="booked"),
                name="visit_booking_one_per_slot",
                violation_error_message=_("Ce créneau de visite est déjà réservé."),
            ),
            models.CheckConstraint(
                condition=Q(status="booked") | Q(cancelled_at__isnull=False),
                name="visit_booking_cancelled_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.slot} – {self.application}"


# ---------------------------------------------------------------------------------------------
# Rehousing before a demolition


class RehousingStatus(models.TextChoices):
    TO_MEET = "to_meet", _("à rencontrer")
    WISHES_RECORDED = "wishes_recorded", _("souhaits recueillis")
    OFFER_MADE = "offer_made", _("proposition faite")
    OFFER_ACCEPTED = "offer_accepted", _("proposition acceptée")
    MOVED = "moved", _("relogé, a déménagé")
    OTHER_SOLUTION = "other_solution", _("autre solution")


# Files still to work on: the "left to rehouse" of the progress figures.
REHOUSING_OPEN_STATUSES = [
    RehousingStatus.TO_MEET,
    RehousingStatus.WISHES_RECORDED,
    RehousingStatus.OFFER_MADE,
    RehousingStatus.OFFER_ACCEPTED,
]


class RehousingFile(TimeStampedModel):
    """A household to rehouse because its building is demolished (one per household and building)."""

    Status = RehousingStatus

    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="+", verbose_name=_("bailleur")
    )
    site = models.ForeignKey(
        "housing.WorksSite",
        on_delete=models.PROTECT,
        related_name="rehousing_files",
        verbose_name=_("chantier de démolition"),
    )
    building = models.ForeignKey(
        "housing.Building",
        on_delete=models.PROTECT,
        related_name="rehousing_files",
        verbose_name=_("immeuble démoli"),
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.PROTECT, related_name="+", verbose_name=_("logement quitté")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="rehousing_files",
        verbose_name=_("ménage"),
    )
    status = models.CharField(
        _("état"), max_length=20, choices=RehousingStatus.choices, default=RehousingStatus.TO_MEET
    )
    wished_estates = models.ManyToManyField(
        Estate, blank=True, related_name="+", verbose_name=_("quartiers souhaités")
    )
    wished_areas = models.CharField(
        _("autres secteurs souhaités"),
        max_length=255,
        blank=True,
        help_text=_("Par exemple « près de l'école Les Buttes », « Échirolles centre »."),
    )
    wished_typology = models.CharField(
        _("typologie souhaitée"), max_length=2, choices=Typology.choices, blank=True
    )
    followed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suivi par"),
    )
    opened_on = models.DateField(_("ouvert le"))
    met_on = models.DateField(_("rencontré le"), null=True, blank=True)
    moved_on = models.DateField(_("déménagé le"), null=True, blank=True)
    offer = models.ForeignKey(
        "Offer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposition de logement"),
    )
    note = models.TextField(
        _("notes"), blank=True, help_text=_("Obligatoire pour « autre solution » : laquelle.")
    )

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("dossier de relogement")
        verbose_name_plural = _("dossiers de relogement")
        ordering = ["building__name", "household__name"]
        constraints = [
            # Opening the files twice creates nothing new (INSERT … ON CONFLICT DO NOTHING).
            models.UniqueConstraint(
                fields=["household", "building"], name="rehousing_one_file_per_household"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RehousingStatus.values), name="rehousing_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=RehousingStatus.MOVED) | Q(moved_on__isnull=False),
                name="rehousing_moved_has_date",
                violation_error_message=_("Indiquez la date du déménagement."),
            ),
            models.CheckConstraint(
                condition=~Q(status=RehousingStatus.OTHER_SOLUTION) | ~Q(note=""),
                name="rehousing_other_solution_has_note",
                violation_error_message=_("Décrivez l'autre solution trouvée dans les notes."),
            ),
        ]
        indexes = [
            # Progress figures: files per site (and building) by status.
            models.Index(fields=["site", "building", "status"], name="rehousing_progress_idx"),
        ]

    def __str__(self):
        return f"{self.household} – {self.building}"
