import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from housing.models import Building, Dwelling, Landlord
from housing.scoping import ScopedQuerySet, scoped_queryset
from portal.dates import age_on, years_ago
from portal.fields import PhoneField
from portal.history import history_user
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
        """Households whose reference or name, or one of whose people's names, contains ``text``.

        Written as ``id IN (matching households UNION households of matching people)`` so that
        each side is one scan of its trigram indexes on PostgreSQL (tenants migration 0008),
        instead of testing every visible household and looking up its people one by one.
        """
        text = text.strip()
        if not text:
            return self
        by_household = Household.objects.filter(
            Q(reference__icontains=text) | Q(name__icontains=text)
        ).values("pk")
        by_member = Person.objects.filter(
            Q(last_name__icontains=text) | Q(first_name__icontains=text)
        ).values("household_id")
        # No ORDER BY inside a UNION (the models' default ordering).
        by_household, by_member = by_household.order_by(), by_member.order_by()
        return self.filter(pk__in=by_household.union(by_member))


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
    phone = PhoneField(_("téléphone fixe"), blank=True)
    mobile_phone = PhoneField(_("téléphone portable"), blank=True)
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
    history = HistoricalRecords(get_user=history_user)

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
        today = timezone.localdate() if today is None else today
        return self.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today),
            start_date__lte=today,
            status=LeaseStatus.SIGNED,
        )


class LeaseStatus(models.TextChoices):
    DRAFT = "draft", _("en préparation (non signé)")
    SIGNED = "signed", _("signé")


class Lease(TimeStampedModel):
    Status = LeaseStatus

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
    # A lease drafted when an offer is accepted stays a draft until it is signed.
    status = models.CharField(
        _("état du bail"), max_length=10, choices=LeaseStatus.choices, default=LeaseStatus.SIGNED
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
            models.CheckConstraint(
                condition=Q(status__in=LeaseStatus.values), name="lease_status_valid"
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
        today = timezone.localdate() if today is None else today
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
    history = HistoricalRecords(get_user=history_user)

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


# ---------------------------------------------------------------------------------------------
# Tenant accounts


class TenantInvitation(TimeStampedModel):
    """A staff invitation for one household member to set a password (single use, expiring)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("personne")
    )
    email = models.EmailField(_("e-mail"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invité par"),
    )
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisée le"), null=True, blank=True)

    objects = scoped_queryset("person__household__landlord").as_manager()

    class Meta:
        verbose_name = _("invitation d'un locataire")
        verbose_name_plural = _("invitations de locataires")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.person} <{self.email}>"


class ActivationCode(TimeStampedModel):
    """A code printed on a rent notice: with the household reference it opens an account."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="activation_codes",
        verbose_name=_("personne"),
    )
    code_hash = models.CharField(_("empreinte du code"), max_length=128)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)

    objects = scoped_queryset("person__household__landlord").as_manager()

    class Meta:
        verbose_name = _("code d'activation")
        verbose_name_plural = _("codes d'activation")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(used_at__isnull=True),
                name="activation_code_one_unused_per_person",
            ),
        ]

    def __str__(self):
        return str(self.person)


# ---------------------------------------------------------------------------------------------
# Technical requests


class RequestStatus(models.TextChoices):
    NEW = "new", _("nouvelle")
    ACKNOWLEDGED = "acknowledged", _("prise en compte")
    VISIT_SCHEDULED = "visit_scheduled", _("visite programmée")
    IN_PROGRESS = "in_progress", _("travaux en cours")
    DONE = "done", _("terminée")
    REJECTED = "rejected", _("refusée")


OPEN_STATUSES = [
    RequestStatus.NEW,
    RequestStatus.ACKNOWLEDGED,
    RequestStatus.VISIT_SCHEDULED,
    RequestStatus.IN_PROGRESS,
]

# Every allowed status change, in one place (reopening a done request goes back to acknowledged).
REQUEST_TRANSITIONS: dict[str, set[str]] = {
    RequestStatus.NEW: {
        RequestStatus.ACKNOWLEDGED,
        RequestStatus.VISIT_SCHEDULED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.DONE,
        RequestStatus.REJECTED,
    },
    RequestStatus.ACKNOWLEDGED: {
        RequestStatus.VISIT_SCHEDULED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.DONE,
        RequestStatus.REJECTED,
    },
    RequestStatus.VISIT_SCHEDULED: {
        RequestStatus.ACKNOWLEDGED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.DONE,
        RequestStatus.REJECTED,
    },
    RequestStatus.IN_PROGRESS: {RequestStatus.VISIT_SCHEDULED, RequestStatus.DONE},
    RequestStatus.DONE: {RequestStatus.ACKNOWLEDGED},
    RequestStatus.REJECTED: set(),
}


class RequestCategory(models.TextChoices):
    PLUMBING = "plumbing", _("plomberie")
    HEATING = "heating", _("chauffage")
    ELECTRICITY = "electricity", _("électricité")
    LIFT = "lift", _("ascenseur")
    COMMON_AREAS = "common_areas", _("parties communes")
    DOORS_LOCKS = "doors_locks", _("portes et serrures")
    PESTS = "pests", _("nuisibles")
    DAMP = "damp", _("humidité")
    OTHER = "other", _("autre")


