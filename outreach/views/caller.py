"""Pages of the call campaigns (caller): pick a campaign, take the next call, log it.

Every page works without JavaScript (plain POST, then redirect); with htmx the call report is
sent in the background and only its region is redrawn when something must be corrected.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_htmx.http import HttpResponseClientRedirect

from housing.mixins import RoleRequiredMixin
from outreach.errors import OutreachError
from outreach.forms.caller import CallLogForm, SkipForm
from outreach.models import CallTask, TaskStatus
from outreach.selectors.caller import (
    QUEUE_COUNT_CAP,
    call_card,
    caller_campaign,
    caller_campaigns,
    caller_task,
    campaign_questions,
    referral_partners,
    referral_partners_offered,
)
from outreach.services.calls import call_log_record, call_task_skip
from outreach.services.campaigns import CALLERS
from outreach.services.queue import (
    call_task_claim,
    call_task_current,
    call_task_release,
    call_tasks_release_all,
)
from tenants.models import AccessScreen
from tenants.services.access_log import household_access_record

# The caller's last choice for "go straight to the next call", kept for the next form.
CHAIN_SESSION_KEY = "outreach_caller_chain"


class CallerMixin(RoleRequiredMixin):
    required_roles = CALLERS

    def task(self, pk: int) -> CallTask:
        return caller_task(user=self.request.user, landlord_ids=self.role_landlord_ids, pk=pk)


def _home_url(campaign_id: int | None = None) -> str:
    url = reverse("outreach:caller_home")
    # After a call, the campaign's "Next call" button gets the focus.
    return f"{url}?apres={campaign_id}" if campaign_id else url


def _go(request, url: str):
    """Leave the page: an htmx request is told to load ``url`` in full, others are redirected."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _claim_and_open(request, campaign):
    """Take the next call of ``campaign`` and open it, or go home saying why not."""
    try:
        task = call_task_claim(campaign=campaign, user=request.user)
    except OutreachError as error:
        messages.error(request, error.message)
        return _go(request, _home_url())
    if task is None:
        messages.info(request, _("Aucun appel à passer pour le moment."))
        return _go(request, _home_url(campaign.pk))
    return _go(request, reverse("outreach:caller_call", args=[task.pk]))


def _call_window_text(campaign) -> str:
    days = ", ".join(str(WEEKDAYS[day]) for day in sorted(campaign.call_weekdays))
    return _("%(days)s, de %(start)s à %(end)s, jours fériés exclus") % {
        "days": days,
        "start": campaign.call_start.strftime("%H:%M"),
        "end": campaign.call_end.strftime("%H:%M"),
    }


class CallerHomeView(CallerMixin, TemplateView):
    template_name = "outreach/caller/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        current = call_task_current(user=user)
        if current is not None and current.landlord_id not in self.role_landlord_ids:
            current = None
        campaigns = caller_campaigns(user=user, landlord_ids=self.role_landlord_ids)
        focus = self.request.GET.get("apres", "")
        focus_id = int(focus) if focus.isdigit() else None
        if not any(campaign.pk == focus_id for campaign in campaigns):
            focus_id = campaigns[0].pk if campaigns else None
        context.update(
            current=current,
            campaigns=campaigns,
            shortcut_campaign_id=focus_id,
            autofocus_next="apres" in self.request.GET,
            several_landlords=len({campaign.landlord_id for campaign in campaigns}) > 1,
            queue_count_cap=QUEUE_COUNT_CAP,
        )
        return context


