"""What every endpoint of the API shares: authentication, permission, throttling, paging, errors.

``request.user`` is a :class:`~housing.scoping.LandlordPrincipal` for an integration token, or the
portal user of a session; either way the views read through ``Model.objects.visible_to(request.user)``,
so another landlord's object answers 404.
"""

from __future__ import annotations

import datetime

from django import forms as django_forms
from django.conf import settings
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from housing.api.auth import IntegrationTokenAuthentication
from housing.csv_import import CsvRowsRejected
from housing.scoping import LandlordPrincipal


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    target_class = IntegrationTokenAuthentication
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


def exception_handler(exc, context):
    """Every error as ``{"message": "…", "code": "…", "errors": …}``, in French.

    ``errors`` holds the field errors of a bad request (by field), the item errors of a refused
    bulk upsert (a list), or nothing (an empty list).
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Introuvable."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, BulkRejected):
        body = exc.body
    elif isinstance(exc, exceptions.ValidationError):
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
            "errors": [],
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

    lookup_value_regex = r"[0-9]+"

    def get_object(self):
        if int(self.kwargs[self.lookup_field]) > 2**31 - 1:  # no such row, and no 500
            raise Http404
        return super().get_object()

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset.order_by("id")


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 moment compared in UTC (PostgreSQL refuses offsets beyond ±15:59)."""

    def filter(self, queryset, value):
        if value is not None:
            try:
                value = value.astimezone(datetime.UTC)
            except OverflowError:  # before year 1 or after 9999 once in UTC
                return queryset if value.year == 1 else queryset.none()
        return super().filter(queryset, value)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**31 - 1})
class IdFilter(filters.NumberFilter):
    """A row id: a whole number the database can hold (else 400)."""

    field_class = django_forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


class UpdatedSinceFilterSet(filters.FilterSet):
    """``?updated_since=2026-03-01T00:00:00Z`` for incremental synchronisation.

    A filter given with an empty value is an error (400), not a filter silently ignored.
    """

    def is_valid(self):
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if isinstance(filter_, filters.CharFilter):
                continue  # an empty text is a text: no filter
            if name in self.data and not str(self.data.get(name, "")).strip():
                self.form.add_error(name, _("Valeur vide."))
                valid = False
        return valid

    updated_since = UtcDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=gettext_lazy("modifiés depuis (date et heure ISO 8601)"),
    )


class BulkRejected(exceptions.APIException):
    """A bulk upsert refused: its body lists every bad item; nothing was written."""

    status_code = 400

    def __init__(self, body: dict):
        super().__init__(body["message"], body["code"])
        self.body = body


class UpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=gettext_lazy("éléments créés"))
    updated = serializers.IntegerField(help_text=gettext_lazy("éléments modifiés"))
    unchanged = serializers.IntegerField(help_text=gettext_lazy("éléments inchangés"))


class ItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(allow_null=True)
    reference = serializers.CharField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.CharField()


class BulkErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()
    errors = ItemErrorSerializer(many=True)


def bulk_input_serializer(name: str, item: type[serializers.Serializer]):
    """The documented body of a bulk upsert: ``{"items": [<item>, …]}``."""
    return type(
        name,
        (serializers.Serializer,),
        {"items": item(many=True), "__module__": item.__module__},
    )


def bulk_action(*, url_path: str, item, service, summary, description):
    """A viewset's ``POST <list>/<url_path>/``: ``service`` run by :func:`bulk_upsert`."""

    def view(self, request, format=None):  # noqa: A002 (DRF's ``.json`` suffix kwarg)
        return bulk_upsert(request, service)

    view.__name__ = url_path.replace("-", "_")  # the viewset attribute it is assigned to
    input_name = f"{item.__name__.removesuffix('ItemSerializer')}BulkInput"
    return extend_schema(
        summary=summary,
        description=description,
        request=bulk_input_serializer(input_name, item),
        responses={200: UpsertResultSerializer, 400: BulkErrorSerializer},
    )(action(detail=False, methods=["post"], url_path=url_path)(view))


def _rejected(message: str, code: str, errors: list[dict]) -> BulkRejected:
    return BulkRejected({"message": message, "code": code, "errors": errors})


def bulk_upsert(request, service) -> Response:
    """Run an upsert service on the request's ``items`` for the token's landlord.

    Every item is checked first; a bad one makes the answer 400 with each error (index,
    reference, field, code, French message) and nothing is written.
    """
    user = request.user
    if not isinstance(user, LandlordPrincipal):
        raise exceptions.PermissionDenied(
            _("Les envois en masse sont réservés aux jetons d'intégration.")
        )
    items = request.data.get("items") if isinstance(request.data, dict) else None
    if not isinstance(items, list):
        raise _rejected(
            _('Corps attendu : {"items": [ … ]}.'),
            "invalid",
            [_item_error(None, None, "items", "type", _("liste attendue"))],
        )
    limit = settings.API_BULK_MAX_ITEMS
    if len(items) > limit:
        raise _rejected(
            _("Trop d'éléments : %(count)d, %(limit)d au plus par appel.")
            % {"count": len(items), "limit": limit},
            "oversize",
            [],
        )
    try:
        result = service(landlord=user.token.landlord, items=items)
    except CsvRowsRejected as rejected:
        errors = []
        for row_error in rejected.errors:
            item = items[row_error.line] if 0 <= row_error.line < len(items) else None
            reference = item.get("reference") if isinstance(item, dict) else None
            for reason, (field, code) in zip(row_error.reasons, row_error.codes, strict=True):
                errors.append(
                    _item_error(
                        row_error.line,
                        reference if isinstance(reference, str) else None,
                        field,
                        code,
                        reason,
                    )
                )
        raise _rejected(
            _("%(count)d élément(s) refusé(s) : rien n'a été enregistré.")
            % {"count": len(rejected.errors)},
            "rejected",
            errors,
        ) from None
    return Response(
        {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    )


def _item_error(index, reference, field, code, message) -> dict:
    return {
        "index": index,
        "reference": reference,
        "field": field,
        "code": code,
        "message": str(message),
    }
