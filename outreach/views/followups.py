"""Pages of the call campaigns' follow-ups: partners, referrals and the solidarity register."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from housing.mixins import RoleRequiredMixin
from outreach.errors import OutreachError
from outreach.forms.followups import (
    PartnerForm,
    ReferralFilterForm,
    ReferralStatusForm,
    SolidarityCloseForm,
    SolidarityFilterForm,
    SolidarityFollowUpForm,
)
from outreach.models import REFERRAL_TRANSITIONS, Partner, Referral, ReferralStatus, SolidarityEntry
from outreach.selectors.followups import (
    partner_list,
    referral_last_changes,
    referral_list,
    solidarity_list,
)
from outreach.services.campaigns import CALLERS, CAMPAIGN_MANAGERS
from outreach.services.followups import (
    partner_create,
    partner_editable_landlord_ids,
    partner_update,
    referral_set_status,
    solidarity_entry_close,
    solidarity_entry_update_follow_up,
)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class BackToListMixin:
    """POST actions go back to the list they came from (its filters and page), never elsewhere."""

    list_url_name = ""

    def back(self):
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return redirect(target)
        return redirect(reverse(self.list_url_name))


# ---------------------------------------------------------------------------------------------
# Partners


class PartnerListView(RoleRequiredMixin, ListView):
    """Partners of my landlords and shared ones, with their contact details (callers refer to them)."""

    required_roles = CALLERS
    template_name = "outreach/followups/partner_list.html"
    context_object_name = "partners"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return partner_list(self.request.user, landlord_ids=self.role_landlord_ids)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        editable = set(partner_editable_landlord_ids(user))
        for partner in context["partners"]:
            if partner.landlord_id is None:
                partner.can_edit = user.is_superuser
            else:
                partner.can_edit = partner.landlord_id in editable
        context["can_add_partner"] = bool(editable)
        context["query_without_page"] = _query_without_page(self.request)
        return context


class PartnerFormMixin(RoleRequiredMixin):
    required_roles = CAMPAIGN_MANAGERS
    template_name = "outreach/followups/partner_form.html"
    form_class = PartnerForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, landlord_ids=self.role_landlord_ids)
        return kwargs

    def get_success_url(self):
        return reverse("outreach:partner_list")


class PartnerCreateView(PartnerFormMixin, FormView):
    def form_valid(self, form):
        try:
            partner = partner_create(
                user=self.request.user,
                landlord=form.cleaned_data.get("landlord"),
                **form.service_fields(),
            )
        except OutreachError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Partenaire « %(name)s » ajouté.") % {"name": partner.name}
        )
        return super().form_valid(form)


class PartnerUpdateView(PartnerFormMixin, FormView):
    def get_partner(self):
        if not hasattr(self, "partner"):
            user = self.request.user
            mine = Q(landlord_id__in=self.role_landlord_ids)
            # Shared partners are everyone's: only superusers change them (others get a 404).
            condition = mine | Q(landlord__isnull=True) if user.is_superuser else mine
            self.partner = get_object_or_404(
                Partner.objects.visible_to(user).filter(condition).select_related("landlord"),
                pk=self.kwargs["pk"],
            )
        return self.partner

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_partner()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partner"] = self.get_partner()
        return context

    def form_valid(self, form):
        try:
            partner = partner_update(
                partner=self.get_partner(), user=self.request.user, **form.service_fields()
            )
        except OutreachError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Partenaire « %(name)s » modifié.") % {"name": partner.name}
        )
        return super().form_valid(form)


# ---------------------------------------------------------------------------------------------
# Referrals


class ReferralListView(RoleRequiredMixin, ListView):
    """Referrals to partners, open ones first, for supervisors and callers of the landlord."""

    required_roles = CALLERS
    template_name = "outreach/followups/referral_list.html"
    context_object_name = "referrals"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        self.filter_form = ReferralFilterForm(
            self.request.GET,
            partners=partner_list(self.request.user, landlord_ids=self.role_landlord_ids),
        )
        return referral_list(
            self.request.user,
            landlord_ids=self.role_landlord_ids,
            status=self.filter_form.value("etat") or "",
            partner=self.filter_form.value("partenaire"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        referrals = context["referrals"]
        last_changes = referral_last_changes(referrals)
        for referral in referrals:
            referral.last_change = last_changes.get(referral.pk)
            referral.next_statuses = [
                (status, ReferralStatus(status).label)
                for status in ReferralStatus.values
                if status in REFERRAL_TRANSITIONS[referral.status]
            ]
        context.update(
            filter_form=self.filter_form,
            query_without_page=_query_without_page(self.request),
            open_statuses=[
                ReferralStatus.TO_SEND,
                ReferralStatus.SENT,
                ReferralStatus.ACKNOWLEDGED,
            ],
        )
        return context


class ReferralStatusView(RoleRequiredMixin, BackToListMixin, View):
    required_roles = CALLERS
    http_method_names = ["post"]
    list_url_name = "outreach:referral_list"

    def post(self, request, pk):
        referral = get_object_or_404(
            Referral.objects.visible_to(request.user).filter(
                landlord_id__in=self.role_landlord_ids
            ),
            pk=pk,
        )
        form = ReferralStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choisissez le nouvel état de l'orientation."))
            return self.back()
        try:
            referral = referral_set_status(
                referral=referral, user=request.user, status=form.cleaned_data["status"]
            )
        except OutreachError as error:
            messages.error(request, error.message)
            return self.back()
        messages.success(
            request,
            _("Orientation de %(household)s vers %(partner)s : %(status)s.")
            % {
                "household": referral.household.name,
                "partner": referral.partner.name,
                "status": referral.get_status_display(),
            },
        )
        return self.back()


# ---------------------------------------------------------------------------------------------
# Solidarity register


class SolidarityListView(RoleRequiredMixin, ListView):
    """The solidarity register: isolated people found by the calls and their follow-up."""

    required_roles = CALLERS
    template_name = "outreach/followups/solidarity_list.html"
    context_object_name = "entries"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        self.filter_form = SolidarityFilterForm(self.request.GET)
        self.state = self.filter_form.state()
        return solidarity_list(
            self.request.user, landlord_ids=self.role_landlord_ids, state=self.state
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filter_form,
            state=self.state,
            query_without_page=_query_without_page(self.request),
            close_form=SolidarityCloseForm(),
            follow_up_form=SolidarityFollowUpForm(),
        )
        return context


class SolidarityEntryActionView(RoleRequiredMixin, BackToListMixin, View):
    required_roles = CALLERS
    http_method_names = ["post"]
    list_url_name = "outreach:solidarity_list"

    def get_entry(self):
        return get_object_or_404(
            SolidarityEntry.objects.visible_to(self.request.user)
            .filter(landlord_id__in=self.role_landlord_ids)
            .select_related("household"),
            pk=self.kwargs["pk"],
        )


class SolidarityCloseView(SolidarityEntryActionView):
    def post(self, request, pk):
        entry = self.get_entry()
        form = SolidarityCloseForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("reason", [])))
            return self.back()
        try:
            solidarity_entry_close(
                entry=entry, user=request.user, reason=form.cleaned_data["reason"]
            )
        except OutreachError as error:
            messages.error(request, error.message)
            return self.back()
        messages.success(
            request,
            _("Inscription de %(household)s close.") % {"household": entry.household.name},
        )
        return self.back()


class SolidarityFollowUpView(SolidarityEntryActionView):
    def post(self, request, pk):
        entry = self.get_entry()
        form = SolidarityFollowUpForm(request.POST)
        form.is_valid()
        try:
            solidarity_entry_update_follow_up(
                entry=entry, user=request.user, note=form.cleaned_data.get("note", "")
            )
        except OutreachError as error:
            messages.error(request, error.message)
            return self.back()
        messages.success(
            request,
            _("Suivi de %(household)s mis à jour.") % {"household": entry.household.name},
        )
        return self.back()


urlpatterns = [
    path("partenaires/", PartnerListView.as_view(), name="partner_list"),
    path("partenaires/nouveau/", PartnerCreateView.as_view(), name="partner_create"),
    path("partenaires/<int:pk>/modifier/", PartnerUpdateView.as_view(), name="partner_update"),
    path("orientations/", ReferralListView.as_view(), name="referral_list"),
    path("orientations/<int:pk>/etat/", ReferralStatusView.as_view(), name="referral_status"),
    path("registre/", SolidarityListView.as_view(), name="solidarity_list"),
    path("registre/<int:pk>/cloture/", SolidarityCloseView.as_view(), name="solidarity_close"),
    path("registre/<int:pk>/suivi/", SolidarityFollowUpView.as_view(), name="solidarity_follow_up"),
]
