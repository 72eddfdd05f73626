"""Admin of the appointments with advisers (imported at the end of outreach/admin.py).

Rules and exceptions are edited here; saving one regenerates the landlord's slots after commit
(booked slots are never touched). Slots, appointments, reminders and the waiting list are read
only: their changes carry rules and go through the pages and services.
"""

from django.contrib import admin

from housing.admin_scoping import ScopedModelAdmin
from housing.exports import admin_export_actions
from outreach.models import (
    Appointment,
    AvailabilityException,
    AvailabilityRule,
    BookingSettings,
    Reminder,
    Slot,
    WaitingListEntry,
)
from outreach.services.availability import slots_regenerate_later
from portal.admin_mixins import ReadOnlyAdminMixin


class RegenerateSlotsMixin:
    """Saving or deleting availability regenerates the landlord's slots (after commit)."""

    def _regenerate(self, landlord_id):
        slots_regenerate_later(landlord_id=landlord_id)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._regenerate(obj.landlord_id)

    def delete_model(self, request, obj):
        landlord_id = obj.landlord_id
        super().delete_model(request, obj)
        self._regenerate(landlord_id)


@admin.register(BookingSettings)
class BookingSettingsAdmin(ScopedModelAdmin):
    list_display = [
        "landlord",
        "min_notice_hours",
        "buffer_minutes",
        "max_per_day",
        "cancel_cutoff_hours",
        "max_moves",
        "no_show_limit",
    ]
    list_select_related = ["landlord"]


@admin.register(AvailabilityRule)
class AvailabilityRuleAdmin(RegenerateSlotsMixin, ScopedModelAdmin):
    list_display = [
        "adviser",
        "kind",
        "agency",
        "weekday",
        "start_time",
        "end_time",
        "slot_minutes",
        "offers_agency",
        "offers_phone",
        "is_active",
    ]
    list_filter = ["kind", "weekday", "is_active", ("agency", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["adviser", "agency"]
    search_fields = ["adviser__last_name", "adviser__email"]


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(RegenerateSlotsMixin, ScopedModelAdmin):
    list_display = ["adviser", "kind", "starts_at", "ends_at", "agency", "note"]
    list_filter = ["kind"]
    list_select_related = ["adviser", "agency"]
    search_fields = ["adviser__last_name", "adviser__email", "note"]
    date_hierarchy = "starts_at"


@admin.register(Slot)
class SlotAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ["start", "end", "adviser", "kind", "agency", "offers_agency", "offers_phone"]
    list_filter = ["kind", "is_open", ("agency", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["adviser", "agency"]
    search_fields = ["adviser__last_name", "adviser__email"]
    date_hierarchy = "start"


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    actions = admin_export_actions("appointments")
    list_display = ["slot", "household", "reason", "mode", "status", "moves", "booked_by_staff"]
    list_filter = ["status", "reason", "mode", ("landlord", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["slot__adviser", "household"]
    search_fields = ["household__name", "household__reference"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """Reminders are rows so that a failed one shows here, with its error, instead of vanishing."""

    list_display = ["appointment", "due_at", "sent_at", "attempts", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "attempts"]
    list_select_related = ["appointment__household", "appointment__slot__adviser"]
    search_fields = ["appointment__household__name", "last_error"]
    date_hierarchy = "due_at"


@admin.register(WaitingListEntry)
class WaitingListEntryAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ["household", "kind", "mode", "earliest", "latest", "status", "created_at"]
    list_filter = ["status", "kind", "mode"]
    list_select_related = ["household"]
    search_fields = ["household__name", "household__reference"]
