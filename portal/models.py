from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _


def choice_labels(field) -> dict:
    """``{value: label}`` of a field with choices, built once per field (labels stay lazy, so
    each is translated in the language of the moment)."""
    try:
        return field._portal_choice_labels
    except AttributeError:
        labels = {make_hashable(value): label for value, label in field.flatchoices}
        field._portal_choice_labels = labels
        return labels


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        """``get_status_display()`` and the like, as Django's, without building the field's
        choices into a dict on every call: that hashed every label, which translated each one
        (about 5 % of a tenant's page, where rows show their status, category, role…)."""
        value = getattr(self, field.attname)
        return force_str(choice_labels(field).get(make_hashable(value), value), strings_only=True)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # E-mail logins are case-insensitive: "Marie@Actis.fr" is marie@actis.fr.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: staff of a landlord, a tenant, or a committee member."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    language = models.CharField(
        _("langue"),
        max_length=5,
        choices=[("fr", _("Français")), ("en", _("English"))],
        default="fr",
        help_text=_("Langue des pages et des e-mails."),
    )
    is_staff = models.BooleanField(
        _("accès à l'administration"),
        default=False,
        help_text=_("Peut se connecter à l'interface d'administration."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class OutboxMessage(TimeStampedModel):
    """A task to send to Celery, written in the transaction of the work it stands for.

    ``portal.tasks.enqueue_on_commit`` writes the row, then publishes it after the commit and marks
    it sent; when the broker is down the row stays unsent and the drain (beat, every minute, and
    ``manage.py drain_outbox``) publishes it later. The task id sent to Celery is ``outbox-<pk>``,
    so a task that must run once (an e-mail) can claim ``done_at`` and skip a second delivery.
    """

    task_name = models.CharField(_("tâche"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    sent_at = models.DateTimeField(_("envoyée au courtier le"), null=True, blank=True)
    done_at = models.DateTimeField(_("exécutée le"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("tentatives d'envoi"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)

    class Meta:
        verbose_name = _("message en attente d'envoi")
        verbose_name_plural = _("messages en attente d'envoi")
        ordering = ["-created_at"]
        indexes = [
            # The drain: unsent messages, oldest first.
            models.Index(
                fields=["created_at"],
                name="portal_outbox_unsent_idx",
                condition=models.Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.task_name} #{self.pk}"

    @property
    def task_id(self) -> str:
        return f"{OUTBOX_TASK_PREFIX}{self.pk}"


OUTBOX_TASK_PREFIX = "outbox-"
