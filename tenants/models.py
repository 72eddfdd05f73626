import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from housing.models import Dwelling, Landlord
from housing.scoping import ScopedQuerySet, scoped_queryset
from portal.dates import age_on, years_ago
from portal.models import TimeStampedModel

SENIOR_AGE = 70


class HouseholdQuerySet(ScopedQuerySet):
    landlord_path = "landlord"
    tenant_path = "people__user"

    def with_senior(self, *, min_age: int = SENIOR_AGE, today: datetime.date | None = None):
        """Households with at least one member aged ``min_age`` or more (computed, never stored)."""
        born_before = years_ago(min_age, today)
        return self.filter(
            models.Exists(
                Person.objects.filter(household=models.OuterRef("pk"), birth_date__lte=born_before)
            )
        )

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        # A subquery rather than a join: no duplicate rows, and aggregates stay right.
        member_matches = Person.objects.filter(household=models.OuterRef("pk")).filter(
            Q(last_name__icontains=text) | Q(first_name__icontains=text)
        )
        return self.filter(
            Q(reference__icontains=text) | Q(name__icontains=text) | models.Exists(member_matches)
        )


class ContactPreference(models.TextChoices):
    PHONE = "phone", _("téléphone")
    EMAIL = "email", _("e-mail")
    POST = "post", _("courrier")
    SMS = "sms", _("SMS")


