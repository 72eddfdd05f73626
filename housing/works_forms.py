from django import forms
from django.utils.translation import gettext_lazy as _

from housing.models import WorksEventKind


class WorksEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Événement"), choices=WorksEventKind.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("Motif"),
        max_length=255,
        required=False,
        help_text=_("Obligatoire pour une suspension, par exemple « confinement »."),
    )
