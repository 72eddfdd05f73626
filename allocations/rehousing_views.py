"""Staff pages of rehousing before a demolition, under /personnel/relogement/."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView, UpdateView

from allocations.errors import AllocationError
from allocations.models import RehousingFile, RehousingStatus
from allocations.rehousing import (
    REHOUSING_ROLES,
    household_offers,
    rehousing_file_update,
    rehousing_files,
    rehousing_open_for_site,
    rehousing_progress_by_building,
    rehousing_sites,
)
from housing.mixins import RoleRequiredMixin
from housing.models import Estate, StaffMembership, WorksSite


class RehousingMixin(RoleRequiredMixin):
    required_roles = REHOUSING_ROLES

    def get_site(self, pk):
        sites = rehousing_sites(self.request.user, landlord_ids=self.role_landlord_ids)
        return get_object_or_404(sites, pk=pk)


class RehousingSiteListView(RehousingMixin, ListView):
    template_name = "allocations/rehousing/site_list.html"
    context_object_name = "sites"

    def get_queryset(self):
        return rehousing_sites(self.request.user, landlord_ids=self.role_landlord_ids)


class RehousingSiteView(RehousingMixin, TemplateView):
    template_name = "allocations/rehousing/site.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        site = self.get_site(self.kwargs["pk"])
        status = self.request.GET.get("etat", "")
        context.update(
            site=site,
            buildings=rehousing_progress_by_building(site),
            files=rehousing_files(
                self.request.user, landlord_ids=self.role_landlord_ids, site=site, status=status
            ),
            status=status,
            statuses=RehousingStatus.choices,
        )
        return context


class RehousingOpenView(RehousingMixin, View):
    """Open the files of a demolition (and withdraw its vacant dwellings): idempotent."""

    def post(self, request, pk):
        site = get_object_or_404(
            WorksSite.objects.visible_to(request.user).filter(
                landlord_id__in=self.role_landlord_ids
            ),
            pk=pk,
        )
        try:
            result = rehousing_open_for_site(site=site)
        except AllocationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _(
                    "%(created)d dossier(s) ouvert(s), %(withdrawn)d logement(s) vacant(s) retiré(s) de la location."
                )
                % {"created": result.created, "withdrawn": result.withdrawn},
            )
        return redirect("allocations:rehousing_site", pk=site.pk)


class RehousingFileForm(forms.ModelForm):
    class Meta:
        model = RehousingFile
        fields = [
            "status",
            "followed_by",
            "met_on",
            "wished_estates",
            "wished_areas",
            "wished_typology",
            "offer",
            "moved_on",
            "note",
        ]
        widgets = {
            "met_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "moved_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "wished_estates": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        file = self.instance
        # Every choice goes through the user's scope: an id of another landlord typed in the
        # request is refused like any id that is not in the list.
        memberships = StaffMembership.objects.visible_to(user).filter(landlord_id=file.landlord_id)
        staff = (
            get_user_model().objects.filter(memberships__in=memberships, is_active=True).distinct()
        )
        self.fields["followed_by"].queryset = staff.order_by("last_name", "first_name", "email")
        self.fields["followed_by"].error_messages["invalid_choice"] = gettext_lazy(
            "Choisissez une personne de la liste : seul le personnel du bailleur de ce dossier "
            "peut le suivre."
        )
        self.fields["offer"].queryset = household_offers(file, user)
        self.fields["offer"].help_text = gettext_lazy(
            "Les propositions du module d'attribution faites à ce ménage (demande de mutation)."
        )
        self.fields["offer"].error_messages["invalid_choice"] = gettext_lazy(
            "Choisissez une proposition de la liste : celle-ci n'a pas été faite à ce ménage "
            "par votre bailleur."
        )
        self.fields["wished_estates"].queryset = Estate.objects.all()


class RehousingFileView(RehousingMixin, UpdateView):
    template_name = "allocations/rehousing/file.html"
    form_class = RehousingFileForm
    context_object_name = "file"

    def get_queryset(self):
        return (
            RehousingFile.objects.visible_to(self.request.user)
            .filter(landlord_id__in=self.role_landlord_ids)
            .select_related("household", "dwelling", "building", "site")
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            rehousing_file_update(file=self.object, **data)
        except AllocationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Le dossier de relogement est à jour."))
        return redirect("allocations:rehousing_site", pk=self.object.site_id)


urlpatterns = [
    path("relogement/", RehousingSiteListView.as_view(), name="rehousing_list"),
    path("relogement/chantiers/<int:pk>/", RehousingSiteView.as_view(), name="rehousing_site"),
    path(
        "relogement/chantiers/<int:pk>/ouvrir/",
        RehousingOpenView.as_view(),
        name="rehousing_open",
    ),
    path("relogement/dossiers/<int:pk>/", RehousingFileView.as_view(), name="rehousing_file"),
]