class Household(TimeStampedModel):
    ContactPreference = ContactPreference

    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="households", verbose_name=_("bailleur")
    )
    reference = models.CharField(_("référence"), max_length=30)
    name = models.CharField(
        _("nom du ménage"), max_length=150, help_text=_("Par exemple « M. et Mme Martin ».")
    )
    phone = PhoneNumberField(_("téléphone fixe"), blank=True)
    mobile_phone = PhoneNumberField(_("téléphone portable"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_language = models.CharField(
        _("langue préférée"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="fr",
    )
    contact_preference = models.CharField(
        _("moyen de contact préféré"),
        max_length=10,
        choices=ContactPreference.choices,
        default=ContactPreference.PHONE,
    )
    phone_needs_check = models.BooleanField(
        _("numéro à vérifier"),
        default=False,
        help_text=_("Un appel est tombé sur un faux numéro : à corriger."),
    )
    # Do-not-call: a household that asked not to be called is never queued by any campaign.
    do_not_call = models.BooleanField(
        _("ne souhaite pas être appelé"),
        default=False,
        help_text=_("Aucune campagne d'appels ne met ce ménage dans sa file."),
    )
    do_not_call_since = models.DateField(_("refus d'appel depuis le"), null=True, blank=True)
    do_not_call_reason = models.CharField(_("motif du refus d'appel"), max_length=255, blank=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("ménage")
        verbose_name_plural = _("ménages")
        ordering = ["name", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["landlord", "reference"], name="household_unique_reference_per_landlord"
            ),
            models.CheckConstraint(
                condition=Q(contact_preference__in=ContactPreference.values),
                name="household_contact_preference_valid",
            ),
            models.CheckConstraint(
                condition=Q(do_not_call=False) | Q(do_not_call_since__isnull=False),
                name="household_do_not_call_has_a_date",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.reference})"


class PersonRole(models.TextChoices):
    LEASE_HOLDER = "lease_holder", _("titulaire du bail")
    CO_HOLDER = "co_holder", _("cotitulaire du bail")
    SPOUSE = "spouse", _("conjoint(e)")
    CHILD = "child", _("enfant")
    RELATIVE = "relative", _("autre parent")
    OTHER = "other", _("autre occupant")


class Person(TimeStampedModel):
    Role = PersonRole

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="people", verbose_name=_("ménage")
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    role = models.CharField(_("rôle dans le ménage"), max_length=20, choices=Role.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tenant_person",
        verbose_name=_("compte locataire"),
    )

    objects = scoped_queryset("household__landlord", "household__people__user").as_manager()

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["household", "last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=PersonRole.values), name="person_role_valid"
            ),
        ]
        indexes = [
            # with_senior(): members born before a date, per household.
            models.Index(fields=["household", "birth_date"], name="person_household_birth_idx"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def age(self) -> int | None:
        return age_on(self.birth_date) if self.birth_date else None

    @property
    def is_senior(self) -> bool:
        return self.age is not None and self.age >= SENIOR_AGE


class LeaseQuerySet(ScopedQuerySet):
    landlord_path = "household__landlord"
    tenant_path = "household__people__user"

    def current(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), start_date__lte=today)


class Lease(TimeStampedModel):
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="leases", verbose_name=_("ménage")
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.PROTECT, related_name="leases", verbose_name=_("logement")
    )
    start_date = models.DateField(_("date d'effet"))
    end_date = models.DateField(
        _("date de fin"), null=True, blank=True, help_text=_("Vide tant que le bail court.")
    )

    objects = LeaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("bail")
        verbose_name_plural = _("baux")
        ordering = ["-start_date"]
        constraints = [
            # A dwelling has at most one running lease (no end date) at a time.
            models.UniqueConstraint(
                fields=["dwelling"],
                condition=Q(end_date__isnull=True),
                name="lease_one_current_per_dwelling",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="lease_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.household} – {self.dwelling.reference}"

    def clean(self):
        super().clean()
        if (
            self.household_id
            and self.dwelling_id
            and self.household.landlord_id != self.dwelling.landlord_id
        ):
            raise ValidationError(
                {"dwelling": _("Le logement doit appartenir au bailleur du ménage.")}
            )


class VulnerabilityFlagQuerySet(ScopedQuerySet):
    landlord_path = "household__landlord"
    tenant_path = None  # internal, sensitive data: never shown to tenants

    def active(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), start_date__lte=today)


class FlagKind(models.TextChoices):
    ISOLATED = "isolated", _("personne isolée")
    PAYMENT_DIFFICULTY = "payment_difficulty", _("difficulté de paiement")
    DISABILITY = "disability", _("handicap")
    PRIORITY_TRANSFER = "priority_transfer", _("demandeur de mutation prioritaire")


class VulnerabilityFlag(TimeStampedModel):
    Kind = FlagKind

    class Source(models.TextChoices):
        STAFF = "staff", _("saisie par le personnel")
        ACCOUNTING = "accounting", _("comptabilité locative")
        CALL_CAMPAIGN = "call_campaign", _("campagne d'appels")
        TENANT = "tenant", _("déclaration du locataire")
        ALLOCATIONS = "allocations", _("demande de logement")
        IMPORT = "import", _("import")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="flags", verbose_name=_("ménage")
    )
    kind = models.CharField(_("fragilité"), max_length=30, choices=Kind.choices)
    arrears_amount = models.DecimalField(
        _("montant de l'impayé (€)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Obligatoire pour une difficulté de paiement."),
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.STAFF
    )
    start_date = models.DateField(_("depuis le"), default=timezone.localdate)
    end_date = models.DateField(_("jusqu'au"), null=True, blank=True)
    note = models.TextField(_("remarque"), blank=True)

    objects = VulnerabilityFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("fragilité")
        verbose_name_plural = _("fragilités")
        ordering = ["kind", "-start_date"]
        constraints = [
            # One open flag of each kind per household: a new arrears figure updates it.
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=Q(end_date__isnull=True),
                name="flag_one_open_per_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="payment_difficulty")
                | Q(arrears_amount__isnull=False, arrears_amount__gt=Decimal("0")),
                name="flag_payment_difficulty_has_arrears",
            ),
            models.CheckConstraint(
                condition=Q(arrears_amount__isnull=True) | Q(kind="payment_difficulty"),
                name="flag_arrears_only_for_payment_difficulty",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="flag_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(kind__in=FlagKind.values), name="flag_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.household}"
