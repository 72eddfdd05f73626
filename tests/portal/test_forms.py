"""The portal's form renderer writes exactly the HTML of Django's widget templates
(portal/forms.py): every widget it writes in Python, rendered both ways, with awkward values."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from portal.forms import PYTHON_WIDGETS, PortalFormRenderer

CHOICES = [
    ("a", "Appel « manqué » & rappel"),
    ("b", gettext_lazy("Messagerie")),
    (3, 1234567),
    ("", "— aucun —"),
]
GROUPED = [("Groupe <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")]


class EveryWidget(forms.Form):
    text = forms.CharField(
        label="Texte", widget=forms.TextInput(attrs={"placeholder": 'dit "oui"', "required": True})
    )
    number = forms.IntegerField(widget=forms.NumberInput(attrs={"min": 0, "step": 1000}))
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": False}))
    hidden = forms.CharField(widget=forms.HiddenInput)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    hour = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "aria-describedby": "aide"}))
    agree = forms.BooleanField()
    choice = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    several = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple)
    menu = forms.ChoiceField(choices=CHOICES)
    grouped = forms.ChoiceField(choices=GROUPED)
    many = forms.MultipleChoiceField(choices=GROUPED, widget=forms.SelectMultiple)

    def clean(self):
        if self.data.get("notes") == "":  # a form-wide error: the list without a field id
            raise forms.ValidationError(["Erreur <générale> & « 1 »", mark_safe("<i>sûre</i>")])


DATA = {
    "text": "<script>alert('x')</script> & co",
    "number": "12",
    "email": "jeanne@exemple.fr",
    "hidden": mark_safe("<b>sûr</b>"),
    "password": "p&ss",
    "day": "2026-11-27",
    "hour": "09:30",
    "notes": "Ligne 1\n<Ligne 2> & « 3 »",
    "agree": "on",
    "choice": "b",
    "several": ["a", "3"],
    "menu": "3",
    "grouped": "y",
    "many": ["x", "z"],
}


def _render_all(form, renderer) -> list[str]:
    form.renderer = renderer
    html = [str(form.non_field_errors()), str(form.errors.get("text", ""))]
    for field in form:
        field.form.renderer = renderer
        html.append(str(field))
        html.append(field.label_tag())
        html.append(field.label_tag("Nom <b>", attrs={"class": "grand", "hidden": True}))
        html.append(field.label_tag("Nom <b> ?", label_suffix=""))  # not escaped by Django
        html.append(field.legend_tag(label_suffix=" :"))
        html.append(str(field.errors))
        html += [widget.tag() for widget in field.subwidgets]
        html += [widget.tag(wrap_label=True) for widget in field.subwidgets]
    return html


@pytest.mark.parametrize(
    "form",
    [
        lambda: EveryWidget(),
        lambda: EveryWidget(DATA),
        lambda: EveryWidget({**DATA, "agree": "", "notes": "", "choice": "zz"}),
        lambda: EveryWidget(initial={"day": datetime.date(2026, 2, 3), "number": 1234567}),
        lambda: EveryWidget({**DATA, "notes": ""}, auto_id=False),  # labels without a tag
    ],
    ids=["unbound", "bound", "bound-invalid", "initial", "no-ids"],
)
def test_python_widgets_write_what_djangos_templates_write(form):
    assert _render_all(form(), PortalFormRenderer()) == _render_all(form(), DjangoTemplates())


def test_every_widget_written_in_python_is_exercised_here():
    used = {
        option["template_name"]
        for field in EveryWidget()
        for option in [field.field.widget.get_context(field.html_name, None, {})["widget"]]
        + [w.data for w in field.subwidgets]
    }
    inputs = {name for name in PYTHON_WIDGETS if name.endswith(("/input.html", "_option.html"))}
    untested = set(PYTHON_WIDGETS) - used - inputs
    # The plain inputs (url, search, tel, color, file, datetime) share the <input> writer.
    assert untested <= {
        f"django/forms/widgets/{n}.html"
        for n in ["color", "datetime", "file", "search", "tel", "url"]
    }


@pytest.mark.django_db
def test_the_call_page_is_the_same_with_djangos_renderer(client, actis, actis_household):
    """The page with the most widgets, whole, both ways."""
    from outreach.models import CallTask, Campaign
    from outreach.services.queue import call_queue_refresh
    from tests.factories import make_staff

    caller = make_staff(actis, email="appelante@actis.example")
    campaign = Campaign.objects.create(
        landlord=actis,
        name="Été",
        status=Campaign.Status.ACTIVE,
        call_weekdays=[0, 1, 2, 3, 4, 5, 6],
        call_start=datetime.time(0),
        call_end=datetime.time(23, 59),
    )
    call_queue_refresh(campaign_id=campaign.pk)
    client.force_login(caller)
    client.post(f"/personnel/appels/{campaign.pk}/suivant/")
    task = CallTask.objects.get(held_by=caller)
    url = f"/personnel/appels/appel/{task.pk}/"

    def page():
        html = client.get(url).content.decode()
        return [line for line in html.splitlines() if "csrf" not in line.lower()]

    ours = page()
    with override_settings(FORM_RENDERER="django.forms.renderers.DjangoTemplates"):
        assert page() == ours
    assert 'name="outcome"' in "".join(ours)
