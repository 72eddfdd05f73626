"""Forms of the partner, referral and solidarity register pages."""

from django import forms
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from housing.models import Landlord
from outreach.models import Partner, ReferralStatus, SolidarityEntry
from outreach.selectors.followups import SOLIDARITY_STATES


def _formfield(field, **kwargs):
    # Addresses typed without a scheme are web sites of public bodies: assume https.
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class PartnerForm(forms.ModelForm):
    """A partner's details; the landlord is chosen only when the partner is created."""

    class Meta:
        model = Partner
        fields = [
            "landlord",
            "name",
            "kind",
            "city",
            "address",
            "phone",
            "email",
            "website",
            "notes",
            "is_active",
        ]
        formfield_callback = _formfield
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, landlord_ids, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["landlord"]
            return
        field = self.fields["landlord"]
        field.queryset = Landlord.objects.filter(pk__in=landlord_ids).order_by("name")
        if user.is_superuser:
            field.required = False
            field.empty_label = _("Aucun : partenaire commun aux trois bailleurs")
        else:
            field.required = True
            field.help_text = ""
            if len(landlord_ids) == 1:
                field.initial = landlord_ids[0]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("landlord", None)
        return data


REFERRAL_STATUS_FILTERS = [
    ("", _("Tous les états")),
    ("open", _("Ouvertes (à transmettre, transmises, prises en charge)")),
    *[(value, capfirst(label)) for value, label in ReferralStatus.choices],
]


class ReferralFilterForm(forms.Form):
    etat = forms.ChoiceField(label=_("État"), choices=REFERRAL_STATUS_FILTERS, required=False)
    partenaire = forms.ModelChoiceField(
        label=_("Partenaire"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("Tous les partenaires"),
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partenaire"].queryset = partners

    def value(self, name):
        """The cleaned value of a valid filter; an invalid one is ignored rather than failing."""
        self.is_valid()
        return self.cleaned_data.get(name) or None


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouvel état"), choices=ReferralStatus.choices)


SOLIDARITY_STATE_LABELS = {
    "open": _("Suivis en cours"),
    "closed": _("Inscriptions closes"),
    "all": _("Toutes les inscriptions"),
}


class SolidarityFilterForm(forms.Form):
    etat = forms.ChoiceField(
        label=_("Inscriptions"),
        choices=[(state, SOLIDARITY_STATE_LABELS[state]) for state in SOLIDARITY_STATES],
        required=False,
    )

    def state(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("etat") or "open"


class SolidarityCloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de clôture"),
        max_length=SolidarityEntry._meta.get_field("closed_reason").max_length,
        required=False,
    )


class SolidarityFollowUpForm(forms.Form):
    note = forms.CharField(label=_("Note de suivi"), widget=forms.Textarea, required=False)