class RequestLocation(models.TextChoices):
    DWELLING = "dwelling", _("dans le logement")
    COMMON_AREA = "common_area", _("dans les parties communes")


class RequestChannel(models.TextChoices):
    PHONE = "phone", _("téléphone")
    WEBSITE = "website", _("site internet")
    EXTRANET = "extranet", _("espace locataire")
    EMAIL = "email", _("e-mail")
    ON_SITE = "on_site", _("sur place")
    CALL_CAMPAIGN = "call_campaign", _("campagne d'appels")


class RequestPriority(models.TextChoices):
    URGENT = "urgent", _("urgente")
    HIGH = "high", _("haute")
    NORMAL = "normal", _("normale")


class TechnicalRequestQuerySet(ScopedQuerySet):
    landlord_path = "landlord"
    tenant_path = "household__people__user"

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class TechnicalRequest(TimeStampedModel):
    Status = RequestStatus
    Category = RequestCategory
    Location = RequestLocation
    Channel = RequestChannel
    Priority = RequestPriority

    # The household's landlord, kept on the row so that scoping needs no join.
    landlord = models.ForeignKey(
        Landlord,
        on_delete=models.PROTECT,
        related_name="technical_requests",
        verbose_name=_("bailleur"),
    )
    # Empty only for a problem in a building's common areas reported by staff on site (a
    # caretaker): nobody is e-mailed about it and no tenant sees it.
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="technical_requests",
        verbose_name=_("ménage"),
    )
    dwelling = models.ForeignKey(
        Dwelling,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="technical_requests",
        verbose_name=_("logement"),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="technical_requests",
        verbose_name=_("immeuble"),
        help_text=_("L'immeuble concerné (celui du logement, ou des parties communes)."),
    )
    reference = models.CharField(_("référence"), max_length=30, unique=True, null=True)
    category = models.CharField(_("catégorie"), max_length=20, choices=RequestCategory.choices)
    location = models.CharField(
        _("où"), max_length=20, choices=RequestLocation.choices, default=RequestLocation.DWELLING
    )
    description = models.TextField(_("description"))
    preferred_times = models.CharField(
        _("disponibilités pour une visite"), max_length=255, blank=True
    )
    channel = models.CharField(_("canal"), max_length=20, choices=RequestChannel.choices)
    priority = models.CharField(
        _("priorité"),
        max_length=10,
        choices=RequestPriority.choices,
        default=RequestPriority.NORMAL,
    )
    due_at = models.DateTimeField(_("à traiter avant le"))
    status = models.CharField(
        _("état"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    rejection_reason = models.TextField(_("motif du refus"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("technicien(ne)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisie par"),
    )
    last_update_at = models.DateTimeField(_("dernière nouvelle le"), default=timezone.now)
    closed_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmée par le locataire le"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("note"), null=True, blank=True)
    rating_comment = models.TextField(_("commentaire"), blank=True)

    objects = TechnicalRequestQuerySet.as_manager()
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("demande technique")
        verbose_name_plural = _("demandes techniques")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="request_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=RequestCategory.values), name="request_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=RequestChannel.values), name="request_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=RequestPriority.values), name="request_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(location__in=RequestLocation.values), name="request_location_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.REJECTED) | ~Q(rejection_reason=""),
                name="request_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="request_rating_1_to_5",
            ),
            # A request is a household's, or about the common areas of a known building.
            models.CheckConstraint(
                condition=Q(household__isnull=False)
                | (Q(location=RequestLocation.COMMON_AREA) & Q(building__isnull=False)),
                name="request_household_or_common_area",
            ),
        ]
        indexes = [
            models.Index(fields=["landlord", "status", "due_at"], name="request_triage_idx"),
            models.Index(fields=["household", "category", "created_at"], name="request_dup_idx"),
        ]

    def __str__(self):
        return self.reference or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()

    def can_become(self, status: str) -> bool:
        return status in REQUEST_TRANSITIONS[self.status]


class EventKind(models.TextChoices):
    CREATED = "created", _("demande enregistrée")
    STATUS = "status", _("changement d'état")
    MESSAGE = "message", _("message")
    NOTE = "note", _("note interne")
    ASSIGNED = "assigned", _("attribution")
    PHOTO = "photo", _("photo ajoutée")
    CONFIRMED = "confirmed", _("travaux confirmés")
    REOPENED = "reopened", _("demande rouverte")


