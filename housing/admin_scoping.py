"""Scoping for Django admin: the same ``visible_to(user)`` door as the pages."""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator
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


def raw_id_label_and_url(admin_site, obj) -> tuple[str, str]:
    """What a raw-id field prints next to its input: the object's name and its admin page."""
    meta = obj._meta
    try:
        url = reverse(
            f"{admin_site.name}:{meta.app_label}_{meta.model_name}_change", args=(obj.pk,)
        )
    except NoReverseMatch:
        url = ""  # no admin page for that model
    return Truncator(obj).words(14), url


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id input whose label is read through the field's scoped choices.

    Django's widget reads the object with the model's default manager, so an id typed in the URL
    of an add page (``?household=<id>``) would print another landlord's household or account.
    """

    scoped_queryset = None

    def label_and_url_for_value(self, value):
        if self.scoped_queryset is None:
            return "", ""
        key = self.rel.get_related_field().name
        try:
            obj = self.scoped_queryset.using(self.db).get(**{key: value})
        except (ValueError, ValidationError, self.scoped_queryset.model.DoesNotExist):
            return "", ""
        return raw_id_label_and_url(self.admin_site, obj)


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
        if "widget" not in kwargs and db_field.name in self.raw_id_fields:
            kwargs["widget"] = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, using=kwargs.get("using")
            )
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, ScopedRawIdWidget):
            formfield.widget.scoped_queryset = formfield.queryset
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = _scoped(db_field.remote_field.model, request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _is_relation(model, path: str) -> bool:
    try:
        return get_fields_from_path(model, path)[-1].is_relation
    except (FieldDoesNotExist, IndexError):
        return False


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def get_list_filter(self, request):
        """A filter on a relation (``"landlord"``, ``"site"``) offers only the objects that the
        user's rows point to, not every landlord's (Django's default lists the whole table)."""
        return [
            (item, admin.RelatedOnlyFieldListFilter)
            if isinstance(item, str) and _is_relation(self.model, item)
            else item
            for item in super().get_list_filter(request)
        ]

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
