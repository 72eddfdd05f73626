from django.contrib import admin
from django.db.models import Count

from housing.admin_scoping import ScopedHistoryAdmin, ScopedModelAdmin, ScopedTabularInline
from housing.exports import admin_export_actions
from portal.admin_mixins import ReadOnlyAdminMixin
from tenants.models import (
    AccessScreen,
    ActivationCode,
    ContactRequest,
    Household,
    HouseholdAccess,
    Lease,
    Person,
    RequestEvent,
    RequestPhoto,
    TechnicalRequest,
    TenantInvitation,
    VulnerabilityFlag,
    WorksNoticeDelivery,
)
from tenants.services.access_log import household_access_record


class PersonInline(ScopedTabularInline):
    model = Person
    fields = ["first_name", "last_name", "birth_date", "role", "user"]
    raw_id_fields = ["user"]


class LeaseInline(ScopedTabularInline):
    model = Lease
    fields = ["dwelling", "start_date", "end_date", "status"]
    raw_id_fields = ["dwelling"]


class VulnerabilityFlagInline(ScopedTabularInline):
    model = VulnerabilityFlag
    fields = ["kind", "arrears_amount", "source", "start_date", "end_date", "note"]


@admin.register(Household)
class HouseholdAdmin(ScopedHistoryAdmin):
    actions = admin_export_actions("households")
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # The object was found through the scoped queryset (404 otherwise): log the opening.
        if request.method == "GET" and response.status_code == 200:
            household = response.context_data["original"]
            household_access_record(
                user=request.user,
                household_id=household.pk,
                landlord_id=household.landlord_id,
                screen=AccessScreen.ADMIN,
            )
        return response

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
class VulnerabilityFlagAdmin(ScopedHistoryAdmin):
    list_display = ["household", "kind", "arrears_amount", "source", "start_date", "end_date"]
    list_filter = ["kind", "source", "household__landlord"]
    list_select_related = ["household"]
    search_fields = ["household__reference", "household__name"]
    raw_id_fields = ["household"]


class RequestEventInline(ScopedTabularInline):
    model = RequestEvent
    fields = ["created_at", "kind", "is_internal", "author", "to_status", "body", "notified_at"]
    readonly_fields = ["created_at", "author", "notified_at"]
    raw_id_fields = ["author"]


class RequestPhotoInline(ScopedTabularInline):
    model = RequestPhoto
    fields = ["created_at", "content_type", "size", "uploaded_by"]
    readonly_fields = fields
    can_delete = True

    def has_add_permission(self, request, obj=None):
        # Photos come in through the pages, where their content is checked and re-encoded.
        return False


@admin.register(TechnicalRequest)
class TechnicalRequestAdmin(ScopedHistoryAdmin):
    actions = admin_export_actions("requests")
    list_display = [
        "reference",
        "household",
        "category",
        "status",
        "priority",
        "channel",
        "due_at",
        "assignee",
    ]
    list_filter = ["status", "category", "priority", "channel", "landlord"]
    list_select_related = ["household", "assignee"]
    search_fields = ["reference", "household__reference", "household__name", "description"]
    raw_id_fields = ["household", "dwelling", "assignee", "created_by"]
    readonly_fields = ["reference", "created_at", "updated_at", "last_update_at"]
    date_hierarchy = "created_at"
    inlines = [RequestEventInline, RequestPhotoInline]

    def has_delete_permission(self, request, obj=None):
        # Requests are closed (done or rejected), never deleted: the household can ask about them.
        return False


@admin.register(ContactRequest)
class ContactRequestAdmin(ScopedModelAdmin):
    list_display = ["household", "kind", "created_at", "handled_at", "handled_by"]
    list_filter = ["kind", "landlord", "handled_at"]
    list_select_related = ["household", "handled_by"]
    search_fields = ["household__reference", "household__name", "reason"]
    raw_id_fields = ["household", "created_by", "handled_by"]


@admin.register(TenantInvitation)
class TenantInvitationAdmin(ScopedModelAdmin):
    list_display = ["person", "email", "created_at", "expires_at", "used_at"]
    list_select_related = ["person"]
    search_fields = ["email", "person__last_name", "person__household__reference"]
    raw_id_fields = ["person", "invited_by"]
    readonly_fields = ["used_at"]


@admin.register(ActivationCode)
class ActivationCodeAdmin(ScopedModelAdmin):
    list_display = ["person", "created_at", "expires_at", "used_at"]
    list_select_related = ["person"]
    search_fields = ["person__last_name", "person__household__reference"]
    raw_id_fields = ["person", "created_by"]
    # The code itself is shown once, to print, from the household page: never here.
    exclude = ["code_hash"]
    readonly_fields = ["used_at"]

    def has_add_permission(self, request):
        return False


@admin.register(HouseholdAccess)
class HouseholdAccessAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """The access log, read-only: nobody adds, changes or deletes a line by hand."""

    list_display = ["accessed_at", "user", "household", "screen"]
    list_filter = ["screen", "landlord"]
    search_fields = ["household__reference", "user__email"]
    list_select_related = ["user", "household"]
    date_hierarchy = "accessed_at"
    readonly_fields = ["accessed_at", "user", "landlord", "household", "screen"]


@admin.register(WorksNoticeDelivery)
class WorksNoticeDeliveryAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """Which households a works notice was e-mailed to, and when: read-only, as sent."""

    list_display = ["sent_at", "notice", "household"]
    search_fields = ["household__reference", "household__name", "notice__title"]
    list_select_related = ["notice", "household"]
    date_hierarchy = "sent_at"
    readonly_fields = ["notice", "household", "sent_at"]
