from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from housing.admin_scoping import ScopedModelAdmin, ScopedStackedInline, ScopedTabularInline
from housing.models import (
    Agency,
    Building,
    Dwelling,
    Estate,
    Landlord,
    StaffMembership,
    WorksEvent,
    WorksNotice,
    WorksSite,
    WorksStatus,
)
from housing.works import with_status


class AgencyInline(ScopedTabularInline):
    model = Agency
    fields = ["name", "city", "email", "phone"]


@admin.register(Landlord)
class LandlordAdmin(ScopedModelAdmin):
    list_display = ["name", "slug", "kind", "email", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AgencyInline]


@admin.register(Agency)
class AgencyAdmin(ScopedModelAdmin):
    list_display = ["name", "landlord", "city", "email", "phone"]
    list_filter = ["landlord"]
    list_select_related = ["landlord"]
    search_fields = ["name", "city", "email"]


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):
    """Estates are public places shared by the landlords: not scoped."""

    list_display = ["name", "city", "slug"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Building)
class BuildingAdmin(ScopedModelAdmin):
    list_display = [
        "name",
        "reference",
        "landlord",
        "estate",
        "city",
        "floors",
        "has_lift",
        "status",
    ]
    list_filter = ["landlord", "estate", "status", "has_lift"]
    list_select_related = ["landlord", "estate"]
    search_fields = ["name", "reference", "address"]


@admin.register(Dwelling)
class DwellingAdmin(ScopedModelAdmin):
    list_display = [
        "reference",
        "building",
        "landlord",
        "typology",
        "floor",
        "surface",
        "rent",
        "status",
    ]
    list_filter = ["landlord", "status", "typology", "adapted_reduced_mobility", "building__estate"]
    list_select_related = ["building", "landlord"]
    search_fields = ["reference", "building__name", "building__address"]
    autocomplete_fields = ["building"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(ScopedModelAdmin):
    list_display = ["user", "landlord", "role", "agency"]
    list_filter = ["landlord", "role"]
    list_select_related = ["user", "landlord", "agency"]
    search_fields = ["user__email", "user__last_name"]


class WorksEventInline(ScopedTabularInline):
    model = WorksEvent
    fields = ["kind", "date", "reason", "recorded_by"]
    readonly_fields = ["kind", "date", "reason", "recorded_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Events go through the timeline rules (housing.works): add them with the action below
        # or from the site's staff page.
        return False


class WorksNoticeInline(ScopedStackedInline):
    model = WorksNotice
    fields = ["title", "body", "published_on", "emailed_at"]
    readonly_fields = ["published_on", "emailed_at"]


class WorksSiteForm(forms.ModelForm):
    class Meta:
        model = WorksSite
        fields = [
            "landlord",
            "kind",
            "name",
            "buildings",
            "contractor",
            "description",
            "planned_start",
            "planned_end",
            "budget",
        ]

    def clean(self):
        cleaned = super().clean()
        landlord, buildings = cleaned.get("landlord"), cleaned.get("buildings")
        if landlord and buildings and any(b.landlord_id != landlord.pk for b in buildings):
            self.add_error(
                "buildings", _("Les immeubles d'un chantier doivent appartenir à son bailleur.")
            )
        return cleaned


@admin.register(WorksSite)
class WorksSiteAdmin(ScopedModelAdmin):
    form = WorksSiteForm
    list_display = ["name", "kind", "landlord", "planned_start", "planned_end", "status_display"]
    list_filter = ["landlord", "kind"]
    list_select_related = ["landlord"]
    search_fields = ["name", "contractor", "buildings__name"]
    filter_horizontal = ["buildings"]
    inlines = [WorksEventInline, WorksNoticeInline]

    def get_queryset(self, request):
        return with_status(super().get_queryset(request))

    @admin.display(description=_("état"), ordering="status")
    def status_display(self, obj):
        return WorksStatus(obj.status).label


@admin.register(WorksEvent)
class WorksEventAdmin(ScopedModelAdmin):
    """Read the timelines; new events are checked by the service, never typed in freely."""

    list_display = ["site", "kind", "date", "reason", "recorded_by"]
    list_filter = ["kind", "site__landlord"]
    list_select_related = ["site", "recorded_by"]
    search_fields = ["site__name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorksNotice)
class WorksNoticeAdmin(ScopedModelAdmin):
    list_display = ["title", "site", "published_on", "emailed_at"]
    list_filter = ["site__landlord"]
    list_select_related = ["site"]
    search_fields = ["title", "body", "site__name"]
    fields = ["site", "title", "body", "published_on", "emailed_at"]
    readonly_fields = ["published_on", "emailed_at"]
