"""The access log's pages: landlord admins read and export it; tenants see who opened their file."""

from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from housing.exports import csv_download, csv_lines
from housing.mixins import RoleRequiredMixin
from housing.models import Role
from tenants.models import HouseholdAccess
from tenants.space_views import TenantMixin


class AccessLogMixin(RoleRequiredMixin):
    """Landlord admins, for the landlords they administer."""

    required_roles = [Role.LANDLORD_ADMIN]

    def accesses(self):
        queryset = (
            HouseholdAccess.objects.visible_to(self.request.user)
            .filter(landlord_id__in=self.role_landlord_ids)
            .select_related("user", "household", "landlord")
        )
        reference = self.request.GET.get("menage", "").strip()
        if reference:
            queryset = queryset.filter(household__reference=reference)
        return queryset


class AccessLogView(AccessLogMixin, ListView):
    template_name = "tenants/access_log.html"
    context_object_name = "accesses"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return self.accesses()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reference"] = self.request.GET.get("menage", "").strip()
        return context


class AccessLogExportView(AccessLogMixin, View):
    """The log as CSV for Excel (``;``, UTF-8 with BOM), with the page's filter."""

    def get(self, request):
        headers = [_("Date"), _("Bailleur"), _("Personne"), _("E-mail"), _("Ménage"), _("Écran")]
        rows = (
            (
                access.accessed_at,
                access.landlord.name,
                access.user.get_full_name(),
                access.user.email,
                access.household.reference,
                capfirst(access.get_screen_display()),
            )
            for access in self.accesses().iterator(chunk_size=2000)
        )
        # Streamed, like every export: twelve months of consultations need not fit in memory.
        filename = f"journal-des-consultations-{timezone.localdate().isoformat()}.csv"
        return csv_download(csv_lines(headers, rows), filename)


class TenantAccessLogView(TenantMixin, ListView):
    """Who of the landlord's staff opened the tenant's household file, and when."""

    template_name = "tenants/space/access_log.html"
    context_object_name = "accesses"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return HouseholdAccess.objects.filter(household=self.household).select_related(
            "user", "landlord"
        )
