"""Forms of « Mes disponibilités » (the rules themselves are in outreach/services/availability)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from housing.models import Agency
from outreach.models import AdviserKind, AvailabilityExceptionKind, AvailabilityRule

WEEKDAYS = AvailabilityRule._meta.get_field("weekday").choices


class _TimeInput(forms.TextInput):
    """24 h « 14:00 » whatever the browser's locale (a time input may show AM/PM)."""

    def __init__(self):
        super().__init__(attrs={"inputmode": "numeric", "size": 6, "placeholder": "14:00"})

    def format_value(self, value):
        return value.strftime("%H:%M") if hasattr(value, "strftime") else value


class _DateInput(forms.DateInput):
    """French « jj/mm/aaaa » whatever the browser's locale."""

    def __init__(self):
        super().__init__(
            format="%d/%m/%Y",
            attrs={"inputmode": "numeric", "size": 11, "placeholder": _("jj/mm/aaaa")},
        )


TIME_HELP = _("Au format 24 h, par exemple 09:30 ou 14:00.")
DATE_HELP = _("Au format jj/mm/aaaa.")


class RuleForm(forms.Form):
    """A weekly rule; ``agencies`` and ``kinds`` are those of the adviser's landlords."""

    weekday = forms.TypedChoiceField(label=_("Jour"), choices=WEEKDAYS, coerce=int)
    start_time = forms.TimeField(label=_("De (heure)"), help_text=TIME_HELP, widget=_TimeInput())
    end_time = forms.TimeField(label=_("À (heure)"), help_text=TIME_HELP, widget=_TimeInput())
    agency = forms.ModelChoiceField(label=_("Agence"), queryset=Agency.objects.none())
    kind = forms.ChoiceField(label=_("Reçoit comme"), choices=AdviserKind.choices)
    slot_minutes = forms.IntegerField(
        label=_("Durée d'un créneau (minutes)"), min_value=10, max_value=240, initial=30
    )
    offers_agency = forms.BooleanField(label=_("À l'agence"), required=False, initial=True)
    offers_phone = forms.BooleanField(label=_("Par téléphone"), required=False, initial=True)
    valid_from = forms.DateField(
        label=_("À partir du (facultatif)"),
        required=False,
        help_text=DATE_HELP,
        widget=_DateInput(),
    )

    def __init__(self, *args, agencies, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].pk
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
        initial=AvailabilityExceptionKind.LEAVE,
        widget=forms.RadioSelect,
    )
    first_day = forms.DateField(label=_("Premier jour"), help_text=DATE_HELP, widget=_DateInput())
    last_day = forms.DateField(
        label=_("Dernier jour (inclus)"), help_text=DATE_HELP, widget=_DateInput()
    )
    landlord = forms.TypedChoiceField(label=_("Bailleur"), coerce=int)
    note = forms.CharField(label=_("Remarque (facultatif)"), required=False, max_length=255)

    def __init__(self, *args, landlords, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["landlord"].choices = [(landlord.pk, landlord.name) for landlord in landlords]
        if len(landlords) == 1:
            self.fields["landlord"].widget = forms.HiddenInput()
            self.fields["landlord"].initial = landlords[0].pk
