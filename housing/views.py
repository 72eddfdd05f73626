from django.conf import settings
from django.views.generic import DetailView, ListView, TemplateView

from housing.mixins import ScopedObjectMixin, StaffRequiredMixin
from housing.models import Building, Estate, WorksStatus
from housing.selectors import building_list, landlords_overview
from housing.works import with_status


class StaffHomeView(StaffRequiredMixin, TemplateView):
    template_name = "housing/staff_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["landlords"] = landlords_overview(self.request.user)
        context["memberships"] = self.request.user.memberships.select_related("landlord", "agency")
        return context


class BuildingListView(StaffRequiredMixin, ListView):
    template_name = "housing/building_list.html"
    context_object_name = "buildings"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return building_list(
            self.request.user,
            search=self.request.GET.get("q", ""),
            estate=self.request.GET.get("quartier", ""),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["q"] = self.request.GET.get("q", "")
        context["estate"] = self.request.GET.get("quartier", "")
        context["estates"] = Estate.objects.all()
        return context


class BuildingDetailView(StaffRequiredMixin, ScopedObjectMixin, DetailView):
    model = Building
    template_name = "housing/building_detail.html"
    context_object_name = "building"

    def get_queryset(self):
        return super().get_queryset().select_related("landlord", "estate", "agency")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["dwellings"] = self.object.dwellings.order_by("floor", "reference")
        context["works_sites"] = [
            (site, WorksStatus(site.status))
            for site in with_status(self.object.works_sites.all()).order_by("-planned_start")
        ]
        return context