class RequestEvent(models.Model):
    """One line of a request's timeline; internal ones (notes, assignments) never reach tenants."""

    Kind = EventKind

    request = models.ForeignKey(
        TechnicalRequest,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("demande"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=EventKind.choices)
    is_internal = models.BooleanField(_("interne"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    from_status = models.CharField(
        _("état précédent"), max_length=20, choices=RequestStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("nouvel état"), max_length=20, choices=RequestStatus.choices, blank=True
    )
    body = models.TextField(_("texte"), blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)
    # Set by the e-mail task: an event is announced to the tenant at most once.
    notified_at = models.DateTimeField(_("locataire prévenu le"), null=True, blank=True)

    objects = scoped_queryset("request__landlord", "request__household__people__user").as_manager()

    class Meta:
        verbose_name = _("événement d'une demande")
        verbose_name_plural = _("événements des demandes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind=EventKind.NOTE) | Q(is_internal=True),
                name="event_note_is_internal",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EventKind.STATUS) | ~Q(to_status=""),
                name="event_status_has_target",
            ),
        ]

    def __str__(self):
        return f"{self.request} – {self.get_kind_display()}"


def request_photo_path(instance, filename: str) -> str:
    # A random name: nothing of the tenant's file name is kept.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"demandes/{instance.request.landlord_id}/{uuid.uuid4().hex}.{extension}"


class RequestPhoto(models.Model):
    """A photo of a request, re-encoded without metadata; served only through a scoped view."""

    request = models.ForeignKey(
        TechnicalRequest,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("demande"),
    )
    image = models.FileField(_("photo"), upload_to=request_photo_path, max_length=200)
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

    objects = scoped_queryset("request__landlord", "request__household__people__user").as_manager()

    class Meta:
        verbose_name = _("photo d'une demande")
        verbose_name_plural = _("photos des demandes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.request} – {self.pk}"


class ContactRequestKind(models.TextChoices):
    CALLBACK = "callback", _("demande de rappel")
    CORRECTION = "correction", _("demande de correction des données")


class ContactRequest(TimeStampedModel):
    """A tenant asks to be called back, or asks staff to correct their data."""

    Kind = ContactRequestKind

    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="+", verbose_name=_("bailleur")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        related_name="contact_requests",
        verbose_name=_("ménage"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=ContactRequestKind.choices)
    reason = models.TextField(_("motif"))
    preferred_times = models.CharField(_("moments préférés"), max_length=255, blank=True)
    phone = PhoneField(_("numéro à appeler"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("traitée par"),
    )

    objects = scoped_queryset("landlord", "household__people__user").as_manager()

    class Meta:
        verbose_name = _("demande de contact")
        verbose_name_plural = _("demandes de contact")
        ordering = ["handled_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ContactRequestKind.values), name="contact_request_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.household}"


class AccessScreen(models.TextChoices):
    HOUSEHOLD_PAGE = "household_page", _("fiche du ménage")
    CALLER_CARD = "caller_card", _("fiche d'appel")
    ADMIN = "admin", _("administration")


class HouseholdAccess(models.Model):
    """Who opened which household's page or card, when, from which screen: the access log.

    Append-only (kept apart from the data it watches: no foreign-key constraint, so it survives
    the household's anonymisation; on PostgreSQL a trigger refuses UPDATE and DELETE except in the
    purge, which removes the rows older than ACCESS_LOG_RETENTION_MONTHS).
    """

    Screen = AccessScreen

    accessed_at = models.DateTimeField(_("consulté le"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("consulté par"),
    )
    landlord = models.ForeignKey(
        "housing.Landlord",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("bailleur"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="accesses",
        verbose_name=_("ménage"),
    )
    screen = models.CharField(_("écran"), max_length=20, choices=AccessScreen.choices)

    objects = scoped_queryset(
        landlord_path="landlord", tenant_path="household__people__user"
    ).as_manager()

    class Meta:
        verbose_name = _("consultation d'un ménage")
        verbose_name_plural = _("journal des consultations")
        ordering = ["-accessed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(screen__in=AccessScreen.values), name="householdaccess_screen_valid"
            )
        ]
        indexes = [
            # The landlord admin's log and its export: one landlord's accesses, newest first.
            models.Index(fields=["landlord", "-accessed_at"], name="householdaccess_landlord_idx"),
            # A household's accesses (the tenant's page) and the purge by date.
            models.Index(fields=["household", "-accessed_at"], name="householdaccess_house_idx"),
            models.Index(fields=["accessed_at"], name="householdaccess_date_idx"),
        ]

    def __str__(self):
        return f"{self.household_id} – {self.user_id} – {self.accessed_at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------------------------
# Works notices e-mailed to the households of their buildings


class WorksNoticeDelivery(models.Model):
    """A works notice e-mailed to one household.

    The row is written in the transaction that sends the household's e-mail: a failed send leaves
    no row (the next run sends it), a sent one is never sent again, and a run alongside waits on
    the row, then skips the household.
    """

    notice = models.ForeignKey(
        "housing.WorksNotice",
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("avis de chantier"),
    )
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", verbose_name=_("ménage")
    )
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    objects = scoped_queryset("household__landlord").as_manager()

    class Meta:
        verbose_name = _("envoi d'un avis de chantier")
        verbose_name_plural = _("envois des avis de chantier")
        constraints = [
            # Its index, led by notice, also serves "households not e-mailed yet" of a notice.
            models.UniqueConstraint(
                fields=["notice", "household"], name="works_notice_sent_once_per_household"
            ),
        ]

    def __str__(self):
        return f"{self.notice_id} – {self.household_id}"
