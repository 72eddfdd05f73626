"""Forms of the tenant space, tenant accounts and technical requests."""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from tenants.models import (
    RequestCategory,
    RequestChannel,
    RequestLocation,
    RequestPriority,
    RequestStatus,
)
from tenants.services.photos import MAX_PHOTOS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to three photos; their content is checked by the service (tenants.services.photos)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/heic"})
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos (facultatif)"))
        kwargs.setdefault(
            "help_text",
            _("Jusqu'à %(count)s photos JPEG, PNG ou HEIC de moins de 8 Mo chacune.")
            % {"count": MAX_PHOTOS},
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class PasswordPairMixin:
    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif first:
            try:
                validate_password(first)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SetPasswordForm(PasswordPairMixin, forms.Form):
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Mot de passe (encore)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ActivationForm(PasswordPairMixin, forms.Form):
    reference = forms.CharField(
        label=_("Référence de votre ménage"),
        max_length=30,
        help_text=_("Elle figure sur votre avis d'échéance."),
    )
    code = forms.CharField(
        label=_("Code d'activation"),
        max_length=20,
        help_text=_("12 lettres et chiffres, sur votre avis d'échéance."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    email = forms.EmailField(
        label=_("Votre adresse e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = SetPasswordForm.base_fields["password1"]
    password2 = SetPasswordForm.base_fields["password2"]


class TenantRequestForm(forms.Form):
    category = forms.ChoiceField(label=_("Quel est le problème ?"), choices=RequestCategory.choices)
    location = forms.ChoiceField(
        label=_("Où ?"),
        choices=RequestLocation.choices,
        widget=forms.RadioSelect,
        initial=RequestLocation.DWELLING,
    )
    description = forms.CharField(
        label=_("Décrivez le problème"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )
    preferred_times = forms.CharField(
        label=_("Quand êtes-vous disponible pour une visite ?"),
        required=False,
        max_length=255,
        help_text=_("Par exemple : « le matin en semaine »."),
    )
    photos = MultiplePhotoField()
    ignore_duplicates = forms.BooleanField(required=False, widget=forms.HiddenInput)


class StaffRequestForm(TenantRequestForm):
    channel = forms.ChoiceField(
        label=_("Reçue par"),
        choices=[(value, label) for value, label in RequestChannel.choices if value != "extranet"],
    )
    priority = forms.ChoiceField(
        label=_("Priorité"), choices=RequestPriority.choices, initial=RequestPriority.NORMAL
    )

    field_order = ["channel", "priority", "category", "location", "description"]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Votre message"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    photos = MultiplePhotoField()


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note interne"), widget=forms.Textarea(attrs={"rows": 3}))


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouvel état"), choices=RequestStatus.choices)
    message = forms.CharField(
        label=_("Message au locataire"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Il le lira dans son espace et dans l'e-mail qu'il recevra."),
    )
    rejection_reason = forms.CharField(
        label=_("Motif du refus"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        if request is not None:
            self.fields["status"].choices = [
                (value, label)
                for value, label in RequestStatus.choices
                if request.can_become(value)
            ]


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Technicien(ne)"), queryset=None, required=False, empty_label=_("personne")
    )

    def __init__(self, *args, technicians, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = technicians
        self.fields["assignee"].label_from_instance = lambda user: (
            user.get_full_name() or user.email
        )


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Votre note"),
        choices=[(value, str(value)) for value in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("5 : très satisfait ; 1 : pas du tout satisfait."),
    )
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ReopenForm(forms.Form):
    message = forms.CharField(
        label=_("Qu'est-ce qui ne va pas ?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CallbackForm(forms.Form):
    reason = forms.CharField(
        label=_("À quel sujet ?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    preferred_times = forms.CharField(
        label=_("Quand vous appeler ?"),
        max_length=255,
        required=False,
        help_text=_("Par exemple : « mardi après-midi »."),
    )
    phone = PhoneNumberField(
        label=_("Numéro à appeler"), region="FR", required=False, help_text=_("Si différent.")
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Que faut-il corriger ?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


class TriageFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[("", _("tous")), ("open", _("en cours (non closes)")), *RequestStatus.choices],
    )
    category = forms.ChoiceField(
        label=_("Catégorie"), required=False, choices=[("", _("toutes")), *RequestCategory.choices]
    )
    building = forms.TypedChoiceField(label=_("Immeuble"), required=False, coerce=int)
    channel = forms.ChoiceField(
        label=_("Canal"), required=False, choices=[("", _("tous")), *RequestChannel.choices]
    )
    age = forms.TypedChoiceField(
        label=_("Ancienneté"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("toutes")),
            (2, _("plus de 2 jours")),
            (7, _("plus d'une semaine")),
            (30, _("plus d'un mois")),
        ],
    )
    assignee = forms.TypedChoiceField(
        label=_("Technicien(ne)"), required=False, coerce=int, empty_value=None
    )
    stale = forms.BooleanField(label=_("Sans nouvelles depuis 10 jours ouvrés"), required=False)

    def __init__(self, *args, buildings, technicians, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [("", _("tous"))] + [
            (building.pk, building.name) for building in buildings
        ]
        self.fields["assignee"].choices = [("", _("tous")), (0, _("non attribuées"))] + [
            (user.pk, user.get_full_name() or user.email) for user in technicians
        ]


class WorksNoticeForm(forms.Form):
    title = forms.CharField(
        label=_("Titre"),
        max_length=150,
        error_messages={
            "required": _("Donnez un titre à l'avis, par exemple « Coupure d'eau mardi matin »."),
        },
    )
    body = forms.CharField(
        label=_("Texte"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _(
                "Écrivez le texte de l'avis : ce qui se passe, quand, et ce que les locataires "
                "doivent faire."
            ),
        },
    )
    photo = forms.FileField(
        label=_("Photo (facultatif)"),
        required=False,
        help_text=_("Une photo JPEG, PNG ou HEIC de moins de 8 Mo, sans personne reconnaissable."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/heic"}),
    )
    publish = forms.BooleanField(label=_("Publier tout de suite"), required=False)
    notify = forms.BooleanField(
        label=_("Prévenir les locataires des immeubles par e-mail à la publication"),
        required=False,
    )
