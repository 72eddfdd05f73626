"""Pages of the call campaigns for supervisors: list, form, dashboard, questionnaire, export.

Viewing is open to the roles that work the queues (CALLERS), changing to CAMPAIGN_MANAGERS. Every
campaign is read through ``visible_to(user)`` and the landlords where the user holds the role, so
another landlord's campaign answers 404.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from housing.exports import csv_download, csv_rows
from housing.mixins import RoleRequiredMixin
from housing.scoping import landlord_ids_with_role
from outreach.errors import OutreachError
from outreach.forms.campaigns import WEEKDAYS, CampaignForm, QuestionFormSet
from outreach.models import CAMPAIGN_TRANSITIONS, Campaign, CampaignStatus, QueueBuild
from outreach.selectors.dashboard import campaign_dashboard, campaign_list, export_rows
from outreach.services.campaigns import (
    CALLERS,
    CAMPAIGN_MANAGERS,
    EDITABLE_STATUSES,
    campaign_create,
    campaign_set_status,
    campaign_update,
    questionnaire_save,
    queue_build_request,
)
from outreach.targeting import selected_households

# The button that moves a campaign to a status, by (current status, target status).
STATUS_BUTTONS = {
    (CampaignStatus.DRAFT, CampaignStatus.ACTIVE): gettext_lazy("Lancer la campagne"),
    (CampaignStatus.PAUSED, CampaignStatus.ACTIVE): gettext_lazy("Reprendre la campagne"),
    (CampaignStatus.ACTIVE, CampaignStatus.PAUSED): gettext_lazy("Mettre en pause"),
}
STATUS_ORDER = [CampaignStatus.ACTIVE, CampaignStatus.PAUSED, CampaignStatus.CLOSED]


def _error_text(error: Exception) -> str:
    if isinstance(error, OutreachError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    raise error


class CampaignViewerMixin(RoleRequiredMixin):
    """Staff who work the queues; the campaign comes from the landlords where they hold the role."""

    required_roles = CALLERS

    def get_campaign(self) -> Campaign:
        campaigns = (
            Campaign.objects.visible_to(self.request.user)
            .filter(landlord_id__in=self.role_landlord_ids)
            .select_related("landlord")
        )
        return get_object_or_404(campaigns, pk=self.kwargs["pk"])


class CampaignManagerMixin(CampaignViewerMixin):
    """Staff who define and steer campaigns."""

    required_roles = CAMPAIGN_MANAGERS


class CampaignListView(CampaignViewerMixin, ListView):
    template_name = "outreach/campaigns/campaign_list.html"
    context_object_name = "campaigns"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return campaign_list(
            self.request.user,
            landlord_ids=self.role_landlord_ids,
            status=self.request.GET.get("etat", ""),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["status"] = self.request.GET.get("etat", "")
        context["status_choices"] = CampaignStatus.choices
        context["query_without_page"] = f"etat={context['status']}" if context["status"] else ""
        context["can_create"] = bool(landlord_ids_with_role(self.request.user, CAMPAIGN_MANAGERS))
        return context


def preview_count(form: CampaignForm) -> int | None:
    """How many households the form's criteria select now; None while they are invalid."""
    if form.is_bound:
        if form.criteria_errors():
            return None
        campaign, estate_ids, building_ids = form.unsaved_campaign()
        return selected_households(
            campaign, estate_ids=estate_ids, building_ids=building_ids
        ).count()
    if form.instance.pk:
        return selected_households(form.instance).count()
    landlord_id = form.fields["landlord"].initial
    if landlord_id is None:
        return None
    return selected_households(
        Campaign(landlord_id=landlord_id), estate_ids=[], building_ids=[]
    ).count()


class CampaignFormMixin(CampaignManagerMixin):
    template_name = "outreach/campaigns/campaign_form.html"

    def render_form(self, form, *, saved_name: str = ""):
        context = {
            "form": form,
            "campaign": form.instance if form.instance.pk else None,
            # The heading keeps the saved name while the form shows what was typed.
            "saved_name": saved_name,
            "preview_count": preview_count(form),
        }
        return render(self.request, self.template_name, context)


