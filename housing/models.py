import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from housing.scoping import ScopedQuerySet, scoped_queryset
from portal.fields import PhoneField
from portal.models import TimeStampedModel


class Landlord(TimeStampedModel):
    class Kind(models.TextChoices):
        OPH = "oph", _("Office public de l'habitat (OPH)")
        ESH = "esh", _("Entreprise sociale pour l'habitat (ESH)")

    slug = models.SlugField(_("identifiant"), max_length=50, unique=True)
    name = models.CharField(_("nom"), max_length=150)
    kind = models.CharField(_("statut"), max_length=3, choices=Kind.choices)
    email = models.EmailField(_("e-mail de contact"), blank=True)
    phone = PhoneField(_("téléphone"), blank=True)
    website = models.URLField(_("site internet"), blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    two_factor_for_all_staff = models.BooleanField(
        _("double authentification pour tout le personnel"),
        default=False,
        help_text=_(
            "Elle est toujours exigée des administrateurs, des responsables de campagne et du "
            "secrétariat de la CALEOL ; cochez pour l'exiger aussi des autres rôles."
        ),
    )

    objects = scoped_queryset(landlord_path="").as_manager()

    class Meta:
        verbose_name = _("bailleur social")
        verbose_name_plural = _("bailleurs sociaux")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Agency(TimeStampedModel):
    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("bailleur")
    )
    name = models.CharField(_("nom"), max_length=150)
    address = models.CharField(_("adresse"), max_length=255)
    postal_code = models.CharField(_("code postal"), max_length=5)
    city = models.CharField(_("commune"), max_length=100)
    email = models.EmailField(_("e-mail"))
    phone = PhoneField(_("téléphone"), blank=True)
    opening_hours = models.TextField(
        _("horaires d'ouverture"),
        blank=True,
        help_text=_("Par exemple : « du lundi au vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h »."),
    )

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("agence")
        verbose_name_plural = _("agences")
        ordering = ["landlord__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["landlord", "name"], name="agency_unique_name_per_landlord"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.landlord})"


class Estate(TimeStampedModel):
    """A neighbourhood shared by several landlords: public information, not scoped."""

    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    name = models.CharField(_("nom"), max_length=150)
    city = models.CharField(_("commune"), max_length=100)

    class Meta:
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class BuildingStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("en service")
    REHABILITATION = "rehabilitation", _("en réhabilitation")
    BEING_DEMOLISHED = "being_demolished", _("en cours de démolition")
    DEMOLISHED = "demolished", _("démoli")


class Building(TimeStampedModel):
    Status = BuildingStatus

    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("bailleur")
    )
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("quartier")
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="buildings",
        verbose_name=_("agence"),
    )
    reference = models.CharField(_("référence"), max_length=30)
    name = models.CharField(_("nom"), max_length=150, help_text=_("Par exemple « 7-9 Limousin »."))
    address = models.CharField(_("adresse"), max_length=255)
    postal_code = models.CharField(_("code postal"), max_length=5)
    city = models.CharField(_("commune"), max_length=100)
    floors = models.PositiveSmallIntegerField(_("nombre d'étages"), default=0)
    has_lift = models.BooleanField(_("ascenseur"), default=False)
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.IN_SERVICE
    )

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("immeuble")
        verbose_name_plural = _("immeubles")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["landlord", "reference"], name="building_unique_reference_per_landlord"
            ),
            models.CheckConstraint(
                condition=Q(status__in=BuildingStatus.values), name="building_status_valid"
            ),
        ]

    def __str__(self):
        return self.name


class Typology(models.TextChoices):
    T1 = "T1", "T1"
    T2 = "T2", "T2"
    T3 = "T3", "T3"
    T4 = "T4", "T4"
    T5 = "T5", "T5"
    T6 = "T6", "T6"


class DwellingStatus(models.TextChoices):
    OCCUPIED = "occupied", _("occupé")
    VACANT = "vacant", _("vacant")
    UNDER_WORKS = "under_works", _("en travaux")
    WITHDRAWN = "withdrawn", _("retiré de la location")


