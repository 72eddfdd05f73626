"""Scoping for Django admin: the same ``visible_to(user)`` door as the pages."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.db import models
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from housing.scoping import staff_landlord_ids


def _scoped(model, request):
    manager = model._default_manager
    if model is get_user_model() and not request.user.is_superuser:
        # A landlord's admin picks among its own staff, never the whole list of accounts.
        return manager.filter(memberships__landlord__in=staff_landlord_ids(request.user)).distinct()
    if hasattr(manager, "visible_to"):
        return manager.visible_to(request.user)
    return manager.all()


class ScopedAdminMixin:
    """Rows, foreign-key choices and object pages limited to the user's landlords.

    An object outside the user's scope answers 404 (Django admin would otherwise redirect with a
    message that confirms nothing, but a 404 is the rule everywhere in the portal).
    """

    # Addresses typed without a scheme are web sites of public bodies: assume https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        queryset = _scoped(self.model, request)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = _scoped(db_field.remote_field.model, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = _scoped(db_field.remote_field.model, request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj


class ScopedTabularInline(ScopedAdminMixin, admin.TabularInline):
    extra = 0


class ScopedStackedInline(ScopedAdminMixin, admin.StackedInline):
    extra = 0


class ScopedHistoryAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    """A scoped admin with django-simple-history's « Historique » pages.

    simple-history falls back to the latest historical record when the object is not in
    ``get_queryset``; here the object must be in the user's scope first, or the page answers 404.
    Reverting to an old version is disabled (``SIMPLE_HISTORY_REVERT_DISABLED``).
    """

    def history_view(self, request, object_id, extra_context=None):
        self.get_object(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.get_object(request, unquote(object_id))
        return super().history_form_view(request, object_id, version_id, extra_context)
