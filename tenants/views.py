from django.conf import settings
from django.views.generic import DetailView, ListView, TemplateView

from housing.mixins import ScopedObjectMixin, StaffRequiredMixin
from housing.models import Dwelling
from tenants.models import AccessScreen, VulnerabilityFlag
from tenants.selectors import (
    household_detail_queryset,
    household_list,
    household_with_home,
    tenant_callback_requests,
    tenant_open_requests,
)
from tenants.services.access_log import household_access_record
from tenants.services.accounts import can_manage_accounts
from tenants.services.requests import can_handle_requests
from tenants.services.works_notices import tenant_latest_works_notices
from tenants.space_views import TenantMixin


class HouseholdListView(StaffRequiredMixin, ListView):
    template_name = "tenants/household_list.html"
    context_object_name = "households"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        params = self.request.GET
        flag = params.get("fragilite", "")
        if flag not in VulnerabilityFlag.Kind.values:
            flag = ""
        return household_list(
            self.request.user,
            search=params.get("q", ""),
            senior=params.get("senior") == "1",
            flag=flag,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        context.update(
            q=params.get("q", ""),
            senior=params.get("senior") == "1",
            flag=params.get("fragilite", ""),
            flag_choices=VulnerabilityFlag.Kind.choices,
        )
        query = params.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        return context


class HouseholdDetailView(StaffRequiredMixin, DetailView):
    template_name = "tenants/household_detail.html"
    context_object_name = "household"

    def get_queryset(self):
        return household_detail_queryset(self.request.user)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        household_access_record(
            user=request.user,
            household_id=self.object.pk,
            landlord_id=self.object.landlord_id,
            screen=AccessScreen.HOUSEHOLD_PAGE,
        )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        landlord_id = self.object.landlord_id
        context["can_manage_accounts"] = can_manage_accounts(self.request.user, landlord_id)
        context["can_file_request"] = can_handle_requests(self.request.user, landlord_id)
        return context


class DwellingDetailView(StaffRequiredMixin, ScopedObjectMixin, DetailView):
    model = Dwelling
    template_name = "tenants/dwelling_detail.html"
    context_object_name = "dwelling"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("landlord", "building__estate")
            .prefetch_related("leases__household")
        )


class TenantHomeView(TenantMixin, TemplateView):
    """The tenant's home: dwelling and lease, household, contacts, open requests."""

    template_name = "tenants/tenant_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The household is the tenant's own (TenantMixin): it is the scope of these reads.
        context["household"] = household_with_home(self.household)
        context["open_requests"] = tenant_open_requests(self.household)
        context["works_notices"] = tenant_latest_works_notices(self.household)
        context["callback_requests"] = tenant_callback_requests(self.household)
        return context