class CampaignCreateView(CampaignFormMixin, View):
    def get(self, request):
        return self.render_form(CampaignForm(managed_landlord_ids=self.role_landlord_ids))

    def post(self, request):
        form = CampaignForm(request.POST, managed_landlord_ids=self.role_landlord_ids)
        if form.is_valid():
            try:
                campaign = campaign_create(user=request.user, **form.campaign_fields())
            except (OutreachError, ValidationError) as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(
                    request,
                    _(
                        "La campagne « %(name)s » est créée en brouillon, avec le questionnaire "
                        "de bien-être par défaut."
                    )
                    % {"name": campaign.name},
                )
                return redirect("outreach:campaign_detail", pk=campaign.pk)
        return self.render_form(form)


class CampaignUpdateView(CampaignFormMixin, View):
    def get(self, request, pk):
        campaign = self.get_campaign()
        if campaign.status not in EDITABLE_STATUSES:
            messages.error(request, _("Une campagne clôturée ne peut plus être modifiée."))
            return redirect("outreach:campaign_detail", pk=campaign.pk)
        return self.render_form(
            CampaignForm(instance=campaign, managed_landlord_ids=self.role_landlord_ids),
            saved_name=campaign.name,
        )

    def post(self, request, pk):
        campaign = self.get_campaign()
        saved_name = campaign.name
        form = CampaignForm(
            request.POST, instance=campaign, managed_landlord_ids=self.role_landlord_ids
        )
        if form.is_valid():
            try:
                campaign_update(campaign=campaign, user=request.user, **form.campaign_fields())
            except OutreachError as error:
                messages.error(request, error.message)
                return redirect("outreach:campaign_detail", pk=campaign.pk)
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, _("La campagne est enregistrée."))
                return redirect("outreach:campaign_detail", pk=campaign.pk)
        return self.render_form(form, saved_name=saved_name)


class CampaignPreviewView(CampaignManagerMixin, View):
    """htmx: the number of households the form's current criteria select (nothing is saved)."""

    def get(self, request):
        form = CampaignForm(request.GET, managed_landlord_ids=self.role_landlord_ids)
        form.is_valid()
        return render(
            request,
            "outreach/campaigns/_preview.html",
            {"preview_count": preview_count(form), "form": form},
        )


class CampaignDetailView(CampaignViewerMixin, TemplateView):
    """The supervisor's dashboard of one campaign."""

    template_name = "outreach/campaigns/campaign_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        can_manage = campaign.landlord_id in landlord_ids_with_role(
            self.request.user, CAMPAIGN_MANAGERS
        )
        allowed = CAMPAIGN_TRANSITIONS[campaign.status]
        context.update(
            campaign=campaign,
            dashboard=campaign_dashboard(campaign),
            questions=list(campaign.questions.all()),
            build=campaign.builds.order_by("-created_at", "-pk").first(),
            can_manage=can_manage,
            editable=campaign.status in EDITABLE_STATUSES,
            weekdays=[label for day, label in WEEKDAYS if day in campaign.call_weekdays],
            status_buttons=[
                (
                    status.value,
                    STATUS_BUTTONS.get((campaign.status, status), _("Clôturer la campagne")),
                )
                for status in STATUS_ORDER
                if status in allowed
            ],
        )
        return context


class CampaignStatusView(CampaignManagerMixin, View):
    def post(self, request, pk):
        campaign = self.get_campaign()
        status = request.POST.get("status", "")
        if status not in CampaignStatus.values:
            messages.error(request, _("Choisissez un état de campagne valide."))
        else:
            try:
                campaign = campaign_set_status(campaign=campaign, user=request.user, status=status)
            except OutreachError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("La campagne est maintenant « %(status)s ».")
                    % {"status": campaign.get_status_display()},
                )
        return redirect("outreach:campaign_detail", pk=campaign.pk)