class Dwelling(TimeStampedModel):
    Typology = Typology

    Status = DwellingStatus

    # The landlord is the building's; it is kept on the row so that references are unique per
    # landlord in the database and scoping needs no join.
    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="dwellings", verbose_name=_("bailleur")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="dwellings", verbose_name=_("immeuble")
    )
    reference = models.CharField(_("référence"), max_length=30)
    typology = models.CharField(_("typologie"), max_length=2, choices=Typology.choices)
    floor = models.SmallIntegerField(
        _("étage"), default=0, help_text=_("0 pour le rez-de-chaussée.")
    )
    door = models.CharField(_("porte"), max_length=20, blank=True)
    surface = models.DecimalField(
        _("surface (m²)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1"))],
    )
    rent = models.DecimalField(
        _("loyer mensuel (€)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    charges = models.DecimalField(
        _("charges mensuelles (€)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.VACANT
    )
    adapted_reduced_mobility = models.BooleanField(
        _("adapté aux personnes à mobilité réduite"), default=False
    )

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("logement")
        verbose_name_plural = _("logements")
        ordering = ["building__name", "floor", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["landlord", "reference"], name="dwelling_unique_reference_per_landlord"
            ),
            models.CheckConstraint(condition=Q(surface__gt=0), name="dwelling_surface_positive"),
            models.CheckConstraint(
                condition=Q(rent__gte=0) & Q(charges__gte=0), name="dwelling_money_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(typology__in=Typology.values), name="dwelling_typology_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DwellingStatus.values), name="dwelling_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.reference} – {self.typology}, {self.building}"

    def clean(self):
        super().clean()
        if self.building_id and self.landlord_id and self.building.landlord_id != self.landlord_id:
            raise ValidationError(
                {"landlord": _("Le bailleur du logement doit être celui de son immeuble.")}
            )

    @property
    def total_monthly(self) -> Decimal:
        return self.rent + self.charges


class Role(models.TextChoices):
    LANDLORD_ADMIN = "landlord_admin", _("administrateur du bailleur")
    SUPERVISOR = "supervisor", _("responsable de campagne")
    CALLER = "caller", _("chargé(e) de relation clientèle")
    RECOVERY_OFFICER = "recovery_officer", _("chargé(e) de recouvrement")
    SOCIAL_ADVISER = "social_adviser", _("conseiller(ère) en économie sociale et familiale")
    LETTING_AGENT = "letting_agent", _("chargé(e) de commercialisation")
    CARETAKER = "caretaker", _("gardien(ne) ou assistant(e) de résidence")
    TECHNICIAN = "technician", _("technicien(ne)")
    COMMITTEE_SECRETARY = "committee_secretary", _("secrétariat de la CALEOL")


class StaffMembership(TimeStampedModel):
    """A staff member's role at one landlord: the only thing that opens a landlord's data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("utilisateur"),
    )
    landlord = models.ForeignKey(
        Landlord, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("bailleur")
    )
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("agence"),
    )

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("rôle d'un membre du personnel")
        verbose_name_plural = _("rôles du personnel")
        ordering = ["landlord__name", "user__email"]
        constraints = [
            # Its index, led by user, also serves staff_landlord_ids() on every request.
            models.UniqueConstraint(
                fields=["user", "landlord", "role"], name="membership_unique_role_per_landlord"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} ({self.landlord})"


# ---------------------------------------------------------------------------------------------
# Works sites (chantiers): rehabilitation, demolition… with their timeline and tenant notices


class WorksKind(models.TextChoices):
    REHABILITATION = "rehabilitation", _("réhabilitation")
    DEMOLITION = "demolition", _("démolition")
    RESIDENTIALISATION = "residentialisation", _("résidentialisation")
    MAINTENANCE = "maintenance", _("gros entretien")


class WorksEventKind(models.TextChoices):
    ANNOUNCED = "announced", _("annoncé")
    STARTED = "started", _("commencé")
    SUSPENDED = "suspended", _("suspendu")
    RESUMED = "resumed", _("repris")
    COMPLETED = "completed", _("terminé")


class WorksStatus(models.TextChoices):
    """A site's status: the kind of its last event (housing.works derives it, in one place)."""

    PLANNED = "planned", _("prévu")
    ANNOUNCED = "announced", _("annoncé")
    STARTED = "started", _("en cours")
    SUSPENDED = "suspended", _("suspendu")
    RESUMED = "resumed", _("repris")
    COMPLETED = "completed", _("terminé")


class WorksSite(TimeStampedModel):
    Kind = WorksKind

    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="works_sites", verbose_name=_("bailleur")
    )
    kind = models.CharField(_("nature des travaux"), max_length=20, choices=WorksKind.choices)
    name = models.CharField(
        _("nom"), max_length=150, help_text=_("Par exemple « Démolition du 7-9 Limousin ».")
    )
    buildings = models.ManyToManyField(
        Building, related_name="works_sites", verbose_name=_("immeubles concernés")
    )
    contractor = models.CharField(_("entreprise"), max_length=150, blank=True)
    description = models.TextField(
        _("description publique"),
        blank=True,
        help_text=_("Affichée sur la page publique des travaux : aucune donnée personnelle."),
    )
    planned_start = models.DateField(_("début prévu"))
    planned_end = models.DateField(_("fin prévue"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("chantier")
        verbose_name_plural = _("chantiers")
        ordering = ["-planned_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=WorksKind.values), name="works_site_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="works_site_ends_after_start",
                violation_error_message=_(
                    "La fin prévue ne peut pas précéder le début prévu : corrigez l'une des deux "
                    "dates, ou laissez la fin vide si elle n'est pas connue."
                ),
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="works_site_budget_not_negative",
            ),
        ]

    def __str__(self):
        return self.name


class WorksEvent(TimeStampedModel):
    """One step of a site's timeline; the site's status is the kind of its last event."""

    Kind = WorksEventKind

    site = models.ForeignKey(
        WorksSite, on_delete=models.CASCADE, related_name="events", verbose_name=_("chantier")
    )
    kind = models.CharField(_("événement"), max_length=20, choices=WorksEventKind.choices)
    date = models.DateField(_("date"))
    reason = models.CharField(
        _("motif"),
        max_length=255,
        blank=True,
        help_text=_("Obligatoire pour une suspension, par exemple « confinement »."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistré par"),
    )

    objects = scoped_queryset("site__landlord").as_manager()

    class Meta:
        verbose_name = _("événement de chantier")
        verbose_name_plural = _("événements de chantier")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=WorksEventKind.values), name="works_event_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=WorksEventKind.SUSPENDED) | ~Q(reason=""),
                name="works_event_suspension_has_reason",
            ),
            # A site is announced, started and completed once; suspensions may repeat.
            models.UniqueConstraint(
                fields=["site", "kind"],
                condition=Q(kind__in=["announced", "started", "completed"]),
                name="works_event_once_per_site",
            ),
        ]
        indexes = [
            # The status annotation: the last event of each site (site, date desc, pk desc).
            models.Index(fields=["site", "-date", "-id"], name="works_event_site_last_idx"),
        ]

    def __str__(self):
        return f"{self.site} – {self.get_kind_display()} ({self.date:%d/%m/%Y})"


