from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.admin_mixins import ReadOnlyAdminMixin
from portal.models import OutboxMessage, User


class SuperuserOnlyAdminMixin:
    """Rows that span every landlord: only superusers see or change them."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(User)
class UserAdmin(SuperuserOnlyAdminMixin, DjangoUserAdmin):
    """Accounts span landlords, so only superusers manage them here."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "language"]}),
        (
            _("Droits"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


# django-axes' login attempts (its own admin is switched off by AXES_ENABLE_ADMIN): a superuser
# unlocks an account by deleting its attempt, or with ``manage.py axes_reset_username``.
@admin.register(AccessAttempt)
class PortalAccessAttemptAdmin(SuperuserOnlyAdminMixin, AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class PortalAccessLogAdmin(SuperuserOnlyAdminMixin, AccessLogAdmin):
    pass

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Tasks waiting for the broker: read-only, for superusers (they span landlords)."""

    list_display = ["task_name", "created_at", "sent_at", "done_at", "attempts", "last_error"]
    list_filter = ["task_name", ("sent_at", admin.EmptyFieldListFilter)]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(AccessFailureLog)
class PortalAccessFailureLogAdmin(SuperuserOnlyAdminMixin, AccessFailureLogAdmin):
    pass


# Second-factor devices, for superusers only (importing django-otp's admin registered it: replace
# it): a superuser removes a lost phone's device, and the person enrols again at the next login.
class PortalTOTPDeviceAdmin(SuperuserOnlyAdminMixin, TOTPDeviceAdmin):
    pass


class PortalStaticDeviceAdmin(SuperuserOnlyAdminMixin, StaticDeviceAdmin):
    pass


for _model, _admin in [
    (TOTPDevice, PortalTOTPDeviceAdmin),
    (StaticDevice, PortalStaticDeviceAdmin),
]:
    admin.site.unregister(_model)
    admin.site.register(_model, _admin)
