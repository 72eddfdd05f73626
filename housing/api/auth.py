"""Who may call the API (authentication, permission, throttling) and its paging: settings.REST_FRAMEWORK.

Kept apart from the views: DRF imports these classes while it loads its own views.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, permissions, throttling
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import CursorPagination

from housing.scoping import LandlordPrincipal, is_landlord_staff
from housing.services import TokenError, integration_token_authenticate
from portal import rls

KEYWORDS = (b"bearer", b"token")


class IntegrationTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key>`` (or ``Token <key>``): a landlord's integration token."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("En-tête Authorization mal formé : « Bearer <clé> » attendu.")
            )
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Jeton d'intégration inconnu.")) from None
        try:
            token = integration_token_authenticate(key=key)
        except TokenError as error:
            raise exceptions.AuthenticationFailed(error.message) from None
        if rls.is_active():
            # DRF authenticates in the view, after RowSecurityMiddleware: the token's landlord.
            rls.set_scope(landlord_ids=[token.landlord_id])
        return LandlordPrincipal(token), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiPermission(permissions.BasePermission):
    """Landlord staff (session) or a token; a read-only token cannot write (403)."""

    message = gettext_lazy("Accès réservé aux jetons d'intégration et au personnel des bailleurs.")

    def has_permission(self, request, view):
        user = request.user
        if isinstance(user, LandlordPrincipal):
            if request.method in permissions.SAFE_METHODS or user.token.can_write:
                return True
            self.message = _("Ce jeton est en lecture seule : il ne peut rien modifier.")
            return False
        return bool(user and user.is_authenticated and is_landlord_staff(user))


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Requests per hour per token (or per user for sessions)."""

    scope = "api"

    def get_cache_key(self, request, view):
        user = request.user
        if isinstance(user, LandlordPrincipal):
            ident = f"token-{user.token.pk}"
        elif user and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class StableCursorPagination(CursorPagination):
    """Cursor paging on the id: rows added while a client pages through never shift a page."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_cursor_message = gettext_lazy("Curseur de page invalide.")

    def decode_cursor(self, request):
        if not request.query_params.get(self.cursor_query_param):
            return None
        return super().decode_cursor(request)

    def get_page_size(self, request):
        """The asked size, between 1 and ``max_page_size``; anything else is a 400."""
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.isdigit() or not 1 <= int(value) <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Nombre entier entre 1 et %(max)d attendu.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(value)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters
