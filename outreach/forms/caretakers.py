"""Forms of the caretaker's "today" page, the solidarity tasks and the supervisors' week board."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from housing.models import DutyCompletion
from outreach.models import SolidarityTask
from tenants.models import RequestCategory, RequestLocation


class DoneNoteForm(forms.Form):
    """A round or a task ticked off, with an optional note."""

    note = forms.CharField(
        label=_("Note (facultative)"),
        required=False,
        max_length=DutyCompletion._meta.get_field("note").max_length,
    )


class ReportProblemForm(forms.Form):
    """A technical problem the caretaker reports on site: in a household's dwelling, or in the
    common areas of one of their buildings (for a household, or for nobody in particular)."""

    location = forms.ChoiceField(
        label=_("Où ?"),
        choices=[(value, capfirst(label)) for value, label in RequestLocation.choices],
        widget=forms.RadioSelect,
        initial=RequestLocation.COMMON_AREA,
    )
    building = forms.ModelChoiceField(
        label=_("Quel immeuble ?"),
        queryset=None,
        required=False,
        empty_label=_("Choisissez un immeuble"),
        help_text=_("Pour les parties communes."),
    )
    household = forms.ModelChoiceField(
        label=_("Pour quel ménage ?"),
        queryset=None,
        required=False,
        empty_label=_("Aucun ménage en particulier"),
        help_text=_("Obligatoire pour un problème dans un logement."),
    )
    category = forms.ChoiceField(
        label=_("Quel est le problème ?"),
        choices=[(value, capfirst(label)) for value, label in RequestCategory.choices],
    )
    description = forms.CharField(
        label=_("Décrivez le problème"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )

    def __init__(self, *args, buildings, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["household"].queryset = households
        self.fields["household"].label_from_instance = lambda household: (
            f"{household.name} ({household.reference})"
        )

    def clean(self):
        cleaned = super().clean()
        household, building = cleaned.get("household"), cleaned.get("building")
        if cleaned.get("location") == RequestLocation.DWELLING:
            if household is None and "household" not in self.errors:
                self.add_error(
                    "household", _("Choisissez le ménage dont le logement est concerné.")
                )
        elif household is None and building is None and "building" not in self.errors:
            self.add_error("building", _("Choisissez l'immeuble ou le ménage concerné."))
        return cleaned


class SolidarityTaskForm(forms.Form):
    assigned_to = forms.ModelChoiceField(
        label=_("Gardien(ne)"), queryset=None, empty_label=_("Choisissez un(e) gardien(ne)")
    )
    description = forms.CharField(
        label=_("Tâche"),
        max_length=SolidarityTask._meta.get_field("description").max_length,
        help_text=_("Par exemple : « Porter les courses de Mme X, 3e étage »."),
    )
    due_on = forms.DateField(
        label=_("À faire le"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, caretakers, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        field.queryset = caretakers
        field.label_from_instance = lambda user: user.get_full_name() or user.email
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()


class TaskCancelForm(forms.Form):
    reason = forms.CharField(label=_("Motif de l'annulation"), max_length=255, required=False)


class WeekForm(forms.Form):
    semaine = forms.DateField(
        label=_("Semaine du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def day(self):
        """The day asked for (any day of the week), today when absent or not a date."""
        self.is_valid()
        return self.cleaned_data.get("semaine") or timezone.localdate()
