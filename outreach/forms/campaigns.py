"""Forms of the supervisor's campaign pages: the campaign itself and its questionnaire."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from housing.models import Building, Estate, Landlord
from outreach.models import Campaign, Question, QuestionKind
from outreach.services.campaigns import QuestionInput

WEEKDAYS = [
    (0, gettext_lazy("lundi")),
    (1, gettext_lazy("mardi")),
    (2, gettext_lazy("mercredi")),
    (3, gettext_lazy("jeudi")),
    (4, gettext_lazy("vendredi")),
    (5, gettext_lazy("samedi")),
    (6, gettext_lazy("dimanche")),
]

# The fields that decide which households a campaign selects (what the preview counts).
CRITERIA_FIELDS = [
    "min_age",
    "require_isolated",
    "require_payment_difficulty",
    "min_arrears",
    "require_disability",
    "require_priority_transfer",
    "not_reached_days",
]

FIELDSETS = [
    (gettext_lazy("La campagne"), ["name", "purpose", "landlord", "start_date", "end_date"]),
    (
        gettext_lazy("Ménages à appeler (tous les critères choisis doivent être remplis)"),
        [*CRITERIA_FIELDS[:-1], "estates", "buildings", "not_reached_days"],
    ),
    (
        gettext_lazy("Règles d'appel"),
        [
            "call_weekdays",
            "call_start",
            "call_end",
            "max_attempts",
            "retry_delay_minutes",
            "hold_minutes",
        ],
    ),
    (gettext_lazy("Script d'appel"), ["script"]),
]


class BuildingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, building):
        return f"{building.name} – {building.estate.name}"


class CampaignForm(forms.ModelForm):
    """A campaign's definition; ``managed_landlord_ids`` are the landlords the user manages.

    On creation the landlord is chosen among them (a hidden field when there is only one); on
    update the landlord stays the campaign's.
    """

    call_weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Jours d'appel"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Les jours fériés français sont toujours exclus."),
        error_messages={"required": gettext_lazy("Choisissez au moins un jour d'appel.")},
    )
    estates = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Quartiers"),
        queryset=Estate.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Aucun coché : tous les quartiers."),
    )
    buildings = BuildingChoiceField(
        label=gettext_lazy("Immeubles"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy(
            "Aucun choisi : tous les immeubles. Maintenez Ctrl (ou Cmd) pour en choisir plusieurs."
        ),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "purpose",
            "landlord",
            "start_date",
            "end_date",
            *CRITERIA_FIELDS,
            "estates",
            "buildings",
            "call_weekdays",
            "call_start",
            "call_end",
            "max_attempts",
            "retry_delay_minutes",
            "hold_minutes",
            "script",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "script": forms.Textarea(attrs={"rows": 8}),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "call_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "call_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "min_arrears": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args, managed_landlord_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.managed_landlord_ids = managed_landlord_ids
        landlord_ids = managed_landlord_ids
        if self.instance.pk:
            # The landlord of an existing campaign does not change: its queue and logs are theirs.
            del self.fields["landlord"]
            landlord_ids = [self.instance.landlord_id]
        else:
            landlord_field = self.fields["landlord"]
            landlord_field.queryset = Landlord.objects.filter(pk__in=managed_landlord_ids)
            landlord_field.empty_label = _("— choisir —")
            if len(managed_landlord_ids) == 1:
                landlord_field.widget = forms.HiddenInput()
                landlord_field.initial = managed_landlord_ids[0]
        self.fields["buildings"].queryset = (
            Building.objects.filter(landlord_id__in=landlord_ids)
            .select_related("estate")
            .order_by("estate__name", "name")
        )
        self.fields["estates"].queryset = Estate.objects.filter(
            buildings__landlord_id__in=landlord_ids
        ).distinct()
        self.fields["call_weekdays"].initial = (
            self.instance.call_weekdays if self.instance.pk else Campaign().call_weekdays
        )
        self.fields["max_attempts"].widget.attrs.update(min=1, max=20)
        for bound_field in self.fields.values():
            if isinstance(bound_field, forms.BooleanField):
                bound_field.label_suffix = ""  # the label follows its box: no " :" after it
        for name in ("retry_delay_minutes", "hold_minutes"):
            self.fields[name].widget.attrs.update(min=5)

    @property
    def fieldsets(self):
        """(legend, bound fields) groups, in the page's order."""
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in FIELDSETS
        ]

    def landlord_id(self) -> int | None:
        if self.instance.pk:
            return self.instance.landlord_id
        landlord = self.cleaned_data.get("landlord") if hasattr(self, "cleaned_data") else None
        return landlord.pk if landlord else None

    def clean_call_weekdays(self):
        return sorted(set(self.cleaned_data["call_weekdays"]))

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La date de fin ne peut pas précéder la date de début."))
        call_start, call_end = data.get("call_start"), data.get("call_end")
        if call_start and call_end and call_end <= call_start:
            self.add_error("call_end", _("L'heure de fin des appels doit suivre l'heure de début."))
        if data.get("min_arrears") is not None and not data.get("require_payment_difficulty"):
            self.add_error(
                "min_arrears",
                _("Un impayé minimum n'a de sens qu'avec le critère « difficulté de paiement »."),
            )
        landlord_id = self.landlord_id()
        if landlord_id is not None and any(
            building.landlord_id != landlord_id for building in data.get("buildings") or []
        ):
            self.add_error("buildings", _("Choisissez des immeubles du bailleur de la campagne."))
        return data

    def criteria_errors(self) -> bool:
        """Whether any targeting field is invalid (the preview then asks to correct them)."""
        names = [*CRITERIA_FIELDS, "estates", "buildings"]
        if not self.instance.pk:
            names.append("landlord")
        return any(name in self.errors for name in names)

    def campaign_fields(self) -> dict:
        """The cleaned values as keyword arguments for campaign_create / campaign_update."""
        return {
            name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data
        }

    def unsaved_campaign(self) -> tuple[Campaign, list[int], list[int]]:
        """A campaign built in memory from the criteria, with the chosen estate and building ids."""
        data = self.cleaned_data
        campaign = Campaign(
            landlord_id=self.landlord_id(),
            **{name: data.get(name) for name in CRITERIA_FIELDS},
        )
        campaign.require_isolated = bool(campaign.require_isolated)
        campaign.require_payment_difficulty = bool(campaign.require_payment_difficulty)
        campaign.require_disability = bool(campaign.require_disability)
        campaign.require_priority_transfer = bool(campaign.require_priority_transfer)
        estate_ids = [estate.pk for estate in data.get("estates") or []]
        building_ids = [building.pk for building in data.get("buildings") or []]
        return campaign, estate_ids, building_ids


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["text", "kind", "choices", "required", "position"]
        widgets = {
            "choices": forms.Textarea(attrs={"rows": 3}),
            "position": forms.NumberInput(attrs={"min": 0, "class": "campaign-input-short"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["required"].label_suffix = ""
        if not self.instance.pk:
            # The blank row: left as rendered, it has not changed and adds nothing.
            self.initial.update(kind=QuestionKind.YES_NO, position=None)

    def clean(self):
        data = super().clean()
        if data.get("kind") == QuestionKind.CHOICE and not (data.get("choices") or "").strip():
            self.add_error("choices", _("Indiquez au moins un choix, un par ligne."))
        return data

    def as_input(self) -> QuestionInput:
        data = self.cleaned_data
        return QuestionInput(
            pk=self.instance.pk,
            text=data["text"],
            kind=data["kind"],
            choices=data.get("choices") or "",
            required=data.get("required", False),
            position=data.get("position"),
        )


class BaseQuestionFormSet(forms.BaseModelFormSet):
    def inputs(self) -> tuple[list[QuestionInput], list[int]]:
        """The questions to keep or add, and the ids of the questions to delete."""
        kept, deleted = [], []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    deleted.append(form.instance.pk)
                continue
            if not form.instance.pk and not form.has_changed():
                continue  # the blank row for a new question, left empty
            kept.append(form.as_input())
        return kept, deleted


QuestionFormSet = forms.modelformset_factory(
    Question, form=QuestionForm, formset=BaseQuestionFormSet, extra=1, can_delete=True
)
