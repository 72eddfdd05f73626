from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import DetailView, ListView, TemplateView

from housing.mixins import ScopedObjectMixin, StaffRequiredMixin
from housing.models import Dwelling
from tenants.models import VulnerabilityFlag
from tenants.selectors import household_detail_queryset, household_list, tenant_household


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


class TenantHomeView(LoginRequiredMixin, TemplateView):
    """The tenant's own space (placeholder until the extranet issue lands)."""

    template_name = "tenants/tenant_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        household = tenant_household(self.request.user)
        if household is None:
            raise Http404
        context["household"] = household
        return context