class WorksNoticeQuerySet(ScopedQuerySet):
    landlord_path = "site__landlord"

    def published(self):
        return self.filter(published_on__isnull=False)


def works_notice_photo_path(instance, filename: str) -> str:
    # A random name outside any public URL: photos are served by a scoped view only.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"chantiers/{instance.site.landlord_id}/{uuid.uuid4().hex}.{extension}"


class WorksNotice(TimeStampedModel):
    """News of a works site for the tenants of its buildings (and the public page once published)."""

    site = models.ForeignKey(
        WorksSite, on_delete=models.CASCADE, related_name="notices", verbose_name=_("chantier")
    )
    title = models.CharField(_("titre"), max_length=150)
    body = models.TextField(_("texte"))
    published_on = models.DateField(
        _("publié le"), null=True, blank=True, help_text=_("Vide tant que l'avis est un brouillon.")
    )
    photo = models.FileField(
        _("photo"), upload_to=works_notice_photo_path, max_length=200, blank=True
    )
    photo_content_type = models.CharField(_("type de la photo"), max_length=30, blank=True)
    notify_tenants = models.BooleanField(_("prévenir les locataires par e-mail"), default=False)
    emailed_at = models.DateTimeField(
        _("envoyé par e-mail le"),
        null=True,
        blank=True,
        help_text=_("Marque l'envoi : un avis n'est envoyé qu'une fois."),
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rédigé par"),
    )

    objects = WorksNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("avis de chantier")
        verbose_name_plural = _("avis de chantier")
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(emailed_at__isnull=True) | Q(published_on__isnull=False),
                name="works_notice_emailed_once_published",
            ),
        ]
        indexes = [
            # Tenants' and public lists: a site's published notices, newest first.
            models.Index(fields=["site", "-published_on"], name="works_notice_site_pub_idx"),
        ]

    def __str__(self):
        return self.title


