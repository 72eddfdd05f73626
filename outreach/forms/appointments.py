"""Forms of the appointments pages (the rules themselves are in the services)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from outreach.models import AdviserKind, AppointmentMode, AppointmentReason, AppointmentStatus


class BookingStartForm(forms.Form):
    """Step 1: why, how, and the number to call."""

    reason = forms.ChoiceField(
        label=_("Motif du rendez-vous"),
        choices=AppointmentReason.choices,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=_("Précisions (facultatif)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    mode = forms.ChoiceField(
        label=_("Mode du rendez-vous"), choices=AppointmentMode.choices, widget=forms.RadioSelect
    )
    phone = PhoneNumberField(
        label=_("Numéro auquel vous appeler"),
        required=False,
        region="FR",
        help_text=_("Seulement pour un rendez-vous par téléphone. Par exemple 06 12 34 56 78."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("mode") == AppointmentMode.PHONE and not data.get("phone"):
            self.add_error("phone", _("Indiquez le numéro auquel le conseiller doit vous appeler."))
        return data

    def to_session(self) -> dict:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "details": data["details"],
            "mode": data["mode"],
            "phone": data["phone"].as_e164
            if data["mode"] == AppointmentMode.PHONE and data["phone"]
            else "",
        }


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Issue du rendez-vous"),
        choices=[
            (AppointmentStatus.DONE, _("honoré")),
            (AppointmentStatus.NO_SHOW, _("absent(e)")),
            (AppointmentStatus.CANCELLED, _("annulé")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class WaitingListForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Conseiller"), choices=AdviserKind.choices, widget=forms.RadioSelect
    )
    earliest = forms.DateField(
        label=_("À partir du"), widget=forms.DateInput(attrs={"type": "date"})
    )
    latest = forms.DateField(label=_("Jusqu'au"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("earliest") and data.get("latest") and data["latest"] < data["earliest"]:
            self.add_error("latest", _("La fin de la période doit suivre son début."))
        return data
