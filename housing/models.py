from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from housing.scoping import scoped_queryset
from portal.models import TimeStampedModel


class Landlord(TimeStampedModel):
    class Kind(models.TextChoices):
        OPH = "oph", _("Office public de l'habitat (OPH)")
        ESH = "esh", _("Entreprise sociale pour l'habitat (ESH)")

    slug = models.SlugField(_("identifiant"), max_length=50, unique=True)
    name = models.CharField(_("nom"), max_length=150)
    kind = models.CharField(_("statut"), max_length=3, choices=Kind.choices)
    email = models.EmailField(_("e-mail de contact"), blank=True)
    phone = PhoneNumberField(_("téléphone"), blank=True)
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
    phone = PhoneNumberField(_("téléphone"), blank=True)
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