# =============================================================================================
# Caretakers' duties (issue 7): who looks after which building, the rounds due there and what
# was done. A round due on a day and not ticked by the end of that day is "missed": computed from
# the rounds and the completions (never stored), so changing a round's days never leaves stale
# "missed" rows behind.


class CaretakerAssignment(TimeStampedModel):
    """A caretaker (gardien, assistant de résidence) looks after a building."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="caretaker_assignments",
        verbose_name=_("gardien(ne)"),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.CASCADE,
        related_name="caretaker_assignments",
        verbose_name=_("immeuble"),
    )

    objects = scoped_queryset("building__landlord").as_manager()

    class Meta:
        verbose_name = _("affectation d'un gardien")
        verbose_name_plural = _("affectations des gardiens")
        ordering = ["building__name", "user__last_name"]
        constraints = [
            # Its index, led by user, also serves "the buildings of this caretaker" on every page.
            models.UniqueConstraint(
                fields=["user", "building"], name="caretaker_assignment_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.building}"


class DutyKind(models.TextChoices):
    CLEANING = "cleaning", _("ménage des parties communes")
    WASTE_OUT = "waste_out", _("sortie des ordures ménagères")
    WASTE_IN = "waste_in", _("rentrée des bacs d'ordures ménagères")
    INSPECTION = "inspection", _("ronde de contrôle")


WEEKDAY_LABELS = [
    _("lundi"),
    _("mardi"),
    _("mercredi"),
    _("jeudi"),
    _("vendredi"),
    _("samedi"),
    _("dimanche"),
]
ALL_WEEKDAYS = 0b1111111


def weekday_bit(weekday: int) -> int:
    """The bit of a weekday (0 = Monday, as ``date.weekday()``) in ``DutyRound.weekdays``."""
    return 1 << weekday


class DutyRound(TimeStampedModel):
    """A duty done in a building on some weekdays: cleaning, household waste out or in, inspection.

    The weekdays are a 7-bit mask (bit 0 = Monday): one integer column that SQLite and PostgreSQL
    both filter and add up with a bitwise AND, so "due today" and the weekly board are plain SQL.
    """

    Kind = DutyKind

    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="duty_rounds", verbose_name=_("immeuble")
    )
    kind = models.CharField(_("tâche"), max_length=20, choices=DutyKind.choices)
    weekdays = models.PositiveSmallIntegerField(
        _("jours"),
        default=0b0011111,
        help_text=_("Jours où la tournée est due (lundi à dimanche)."),
    )
    time = models.TimeField(_("heure"), null=True, blank=True)
    details = models.CharField(_("précisions"), max_length=255, blank=True)
    starts_on = models.DateField(
        _("à partir du"), help_text=_("Premier jour où la tournée est due.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = scoped_queryset("building__landlord").as_manager()

    class Meta:
        verbose_name = _("tournée")
        verbose_name_plural = _("tournées")
        ordering = ["building__name", "time", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DutyKind.values), name="duty_round_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(weekdays__gte=1) & Q(weekdays__lte=ALL_WEEKDAYS),
                name="duty_round_weekdays_valid",
            ),
        ]
        indexes = [
            # The caretaker's "today" page and the weekly board: a building's active rounds.
            models.Index(fields=["building", "is_active"], name="duty_round_building_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.building}"

    def is_due_on(self, day) -> bool:
        return bool(self.weekdays & weekday_bit(day.weekday())) and day >= self.starts_on

    @property
    def weekday_labels(self) -> list[str]:
        return [
            str(label) for day, label in enumerate(WEEKDAY_LABELS) if self.weekdays & (1 << day)
        ]


class DutyCompletion(TimeStampedModel):
    """A round done on a day, by whom, with an optional note."""

    round = models.ForeignKey(
        DutyRound, on_delete=models.CASCADE, related_name="completions", verbose_name=_("tournée")
    )
    date = models.DateField(_("jour"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="duty_completions",
        verbose_name=_("faite par"),
    )
    done_at = models.DateTimeField(_("faite le"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = scoped_queryset("round__building__landlord").as_manager()

    class Meta:
        verbose_name = _("tournée faite")
        verbose_name_plural = _("tournées faites")
        ordering = ["-date", "round"]
        constraints = [
            # A round is done once a day; its index also serves the board's counts per round and week.
            models.UniqueConstraint(fields=["round", "date"], name="duty_completion_once_a_day"),
        ]

    def __str__(self):
        return f"{self.round} – {self.date:%d/%m/%Y}"


class TokenScope(models.TextChoices):
    READ = "read", _("lecture")
    WRITE = "write", _("lecture et écriture")


class IntegrationTokenQuerySet(ScopedQuerySet):
    landlord_path = "landlord"

    def usable(self, now=None):
        """Neither revoked nor expired at ``now``."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class IntegrationToken(TimeStampedModel):
    """A landlord's key for its management systems to use the API (only its hash is stored).

    The key reads ``<prefix>.<secret>``: the prefix finds the row, the SHA-256 of the whole key is
    compared with ``key_hash``. The key is shown once, when the token is created.
    """

    Scope = TokenScope

    landlord = models.ForeignKey(
        Landlord,
        on_delete=models.CASCADE,
        related_name="integration_tokens",
        verbose_name=_("bailleur"),
    )
    name = models.CharField(
        _("nom"), max_length=100, help_text=_("Par exemple « Progiciel de gestion locative ».")
    )
    prefix = models.CharField(_("préfixe de la clé"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(_("empreinte de la clé"), max_length=64, editable=False)
    scope = models.CharField(
        _("droits"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ
    )
    expires_at = models.DateTimeField(_("expire le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(
        _("dernière utilisation le"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("créé par"),
    )

    objects = IntegrationTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'intégration")
        verbose_name_plural = _("jetons d'intégration")
        ordering = ["landlord__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=TokenScope.values), name="token_scope_valid"
            ),
            models.CheckConstraint(condition=~Q(key_hash=""), name="token_has_a_hash"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("en attente")
    RUNNING = "running", _("en cours")
    DONE = "done", _("prêt")
    FAILED = "failed", _("échoué")


class ExportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A file is its author's only: others (even colleagues) get 404."""
        if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
            return self.none()
        return self.filter(created_by=user)


class Export(TimeStampedModel):
    """A large export built by the worker (housing.exports); its file is deleted after a day.

    Its rows are those its author could see when it was built (``visible_to(created_by)``).
    """

    Format = ExportFormat
    Status = ExportStatus

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="exports",
        verbose_name=_("demandé par"),
    )
    kind = models.CharField(_("données"), max_length=30)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    status = models.CharField(
        _("état"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    total = models.PositiveIntegerField(_("lignes à écrire"), default=0)
    written = models.PositiveIntegerField(_("lignes écrites"), default=0)
    file = models.FileField(_("fichier"), upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(_("erreur"), blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    # The language of the page it was asked from: the worker writes the headers and labels in it.
    language = models.CharField(_("langue"), max_length=5, default="fr")
    # The landlords whose rows the file holds (its author's, with the export's roles, when it was
    # built): it is downloadable only while the author still has them (housing.exports).
    landlord_ids = models.JSONField(_("bailleurs couverts"), default=list, blank=True)

    objects = ExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=ExportFormat.values), name="export_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values), name="export_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.DONE) | ~Q(file=""), name="export_done_has_file"
            ),
        ]
        indexes = [
            # The purge job: exports created before a moment.
            models.Index(fields=["created_at"], name="export_created_idx"),
            # "My exports" on the export page.
            models.Index(fields=["created_by", "created_at"], name="export_author_idx"),
        ]

    def __str__(self):
        return f"{self.kind}.{self.format} ({self.created_by})"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return min(100, self.written * 100 // self.total) if self.total else 0


class RetentionPolicy(TimeStampedModel):
    """How long a landlord keeps personal data (GDPR); applied every night by ``retention_apply``.

    A landlord without a row gets the defaults (``RetentionPolicy.for_landlord``).
    """

    landlord = models.OneToOneField(
        Landlord,
        on_delete=models.CASCADE,
        related_name="retention_policy",
        verbose_name=_("bailleur"),
    )
    call_notes_months = models.PositiveSmallIntegerField(
        _("notes d'appel et réponses au questionnaire (mois)"),
        default=24,
        help_text=_("Anonymisées ce nombre de mois après l'appel."),
    )
    request_photos_months = models.PositiveSmallIntegerField(
        _("photos des demandes terminées (mois)"),
        default=12,
        help_text=_("Supprimées ce nombre de mois après la clôture de la demande."),
    )
    tenant_accounts_months = models.PositiveSmallIntegerField(
        _("comptes locataires après la fin du bail (mois)"),
        default=3,
        help_text=_("Désactivés ce nombre de mois après la fin du dernier bail du ménage."),
    )

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("durées de conservation")
        verbose_name_plural = _("durées de conservation")
        constraints = [
            models.CheckConstraint(
                condition=Q(call_notes_months__gte=1)
                & Q(request_photos_months__gte=1)
                & Q(tenant_accounts_months__gte=1),
                name="retentionpolicy_at_least_one_month",
                violation_error_message=_(
                    "Chaque durée de conservation doit être d'au moins un mois."
                ),
            ),
        ]

    def __str__(self):
        return str(self.landlord)

    @classmethod
    def for_landlord(cls, landlord_id: int) -> "RetentionPolicy":
        return cls.objects.filter(landlord_id=landlord_id).first() or cls(landlord_id=landlord_id)


class RetentionRun(models.Model):
    """What one nightly application of a landlord's retention policy did (kept as its report)."""

    landlord = models.ForeignKey(
        Landlord, on_delete=models.CASCADE, related_name="+", verbose_name=_("bailleur")
    )
    ran_at = models.DateTimeField(_("exécutée le"))
    call_logs_anonymised = models.PositiveIntegerField(_("comptes rendus d'appel anonymisés"))
    photos_deleted = models.PositiveIntegerField(_("photos supprimées"))
    accounts_deactivated = models.PositiveIntegerField(_("comptes locataires désactivés"))

    objects = scoped_queryset("landlord").as_manager()

    class Meta:
        verbose_name = _("application des durées de conservation")
        verbose_name_plural = _("applications des durées de conservation")
        ordering = ["-ran_at"]
        indexes = [
            # The admin list: a landlord's runs, latest first.
            models.Index(fields=["landlord", "-ran_at"], name="retentionrun_landlord_idx"),
        ]

    def __str__(self):
        return f"{self.landlord} – {self.ran_at:%d/%m/%Y}"
