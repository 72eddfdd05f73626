from django.contrib import admin
from django.db.models import Count

from housing.admin_scoping import ScopedModelAdmin, ScopedTabularInline
from tenants.models import Household, Lease, Person, VulnerabilityFlag


class PersonInline(ScopedTabularInline):
    model = Person
    fields = ["first_name", "last_name", "birth_date", "role", "user"]
    raw_id_fields = ["user"]


class LeaseInline(ScopedTabularInline):
    model = Lease
    fields = ["dwelling", "start_date", "end_date"]
    raw_id_fields = ["dwelling"]


class VulnerabilityFlagInline(ScopedTabularInline):
    model = VulnerabilityFlag
    fields = ["kind", "arrears_amount", "source", "start_date", "end_date", "note"]


@admin.register(Household)
class HouseholdAdmin(ScopedModelAdmin):
    list_display = ["name", "reference", "landlord", "people_count", "email", "do_not_call"]
    list_filter = [
        "landlord",
        "preferred_language",
        "contact_preference",
        "do_not_call",
        "flags__kind",
    ]
    list_select_related = ["landlord"]
    search_fields = ["reference", "name", "email", "people__last_name"]
    inlines = [PersonInline, LeaseInline, VulnerabilityFlagInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(people_total=Count("people", distinct=True))

    @admin.display(description=Person._meta.verbose_name_plural, ordering="people_total")
    def people_count(self, obj):
        return obj.people_total


@admin.register(Person)
class PersonAdmin(ScopedModelAdmin):
    list_display = ["last_name", "first_name", "household", "role", "birth_date"]
    list_filter = ["role", "household__landlord"]
    list_select_related = ["household"]
    search_fields = ["last_name", "first_name", "household__reference"]
    raw_id_fields = ["household", "user"]


@admin.register(Lease)
class LeaseAdmin(ScopedModelAdmin):
    list_display = ["household", "dwelling", "start_date", "end_date"]
    list_filter = ["household__landlord", "end_date"]
    list_select_related = ["household", "dwelling__building"]
    search_fields = ["household__reference", "household__name", "dwelling__reference"]
    raw_id_fields = ["household", "dwelling"]


@admin.register(VulnerabilityFlag)
class VulnerabilityFlagAdmin(ScopedModelAdmin):
    list_display = ["household", "kind", "arrears_amount", "source", "start_date", "end_date"]
    list_filter = ["kind", "source", "household__landlord"]
    list_select_related = ["household"]
    search_fields = ["household__reference", "household__name"]
    raw_id_fields = ["household"]
