"""What every endpoint of the API shares: authentication, permission, throttling, paging, errors.

``request.user`` is a :class:`~housing.scoping.LandlordPrincipal` for an integration token, or the
portal user of a session; either way the views read through ``Model.objects.visible_to(request.user)``,
so another landlord's object answers 404.
"""

from __future__ import annotations

from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from housing.api.auth import IntegrationTokenAuthentication


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    target_class = IntegrationTokenAuthentication
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


def exception_handler(exc, context):
    """Every error as ``{"message": "…", "code": "…", "errors": {…}}``, in French."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Introuvable."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "message": _("Requête invalide : rien n'a été enregistré."),
            "code": "invalid",
            "errors": exc.detail
            if isinstance(exc.detail, dict)
            else {"non_field_errors": exc.detail},
        }
    else:
        detail = getattr(exc, "detail", "")
        body = {
            "message": str(detail),
            "code": getattr(detail, "code", None) or "error",
            "errors": {},
        }
    response.data = body
    return response


class ScopedReadViewSet(viewsets.ReadOnlyModelViewSet):
    """List and detail of one model, through its ``visible_to()``: other landlords' rows are 404.

    Subclasses set ``model`` and ``serializer_class``, and may set ``select_related`` and
    ``prefetch_related`` so that a page costs the same few queries whatever its size.
    """

    model: type[models.Model]
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple = ()

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset.order_by("id")


class UpdatedSinceFilterSet(filters.FilterSet):
    """``?updated_since=2026-03-01T00:00:00Z`` for incremental synchronisation."""

    updated_since = filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=gettext_lazy("modifiés depuis (date et heure ISO 8601)"),
    )