class CampaignBuildView(CampaignManagerMixin, View):
    """ "Build the queue now": record a build and show its progress (htmx) or go back."""

    def post(self, request, pk):
        campaign = self.get_campaign()
        try:
            build = queue_build_request(campaign=campaign, user=request.user)
        except OutreachError as error:
            if request.htmx:
                return render(
                    request, "outreach/campaigns/_build_status.html", {"error": error.message}
                )
            messages.error(request, error.message)
            return redirect("outreach:campaign_detail", pk=campaign.pk)
        if request.htmx:
            return render(
                request,
                "outreach/campaigns/_build_status.html",
                {"build": build, "campaign": campaign},
            )
        messages.success(request, _("La construction de la file est demandée."))
        return HttpResponseRedirect(
            reverse("outreach:campaign_detail", args=[campaign.pk]) + "#file"
        )


class CampaignBuildStatusView(CampaignViewerMixin, View):
    """htmx polling: where a queue build stands (polling stops once it has finished)."""

    def get(self, request, pk, build_pk):
        campaign = self.get_campaign()
        build = get_object_or_404(
            QueueBuild.objects.visible_to(request.user).filter(campaign=campaign), pk=build_pk
        )
        return render(
            request,
            "outreach/campaigns/_build_status.html",
            {"build": build, "campaign": campaign},
        )


class CampaignQuestionsView(CampaignManagerMixin, View):
    template_name = "outreach/campaigns/campaign_questions.html"

    def render_formset(self, campaign, formset):
        context = {
            "campaign": campaign,
            "formset": formset,
            "editable": campaign.status in EDITABLE_STATUSES,
        }
        return render(self.request, self.template_name, context)

    def get(self, request, pk):
        campaign = self.get_campaign()
        formset = QuestionFormSet(queryset=campaign.questions.all(), prefix="questions")
        return self.render_formset(campaign, formset)

    def post(self, request, pk):
        campaign = self.get_campaign()
        formset = QuestionFormSet(
            request.POST, queryset=campaign.questions.all(), prefix="questions"
        )
        if formset.is_valid():
            questions, deleted = formset.inputs()
            try:
                questionnaire_save(
                    campaign=campaign, user=request.user, questions=questions, deleted=deleted
                )
            except (OutreachError, ValidationError) as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(request, _("Le questionnaire est enregistré."))
                return redirect("outreach:campaign_questions", pk=campaign.pk)
        return self.render_formset(campaign, formset)


class CampaignExportView(CampaignManagerMixin, View):
    """The campaign's call logs as CSV for Excel: ``;``, UTF-8 with BOM, streamed by chunks."""

    def get(self, request, pk):
        campaign = self.get_campaign()
        slug = slugify(campaign.name) or campaign.pk
        filename = f"appels-{slug}-{timezone.localdate().isoformat()}.csv"
        return csv_download(csv_rows(export_rows(campaign)), filename)


urlpatterns = [
    path("campagnes/", CampaignListView.as_view(), name="campaign_list"),
    path("campagnes/nouvelle/", CampaignCreateView.as_view(), name="campaign_create"),
    path("campagnes/apercu/", CampaignPreviewView.as_view(), name="campaign_preview"),
    path("campagnes/<int:pk>/", CampaignDetailView.as_view(), name="campaign_detail"),
    path("campagnes/<int:pk>/modifier/", CampaignUpdateView.as_view(), name="campaign_update"),
    path("campagnes/<int:pk>/etat/", CampaignStatusView.as_view(), name="campaign_status"),
    path("campagnes/<int:pk>/file/", CampaignBuildView.as_view(), name="campaign_build"),
    path(
        "campagnes/<int:pk>/file/<int:build_pk>/",
        CampaignBuildStatusView.as_view(),
        name="campaign_build_status",
    ),
    path(
        "campagnes/<int:pk>/questionnaire/",
        CampaignQuestionsView.as_view(),
        name="campaign_questions",
    ),
    path("campagnes/<int:pk>/export.csv", CampaignExportView.as_view(), name="campaign_export"),
]
