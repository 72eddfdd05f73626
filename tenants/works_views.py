"""Works notices: staff write and publish them; tenants read those of their building."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from housing.mixins import RoleRequiredMixin
from housing.models import WorksNotice, WorksSite
from housing.selectors import WORKS_ROLES
from portal.files import photo_response
from tenants.errors import TenantError
from tenants.forms import WorksNoticeForm
from tenants.selectors import tenant_household
from tenants.services.works_notices import (
    tenant_works_notices,
    works_notice_create,
    works_notice_publish,
)
from tenants.space_views import TenantMixin


class WorksWriterMixin(RoleRequiredMixin):
    """Staff holding a works role at the site's landlord; other sites answer 404."""

    required_roles = WORKS_ROLES

    def writable_sites(self):
        return WorksSite.objects.visible_to(self.request.user).filter(
            landlord_id__in=self.role_landlord_ids
        )


class WorksNoticeCreateView(WorksWriterMixin, FormView):
    template_name = "tenants/works_notice_form.html"
    form_class = WorksNoticeForm

    def get_site(self):
        if not hasattr(self, "site"):
            self.site = get_object_or_404(self.writable_sites(), pk=self.kwargs["pk"])
        return self.site

    def get(self, request, *args, **kwargs):
        self.get_site()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["site"] = self.get_site()
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        site = self.get_site()
        try:
            notice = works_notice_create(
                site=site,
                title=data["title"],
                body=data["body"],
                photo=data["photo"],
                notify_tenants=data["notify"],
                by=self.request.user,
            )
            if data["publish"]:
                works_notice_publish(notice=notice, notify=data["notify"], by=self.request.user)
        except TenantError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        if data["publish"]:
            messages.success(self.request, _("L'avis est publié."))
        else:
            messages.success(self.request, _("L'avis est enregistré comme brouillon."))
        return redirect("housing:works_detail", pk=site.pk)


class WorksNoticePublishView(WorksWriterMixin, View):
    def post(self, request, pk):
        notice = get_object_or_404(
            WorksNotice.objects.filter(site__in=self.writable_sites()), pk=pk
        )
        try:
            works_notice_publish(
                notice=notice, notify=request.POST.get("notify") == "1", by=request.user
            )
        except TenantError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("L'avis est publié."))
        return redirect("housing:works_detail", pk=notice.site_id)


class WorksNoticePhotoView(LoginRequiredMixin, View):
    """A notice's photo: the landlord's staff, or tenants of the buildings concerned (else 404)."""

    def get(self, request, pk):
        household = tenant_household(request.user)
        if household is not None:
            notices = tenant_works_notices(household)
        else:
            notices = WorksNotice.objects.visible_to(request.user)
        notice = get_object_or_404(notices.exclude(photo=""), pk=pk)
        return photo_response(notice.photo, notice.photo_content_type or "image/jpeg")


class TenantWorksNoticeListView(TenantMixin, TemplateView):
    template_name = "tenants/space/works_notices.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["notices"] = tenant_works_notices(self.household)
        return context
