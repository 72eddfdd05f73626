"""Works sites: staff pages under /personnel/chantiers/ and the public page per estate."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from housing.mixins import RoleRequiredMixin, ScopedObjectMixin, StaffRequiredMixin
from housing.models import Estate, WorksKind, WorksNotice, WorksSite, WorksStatus
from housing.scoping import landlord_ids_with_role
from housing.selectors import WORKS_ROLES, public_works, works_site_list
from housing.works import WorksError, event_date, suspension_days, suspensions, works_event_add
from housing.works_forms import WorksEventForm


class WorksSiteListView(StaffRequiredMixin, ListView):
    template_name = "housing/works_list.html"
    context_object_name = "sites"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        params = self.request.GET
        return works_site_list(
            self.request.user,
            status=params.get("etat", ""),
            kind=params.get("nature", ""),
            estate=params.get("quartier", ""),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        for site in context["sites"]:
            site.status = WorksStatus(site.status)
            site.suspension_days = suspension_days(site.events.all())
        query = params.copy()
        query.pop("page", None)
        context.update(
            status=params.get("etat", ""),
            kind=params.get("nature", ""),
            estate=params.get("quartier", ""),
            statuses=WorksStatus.choices,
            kinds=WorksKind.choices,
            estates=Estate.objects.all(),
            query_without_page=query.urlencode(),
        )
        return context


class WorksSiteDetailView(StaffRequiredMixin, ScopedObjectMixin, DetailView):
    model = WorksSite
    template_name = "housing/works_detail.html"
    context_object_name = "site"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("landlord")
            .prefetch_related(
                "buildings__estate",
                "events__recorded_by",
                Prefetch("notices", queryset=WorksNotice.objects.order_by("-published_on", "-pk")),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        site, events = self.object, list(self.object.events.all())
        can_write = site.landlord_id in landlord_ids_with_role(self.request.user, WORKS_ROLES)
        context.update(
            events=events,
            status=WorksStatus(events[-1].kind if events else WorksStatus.PLANNED),
            suspensions=suspensions(events),
            suspension_days=suspension_days(events),
            actual_start=event_date(events, "started"),
            actual_end=event_date(events, "completed"),
            can_write=can_write,
            event_form=kwargs.get("event_form") or WorksEventForm(),
            is_demolition=site.kind == WorksKind.DEMOLITION,
        )
        return context


class WorksEventAddView(RoleRequiredMixin, View):
    """Add the next event of a site's timeline (staff with a works role at its landlord)."""

    required_roles = WORKS_ROLES

    def post(self, request, pk):
        site = get_object_or_404(
            WorksSite.objects.visible_to(request.user).filter(
                landlord_id__in=self.role_landlord_ids
            ),
            pk=pk,
        )
        form = WorksEventForm(request.POST)
        if form.is_valid():
            try:
                works_event_add(site=site, by=request.user, **form.cleaned_data)
            except WorksError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("L'événement a été ajouté au chantier."))
        else:
            messages.error(request, _("Vérifiez l'événement : type et date sont obligatoires."))
        return redirect("housing:works_detail", pk=site.pk)


class PublicWorksView(TemplateView):
    """Current works of an estate, for anybody: sites, dates, status and published notices only."""

    template_name = "housing/works_public.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        estate = get_object_or_404(Estate, slug=self.kwargs["slug"])
        sites = list(public_works(estate))
        for site in sites:
            site.status = WorksStatus(site.status)
            events = site.events.all()
            site.suspension_days = suspension_days(events)
            site.actual_start = event_date(events, "started")
        context.update(estate=estate, sites=sites)
        return context


class PublicWorksIndexView(TemplateView):
    template_name = "housing/works_public_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["estates"] = Estate.objects.all()
        return context
