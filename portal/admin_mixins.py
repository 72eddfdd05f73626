"""Pieces shared by the admin classes of every app."""


class ReadOnlyAdminMixin:
    """A record kept as it was written (reports, logs): shown, never added, changed or deleted.
    Every field is shown, unless the admin names the ones to show in ``readonly_fields``."""

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields or [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
