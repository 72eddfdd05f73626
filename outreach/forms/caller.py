"""Forms of the caller's screen: the call report (one form for everything) and setting a call aside."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach.calendar import PARIS
from outreach.models import CallOutcome, NeedKind, Question, QuestionKind
from outreach.services.calls import CallReport

# Needs heard during the call, and requests the caller passes on to colleagues. Both are recorded
# as Need rows; the page shows them in two groups because the second ones are actions to take.
NEEDS_FOUND = [
    NeedKind.GROCERIES,
    NeedKind.MEDICINE,
    NeedKind.HEALTH,
    NeedKind.ISOLATION,
    NeedKind.RENT,
    NeedKind.OTHER,
]
REQUESTS = [NeedKind.TECHNICAL, NeedKind.CARETAKER_HELP, NeedKind.ADVISER]
REQUEST_LABELS = {
    NeedKind.TECHNICAL: gettext_lazy("Signaler un problème technique dans le logement"),
    NeedKind.CARETAKER_HELP: gettext_lazy("Demander l'aide du gardien (courses, port de charges…)"),
    NeedKind.ADVISER: gettext_lazy("Proposer un rendez-vous avec un conseiller ou une conseillère"),
}

YES, NO = "yes", "no"


def _question_field(question: Question) -> forms.Field:
    """The input of one question. Never required by the form: a required answer is due only when
    the household was reached, which the service checks."""
    common = {"label": question.text, "required": False}
    if question.kind == QuestionKind.YES_NO:
        return forms.ChoiceField(
            choices=[(YES, _("Oui")), (NO, _("Non"))], widget=forms.RadioSelect, **common
        )
    if question.kind == QuestionKind.CHOICE:
        return forms.ChoiceField(
            choices=[("", _("— choisir —"))] + [(text, text) for text in question.choice_list],
            **common,
        )
    if question.kind == QuestionKind.NUMBER:
        return forms.DecimalField(
            max_digits=12,
            decimal_places=2,
            widget=forms.NumberInput(attrs={"step": "any"}),
            **common,
        )
    return forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), strip=True, **common
    )


def _answer_value(question: Question, value: str | Decimal):
    """The JSON value kept in CallLog.answers: true/false, the choice's text, a number, a text."""
    if question.kind == QuestionKind.YES_NO:
        return value == YES
    if question.kind == QuestionKind.NUMBER:
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class _ListedChoices(forms.models.ModelChoiceIterator):
    """The choices in one plain query, kept for the form. Django's own iterator() opens a
    server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE: three round trips) for a dozen
    partners, on every call page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self.field.listed_rows
        for obj in self.queryset if rows is None else rows:  # the queryset keeps its rows
            yield self.choice(obj)


class _PartnerField(forms.ModelChoiceField):
    iterator = _ListedChoices
    listed_rows = None  # the choices' rows when the view read them already


class CallLogForm(forms.Form):
    """The call report and every follow-up agreed during the call, in one form."""

    outcome = forms.ChoiceField(
        label=gettext_lazy("Résultat de l'appel"),
        choices=CallOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choisissez le résultat de l'appel.")},
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Ce que le ménage a dit, ce qui a été convenu."),
    )
    needs = forms.MultipleChoiceField(
        label=gettext_lazy("Besoins repérés"),
        required=False,
        choices=[(kind.value, kind.label) for kind in NEEDS_FOUND],
        widget=forms.CheckboxSelectMultiple,
    )
    requests = forms.MultipleChoiceField(
        label=gettext_lazy("Demandes à transmettre"),
        required=False,
        choices=[(kind.value, REQUEST_LABELS[kind]) for kind in REQUESTS],
        widget=forms.CheckboxSelectMultiple,
    )
    referral_partner = _PartnerField(
        label=gettext_lazy("Orienter vers un partenaire"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— aucune orientation —"),
    )
    referral_reason = forms.CharField(
        label=gettext_lazy("Motif de l'orientation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    solidarity_need = forms.CharField(
        label=gettext_lazy("Inscrire au registre de la solidarité : besoin constaté"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Laisser vide pour ne pas inscrire le ménage."),
    )
    callback_date = forms.DateField(
        label=gettext_lazy("Date du rappel"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    callback_time = forms.TimeField(
        label=gettext_lazy("Heure du rappel"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    callback_personal = forms.BooleanField(
        label=gettext_lazy("Je rappellerai moi-même (rappel personnel)"), required=False
    )
    chain = forms.BooleanField(
        label=gettext_lazy("Enchaîner : passer directement à l'appel suivant"), required=False
    )

    def __init__(self, *args, questions: list[Question], partners, partner_rows=None, **kwargs):
        """``partners``: the queryset a chosen partner must belong to; ``partner_rows``: its rows,
        when the view read them already (the choices are then not read again)."""
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields["referral_partner"].queryset = partners
        self.fields["referral_partner"].listed_rows = partner_rows
        hint = {"aria-describedby": "rappel-aide"}
        self.fields["callback_date"].widget.attrs.update(
            min=timezone.localdate().isoformat(), **hint
        )
        self.fields["callback_time"].widget.attrs.update(hint)
        for kind in NEEDS_FOUND + REQUESTS:
            self.fields[f"need_note_{kind.value}"] = forms.CharField(
                label=_("Précision (%(need)s)") % {"need": kind.label},
                required=False,
                max_length=255,
            )
        for question in questions:
            self.fields[f"q_{question.pk}"] = _question_field(question)

    # Groups the template walks through, each item with its optional note.
    def _with_notes(self, field_name: str):
        return [
            (checkbox, self[f"need_note_{checkbox.data['value']}"]) for checkbox in self[field_name]
        ]

    def needs_with_notes(self):
        return self._with_notes("needs")

    def requests_with_notes(self):
        return self._with_notes("requests")

    def question_fields(self):
        return [(question, self[f"q_{question.pk}"]) for question in self.questions]

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("callback_date"), cleaned.get("callback_time")
        if day and not time and "callback_time" not in self.errors:
            self.add_error("callback_time", _("Indiquez l'heure du rappel."))
        if time and not day and "callback_date" not in self.errors:
            self.add_error("callback_date", _("Indiquez la date du rappel."))
        if cleaned.get("referral_reason") and not cleaned.get("referral_partner"):
            self.add_error("referral_partner", _("Choisissez le partenaire de l'orientation."))
        return cleaned

    def callback_at(self) -> datetime.datetime | None:
        day, time = self.cleaned_data.get("callback_date"), self.cleaned_data.get("callback_time")
        if day and time:
            return datetime.datetime.combine(day, time, tzinfo=PARIS)
        return None

    def report(self) -> CallReport:
        """The parsed report for services.calls.call_log_record (call after is_valid())."""
        data = self.cleaned_data
        answers = {}
        for question in self.questions:
            value = data.get(f"q_{question.pk}")
            if value in (None, ""):
                continue
            answers[str(question.pk)] = _answer_value(question, value)
        needs = []
        for kind in NEEDS_FOUND + REQUESTS:
            note = data.get(f"need_note_{kind.value}", "")
            # A note typed next to a need means the need, even if its box was left unticked.
            if kind.value in data["needs"] or kind.value in data["requests"] or note:
                needs.append((kind.value, note))
        return CallReport(
            outcome=data["outcome"],
            answers=answers,
            notes=data["notes"],
            needs=needs,
            referral_partner=data.get("referral_partner"),
            referral_reason=data["referral_reason"],
            solidarity_need=data["solidarity_need"],
            callback_at=self.callback_at(),
            callback_personal=data["callback_personal"],
        )


class SkipForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif de la mise à l'écart"),
        max_length=255,
        widget=forms.TextInput(),
        error_messages={"required": gettext_lazy("Indiquez pourquoi vous écartez cet appel.")},
        help_text=gettext_lazy("Par exemple : ménage suivi par ailleurs, numéro d'un tiers."),
    )