class CallerNextView(CallerMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        campaign = caller_campaign(user=request.user, landlord_ids=self.role_landlord_ids, pk=pk)
        return _claim_and_open(request, campaign)


# Past this many sets of values, the cache of the report's fields starts afresh.
UNBOUND_FIELDS_MAX = 256


def unbound_log_fields(*, questions, partners, chain: bool, call_window: str, build_form) -> str:
    """The HTML of the report's fields for an empty form (``_log_fields.html``), kept per process.

    Building the form (some thirty fields, copied for each form) and rendering its fifty widgets
    was half of the call page's CPU, for HTML that depends only on what the key holds: the
    language, the form renderer, today's date (the earliest call-back day), the campaign's
    questions as they are now, the partners offered, the « enchaîner » choice and the call window.
    The cache lives on the loaded template, so a template reloaded in development starts a new
    one. ``build_form()`` makes the form when the fields must be rendered.
    """
    template = get_template("outreach/caller/_log_fields.html")
    rendered = template.template.__dict__.setdefault("_portal_unbound_fields", {})
    key = (
        get_language(),
        settings.FORM_RENDERER,
        timezone.localdate(),
        tuple((q.pk, q.position, q.text, q.kind, q.choices, q.required) for q in questions),
        tuple((partner.pk, str(partner)) for partner in partners),
        chain,
        call_window,
    )
    html = rendered.get(key)
    if html is None:
        if len(rendered) >= UNBOUND_FIELDS_MAX:
            rendered.clear()
        html = rendered[key] = template.render({"form": build_form(), "call_window": call_window})
    return html


class CallPageMixin(CallerMixin):
    """Renders the call page (or, for htmx, the report's region) for one held task."""

    def log_form(self, task: CallTask, data=None, *, questions=None, partner_rows=None):
        if questions is None:
            questions = campaign_questions(campaign=task.campaign)
        return CallLogForm(
            data,
            questions=questions,
            partners=referral_partners(task=task, user=self.request.user),
            partner_rows=partner_rows,
            initial={"chain": self.request.session.get(CHAIN_SESSION_KEY, False)},
        )

    def render_call(self, task, *, form=None, skip_form=None, log_error: str = ""):
        request = self.request
        context = {
            "task": task,
            "campaign": task.campaign,
            "form": form,
            "skip_form": skip_form or SkipForm(),
            "log_error": log_error,
            "call_window": _call_window_text(task.campaign),
        }
        if form is None:
            # An empty report: its fields come from the cache when nothing they show changed.
            questions = campaign_questions(campaign=task.campaign)
            partners = referral_partners_offered(task=task)
            context["fields_html"] = unbound_log_fields(
                questions=questions,
                partners=partners,
                chain=request.session.get(CHAIN_SESSION_KEY, False),
                call_window=context["call_window"],
                build_form=lambda: self.log_form(task, questions=questions, partner_rows=partners),
            )
        if request.htmx and form is not None:
            return render(request, "outreach/caller/_log_form.html", context)
        context["card"] = call_card(task=task, user=request.user)
        household_access_record(
            user=request.user,
            household_id=task.household_id,
            landlord_id=task.landlord_id,
            screen=AccessScreen.CALLER_CARD,
        )
        return render(request, "outreach/caller/call.html", context)


class CallerCallView(CallPageMixin, View):
    def get(self, request, pk: int):
        task = self.task(pk)
        if task.status != TaskStatus.HELD:
            messages.info(request, _("Cet appel n'est plus en cours : prenez l'appel suivant."))
            return redirect(_home_url(task.campaign_id))
        return self.render_call(task)


class CallerLogView(CallPageMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        task = self.task(pk)
        form = self.log_form(task, request.POST)
        if not form.is_valid():
            return self.render_call(task, form=form)
        if request.session.get(CHAIN_SESSION_KEY, False) != form.cleaned_data["chain"]:
            # Remembered when it changes: an unchanged choice does not rewrite the session.
            request.session[CHAIN_SESSION_KEY] = form.cleaned_data["chain"]
        try:
            log = call_log_record(task=task, user=request.user, report=form.report())
        except OutreachError as error:
            return self.render_call(task, form=form, log_error=error.message)
        messages.success(
            request,
            _("Appel enregistré : %(household)s – %(outcome)s.")
            % {"household": task.household.name, "outcome": log.get_outcome_display()},
        )
        if form.cleaned_data["chain"]:
            return _claim_and_open(request, task.campaign)
        return _go(request, _home_url(task.campaign_id))


class CallerReleaseView(CallerMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        task = self.task(pk)
        call_task_release(task=task, user=request.user)
        messages.info(
            request, _("L'appel a été rendu à la file : un ou une collègue pourra le passer.")
        )
        return _go(request, _home_url(task.campaign_id))


class CallerSkipView(CallPageMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        task = self.task(pk)
        form = SkipForm(request.POST)
        if not form.is_valid() and task.status == TaskStatus.HELD:
            return self.render_call(task, skip_form=form)
        reason = form.cleaned_data.get("reason", "")
        try:
            call_task_skip(task=task, user=request.user, reason=reason)
        except OutreachError as error:
            messages.error(request, error.message)
        else:
            messages.info(request, _("L'appel a été écarté de la file."))
        return _go(request, _home_url(task.campaign_id))


class CallerDoneForDayView(CallerMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        released = call_tasks_release_all(user=request.user)
        if released:
            text = ngettext(
                "Bonne fin de journée : %(count)d appel a été rendu à la file.",
                "Bonne fin de journée : %(count)d appels ont été rendus à la file.",
                released,
            ) % {"count": released}
        else:
            text = _("Bonne fin de journée : vous ne teniez aucun appel.")
        messages.info(request, text)
        return _go(request, _home_url())


urlpatterns = [
    path("appels/", CallerHomeView.as_view(), name="caller_home"),
    path("appels/<int:pk>/suivant/", CallerNextView.as_view(), name="caller_next"),
    path("appels/appel/<int:pk>/", CallerCallView.as_view(), name="caller_call"),
    path("appels/appel/<int:pk>/compte-rendu/", CallerLogView.as_view(), name="caller_log"),
    path("appels/appel/<int:pk>/rendre/", CallerReleaseView.as_view(), name="caller_release"),
    path("appels/appel/<int:pk>/ecarter/", CallerSkipView.as_view(), name="caller_skip"),
    path("appels/fin-de-journee/", CallerDoneForDayView.as_view(), name="caller_done_for_day"),
]
