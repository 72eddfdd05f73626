from django.contrib import admin

from housing.admin_scoping import ScopedModelAdmin, ScopedTabularInline
from housing.models import (
    Agency,
    Building,
    Dwelling,
    Estate,
    Landlord,
    RetentionPolicy,
    RetentionRun,
    StaffMembership,
)
from portal.admin_mixins import ReadOnlyAdminMixin


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


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(ScopedModelAdmin):
    list_display = [
        "landlord",
        "call_notes_months",
        "request_photos_months",
        "tenant_accounts_months",
    ]
    list_select_related = ["landlord"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """The nightly reports: read-only."""

    list_display = [
        "ran_at",
        "landlord",
        "call_logs_anonymised",
        "photos_deleted",
        "accounts_deactivated",
    ]
    list_filter = ["landlord"]
    list_select_related = ["landlord"]
    date_hierarchy = "ran_at"
