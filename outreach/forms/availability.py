"""Forms of « Mes disponibilités » (the rules themselves are in outreach/services/availability)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from housing.models import Agency
from outreach.models import AdviserKind, AvailabilityExceptionKind, AvailabilityRule

WEEKDAYS = AvailabilityRule._meta.get_field("weekday").choices


class _TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self):
        super().__init__(format="%H:%M")


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class RuleForm(forms.Form):
    """A weekly rule; ``agencies`` and ``kinds`` are those of the adviser's landlords."""

    weekday = forms.TypedChoiceField(label=_("Jour"), choices=WEEKDAYS, coerce=int)
    start_time = forms.TimeField(label=_("De (heure)"), widget=_TimeInput())
    end_time = forms.TimeField(label=_("À (heure)"), widget=_TimeInput())
    agency = forms.ModelChoiceField(label=_("Agence"), queryset=Agency.objects.none())
    kind = forms.ChoiceField(label=_("Reçoit comme"), choices=AdviserKind.choices)
    slot_minutes = forms.IntegerField(
        label=_("Durée d'un créneau (minutes)"), min_value=10, max_value=240, initial=30
    )
    offers_agency = forms.BooleanField(label=_("À l'agence"), required=False, initial=True)
    offers_phone = forms.BooleanField(label=_("Par téléphone"), required=False, initial=True)
    valid_from = forms.DateField(
        label=_("À partir du (facultatif)"), required=False, widget=_DateInput()
    )

    def __init__(self, *args, agencies, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["kind"].choices = [c for c in AdviserKind.choices if c[0] in kinds]


class EndRuleForm(forms.Form):
    last_day = forms.DateField(label=_("Dernier jour"), widget=_DateInput())


class AbsenceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Motif"),
        choices=[
            (AvailabilityExceptionKind.LEAVE, _("congé")),
            (AvailabilityExceptionKind.TRAINING, _("formation")),
        ],
    )
    first_day = forms.DateField(label=_("Premier jour"), widget=_DateInput())
    last_day = forms.DateField(label=_("Dernier jour (inclus)"), widget=_DateInput())
    landlord = forms.TypedChoiceField(label=_("Bailleur"), coerce=int)
    note = forms.CharField(label=_("Remarque (facultatif)"), required=False, max_length=255)

    def __init__(self, *args, landlords, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["landlord"].choices = [(landlord.pk, landlord.name) for landlord in landlords]
        if len(landlords) == 1:
            self.fields["landlord"].widget = forms.HiddenInput()
            self.fields["landlord"].initial = landlords[0].pk
